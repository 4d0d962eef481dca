"""Reader for NOAA / BOEM MarineCadastre daily AIS files: CSV (2015-2024, 2025+) and GeoParquet (2024).

Three layouts of the same 17 fields, one row per position report, times in UTC without
an offset; :func:`read_marinecadastre` tells them apart by their content:

- **2015-2024 CSV** (``AIS_2023_01_11.csv``, usually zipped): ``MMSI, BaseDateTime, LAT,
  LON, SOG, COG, Heading, VesselName, IMO, CallSign, VesselType, Status, Length, Width,
  Draft, Cargo, TransceiverClass``; ``2023-01-11T00:00:00`` (some years write a space
  instead of the ``T``); integer codes may be written as floats (``0.0``);
- **2025+ CSV** (``ais-2025-01-01.csv.zst``, zstd): the same fields in snake_case,
  ``mmsi, base_date_time, latitude, longitude, sog, cog, heading, vessel_name, imo,
  call_sign, vessel_type, status, length, width, draft, cargo, transceiver``, times with a
  space;
- **2024 GeoParquet** (``ais-2024-01-01.parquet``): the snake_case fields with the position
  in a WKB point column ``geometry`` (x = longitude, y = latitude) instead of
  ``latitude`` / ``longitude``.

``IMO`` is ``IMO9307839`` or empty. Mapping: VesselName -> ``name``, CallSign ->
``call_sign``, VesselType -> ``ship_type``, Status -> ``nav_status``, Draft ->
``draught``, TransceiverClass to the optional ``transceiver`` and Length to the optional
``length`` (`vesselscreen.schema.POSITION_OPTIONAL_DTYPES`); ``destination`` is not in the
format (NA); Width and Cargo are not read. Each data row is
one record of the ingest report. :func:`iter_marinecadastre` reads a CSV in chunks of
rows, in memory that does not grow with the file.

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

import bisect
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type hints
import shapely
from numpy.lib.stride_tricks import sliding_window_view

from vesselscreen._sorting import CONTENT_COLUMNS, by_vessel_then_time, tied_rows, vessel_time_order
from vesselscreen.ais._common import (
    COG_NOT_AVAILABLE,
    SOG_NOT_AVAILABLE,
    reject_rows,
    valid_lat,
    valid_lon,
    valid_mmsi,
)
from vesselscreen.ais._csvlines import (
    BadRow,
    CsvGuard,
    MappedCsv,
    bad_row_handler,
    check_unique,
    header_fields,
    parse_options,
    read_options,
    split_line,
)
from vesselscreen.ais._io import (
    DECOMPRESSION_ERRORS,
    PARQUET_ERRORS,
    AISSource,
    open_binary,
    peek,
    source_name,
)
from vesselscreen.errors import ColumnsError, ConfigError, FormatError
from vesselscreen.ingest import INGEST_REPORT_ATTR, MAX_SAMPLES, RejectionLog
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES, conform

__all__ = [
    "COLUMNS",
    "FORMAT",
    "FORMAT_GEOPARQUET",
    "REQUIRED_COLUMNS",
    "SNAKE_COLUMNS",
    "iter_marinecadastre",
    "read_marinecadastre",
]

FORMAT = "marinecadastre_csv"
FORMAT_GEOPARQUET = "marinecadastre_geoparquet"
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

SNAKE_COLUMNS = (
    "mmsi",
    "base_date_time",
    "latitude",
    "longitude",
    "sog",
    "cog",
    "heading",
    "vessel_name",
    "imo",
    "call_sign",
    "vessel_type",
    "status",
    "length",
    "width",
    "draft",
    "cargo",
    "transceiver",
)
"""The same 17 columns as named from 2025 on (and in the 2024 GeoParquet, less the position)."""

REQUIRED_COLUMNS = ("MMSI", "BaseDateTime", "LAT", "LON")
"""Without these (or their snake_case names) a file cannot give positions; the others are optional."""

_SNAKE: Final = dict(zip(SNAKE_COLUMNS, COLUMNS, strict=True))
_USED = tuple(column for column in COLUMNS if column not in ("Width", "Cargo"))
_NUMERIC = ("MMSI", "LAT", "LON", "SOG", "COG", "Heading", "VesselType", "Status", "Draft", "Length")
_TEXT = ("VesselName", "IMO", "CallSign", "TransceiverClass")
_GEOMETRY = "geometry"
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
_IMO = r"^(?:IMO)?\s*(?P<number>\d{1,9})$"
_NULL = pa.scalar(None, pa.string())
_TEXT_TYPE = pa.dictionary(pa.int32(), pa.string())
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_PARQUET_MAGIC = b"PAR1"
_RTOL, _ATOL = 1e-05, 1e-08  # np.isclose defaults
_IMO_WEIGHTS = np.array([7, 6, 5, 4, 3, 2], dtype=np.int64)
_THREADS: Final = max(2, min(pa.cpu_count(), 8))  # per-column jobs after parsing
_BLOCK_BYTES = 1 << 22  # streaming: 4 MB of CSV text per parsed block
_SCATTER_ROWS = 500_000  # from here on, sorted 8-byte columns are written to their places (_Placement)
_PREFIX_ROWS = 4096  # rows in time order (not by vessel) show it in their first rows: no full check

FloatArray = npt.NDArray[np.float64]
_T = TypeVar("_T")


def read_marinecadastre(source: AISSource) -> pd.DataFrame:
    """Read a MarineCadastre daily file (CSV of any year, or the 2024 GeoParquet) into positions.

    Compressed input (gzip, zip, zstd) is undone first. Rows with an invalid MMSI, an
    unparseable time, or a position outside [-90, 90] / [-180, 180] (incl. 91 / 181 "not
    available") are rejected and counted with their line number (GeoParquet: row number,
    1-based); an IMO failing its check digit becomes NA with a warning. Missing MMSI,
    time, latitude or longitude columns raise :class:`ColumnsError`.
    """
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            return read_stream(stream, name)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


def read_stream(stream: BinaryIO, name: str) -> pd.DataFrame:
    """:func:`read_marinecadastre` on an open, seekable, decompressed binary stream named ``name``."""
    if peek(stream, 4) == _PARQUET_MAGIC:
        return _read_geoparquet(stream, name)
    start = stream.tell()
    header = header_fields(stream, name)
    renames = _canonical(header, name)
    present = [column for column in _USED if column in renames.values()]
    table, bad_rows, typed = _read_table(stream, name, header, renames, present)
    log = RejectionLog(name)
    for bad in bad_rows:
        log.reject(bad.reason, line=bad.line, raw=bad.text)
    lines = _row_lines(table.num_rows, [row.line for row in bad_rows if row.line is not None], first=2)
    frame = _positions(table, lines, log, _RawLines(stream, start, header, renames) if typed else None)
    return _finished(frame, log.report(format=FORMAT))


def iter_marinecadastre(
    source: AISSource, *, chunksize: int = 1_000_000, progress: bool | None = False
) -> Iterator[pd.DataFrame]:
    """A MarineCadastre CSV as positions frames of at most ``chunksize`` rows, in file order.

    The file is parsed as a stream (blocks of a few MB), so memory depends on
    ``chunksize``, not on the file's size. Each frame is sorted by mmsi then time within
    itself and carries its own ingest report, whose lines are numbered in the file; the
    reports of all chunks add up to the file's. A GeoParquet file is read by row groups.
    ``progress`` shows a bar of the bytes read (see :func:`vesselscreen.ais.read_ais`).
    """
    if chunksize < 1:
        raise ConfigError(f"chunksize must be at least 1, got {chunksize}")
    name = source_name(source)
    with open_binary(source, progress=progress) as stream:
        try:
            if peek(stream, 4) == _PARQUET_MAGIC:
                yield from _iter_geoparquet(stream, name, chunksize)
                return
            yield from _iter_csv(stream, name, chunksize)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


# -- CSV ----------------------------------------------------------------------------------


def _canonical(header: list[str], name: str) -> dict[str, str]:
    """{column as in the file: its 2015-2024 name}; the required ones must be there."""
    snake = {"mmsi", "base_date_time"} <= set(header)
    renames = {column: _SNAKE[column] for column in header if column in _SNAKE} if snake else {}
    if not snake:
        renames = {column: column for column in header if column in COLUMNS}
    missing = [column for column in REQUIRED_COLUMNS if column not in renames.values()]
    if missing:
        if snake:
            missing = [snake_name for snake_name, column in _SNAKE.items() if column in missing]
        raise ColumnsError(name, missing=missing)
    check_unique(header, list(renames), name)
    return renames


def _options(renames: Mapping[str, str], present: list[str], typed: bool) -> Any:
    in_file = {column: original for original, column in renames.items()}
    if typed:
        types = {in_file[c]: pa.float64() for c in present if c in _NUMERIC}
        # text repeats per vessel: encoded while parsing (in parallel), cheaper than a string column
        types |= {in_file[c]: _TEXT_TYPE for c in present if c in _TEXT}
        types[in_file["BaseDateTime"]] = pa.timestamp("ns")
        return pacsv.ConvertOptions(
            include_columns=[in_file[c] for c in present],
            column_types=types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        )
    return pacsv.ConvertOptions(
        include_columns=[in_file[c] for c in present],
        column_types={in_file[c]: pa.string() for c in present},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _read_table(
    stream: BinaryIO, name: str, header: list[str], renames: Mapping[str, str], present: list[str]
) -> tuple[Any, list[BadRow], bool]:
    """The table of used columns (canonical names), the rows pyarrow could not split, and
    whether columns were typed by pyarrow (numbers, times) or are text to be converted here.

    Typed parsing is several times faster; a single value pyarrow cannot convert makes it
    fail as a whole, and the file is then read as text so each bad value is a counted
    rejection with its line.
    """
    start = stream.tell()
    bad_rows: list[BadRow] = []
    mapped = MappedCsv.of(stream, start)  # None: read through a CsvGuard

    def read(threads: bool, typed: bool) -> Any:
        bad_rows.clear()
        lines: CsvGuard | MappedCsv
        if mapped is not None:
            lines, source = mapped, mapped.reader()
        else:
            stream.seek(start)
            lines = source = CsvGuard(stream)
        return pacsv.read_csv(
            source,
            read_options=read_options(header, threads=threads),
            parse_options=parse_options(bad_row_handler(lines, bad_rows)),
            convert_options=_options(renames, present, typed),
        )

    typed = True
    try:
        try:
            table = read(threads=True, typed=True)
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc):
                raise
            typed = False
            table = read(threads=True, typed=False)
        if any(row.line is None for row in bad_rows):
            table = read(threads=False, typed=typed)  # only single-threaded parsing knows line numbers
    except pa.ArrowException as exc:
        raise FormatError(name, f"not a readable CSV: {exc}") from exc
    finally:
        if mapped is not None:
            mapped.close()
    return table.rename_columns([renames[c] for c in table.column_names]), bad_rows, typed


def _row_lines(count: int, bad_lines: list[int], *, first: int) -> npt.NDArray[np.int64]:
    """Physical line of each table row (the first data line is ``first``); skipped lines shift the rest."""
    rows = np.arange(count, dtype=np.int64)
    bad = np.sort(np.asarray(bad_lines, dtype=np.int64))
    # rows read before each skipped line; a skipped line at or before one counted already
    # (or before the first) pushes the rows one line further
    before = np.maximum.accumulate(np.maximum(bad - np.arange(len(bad), dtype=np.int64), first)) - first
    lines: npt.NDArray[np.int64] = rows + first + np.searchsorted(before, rows, side="right")
    return lines


@dataclass
class _RawLines:
    """Text of chosen lines of the file, re-read for rejection details after a typed parse."""

    stream: BinaryIO
    start: int
    header: list[str]
    renames: Mapping[str, str]

    def fields(self, lines: list[int]) -> dict[int, dict[str, str]]:
        wanted, found = sorted(set(lines)), {}
        position = self.stream.tell()
        self.stream.seek(self.start)
        for number, raw in self.lines(wanted):
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            values = split_line(text)
            by_name = {self.renames.get(h, h): v for h, v in zip(self.header, values, strict=False)}
            found[number] = {**by_name, "": text}
        self.stream.seek(position)
        return found

    def lines(self, wanted: list[int], *, block_size: int = _BLOCK_BYTES) -> Iterator[tuple[int, bytes]]:
        """``(number, line)`` of the ``wanted`` (sorted) lines of the stream, split at line feeds
        only (as iterating a binary file does); blocks without one are counted, not split."""
        number, rest, chosen = 1, b"", set(wanted)  # number: the line that ``rest`` starts
        while wanted and number <= wanted[-1]:
            block = self.stream.read(block_size)
            data = rest + block
            cut = data.rfind(b"\n") + 1 if block else len(data)
            whole, rest = data[:cut], data[cut:]
            pieces = whole.count(b"\n") if block else int(bool(whole))  # at the end: the last line, unended
            first_wanted = bisect.bisect_left(wanted, number)
            if first_wanted < len(wanted) and wanted[first_wanted] < number + pieces:
                for index, line in enumerate(whole.split(b"\n")[:pieces]):
                    if number + index in chosen:
                        yield number + index, line
            number += pieces
            if not block:
                return


# -- columns to positions -------------------------------------------------------------------


def _blank_to_null(text: Any) -> Any:
    return pc.if_else(pc.equal(text, ""), _NULL, text)


def _floats(column: Any) -> FloatArray:
    """Numbers from a typed column, or from text (empty or unparseable -> NaN)."""
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        numbers = pc.cast(column, pa.float64())
    else:
        text = _blank_to_null(column)
        try:
            numbers = pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            text = pc.utf8_trim_whitespace(text)
            numbers = pc.cast(pc.if_else(pc.match_substring_regex(text, _NUMBER), text, _NULL), pa.float64())
    return np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")


def _times(column: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """UTC nanoseconds of a typed or text time column, and which parsed (``T`` or space)."""
    if pa.types.is_timestamp(column.type):
        times = pc.cast(column, pa.timestamp("ns", tz=column.type.tz))
    else:
        times = pc.strptime(
            pc.replace_substring(pc.utf8_trim_whitespace(column), " ", "T"),
            format=_TIME_FORMAT,
            unit="ns",
            error_is_null=True,
        )
    ok = np.asarray(pc.is_valid(times).to_numpy(zero_copy_only=False), dtype=bool)
    values = pc.fill_null(pc.cast(times, pa.int64()), 0).to_numpy(zero_copy_only=False)
    return np.asarray(values, dtype=np.int64), ok


@dataclass(frozen=True)
class _Encoded:
    """A text column as distinct trimmed values (empty -> null, the last one always null) and
    each row's index into them: AIS text repeats per vessel, so the work is done per value."""

    values: Any
    indices: npt.NDArray[np.signedinteger[Any]]

    @classmethod
    def of(cls, column: Any) -> _Encoded:
        encoded = column if column.type == _TEXT_TYPE else pc.dictionary_encode(pc.cast(column, pa.string()))
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.unify_dictionaries()
            chunks = encoded.chunks
            dictionary = chunks[0].dictionary if chunks else pa.array([], pa.string())
            indices = pa.chunked_array([chunk.indices for chunk in chunks], pa.int32())
        else:
            dictionary, indices = encoded.dictionary, encoded.indices
        values = pa.concat_arrays(
            [_blank_to_null(pc.utf8_trim_whitespace(dictionary)), pa.nulls(1, pa.string())]
        )
        rows = pc.fill_null(indices, len(values) - 1)
        if len(values) <= np.iinfo(np.int16).max:  # the usual case: small indices gather faster (in cache)
            rows = pc.cast(rows, pa.int16())
        return cls(values, np.asarray(rows.to_numpy(zero_copy_only=False)))

    def take(self, rows: npt.NDArray[np.int64] | None) -> _Encoded:
        return self if rows is None else _Encoded(self.values, np.take(self.indices, rows))

    def text(self) -> Any:
        """The rows' text as one Arrow array."""
        return self.values.take(pa.array(self.indices))

    def series(self) -> pd.Series:
        text = self.text()
        return pd.Series(text.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get), dtype="string")


def _codes(values: FloatArray, low: int, high: int, dtype: str) -> npt.NDArray[np.signedinteger[Any]]:
    """Floats (``"0.0"`` in CSVs) as small integer codes (``dtype``); outside ``[low, high]``
    or not whole -> -1. Small, so gathering them into sorted order stays in cache."""
    with np.errstate(invalid="ignore"):
        ok = (values >= low) & (values <= high) & (values == np.floor(values))
    codes: npt.NDArray[np.signedinteger[Any]] = np.where(ok, values, -1).astype(dtype)
    return codes


def _code_series(codes: npt.NDArray[np.signedinteger[Any]]) -> pd.Series:
    """Codes from :func:`_codes` as a nullable integer column of their width (-1 -> NA)."""
    return pd.Series(pd.arrays.IntegerArray(np.maximum(codes, 0), codes < 0))


def _constant(value: str | None, count: int) -> pd.Series:
    """A string column holding ``value`` (``None``: NA) on every row, built in Arrow (no Python objects)."""
    text = pa.nulls(count, pa.string()) if value is None else pa.repeat(pa.scalar(value), count)
    return pd.Series(text.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get), dtype="string")


def _imo_check(numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`vesselscreen.identifiers.is_valid_imo`: 7 digits, weights 7..2."""
    total = np.zeros(len(numbers), dtype=np.int64)
    for power, weight in zip(range(6, 0, -1), _IMO_WEIGHTS.tolist(), strict=True):
        total += (numbers // 10**power) % 10 * weight
    check: npt.NDArray[np.bool_] = (
        (numbers >= 1_000_000) & (numbers <= 9_999_999) & (total % 10 == numbers % 10)
    )
    return check


def _imo(
    text: _Encoded,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """``(number, valid, flagged)`` of each distinct IMO text: the number (0 if none), whether it
    passes its check digit, and whether the text is present but not a valid ship number (not
    ``IMO0000000``, which means none)."""
    values = text.values
    digits = pc.if_else(pc.starts_with(values, "IMO"), pc.utf8_slice_codeunits(values, 3), values)
    try:
        numbers = pc.cast(digits, pa.int64())
    except pa.ArrowInvalid:  # text that is not "IMO" + digits: the slower exact rule
        extracted = pc.struct_field(pc.extract_regex(values, _IMO), [0])
        numbers = pc.cast(pc.if_else(pc.is_valid(extracted), extracted, _NULL), pa.int64())
    present = np.asarray(pc.is_valid(numbers).to_numpy(zero_copy_only=False), dtype=bool)
    number = np.asarray(pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    valid = present & _imo_check(number)
    malformed = np.asarray(pc.and_(pc.is_valid(values), pc.is_null(numbers)).to_numpy(zero_copy_only=False))
    flagged = (present & ~valid & (number != 0)) | malformed
    return number, valid, flagged


def _positions(
    table: Any, lines: npt.NDArray[np.int64], log: RejectionLog, raw: _RawLines | None
) -> pd.DataFrame:
    """Check and convert a table of canonical columns (typed or text) into positions sorted by mmsi, time.

    Rows that share an MMSI and a time (duplicate receptions) are ordered by their content,
    as screening orders them (`_ties_by_content`), so the frame does not depend on the
    file's order and is screened without a copy of its rows.

    The per-column work (conversions, text encoding, gathers into sorted order) runs on
    a thread pool: numpy and Arrow release the GIL, and after pyarrow's parse the cores
    are otherwise idle. The ingest log is only written from this thread.
    """
    count = table.num_rows
    table_rows = count  # jobs below may run after ``count`` becomes the number of rows kept
    column = {c: table.column(c) for c in table.column_names}
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:

        def floats(name: str) -> FloatArray:
            return _floats(column[name]) if name in column else np.full(table_rows, np.nan)

        def floats_of(name: str) -> Future[FloatArray]:
            return pool.submit(floats, name)

        checked = {c: floats_of(c) for c in ("MMSI", "LAT", "LON")}
        timed = pool.submit(_times, column["BaseDateTime"])
        encoded = {c: pool.submit(_Encoded.of, column[c]) for c in _TEXT if c in column}

        def cleaned(name: str, clean: Callable[[FloatArray], npt.NDArray[Any]]) -> Future[npt.NDArray[Any]]:
            # value by value, so done before the gather into sorted order: while the sort runs
            return pool.submit(lambda: clean(floats(name)))

        numbers = {
            "SOG": cleaned("SOG", _speeds),
            "COG": cleaned("COG", _angles),
            "Heading": cleaned("Heading", _angles),
            "Draft": cleaned("Draft", _draughts),
            "Length": cleaned("Length", _lengths),
            "Status": cleaned("Status", lambda values: _codes(values, 0, 15, "int8")),
            "VesselType": cleaned("VesselType", lambda values: _codes(values, 1, 255, "int16")),
        }
        mmsi, lat, lon = (checked[c].result() for c in ("MMSI", "LAT", "LON"))
        times, time_ok = timed.result()
        keep = _reject_bad_rows(column, mmsi, time_ok, lat, lon, lines, log, raw)
        kept: npt.NDArray[np.int64] | None = None  # None: every row
        if not keep.all():
            kept = np.flatnonzero(keep)
            mmsi, times, lat, lon, lines = mmsi[kept], times[kept], lat[kept], lon[kept], lines[kept]
        count = len(mmsi)
        log.accept(count)
        whole_mmsi = mmsi.astype(np.int64)
        order, sorted_mmsi = _sort_order(whole_mmsi, times)  # order None: the rows are in order already
        # the columns that do not depend on the order, made while the ties are put in order
        constants = {
            POSITION.DESTINATION: pool.submit(_constant, None, count),  # not in the format
            POSITION.SOURCE: pool.submit(_constant, SOURCE, count),
        }
        place = None if order is None else _Placement(order)
        sorted_times = times if place is None else place(times)
        imo_text = encoded["IMO"].result() if "IMO" in encoded else None
        imo_parts = None if imo_text is None else _imo(imo_text)  # (number, valid, flagged) per distinct text

        def content(at: npt.NDArray[np.int64]) -> pd.DataFrame:
            """The screening's ordering columns (`CONTENT_COLUMNS`) of the output rows ``at``."""
            here = at if order is None else order[at]  # among the kept rows
            table_rows = here if kept is None else kept[here]
            imo_at = None
            if imo_text is not None and imo_parts is not None:
                text_at = imo_text.take(table_rows).indices
                imo_at = pd.arrays.IntegerArray(imo_parts[0][text_at], ~imo_parts[1][text_at])
            values = {
                POSITION.MMSI: pd.array(sorted_mmsi[at], dtype="Int64"),
                POSITION.TIMESTAMP: _utc(sorted_times[at]),
                POSITION.LAT: lat[here],
                POSITION.LON: lon[here],
                POSITION.SOG: numbers["SOG"].result()[table_rows],
                POSITION.IMO: imo_at,
                POSITION.NAME: _text_at(encoded, "VesselName", table_rows),
                POSITION.CALL_SIGN: _text_at(encoded, "CallSign", table_rows),
                POSITION.SHIP_TYPE: _code_series(numbers["VesselType"].result()[table_rows]),
                POSITION.DRAUGHT: numbers["Draft"].result()[table_rows],
                POSITION.TRANSCEIVER: _text_at(encoded, "TransceiverClass", table_rows),
                POSITION.LENGTH: numbers["Length"].result()[table_rows],
            }
            present = {name: value for name, value in values.items() if value is not None}
            dtypes = {**POSITION_DTYPES, **POSITION_OPTIONAL_DTYPES}
            return conform(pd.DataFrame(present), {name: dtypes[name] for name in CONTENT_COLUMNS})

        order, moved = _ties_by_content(order, sorted_mmsi, sorted_times, content)
        if order is not None and place is None:
            place = _Placement(order)
        elif place is not None and moved is not None:
            place.moved(moved)
        rows = kept if order is None else order if kept is None else kept[order]  # table rows, output order

        def ordered(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return values if place is None else place(values)

        def gathered(name: str, clean: Callable[[Any], _T]) -> _T:
            values = numbers[name].result()  # submitted before this job: FIFO, so it is running or done
            return clean(ordered(values if kept is None else np.take(values, kept)))

        def strings(name: str) -> pd.Series:
            if name not in encoded:
                return pd.Series(pd.NA, index=range(count), dtype="string")
            return encoded[name].result().take(rows).series()

        jobs: dict[str, Future[Any]] = {
            POSITION.LAT: pool.submit(ordered, lat),
            POSITION.LON: pool.submit(ordered, lon),
            POSITION.SOG: pool.submit(gathered, "SOG", _as_is),
            POSITION.COG: pool.submit(gathered, "COG", _as_is),
            POSITION.HEADING: pool.submit(gathered, "Heading", _as_is),
            POSITION.NAV_STATUS: pool.submit(gathered, "Status", _code_series),
            POSITION.NAME: pool.submit(strings, "VesselName"),
            POSITION.CALL_SIGN: pool.submit(strings, "CallSign"),
            POSITION.SHIP_TYPE: pool.submit(gathered, "VesselType", _code_series),
            POSITION.DRAUGHT: pool.submit(gathered, "Draft", _as_is),
            **constants,
            POSITION.TRANSCEIVER: pool.submit(strings, "TransceiverClass"),
            POSITION.LENGTH: pool.submit(gathered, "Length", _as_is),
        }
        imo = np.zeros(count, dtype=np.int64)
        imo_valid = np.zeros(count, dtype=bool)
        if imo_text is not None and imo_parts is not None:
            imo_numbers, valid, flagged = imo_parts
            if flagged.any():
                kept_text = imo_text.take(kept)
                _warn_imos(log, flagged[kept_text.indices], kept_text, whole_mmsi, lines)
            imo_rows = imo_text.take(rows).indices
            imo, imo_valid = imo_numbers[imo_rows], valid[imo_rows]
        done: dict[str, Any] = {name: job.result() for name, job in jobs.items()}
    done[POSITION.MMSI] = pd.arrays.IntegerArray(sorted_mmsi, np.zeros(count, dtype=bool))
    done[POSITION.TIMESTAMP] = _utc(sorted_times)  # ties are reordered among themselves: the times stay
    done[POSITION.IMO] = pd.arrays.IntegerArray(imo, ~imo_valid)
    # copy=False: the arrays are new, and pandas would otherwise copy the float columns into one block
    columns = [*POSITION_DTYPES, *POSITION_OPTIONAL_DTYPES]
    return pd.DataFrame({name: done[name] for name in columns}, copy=False)


def _utc(ns: npt.NDArray[np.int64]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")


def _text_at(
    encoded: Mapping[str, Future[_Encoded]], name: str, rows: npt.NDArray[np.int64]
) -> pd.Series | None:
    return encoded[name].result().take(rows).series() if name in encoded else None


def _ties_by_content(
    order: npt.NDArray[np.int64] | None,
    mmsi: npt.NDArray[np.int64],
    times: npt.NDArray[np.int64],
    content: Callable[[npt.NDArray[np.int64]], pd.DataFrame],
) -> tuple[npt.NDArray[np.int64] | None, npt.NDArray[np.int64] | None]:
    """``order`` (the rows by MMSI and time, ties in file order; ``None``: the rows as they
    are) with each run of rows that share an MMSI and a time put in the order screening
    sorts them by: `vesselscreen._sorting.vessel_time_order` of their ``content`` (the
    `CONTENT_COLUMNS` of the given output rows). ``mmsi`` and ``times`` are in output order;
    reordering rows among their ties leaves them as they are. Also the output positions that
    changed (``None``: none; a given ``order`` is changed in place)."""
    tie = (mmsi[1:] == mmsi[:-1]) & (times[1:] == times[:-1])
    if not tie.any():
        return order, None
    at = tied_rows(tie)
    within = vessel_time_order(content(at), POSITION.MMSI, POSITION.TIMESTAMP)
    if bool((within == np.arange(len(at))).all()):
        return order, None
    order = np.arange(len(mmsi), dtype=np.int64) if order is None else order
    order[at] = order[at][within]
    return order, at


class _Placement:
    """Values into the order ``order`` (``values[order]``). Beyond the caches, writing each
    8-byte value to its place beats reading it from its place: the writes do not wait on memory
    (3M rows of a day: 9.5 ms a column instead of 23 on its own, 6 % less for the positions).
    """

    def __init__(self, order: npt.NDArray[np.int64]) -> None:
        self.order = order
        self._places: npt.NDArray[np.int64] | None = None
        self._lock = threading.Lock()

    def __call__(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if len(values) < _SCATTER_ROWS or values.dtype.itemsize < 8:  # small values: read in cache
            return np.take(values, self.order)
        out = np.empty_like(values)
        out[self.places()] = values
        return out

    def moved(self, at: npt.NDArray[np.int64]) -> None:
        """``order`` was changed (in place) at the positions ``at``."""
        with self._lock:
            if self._places is not None:
                self._places[self.order[at]] = at

    def places(self) -> npt.NDArray[np.int64]:
        with self._lock:  # the first job to need them computes them
            if self._places is None:
                places = np.empty_like(self.order)
                places[self.order] = np.arange(len(self.order), dtype=np.int64)
                self._places = places
            return self._places


def _as_is(values: _T) -> _T:
    return values


def _lengths(metres: FloatArray) -> FloatArray:
    """Lengths overall: 0 (AIS "not available") and the impossible become NaN."""
    return np.where((metres > 0) & (metres < 1_000), metres, np.nan)


def _speeds(sog: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):  # "not available" values (see vesselscreen.ais._common) -> NaN
        close = np.abs(sog - SOG_NOT_AVAILABLE) <= _ATOL + _RTOL * SOG_NOT_AVAILABLE  # np.isclose, faster
        return np.where((sog < 0) | close, np.nan, sog)


def _angles(degrees: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        return np.where((degrees < 0) | (degrees >= COG_NOT_AVAILABLE), np.nan, degrees)


def _draughts(draught: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore"):
        return np.where(draught > 0, draught, np.nan)


def _sort_order(
    mmsi: npt.NDArray[np.int64], times: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64] | None, npt.NDArray[np.int64]]:
    """Row order by MMSI, then time, ties in file order (``None`` if the rows are in that order),
    and the MMSIs in that order."""
    count = len(mmsi)
    if count < 2:
        return None, mmsi
    if _in_order(mmsi[:_PREFIX_ROWS], times[:_PREFIX_ROWS]) and _in_order(mmsi, times):
        return None, mmsi
    if bool((np.diff(times) >= 0).all()):  # the usual file, in time order: a stable sort by vessel is left
        by_vessel = _by_vessel(mmsi)
        if by_vessel is not None:
            return by_vessel
    order = by_vessel_then_time(mmsi, times)
    return order, mmsi[order]


def _by_vessel(
    mmsi: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """The stable order by MMSI and the MMSIs in it, as one 16-bit radix sort of each row's
    vessel rank (a day has some thousands of vessels); ``None`` beyond 65,536 vessels."""
    encoded = pc.dictionary_encode(pa.array(mmsi))
    vessels = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=np.int64)
    if len(vessels) > 1 << 16:
        return None
    by_number = np.argsort(vessels)
    rank = np.empty(len(vessels), dtype=np.uint16)
    rank[by_number] = np.arange(len(vessels), dtype=np.uint16)
    ranks = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    order = np.argsort(ranks, kind="stable").astype(np.int64, copy=False)
    return order, np.repeat(vessels[by_number], np.bincount(ranks, minlength=len(vessels)))


def _in_order(mmsi: npt.NDArray[np.int64], times: npt.NDArray[np.int64]) -> bool:
    same = mmsi[1:] == mmsi[:-1]
    return bool(((mmsi[1:] > mmsi[:-1]) | (same & (times[1:] >= times[:-1]))).all())


def _reject_bad_rows(
    column: Mapping[str, Any],
    mmsi: FloatArray,
    time_ok: npt.NDArray[np.bool_],
    lat: FloatArray,
    lon: FloatArray,
    lines: npt.NDArray[np.int64],
    log: RejectionLog,
    raw: _RawLines | None,
) -> npt.NDArray[np.bool_]:
    """Count rows without a usable MMSI, time or position; the mask of rows to keep."""
    usable = valid_mmsi(mmsi) & time_ok & valid_lat(lat) & valid_lon(lon)
    if usable.all():
        return usable
    checks = (
        (~valid_mmsi(mmsi), "invalid MMSI", "MMSI"),
        (~time_ok, "unparseable timestamp", "BaseDateTime"),
        (~valid_lat(lat), "invalid latitude", "LAT"),
        (~valid_lon(lon), "invalid longitude", "LON"),
    )
    failed = np.full(len(mmsi), -1, dtype=np.int64)
    for index, (mask, _, _) in reversed(list(enumerate(checks))):  # the first failing check names the row
        failed[mask] = index
    rejected = np.flatnonzero(failed >= 0)
    if not rejected.size:
        return np.ones(len(mmsi), dtype=bool)
    detailed = rejected[: max(MAX_SAMPLES - len(log.samples), 0)]
    texts: dict[int, dict[str, str]] = {}
    if raw is not None:
        texts = raw.fields(lines[detailed].tolist())
    else:
        sampled = pa.array(detailed)
        values = {c: column[c].take(sampled).to_pylist() for c in column}
        for position, line in enumerate(lines[detailed].tolist()):
            cells = {c: values[c][position] for c in column}
            texts[line] = {**cells, "": ",".join(str(v) for v in cells.values())}
    labels = [check[1] for check in checks]
    reasons = [labels[index] for index in failed[rejected].tolist()]
    for position, index in enumerate(detailed.tolist()):
        _, label, source_column = checks[failed[index]]
        fields = texts.get(int(lines[index]), {})
        reasons[position] = f"{label}: {fields.get(source_column)!r}"
    reject_rows(
        log,
        reasons=reasons,
        lines=lines[rejected].tolist(),
        raw=lambda i: texts.get(int(lines[rejected[i]]), {}).get("", ""),
    )
    keep = np.ones(len(mmsi), dtype=bool)
    keep[rejected] = False
    return keep


def _warn_imos(
    log: RejectionLog,
    flagged: npt.NDArray[np.bool_],
    text: _Encoded,
    mmsi: npt.NDArray[np.int64],
    lines: npt.NDArray[np.int64],
) -> None:
    """A warning per row whose IMO is unusable; full detail for the first ones only."""
    where = np.flatnonzero(flagged)
    if not where.size:
        return
    room = max(MAX_SAMPLES - len(log.samples), 0)
    detailed = where[:room]
    values = text.take(detailed).text().to_pylist()
    for value, number, line in zip(values, mmsi[detailed].tolist(), lines[detailed].tolist(), strict=True):
        log.warn(f"invalid IMO: {value!r} of MMSI {number}", line=line)
    log.warnings["invalid IMO"] += len(where) - len(detailed)


def _finished(frame: pd.DataFrame, report: Any) -> pd.DataFrame:
    """The canonical positions frame (``frame`` from :func:`_positions`: sorted by mmsi, then time)."""
    out = conform(frame.reset_index(drop=True), POSITION_DTYPES)
    for name, dtype in POSITION_OPTIONAL_DTYPES.items():
        if name in out.columns:
            out[name] = out[name].astype(dtype)  # type: ignore[call-overload]  # dtype is a runtime string
    out.attrs[INGEST_REPORT_ATTR] = report
    return out


# -- streaming CSV ---------------------------------------------------------------------------


def _iter_csv(stream: BinaryIO, name: str, chunksize: int) -> Iterator[pd.DataFrame]:
    """Chunks of a CSV parsed as a stream, columns as text (so every bad value is a counted row)."""
    header = header_fields(stream, name)
    renames = _canonical(header, name)
    present = [column for column in _USED if column in renames.values()]
    bad_rows: list[BadRow] = []
    guard = CsvGuard(stream)
    try:
        reader = pacsv.open_csv(
            guard,
            read_options=read_options(header, threads=False, block_size=_BLOCK_BYTES),
            parse_options=parse_options(bad_row_handler(guard, bad_rows)),
            convert_options=_options(renames, present, typed=False),
        )
        pending: list[Any] = []
        pending_rows, next_line, yielded = 0, 2, False
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunksize:
                table = pa.Table.from_batches(pending)
                next_line = yield from _chunk(table.slice(0, chunksize), next_line, bad_rows, name, renames)
                yielded = True
                rest = table.slice(chunksize)
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows or bad_rows or not yielded:
            schema = reader.schema
            table = pa.Table.from_batches(pending, schema=schema)
            yield from _chunk(table, next_line, bad_rows, name, renames, last=True)
    except pa.ArrowException as exc:
        raise FormatError(name, f"not a readable CSV: {exc}") from exc


def _chunk(
    table: Any,
    first_line: int,
    bad_rows: list[BadRow],
    name: str,
    renames: Mapping[str, str],
    *,
    last: bool = False,
) -> Generator[pd.DataFrame, None, int]:
    """One chunk's frame; takes from ``bad_rows`` the malformed lines that fall among its rows.

    Returns (as the generator's value) the line of the first row of the next chunk.
    """
    rows = table.num_rows
    lines = np.arange(rows, dtype=np.int64) + first_line
    mine: list[BadRow] = []
    for bad in sorted(bad_rows, key=lambda row: row.line or 0):
        if bad.line is None or last or (rows and bad.line <= lines[-1]):
            mine.append(bad)
            if bad.line is not None:
                lines[lines >= bad.line] += 1
        else:
            break
    for bad in mine:
        bad_rows.remove(bad)
    log = RejectionLog(name)
    for bad in mine:
        log.reject(bad.reason, line=bad.line, raw=bad.text)
    table = table.rename_columns([renames[c] for c in table.column_names])
    frame = _positions(table, lines, log, None)
    yield _finished(frame, log.report(format=FORMAT))
    return int(lines[-1]) + 1 if rows else first_line


# -- GeoParquet ------------------------------------------------------------------------------


def _parquet_columns(schema: Any, name: str) -> dict[str, str]:
    """{column in the file: canonical name} of a GeoParquet file; the position may be a geometry."""
    renames = {column: _SNAKE[column] for column in schema.names if column in _SNAKE}
    renames |= {column: column for column in schema.names if column in COLUMNS}
    has_position = {"LAT", "LON"} <= set(renames.values()) or _GEOMETRY in schema.names
    missing = [c for c in ("MMSI", "BaseDateTime") if c not in renames.values()]
    missing = [snake for snake, column in _SNAKE.items() if column in missing]
    if not has_position:
        missing.append(_GEOMETRY)
    if missing:
        raise ColumnsError(name, missing=missing)
    wanted = set(_USED)
    return {column: canonical for column, canonical in renames.items() if canonical in wanted}


def _points(geometry: Any) -> tuple[FloatArray, FloatArray]:
    """Longitude and latitude of WKB points: 21-byte little-endian points read in place, others by shapely."""
    count = len(geometry)
    lon, lat = np.full(count, np.nan), np.full(count, np.nan)
    if not (pa.types.is_binary(geometry.type) or pa.types.is_large_binary(geometry.type)):
        geometry = pc.cast(geometry, pa.large_binary())
    lengths = np.asarray(pc.fill_null(pc.binary_length(geometry), 0).to_numpy(zero_copy_only=False))
    buffers = geometry.buffers()
    offset_type = np.int64 if pa.types.is_large_binary(geometry.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=offset_type)[geometry.offset : geometry.offset + count]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    simple = np.flatnonzero(lengths == 21)
    if simple.size:
        # one 21-byte row per point: byte order 1 (little-endian), type 1 (point), x, y
        points = sliding_window_view(data, 21)[offsets[simple].astype(np.int64)]
        little_point = (points[:, 0] == 1) & (points[:, 1] == 1) & (points[:, 2:5] == 0).all(axis=1)
        values = np.ascontiguousarray(points[little_point, 5:21]).view("<f8")
        lon[simple[little_point]], lat[simple[little_point]] = values[:, 0], values[:, 1]
        done = np.zeros(count, dtype=bool)
        done[simple[little_point]] = True
    else:
        done = np.zeros(count, dtype=bool)
    other = np.flatnonzero(~done & (lengths > 0))
    if other.size:
        wkb = geometry.take(pa.array(other)).to_numpy(zero_copy_only=False)
        shapes = shapely.from_wkb(wkb, on_invalid="ignore")
        is_point = shapely.get_type_id(shapes) == 0
        lon[other[is_point]] = shapely.get_x(shapes[is_point])
        lat[other[is_point]] = shapely.get_y(shapes[is_point])
    return lon, lat


def _geoparquet_frame(table: Any, renames: Mapping[str, str], first_row: int, name: str) -> pd.DataFrame:
    columns = {renames[c]: table.column(c).combine_chunks() for c in renames}
    if "LAT" not in columns and _GEOMETRY in table.column_names:
        lon, lat = _points(table.column(_GEOMETRY).combine_chunks())
        columns["LON"], columns["LAT"] = pa.array(lon), pa.array(lat)
    time = columns["BaseDateTime"]
    if pa.types.is_timestamp(time.type) and time.type.tz is not None:
        columns["BaseDateTime"] = pc.cast(time, pa.timestamp("ns", tz="UTC"))
    log = RejectionLog(name)
    lines = np.arange(table.num_rows, dtype=np.int64) + first_row
    frame = _positions(pa.table(columns), lines, log, None)
    return _finished(frame, log.report(format=FORMAT_GEOPARQUET))


def _read_geoparquet(stream: BinaryIO, name: str) -> pd.DataFrame:
    try:
        parquet = pq.ParquetFile(stream)
        renames = _parquet_columns(parquet.schema_arrow, name)
        wanted = [*renames, *([_GEOMETRY] if _GEOMETRY in parquet.schema_arrow.names else [])]
        table = parquet.read(columns=wanted)
        return _geoparquet_frame(table, renames, 1, name)
    except PARQUET_ERRORS as exc:
        raise FormatError(name, f"not a readable Parquet file: {exc}") from exc


def _iter_geoparquet(stream: BinaryIO, name: str, chunksize: int) -> Iterator[pd.DataFrame]:
    try:
        parquet = pq.ParquetFile(stream)
        renames = _parquet_columns(parquet.schema_arrow, name)
        wanted = [*renames, *([_GEOMETRY] if _GEOMETRY in parquet.schema_arrow.names else [])]
        first = 1
        for batch in parquet.iter_batches(batch_size=chunksize, columns=wanted):
            yield _geoparquet_frame(pa.Table.from_batches([batch]), renames, first, name)
            first += batch.num_rows
    except PARQUET_ERRORS as exc:
        raise FormatError(name, f"not a readable Parquet file: {exc}") from exc
