"""Reader for the Danish Maritime Authority's historical AIS CSV files (``aisdk-YYYY-MM-DD.csv``).

Header (26 columns; files before 2020 stop after ``Data source type``: 22 columns)::

    # Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,
    Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,
    Type of position fixing device,Draught,Destination,ETA,Data source type,A,B,C,D

Timestamps are UTC, day first: ``27/12/2018 00:00:00``. ``Unknown`` (and ``Undefined``)
mean missing. ``Navigational status`` and ``Ship type`` are English words, mapped back
to their AIS codes (``"Under way using engine"`` -> 0, ``"Tanker"`` -> 80: the category's
first code, since the file does not say the hazard class); ``Unknown value`` and
``Undefined`` are NA. Every data row is one record; rows are rejected and counted by
the rules of :mod:`vesselscreen.ais.mapping` (invalid MMSI, timestamp, position).

>>> import io
>>> text = (
...     "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,"
...     "Heading,IMO,Callsign,Name,Ship type,Cargo type,Width,Length,"
...     "Type of position fixing device,Draught,Destination,ETA,Data source type\\n"
...     "01/06/2018 00:00:00,Class A,215810000,55.921028,17.320418,Constrained by her draught,"
...     "0.0,12.5,255.5,256,Unknown,,,Undefined,,,,Undefined,,,,AIS\\n"
... )
>>> row = read_dma(io.StringIO(text)).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), int(row["nav_status"]), row["imo"]
(215810000, '2018-06-01 00:00:00+00:00', 4, <NA>)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Final

import numpy as np
import pandas as pd

from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, source_name
from vesselscreen.ais.mapping import TableChunk, csv_chunks, csv_header, to_positions
from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.schema import POSITION

__all__ = ["COLUMNS", "FORMAT", "read_dma"]

FORMAT: Final = "dma_csv"
SOURCE: Final = "dma"
TIME_FORMAT: Final = "%d/%m/%Y %H:%M:%S"

COLUMNS: Final = (
    "# Timestamp",
    "Type of mobile",
    "MMSI",
    "Latitude",
    "Longitude",
    "Navigational status",
    "ROT",
    "SOG",
    "COG",
    "Heading",
    "IMO",
    "Callsign",
    "Name",
    "Ship type",
    "Cargo type",
    "Width",
    "Length",
    "Type of position fixing device",
    "Draught",
    "Destination",
    "ETA",
    "Data source type",
    "A",
    "B",
    "C",
    "D",
)
"""The 26 columns of the files since 2020; the older files have the first 22."""

REQUIRED_COLUMNS: Final = ("# Timestamp", "MMSI", "Latitude", "Longitude")

_MAPPING: Final = {
    POSITION.TIMESTAMP: "# Timestamp",
    POSITION.MMSI: "MMSI",
    POSITION.LAT: "Latitude",
    POSITION.LON: "Longitude",
    POSITION.NAV_STATUS: "Navigational status",
    POSITION.SOG: "SOG",
    POSITION.COG: "COG",
    POSITION.HEADING: "Heading",
    POSITION.IMO: "IMO",
    POSITION.CALL_SIGN: "Callsign",
    POSITION.NAME: "Name",
    POSITION.SHIP_TYPE: "Ship type",
    POSITION.DRAUGHT: "Draught",
    POSITION.DESTINATION: "Destination",
    POSITION.TRANSCEIVER: "Type of mobile",
    POSITION.LENGTH: "Length",
}
NULLS: Final = ("Unknown", "Undefined")

NAV_STATUS_CODES: Final = {
    "under way using engine": 0,
    "at anchor": 1,
    "not under command": 2,
    "restricted maneuverability": 3,
    "restricted manoeuvrability": 3,
    "constrained by her draught": 4,
    "moored": 5,
    "aground": 6,
    "engaged in fishing": 7,
    "under way sailing": 8,
    "reserved for future amendment [hsc]": 9,
    "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11,
    "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13,
    "ais-sart": 14,
}
"""ITU-R M.1371 navigational status codes by the DMA's wording (``Unknown value`` is NA)."""

SHIP_TYPE_CODES: Final = {
    "wig": 20,
    "fishing": 30,
    "towing": 31,
    "towing long/wide": 32,
    "dredging": 33,
    "diving": 34,
    "military": 35,
    "sailing": 36,
    "pleasure": 37,
    "hsc": 40,
    "pilot": 50,
    "sar": 51,
    "tug": 52,
    "port tender": 53,
    "anti-pollution": 54,
    "law enforcement": 55,
    "spare 1": 56,
    "spare 2": 57,
    "medical": 58,
    "not party to conflict": 59,
    "passenger": 60,
    "cargo": 70,
    "tanker": 80,
    "other": 90,
}
"""AIS ship-type codes by the DMA's category words (a category's first code)."""


def _codes_of(values: pd.Series, table: dict[str, int]) -> pd.Series:
    """Codes of words, looked up once per distinct word (a day holds a handful of them)."""
    positions, words = pd.factorize(values, use_na_sentinel=True)
    lookup = np.array([float(table.get(str(word).strip().lower(), np.nan)) for word in words] + [np.nan])
    return pd.Series(lookup[positions], index=values.index, dtype="float64")


def _nav_status(values: pd.Series) -> pd.Series:
    return _codes_of(values, NAV_STATUS_CODES)


def _ship_type(values: pd.Series) -> pd.Series:
    return _codes_of(values, SHIP_TYPE_CODES)


def _transceiver(values: pd.Series) -> pd.Series:
    """``Class A`` / ``Class B`` as ``A`` / ``B``; base stations and the rest as missing."""
    classes = {"class a": "A", "class b": "B"}
    positions, words = pd.factorize(values, use_na_sentinel=True)
    lookup = np.array([classes.get(str(word).strip().lower()) for word in words] + [None], dtype=object)
    return pd.Series(lookup[positions], index=values.index, dtype="string")


def _convert(chunk: TableChunk, name: str) -> pd.DataFrame:
    renamed = TableChunk(
        pd.DataFrame(
            {
                canonical: chunk.frame[column]
                for canonical, column in _MAPPING.items()
                if column in chunk.frame
            }
        ),
        chunk.lines,
        chunk.bad_rows,
    )
    return to_positions(
        renamed,
        name=name,
        format=FORMAT,
        source_label=SOURCE,
        time_format=TIME_FORMAT,
        assume_utc=True,
        nulls=NULLS,
        converters={
            POSITION.NAV_STATUS: _nav_status,
            POSITION.SHIP_TYPE: _ship_type,
            POSITION.TRANSCEIVER: _transceiver,
        },
    )


def iter_stream(stream: BinaryIO, name: str, *, chunksize: int | None = None) -> Iterator[pd.DataFrame]:
    """Positions frames of an open, decompressed DMA CSV stream, whole or ``chunksize`` rows each."""
    header = csv_header(stream, name)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ColumnsError(name, missing=missing)
    present = [column for column in _MAPPING.values() if column in header]
    for chunk in csv_chunks(stream, name, present, chunksize=chunksize):
        yield _convert(chunk, name)


def read_stream(stream: BinaryIO, name: str) -> pd.DataFrame:
    """:func:`read_dma` on an open, seekable, decompressed binary stream named ``name``."""
    return next(iter_stream(stream, name))


def read_dma(source: AISSource) -> pd.DataFrame:
    """Read a Danish Maritime Authority AIS CSV (22 or 26 columns; path or file object,
    optionally gzip / zip / zstd compressed) into the positions frame.

    Missing ``# Timestamp``, ``MMSI``, ``Latitude`` or ``Longitude`` columns raise
    :class:`ColumnsError`.
    """
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            return read_stream(stream, name)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc
