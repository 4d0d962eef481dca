"""Reader for AISHub web-service output (``data.aishub.net/ws.php``), JSON and CSV.

Each record is a vessel's latest report: ``MMSI, TIME, LONGITUDE, LATITUDE, COG, SOG,
HEADING, ROT, NAVSTAT, IMO, NAME, CALLSIGN, TYPE, A, B, C, D, DRAUGHT, DEST, ETA``
(the AIS-encoded form adds ``PAC``, ``DEVICE``, ``AISVER``). The web service has two
value formats (its ``format=`` parameter):

========  ========================================  ==================================
field     ``format=1`` (human readable)             ``format=0`` (AIS encoding)
========  ========================================  ==================================
TIME      ``2011-04-12 10:40:27 GMT``               Unix seconds ``1302264927``
LATITUDE  degrees                                   1/10000 minute: degrees x 600000
LONGITUDE degrees                                   1/10000 minute: degrees x 600000
SOG       knots                                     1/10 knot (x 10)
COG       degrees                                   1/10 degree (x 10)
DRAUGHT   metres                                    1/10 metre (x 10)
========  ========================================  ==================================

JSON output is ``[{"ERROR": false, "USERNAME": ..., "FORMAT": "HUMAN" | "AIS",
"RECORDS": n, ...}, [record, ...]]``; an error response (``"ERROR": true``, e.g. too
frequent requests) raises :class:`FormatError` with AISHub's message. CSV output is a
header line and one line per record; its value format is recognised from ``TIME``
(all digits: AIS encoding) unless ``scaled=`` says. Sentinels survive scaling and are
handled as everywhere (latitude 91 rejected, SOG 102.3 and heading 511 NaN).

>>> import io
>>> text = ('[{"ERROR":false,"USERNAME":"AH_DEMO","FORMAT":"AIS","RECORDS":1},'
...         '[{"MMSI":235085131,"TIME":"1302264927","LONGITUDE":-818067,"LATITUDE":30453520,'
...         '"COG":2351,"SOG":59,"HEADING":511,"NAVSTAT":0,"IMO":0,"NAME":"ZAC V",'
...         '"CALLSIGN":"ZIYX3","TYPE":36,"DRAUGHT":0,"DEST":""}]]')
>>> row = read_aishub(io.StringIO(text)).iloc[0]
>>> str(row["timestamp"]), round(float(row["lat"]), 6), float(row["sog"]), float(row["cog"])
('2011-04-08 12:15:27+00:00', 50.755867, 5.9, 235.1)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd

from vesselscreen.ais._common import holds_undecodable_bytes
from vesselscreen.ais._csvlines import BadRow
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, peek, source_name
from vesselscreen.ais.mapping import (
    UNIX_SECONDS,
    TableChunk,
    _numbers,
    csv_chunks,
    csv_header,
    to_positions,
)
from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.schema import POSITION

__all__ = ["COLUMNS", "FORMAT_CSV", "FORMAT_JSON", "read_aishub"]

FORMAT_JSON: Final = "aishub_json"
FORMAT_CSV: Final = "aishub_csv"
SOURCE: Final = "aishub"
COLUMNS: Final = (
    "MMSI",
    "TIME",
    "LONGITUDE",
    "LATITUDE",
    "COG",
    "SOG",
    "HEADING",
    "ROT",
    "NAVSTAT",
    "IMO",
    "NAME",
    "CALLSIGN",
    "TYPE",
    "A",
    "B",
    "C",
    "D",
    "DRAUGHT",
    "DEST",
    "ETA",
)
"""The record fields of the human-readable format, in the web service's order."""

REQUIRED_COLUMNS: Final = ("MMSI", "TIME", "LONGITUDE", "LATITUDE")
_BOM: Final = b"\xef\xbb\xbf"
_LARGEST_INT: Final = 2**63  # larger integers are no AIS value, and overflow the float conversion
POSITION_SCALE: Final = 600_000.0
"""AIS encoding of positions: 1/10000 minute, i.e. degrees x 600000."""
TENTHS: Final = 10.0

_MAPPING: Final = {
    POSITION.MMSI: "MMSI",
    POSITION.TIMESTAMP: "TIME",
    POSITION.LON: "LONGITUDE",
    POSITION.LAT: "LATITUDE",
    POSITION.COG: "COG",
    POSITION.SOG: "SOG",
    POSITION.HEADING: "HEADING",
    POSITION.NAV_STATUS: "NAVSTAT",
    POSITION.IMO: "IMO",
    POSITION.NAME: "NAME",
    POSITION.CALL_SIGN: "CALLSIGN",
    POSITION.SHIP_TYPE: "TYPE",
    POSITION.DRAUGHT: "DRAUGHT",
    POSITION.DESTINATION: "DEST",
}


def _scaled_by(divisor: float) -> Any:
    return lambda values: _numbers(values) / divisor


def is_scaled(times: pd.Series) -> bool:
    """True if ``TIME`` values are Unix seconds (the AIS-encoded format).

    >>> is_scaled(pd.Series(["1302264927"])), is_scaled(pd.Series(["2011-04-12 10:40:27 GMT"]))
    (True, False)
    """
    text = times.dropna().astype("string").str.strip()
    text = text[text != ""]
    return bool(len(text)) and bool(text.str.fullmatch(r"\d+").all())


def _convert(chunk: TableChunk, name: str, format: str, scaled: bool | None) -> pd.DataFrame:
    raw = pd.DataFrame(
        {canonical: chunk.frame[column] for canonical, column in _MAPPING.items() if column in chunk.frame}
    )
    if scaled is None:
        scaled = is_scaled(raw[POSITION.TIMESTAMP])
    converters = {}
    if scaled:
        converters = {
            POSITION.LAT: _scaled_by(POSITION_SCALE),
            POSITION.LON: _scaled_by(POSITION_SCALE),
            POSITION.SOG: _scaled_by(TENTHS),
            POSITION.COG: _scaled_by(TENTHS),
            POSITION.DRAUGHT: _scaled_by(TENTHS),
        }
    return to_positions(
        TableChunk(raw, chunk.lines, chunk.bad_rows),
        name=name,
        format=format,
        source_label=SOURCE,
        time_format=UNIX_SECONDS if scaled else "%Y-%m-%d %H:%M:%S",
        assume_utc=True,
        converters=converters,
    )


def _json_records(stream: BinaryIO, name: str) -> tuple[pd.DataFrame, list[BadRow], bool | None]:
    """The records of AISHub JSON, the ones that cannot be read (with their 1-based number),
    and the declared value format. A document that is not AISHub JSON raises FormatError."""
    text = stream.read().removeprefix(_BOM).decode("utf-8", errors="surrogateescape")
    try:
        document = json.loads(text)  # a byte that is not UTF-8 fails its record only, below
    except json.JSONDecodeError as exc:
        raise FormatError(name, f"not AISHub JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise FormatError(name, "not AISHub JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise FormatError(name, f"not AISHub JSON: {exc}") from exc
    header = document[0] if isinstance(document, list) and document else None
    if not isinstance(header, dict):
        raise FormatError(name, "not AISHub JSON: expected [header, records]")
    if header.get("ERROR"):
        message = header.get("ERROR_MESSAGE") or "no message"
        raise FormatError(name, f"AISHub returned an error: {message}")
    records = document[1] if len(document) > 1 else []
    if not isinstance(records, list):
        raise FormatError(name, "not AISHub JSON: the second element must be a list of records")
    value_format = str(header.get("FORMAT", "")).upper()
    scaled = True if value_format == "AIS" else False if value_format == "HUMAN" else None
    good: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: list[BadRow] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            bad.append(BadRow(number, "malformed record: not a JSON object", repr(record)[:300]))
        elif holds_undecodable_bytes(record):
            bad.append(BadRow(number, "malformed record: not UTF-8", repr(record)[:300]))
        else:
            good.append({key: _scalar(value) for key, value in record.items()})
            numbers.append(number)
    frame = pd.DataFrame.from_records(good)
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if good and missing:
        raise ColumnsError(name, missing=missing)
    for column in REQUIRED_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.Series(dtype="object")
    for column in ("NAME", "CALLSIGN", "DEST", "TIME"):
        if column in frame.columns:
            frame[column] = frame[column].astype("string")
    frame["_record"] = np.asarray(numbers, dtype="int64")
    return frame, bad, scaled


def _scalar(value: object) -> object:
    """A record's value if it is a JSON scalar that fits a float; ``None`` otherwise (a list, an
    object, an integer too large for a float), so one odd value is a missing field, not an error."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST_INT:
        return None
    return value if value is None or isinstance(value, str | int | float) else None


def read_stream(stream: BinaryIO, name: str, *, scaled: bool | None = None) -> pd.DataFrame:
    """:func:`read_aishub` on an open, decompressed binary stream named ``name``."""
    return next(iter_stream(stream, name, scaled=scaled))


def iter_stream(
    stream: BinaryIO, name: str, *, scaled: bool | None = None, chunksize: int | None = None
) -> Iterator[pd.DataFrame]:
    """Positions frames of AISHub JSON (whole, then sliced) or CSV (streamed in chunks)."""
    if peek(stream, 64).removeprefix(_BOM).lstrip().startswith(b"["):
        records, bad, declared = _json_records(stream, name)
        step = chunksize or max(len(records), 1)
        for start in range(0, max(len(records), 1), step):
            part = records.iloc[start : start + step].reset_index(drop=True)
            lines = part.pop("_record").to_numpy(dtype="int64")
            limit = int(lines[-1]) if start + step < len(records) and len(lines) else None
            mine = [row for row in bad if row.line is not None and (limit is None or row.line < limit)]
            bad = [row for row in bad if row not in mine]
            chunk = TableChunk(part, lines, mine)
            yield _convert(chunk, name, FORMAT_JSON, declared if scaled is None else scaled)
        return
    header = csv_header(stream, name)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ColumnsError(name, missing=missing)
    present = [column for column in _MAPPING.values() if column in header]
    for chunk in csv_chunks(stream, name, present, chunksize=chunksize):
        yield _convert(chunk, name, FORMAT_CSV, scaled)


def read_aishub(source: AISSource, *, scaled: bool | None = None) -> pd.DataFrame:
    """Read AISHub JSON or CSV output (path or file object, optionally compressed) into positions.

    ``scaled`` says whether values are in the AIS encoding (``format=0``: positions x
    600000, SOG / COG / draught x 10, Unix times); ``None`` takes it from the JSON
    header's ``FORMAT``, or for CSV from ``TIME`` (digits only: AIS encoding). For JSON,
    report line numbers are 1-based record numbers; for CSV, file lines.
    """
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            return read_stream(stream, name, scaled=scaled)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc
