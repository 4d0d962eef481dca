"""Any table of AIS positions (CSV, Parquet or DataFrame) read through a column mapping.

This module also owns the vectorised engine the tabular readers share (Danish Maritime
Authority CSV, AISHub, the mapped reader): a frame whose columns already carry the
canonical names, with raw values (text or numbers), becomes a positions frame with every
bad row rejected and counted, by the same rules as the MarineCadastre reader:

- a row is **rejected** for an invalid MMSI (not 7 to 9 significant digits), a
  timestamp that cannot be parsed, or a latitude / longitude outside [-90, 90] /
  [-180, 180] (which includes the "not available" values 91 and 181);
- ``sog`` 102.3, ``cog`` 360 and ``heading`` 511 ("not available") become NaN;
- ``ship_type`` 0 and ``draught`` 0 become NA; ``nav_status`` outside 0-15 is NA;
- an IMO that fails its check digit (or is not a number) becomes NA with a warning.

The mapping is ``{canonical column: source column}``; ``mmsi``, ``timestamp``, ``lat``
and ``lon`` are required, the other POSITION columns optional.

>>> frame = pd.DataFrame({"ship": [636021061], "time": ["2023-01-11T00:00:00Z"],
...                       "y": [26.09241], "x": [-80.04806], "speed": [102.3]})
>>> mapping = {"mmsi": "ship", "timestamp": "time", "lat": "y", "lon": "x", "sog": "speed"}
>>> row = read_mapped(frame, mapping).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), float(row["lat"]), bool(pd.isna(row["sog"]))
(636021061, '2023-01-11 00:00:00+00:00', 26.09241, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type hints

from vesselscreen.ais._common import (
    clean_motion,
    finish,
    imo_validity,
    integer_codes,
    reject_rows,
    utc_ns,
    valid_lat,
    valid_lon,
    valid_mmsi,
)
from vesselscreen.ais._csvlines import (
    BadRow,
    CsvGuard,
    bad_row_handler,
    check_unique,
    header_fields,
    parse_options,
    read_options,
)
from vesselscreen.ais._io import (
    DECOMPRESSION_ERRORS,
    PARQUET_ERRORS,
    AISSource,
    open_binary,
    peek,
    source_name,
)
from vesselscreen.errors import ColumnsError, ConfigError, FormatError, ReferenceTimeError
from vesselscreen.ingest import RejectionLog
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES

__all__ = ["FORMAT", "REQUIRED", "read_mapped"]

FORMAT: Final = "mapped"
SOURCE: Final = "mapped"
REQUIRED: Final = (POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON)
"""Canonical columns a mapping must name."""

PARQUET_MAGIC: Final = b"PAR1"
UNIX_SECONDS: Final = "unix"
"""``time_format`` value for timestamps given as Unix seconds."""

_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d|\s(UTC|GMT))\s*$", re.IGNORECASE)
_IMO_TEXT = r"^\s*(?:IMO)?\s*(\d{1,9})(?:\.0+)?\s*$"
Lines = npt.NDArray[np.int64]


@dataclass
class TableChunk:
    """Raw values of some rows (text for CSV), their line or row numbers, and bad lines met."""

    frame: pd.DataFrame
    lines: Lines
    bad_rows: list[BadRow] = field(default_factory=list)


# --- reading tables ---------------------------------------------------------------------


def csv_header(stream: BinaryIO, name: str = "<stream>") -> list[str]:
    """The header fields of a CSV stream (position unchanged), as pyarrow reads them."""
    return header_fields(stream, name)


def _row_lines(first_good: int, count: int, bad_lines: list[int]) -> Lines:
    """Physical line of good rows ``first_good..first_good+count``: header is line 1 and
    every skipped malformed line shifts the rows after it."""
    lines = np.arange(first_good, first_good + count, dtype="int64") + 2
    for bad in sorted(bad_lines):
        lines[lines >= bad] += 1
    return lines


def _strings_frame(table: Any) -> pd.DataFrame:
    # arrow-backed text columns: no copy, and numbers / times are parsed by pyarrow compute
    return table.to_pandas(types_mapper=pd.ArrowDtype)  # type: ignore[no-any-return]  # pyarrow is untyped


def csv_chunks(
    stream: BinaryIO, name: str, columns: list[str], *, chunksize: int | None = None
) -> Iterator[TableChunk]:
    """The CSV's ``columns`` as text, whole (``chunksize=None``) or ``chunksize`` rows at a time.

    Whole files are parsed multithreaded; chunked reading streams the file (memory bounded
    by the chunk size) single-threaded so malformed lines keep their line numbers. Lines
    pyarrow would misread (see :mod:`vesselscreen.ais._csvlines`) are malformed rows too.
    """
    start = stream.tell()
    header = header_fields(stream, name)
    check_unique(header, columns, name)
    bad_rows: list[BadRow] = []

    def options(threads: bool) -> tuple[CsvGuard, dict[str, Any]]:
        stream.seek(start)
        guard = CsvGuard(stream)
        return guard, {
            "read_options": read_options(header, threads=threads),
            "parse_options": parse_options(bad_row_handler(guard, bad_rows)),
            "convert_options": pacsv.ConvertOptions(
                include_columns=columns,
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        }

    try:
        if chunksize is None:
            guard, kwargs = options(threads=True)
            table = pacsv.read_csv(guard, **kwargs)
            if any(row.line is None for row in bad_rows):
                bad_rows.clear()
                guard, kwargs = options(threads=False)
                table = pacsv.read_csv(guard, **kwargs)  # knows line numbers
            lines = _row_lines(0, table.num_rows, [row.line for row in bad_rows if row.line is not None])
            yield TableChunk(_strings_frame(table), lines, list(bad_rows))
            return
        guard, kwargs = options(threads=False)
        reader = pacsv.open_csv(guard, **kwargs)
        pending: list[Any] = []
        pending_rows = 0
        done = 0
        reported = 0

        def emit(batches: list[Any]) -> TableChunk:
            nonlocal done, reported
            table = pa.Table.from_batches(batches, schema=reader.schema)
            known = [row.line for row in bad_rows if row.line is not None]
            lines = _row_lines(done, table.num_rows, known)
            done += table.num_rows
            # a malformed line belongs to the chunk whose rows it sits among
            limit = int(lines[-1]) if len(lines) else None
            fresh = [
                row for row in bad_rows[reported:] if limit is None or row.line is None or row.line < limit
            ]
            reported += len(fresh)
            return TableChunk(_strings_frame(table), lines, fresh)

        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunksize:
                table = pa.Table.from_batches(pending, schema=reader.schema)
                head, rest = table.slice(0, chunksize), table.slice(chunksize)
                yield emit(head.to_batches())
                pending = rest.to_batches()
                pending_rows = rest.num_rows
        if pending_rows or done == 0 or reported < len(bad_rows):
            chunk = emit(pending)
            chunk.bad_rows.extend(bad_rows[reported:])
            reported = len(bad_rows)
            yield chunk
    except pa.ArrowException as exc:
        raise FormatError(name, f"not a readable CSV: {exc}") from exc


def parquet_chunks(
    stream: BinaryIO, name: str, columns: list[str], *, chunksize: int | None = None
) -> Iterator[TableChunk]:
    """The Parquet file's ``columns`` (native types), whole or ``chunksize`` rows at a time.

    Line numbers are 1-based row numbers.
    """
    try:
        parquet = pq.ParquetFile(stream)
        present = set(parquet.schema_arrow.names)
        missing = [column for column in columns if column not in present]
        if missing:
            raise ColumnsError(name, missing=missing)
        if not chunksize:
            frame = parquet.read(columns).to_pandas()
            yield TableChunk(frame, np.arange(1, len(frame) + 1, dtype="int64"))
            return
        done = 0
        for batch in parquet.iter_batches(batch_size=chunksize, columns=columns):
            frame = batch.to_pandas()
            yield TableChunk(frame, np.arange(done + 1, done + 1 + len(frame), dtype="int64"))
            done += len(frame)
    except PARQUET_ERRORS as exc:
        raise FormatError(name, f"not a readable Parquet file: {exc}") from exc


def frame_chunks(
    frame: pd.DataFrame, columns: list[str], *, chunksize: int | None = None
) -> Iterator[TableChunk]:
    """A DataFrame's ``columns`` whole or sliced; line numbers are 1-based row numbers."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ColumnsError("DataFrame", missing=missing)
    names = list(frame.columns)
    for column in columns:
        count = names.count(column)
        if count > 1:
            raise FormatError("DataFrame", f"column {column!r} appears {count} times: ambiguous")
    step = chunksize or max(len(frame), 1)
    for start in range(0, max(len(frame), 1), step):
        part = frame.iloc[start : start + step][columns].reset_index(drop=True)
        yield TableChunk(part, np.arange(start + 1, start + 1 + len(part), dtype="int64"))


# --- the shared conversion --------------------------------------------------------------


_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_NULL_TEXT = pa.scalar(None, pa.string())


def _arrow_text(values: pd.Series) -> Any | None:
    """The pyarrow string array behind an arrow-backed text column, else ``None``."""
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype):
        return pc.utf8_trim_whitespace(values.array.__arrow_array__())  # the arrow protocol: no copy
    return None


def _numbers(values: pd.Series) -> pd.Series:
    """Floats from numbers or text; anything unparseable (``"Unknown"``, ``""``) -> NaN."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(np.nan, index=values.index, dtype="float64")
    text = _arrow_text(values)
    if text is not None:  # pyarrow's cast first, a regex only if some value is not a number
        try:
            numbers = pc.cast(pc.if_else(pc.equal(text, ""), _NULL_TEXT, text), pa.float64())
        except pa.ArrowInvalid:
            numbers = pc.cast(
                pc.if_else(pc.match_substring_regex(text, _NUMBER), text, _NULL_TEXT), pa.float64()
            )
        array = np.asarray(numbers.to_numpy(), dtype="float64")
        return pd.Series(array, index=values.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    stripped = values.astype("string").str.strip()
    return pd.to_numeric(stripped, errors="coerce").astype("float64")


def _texts(values: pd.Series, nulls: Collection[str]) -> pd.Series:
    """Trimmed text; empty and the format's null words (case-insensitive) -> NA."""
    text = values.astype("string").str.strip()
    blank = text.isna() | (text == "")
    if nulls:
        blank |= text.str.lower().isin([word.lower() for word in nulls]).fillna(False).astype(bool)
    return text.mask(blank)


def parse_times(values: pd.Series, name: str, *, time_format: str | None, assume_utc: bool) -> pd.Series:
    """UTC timestamps from datetimes, Unix seconds or text; unparseable -> NaT.

    Naive values (no offset) raise :class:`ReferenceTimeError` unless ``assume_utc``:
    a format whose times are documented as UTC passes ``assume_utc=True``.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return utc_ns(values.dt.tz_convert("UTC"))
    if pd.api.types.is_datetime64_dtype(dtype):
        if not assume_utc:
            raise ReferenceTimeError(name, "timestamps are naive: pass assume_utc=True if they are UTC")
        return utc_ns(values.dt.tz_localize("UTC"))
    if time_format == UNIX_SECONDS or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ):
        if time_format != UNIX_SECONDS:
            raise ConfigError(f"{name}: numeric timestamps need time_format={UNIX_SECONDS!r} (Unix seconds)")
        seconds = _numbers(values)
        seconds = seconds.where(seconds.between(0, 32503680000))  # before year 3000
        return utc_ns(pd.to_datetime(seconds, unit="s", utc=True, errors="coerce"))
    arrow = _arrow_text(values)
    if arrow is not None and time_format not in (None, "ISO8601") and "%z" not in time_format and assume_utc:
        sample = arrow.drop_null()
        zoned = len(sample) > 0 and str(sample[0]).upper().endswith(("UTC", "GMT"))
        suffix = (
            pc.replace_substring_regex(arrow, pattern=r"\s+(UTC|GMT)$", replacement="") if zoned else arrow
        )
        parsed_arrow = pc.strptime(suffix, format=time_format, unit="ns", error_is_null=True)
        # strptime rolls impossible dates over (31/09 -> 01/10): a time must print back as written
        seconds = pc.cast(parsed_arrow, pa.timestamp("s"), safe=False)  # %S prints no fraction then
        exact = pc.equal(pc.strftime(seconds, format=time_format), suffix)
        parsed_arrow = pc.if_else(
            pc.fill_null(exact, False), parsed_arrow, pa.scalar(None, parsed_arrow.type)
        )
        naive = pd.DatetimeIndex(np.asarray(parsed_arrow.to_numpy(), dtype="datetime64[ns]"))
        return pd.Series(naive.tz_localize("UTC"), index=values.index)
    text = values.astype("string").str.strip()
    first = text.dropna()
    first = first[first != ""]
    has_offset = bool(len(first)) and bool(_OFFSET.search(str(first.iloc[0])))
    if len(first) and not has_offset and not assume_utc:
        raise ReferenceTimeError(
            name,
            f"timestamps have no UTC offset (e.g. {first.iloc[0]!r}): pass assume_utc=True if they are UTC",
        )
    text = text.str.replace(r"\s+(UTC|GMT)$", "", regex=True, case=False)
    parsed = pd.to_datetime(text, format=time_format or "ISO8601", errors="coerce", utc=True)
    return utc_ns(pd.Series(parsed, index=values.index))


def _imo_numbers(values: pd.Series, nulls: Collection[str]) -> tuple[pd.Series, pd.Series]:
    """``(numbers, malformed)``: IMO numbers from ints, floats or ``IMO9307839`` text."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = _numbers(values)
        whole = numbers.where(numbers == np.floor(numbers))
        return whole.astype("Int64"), numbers.notna() & whole.isna()
    text = _texts(values, nulls)
    digits = text.str.extract(_IMO_TEXT, expand=False)
    numbers = pd.to_numeric(digits, errors="coerce").astype("Int64")
    return numbers, (text.notna() & numbers.isna()).astype(bool)


def to_positions(
    chunk: TableChunk,
    *,
    name: str,
    format: str,
    source_label: str,
    log: RejectionLog | None = None,
    time_format: str | None = None,
    assume_utc: bool = False,
    nulls: Collection[str] = (),
    converters: Mapping[str, Callable[[pd.Series], pd.Series]] | None = None,
) -> pd.DataFrame:
    """The positions frame of a chunk whose columns carry canonical names (missing ones NA).

    ``converters`` replace the default conversion of a column (e.g. text ship types to
    codes); ``nulls`` are words meaning "missing" in text columns (``"Unknown"``).
    """
    log = log or RejectionLog(name)
    for bad in chunk.bad_rows:
        log.reject(bad.reason, line=bad.line, raw=bad.text)
    raw = chunk.frame
    converters = converters or {}
    count = len(raw)

    def column(canonical: str) -> pd.Series | None:
        if canonical not in raw.columns:
            return None
        values = raw[canonical]
        return converters[canonical](values) if canonical in converters else values

    def required(canonical: str) -> pd.Series:
        values = column(canonical)
        if values is None:
            raise ColumnsError(name, missing=[canonical])
        return values

    mmsi = _numbers(required(POSITION.MMSI))
    times = parse_times(required(POSITION.TIMESTAMP), name, time_format=time_format, assume_utc=assume_utc)
    lat = _numbers(required(POSITION.LAT))
    lon = _numbers(required(POSITION.LON))

    reason = np.full(count, "", dtype=object)
    checks = (
        (~valid_lon(lon.to_numpy()), "invalid longitude", POSITION.LON),
        (~valid_lat(lat.to_numpy()), "invalid latitude", POSITION.LAT),
        (times.isna().to_numpy(), "unparseable timestamp", POSITION.TIMESTAMP),
        (~valid_mmsi(mmsi.to_numpy()), "invalid MMSI", POSITION.MMSI),
    )
    for failed, label, canonical in checks:  # last assignment wins: MMSI first, then time, lat, lon
        if failed.any():
            where = np.flatnonzero(failed)
            values = raw[canonical].iloc[where].tolist()
            reason[where] = [f"{label}: {value!r}" for value in values]
    rejected = reason != ""
    if rejected.any():
        positions = np.flatnonzero(rejected)
        sample = raw.iloc[positions[:100]].astype("string").fillna("")
        reject_rows(
            log,
            reasons=reason[rejected].tolist(),
            lines=chunk.lines[rejected].tolist(),
            raw=lambda i: ",".join(sample.iloc[i].tolist()),
        )
    keep = ~rejected
    log.accept(int(keep.sum()))
    kept_lines = chunk.lines[keep]
    index = pd.RangeIndex(int(keep.sum()))

    def kept(series: pd.Series) -> pd.Series:
        selected: pd.Series = series[keep].reset_index(drop=True)
        return selected

    def floats(canonical: str) -> pd.Series:
        values = column(canonical)
        if values is None:
            return pd.Series(np.nan, index=index, dtype="float64")
        return kept(_numbers(values))

    def texts(canonical: str) -> pd.Series:
        values = column(canonical)
        if values is None:
            return pd.Series(pd.NA, index=index, dtype="string")
        return kept(_texts(values, nulls))

    frame = pd.DataFrame(
        {
            POSITION.MMSI: kept(mmsi).astype("int64"),
            POSITION.TIMESTAMP: kept(times),
            POSITION.LAT: kept(lat),
            POSITION.LON: kept(lon),
            POSITION.SOG: floats(POSITION.SOG),
            POSITION.COG: floats(POSITION.COG),
            POSITION.HEADING: floats(POSITION.HEADING),
            POSITION.NAV_STATUS: integer_codes(floats(POSITION.NAV_STATUS), 0, 15),
            POSITION.NAME: texts(POSITION.NAME),
            POSITION.CALL_SIGN: texts(POSITION.CALL_SIGN),
            POSITION.DESTINATION: texts(POSITION.DESTINATION),
            POSITION.SHIP_TYPE: integer_codes(floats(POSITION.SHIP_TYPE), 1, 255),
            POSITION.DRAUGHT: floats(POSITION.DRAUGHT).where(lambda d: d > 0),
            POSITION.SOURCE: texts(POSITION.SOURCE).fillna(source_label)
            if POSITION.SOURCE in raw.columns
            else source_label,
        },
        index=index,
    )
    if POSITION.TRANSCEIVER in raw.columns:
        frame[POSITION.TRANSCEIVER] = texts(POSITION.TRANSCEIVER)
    if POSITION.LENGTH in raw.columns:
        frame[POSITION.LENGTH] = floats(POSITION.LENGTH).where(lambda metres: (metres > 0) & (metres < 1_000))
    frame = clean_motion(frame)
    imo_raw = column(POSITION.IMO)
    if imo_raw is None:
        frame[POSITION.IMO] = pd.Series(pd.NA, index=index, dtype="Int64")
    else:
        numbers, malformed = _imo_numbers(kept(imo_raw), nulls)
        imo, invalid = imo_validity(numbers)
        frame[POSITION.IMO] = imo
        flagged = np.flatnonzero(invalid.to_numpy(dtype=bool) | malformed.to_numpy(dtype=bool))
        if flagged.size:
            values = kept(imo_raw).iloc[flagged].tolist()
            mmsis = frame[POSITION.MMSI].to_numpy()[flagged].tolist()
            for value, number, line in zip(values, mmsis, kept_lines[flagged].tolist(), strict=True):
                log.warn(f"invalid IMO: {value!r} of MMSI {number}", line=line)
    return finish(frame, log.report(format=format))


# --- the mapped reader ------------------------------------------------------------------


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping, checked: canonical keys only, the four required ones present.

    >>> check_mapping({"mmsi": "MMSI", "timestamp": "t", "lat": "y", "lon": "x", "speed": "s"})
    Traceback (most recent call last):
    ...
    vesselscreen.errors.ConfigError: mapping keys must be POSITION columns; unknown: speed
    """
    unknown = sorted(set(mapping) - set(POSITION_DTYPES) - set(POSITION_OPTIONAL_DTYPES))
    if unknown:
        raise ConfigError("mapping keys must be POSITION columns; unknown: " + ", ".join(unknown))
    missing = [column for column in REQUIRED if column not in mapping]
    if missing:
        raise ConfigError("mapping must name the source columns of: " + ", ".join(missing))
    return {canonical: str(column) for canonical, column in mapping.items()}


def mapped_chunks(
    source: AISSource | pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    chunksize: int | None = None,
    time_format: str | None = None,
    assume_utc: bool = False,
    source_label: str = SOURCE,
    progress: bool | None = False,
) -> Iterator[pd.DataFrame]:
    """:func:`read_mapped` as an iterator of positions frames of at most ``chunksize`` rows."""
    checked = check_mapping(mapping)
    columns = list(dict.fromkeys(checked.values()))
    renames = {column: [c for c, s in checked.items() if s == column] for column in columns}

    def canonical(chunk: TableChunk) -> TableChunk:
        frame = pd.DataFrame(
            {name: chunk.frame[column] for column, names in renames.items() for name in names}
        )
        return TableChunk(frame, chunk.lines, chunk.bad_rows)

    def convert(chunks: Iterator[TableChunk], name: str) -> Iterator[pd.DataFrame]:
        for chunk in chunks:
            yield to_positions(
                canonical(chunk),
                name=name,
                format=FORMAT,
                source_label=source_label,
                time_format=time_format,
                assume_utc=assume_utc,
            )

    if isinstance(source, pd.DataFrame):
        yield from convert(frame_chunks(source, columns, chunksize=chunksize), "DataFrame")
        return
    name = source_name(source)
    with open_binary(source, progress=progress) as stream:
        try:
            if peek(stream, 4) == PARQUET_MAGIC:
                yield from convert(parquet_chunks(stream, name, columns, chunksize=chunksize), name)
                return
            header = csv_header(stream, name)
            missing = [column for column in columns if column not in header]
            if missing:
                raise ColumnsError(name, missing=missing)
            yield from convert(csv_chunks(stream, name, columns, chunksize=chunksize), name)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


def read_mapped(
    source: AISSource | pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    time_format: str | None = None,
    assume_utc: bool = False,
    source_label: str = SOURCE,
) -> pd.DataFrame:
    """Read any CSV, Parquet file (path or file object, optionally compressed) or DataFrame
    of AIS positions, naming its columns with ``mapping`` (``{canonical: source column}``).

    ``time_format`` is a ``strptime`` format for text timestamps (default ISO 8601), or
    ``"unix"`` for Unix seconds. Timestamps without a UTC offset raise
    :class:`ReferenceTimeError` unless ``assume_utc=True``. ``source_label`` fills the
    ``source`` column unless the mapping names one. Line numbers in the report are file
    lines for CSV (header = line 1) and 1-based row numbers for Parquet and DataFrames.

    Raises :class:`ConfigError` (a mapping key that is not a POSITION column, or a
    required one missing) and :class:`ColumnsError` (a mapped column not in the source).
    """
    frames = list(
        mapped_chunks(
            source, mapping, time_format=time_format, assume_utc=assume_utc, source_label=source_label
        )
    )
    return frames[0]
