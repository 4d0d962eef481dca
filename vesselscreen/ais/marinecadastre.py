"""Reader for NOAA / BOEM MarineCadastre daily AIS CSV files (2015-2024, 17 columns).

``MMSI, BaseDateTime, LAT, LON, SOG, COG, Heading, VesselName, IMO, CallSign,
VesselType, Status, Length, Width, Draft, Cargo, TransceiverClass``; one row per
position report, times in UTC without an offset (``2023-01-11T00:00:00``; some years
write a space instead of the ``T``). ``IMO`` is ``IMO9307839`` or empty; integer codes
may be written as floats (``0.0``).

Mapping: VesselName -> ``name``, CallSign -> ``call_sign``, VesselType -> ``ship_type``,
Status -> ``nav_status``, Draft -> ``draught``; ``destination`` is not in the format (NA);
Length, Width, Cargo and TransceiverClass are not part of the positions schema and are
dropped. Each data row is one record of the ingest report.

>>> import io
>>> text = (
...     "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
...     "Length,Width,Draft,Cargo,TransceiverClass\\n"
...     "636021061,2023-01-11T00:00:00,26.09241,-80.04806,8.8,272.7,270.0,MSC NAISHA III,"
...     "IMO9307839,5LCB4,70,8.0,208.0,30.0,8.0,70.0,A\\n"
... )
>>> row = read_marinecadastre(io.StringIO(text)).iloc[0]
>>> int(row["imo"]), row["name"], str(row["timestamp"]), float(row["heading"])
(9307839, 'MSC NAISHA III', '2023-01-11 00:00:00+00:00', 270.0)
"""

from __future__ import annotations

from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type hints

from vesselscreen.ais._common import (
    clean_motion,
    finish,
    imo_validity,
    integer_codes,
    reject_rows,
    valid_lat,
    valid_lon,
    valid_mmsi,
)
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, source_name
from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.schema import POSITION

__all__ = ["COLUMNS", "FORMAT", "REQUIRED_COLUMNS", "read_marinecadastre"]

FORMAT = "marinecadastre_csv"
SOURCE = "marinecadastre"

COLUMNS = (
    "MMSI",
    "BaseDateTime",
    "LAT",
    "LON",
    "SOG",
    "COG",
    "Heading",
    "VesselName",
    "IMO",
    "CallSign",
    "VesselType",
    "Status",
    "Length",
    "Width",
    "Draft",
    "Cargo",
    "TransceiverClass",
)
"""The 17 columns of the 2015-2024 daily files, in file order."""

REQUIRED_COLUMNS = ("MMSI", "BaseDateTime", "LAT", "LON")
"""Without these a file cannot give positions; the other columns are optional (NA if absent)."""

_USED = tuple(column for column in COLUMNS if column not in ("Length", "Width", "Cargo", "TransceiverClass"))
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_IMO = r"^(?:IMO)?\s*(?P<number>\d{1,9})$"
_NULL = pa.scalar(None, pa.string())
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def read_marinecadastre(source: AISSource) -> pd.DataFrame:
    """Read a MarineCadastre daily CSV (path or file object, optionally gzipped) into positions.

    Rows with an invalid MMSI, an unparseable ``BaseDateTime``, or a position outside
    [-90, 90] / [-180, 180] (incl. 91 / 181 "not available") are rejected and counted
    with their line number; an IMO failing its check digit becomes NA with a warning.
    Missing MMSI, BaseDateTime, LAT or LON columns raise :class:`ColumnsError`.
    """
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            return read_stream(stream, name)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt gzip data: {exc}") from exc


def _header(stream: BinaryIO) -> list[str]:
    start = stream.tell()
    line = stream.readline()
    stream.seek(start)
    text = line.decode("utf-8-sig", errors="replace").strip()
    return [field.strip().strip('"') for field in text.split(",")] if text else []


_BadRow = tuple[int | None, int, int, str]  # line, fields found, fields expected, text


def _read_table(stream: BinaryIO, name: str, columns: list[str]) -> tuple[Any, list[_BadRow]]:
    """The table (used columns, as strings) and the rows pyarrow could not split into fields."""
    start = stream.tell()
    bad_rows: list[_BadRow] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append((row.number, row.actual_columns, row.expected_columns, row.text))
        return "skip"

    def read(threads: bool) -> Any:
        bad_rows.clear()
        stream.seek(start)
        try:
            return pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(use_threads=threads),
                parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    include_columns=columns,
                    column_types=dict.fromkeys(columns, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise FormatError(name, f"not a readable CSV: {exc}") from exc

    table = read(threads=True)
    if any(row[0] is None for row in bad_rows):
        table = read(threads=False)  # only single-threaded parsing knows the line numbers
    return table, bad_rows


def _blank_to_null(text: Any) -> Any:
    return pc.if_else(pc.equal(text, ""), _NULL, text)


def _floats(column: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Numbers from text; empty or unparseable -> NaN. Arrow's cast first, a regex only if it fails."""
    text = _blank_to_null(column)
    try:
        numbers = pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        text = pc.utf8_trim_whitespace(text)
        numbers = pc.cast(pc.if_else(pc.match_substring_regex(text, _NUMBER), text, _NULL), pa.float64())
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")


def _strings(column: Any) -> pd.Series:
    """Trimmed text as a pandas string column; empty -> NA."""
    text = _blank_to_null(pc.utf8_trim_whitespace(column))
    return pd.Series(text.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get), dtype="string")


def _row_lines(count: int, bad_lines: list[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Physical line of each table row: header is line 1, skipped malformed lines shift the rest."""
    lines = np.arange(count, dtype="int64") + 2
    for bad in sorted(bad_lines):
        lines[lines >= bad] += 1
    return lines


def _add_imo(frame: pd.DataFrame, column: Any, lines: np.ndarray[Any, Any], log: RejectionLog) -> None:
    """Set ``frame``'s imo from ``IMO9307839`` text; failing or malformed numbers -> NA + warning."""
    if column is None:
        frame[POSITION.IMO] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        return
    text = _blank_to_null(pc.utf8_trim_whitespace(column))
    digits = pc.struct_field(pc.extract_regex(text, _IMO), [0])
    numbers = pc.cast(pc.if_else(pc.is_valid(digits), digits, _NULL), pa.int64())
    imo, invalid = imo_validity(pd.Series(numbers.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)))
    # text that is not "IMO" + digits at all is as unusable as a failing check digit
    malformed = np.asarray(pc.and_(pc.is_valid(text), pc.is_null(numbers)).to_numpy(zero_copy_only=False))
    flagged = np.flatnonzero(invalid.to_numpy(dtype=bool) | malformed)
    frame[POSITION.IMO] = imo
    if flagged.size:
        values = text.take(pa.array(flagged)).to_pylist()
        mmsis = frame[POSITION.MMSI].to_numpy()[flagged].tolist()
        for value, mmsi, line in zip(values, mmsis, lines[flagged].tolist(), strict=True):
            log.warn(f"invalid IMO: {value!r} of MMSI {mmsi}", line=line)


def read_stream(stream: BinaryIO, name: str) -> pd.DataFrame:
    """:func:`read_marinecadastre` on an open, seekable, decompressed binary stream named ``name``."""
    header = _header(stream)
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ColumnsError(name, missing=missing)
    present = [column for column in _USED if column in header]
    table, bad_rows = _read_table(stream, name, present)
    log = RejectionLog(name)
    for line, found, expected, text in bad_rows:
        log.reject(f"malformed row: {found} fields, expected {expected}", line=line, raw=text)

    count = table.num_rows
    lines = _row_lines(count, [row[0] for row in bad_rows if row[0] is not None])
    column = {c: table.column(c).combine_chunks() for c in present}
    mmsi = _floats(column["MMSI"])
    times = pc.strptime(
        pc.replace_substring(pc.utf8_trim_whitespace(column["BaseDateTime"]), " ", "T"),
        format=_TIME_FORMAT,
        unit="ns",
        error_is_null=True,
    )
    time_ok = np.asarray(pc.is_valid(times).to_numpy(zero_copy_only=False), dtype=bool)
    lat, lon = _floats(column["LAT"]), _floats(column["LON"])

    reason = np.full(count, "", dtype=object)
    checks = (
        (~valid_lon(lon), "invalid longitude", "LON"),
        (~valid_lat(lat), "invalid latitude", "LAT"),
        (~time_ok, "unparseable timestamp", "BaseDateTime"),
        (~valid_mmsi(mmsi), "invalid MMSI", "MMSI"),
    )
    for failed, label, source_column in checks:  # last assignment wins: MMSI first, then time, lat, lon
        if failed.any():
            where = np.flatnonzero(failed)
            values = column[source_column].take(pa.array(where)).to_pylist()
            reason[where] = [f"{label}: {value!r}" for value in values]
    rejected = reason != ""
    if rejected.any():
        rejected_rows = np.flatnonzero(rejected)
        texts = {c: column[c].take(pa.array(rejected_rows[:100])).to_pylist() for c in present}
        reject_rows(
            log,
            reasons=reason[rejected].tolist(),
            lines=lines[rejected].tolist(),
            raw=lambda i: ",".join(str(texts[c][i]) for c in present),
        )
    keep = ~rejected
    kept_count = int(keep.sum())
    log.accept(kept_count)
    if rejected.any():
        mask = pa.array(keep)
        column = {c: values.filter(mask) for c, values in column.items()}
        mmsi, lat, lon, times = mmsi[keep], lat[keep], lon[keep], times.filter(mask)

    def floats_or_nan(name: str) -> pd.Series:
        return pd.Series(_floats(column[name]) if name in column else np.full(kept_count, np.nan))

    def strings_or_na(name: str) -> pd.Series:
        if name in column:
            return _strings(column[name])
        return pd.Series(pd.NA, index=range(kept_count), dtype="string")

    frame = pd.DataFrame(
        {
            POSITION.MMSI: mmsi.astype("int64"),
            POSITION.TIMESTAMP: pd.DatetimeIndex(
                np.asarray(times.to_numpy(zero_copy_only=False))
            ).tz_localize("UTC"),
            POSITION.LAT: lat,
            POSITION.LON: lon,
            POSITION.SOG: floats_or_nan("SOG"),
            POSITION.COG: floats_or_nan("COG"),
            POSITION.HEADING: floats_or_nan("Heading"),
            POSITION.NAV_STATUS: integer_codes(floats_or_nan("Status"), 0, 15),
            POSITION.NAME: strings_or_na("VesselName"),
            POSITION.CALL_SIGN: strings_or_na("CallSign"),
            POSITION.SHIP_TYPE: integer_codes(floats_or_nan("VesselType"), 1, 255),
            POSITION.DRAUGHT: floats_or_nan("Draft").where(lambda d: d > 0),
            POSITION.SOURCE: SOURCE,
        }
    )
    frame = clean_motion(frame)
    _add_imo(frame, column.get("IMO"), lines[keep], log)
    return finish(frame, log.report(format=FORMAT))
