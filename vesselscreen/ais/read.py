"""The one entry point for AIS files: :func:`read_ais` sniffs the format and dispatches.

Also :func:`validate_positions`, the check for positions frames built by hand (not by
:func:`read_ais`) before they go to screening.

>>> import io
>>> frame = read_ais(io.BytesIO(b"$PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D*57\\n"
...                             b"!BSVDM,1,1,,A,13:WB@0vC2PmgjpP`WO=DbdF0<0U,0*5D\\n"))
>>> row = frame.iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), float(row["lat"]), float(row["lon"])
(212456000, '2010-06-11 11:46:12.470000+00:00', 57.033167, 11.741167)
>>> ingest_report(frame).summary()
'<BytesIO> (nmea): 2 records, 2 accepted, 0 rejected'
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Final, cast, overload

import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints

from vesselscreen.ais import aishub, aisstream, dma, mapping, marinecadastre, nmea
from vesselscreen.ais._common import combine_reports, reference_ns
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, peek, source_name
from vesselscreen.ais.cleaning import CleaningConfig, clean_ais
from vesselscreen.errors import ConfigError, FormatError, ReferenceTimeError, SchemaError
from vesselscreen.ingest import INGEST_REPORT_ATTR, IngestReport, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, validate

__all__ = ["FORMATS", "read_ais", "sniff_format", "validate_positions"]

MARINECADASTRE_GEOPARQUET: Final = "marinecadastre_geoparquet"
FORMATS: Final = (
    marinecadastre.FORMAT,
    MARINECADASTRE_GEOPARQUET,
    nmea.FORMAT,
    dma.FORMAT,
    aisstream.FORMAT,
    aishub.FORMAT_JSON,
    aishub.FORMAT_CSV,
    mapping.FORMAT,
)
"""Format names :func:`read_ais` accepts for ``format=`` (``"mapped"`` needs ``mapping=``)."""

_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 20
_NMEA_STARTS = (b"!", b"$", b"\\")
_OTHER_COMPRESSIONS = {b"BZh": "bzip2", b"\xfd7zXZ": "xz"}
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])  # no AIS text line holds them (tab, CR... can be)
_TEXT_SHARE = 0.5  # below this share of text lines among the first ones, content is binary
_MARINECADASTRE_HEADERS = (
    set(marinecadastre.REQUIRED_COLUMNS),
    {"mmsi", "base_date_time", "latitude", "longitude"},  # the 2025+ snake_case files
)


def sniff_format(head: bytes, *, source: str = "<bytes>") -> str:
    """The AIS format of content starting with ``head`` (decompressed bytes), or FormatError.

    Parquet (``PAR1``): MarineCadastre GeoParquet. JSON: aisstream.io messages (objects
    with ``MessageType``) or AISHub (``[{"ERROR": ...}, [...]]``). NMEA: most of the
    first meaningful lines (not blank, not ``#``) start with ``!``, ``$`` or ``\\``. CSV by
    header: MarineCadastre (``MMSI, BaseDateTime, LAT, LON`` or the 2025 snake_case
    names), Danish Maritime Authority (``# Timestamp, ..., MMSI, Latitude, Longitude``),
    AISHub (``MMSI, TIME, LONGITUDE, LATITUDE``). A UTF-8 byte order mark is skipped, and
    lines holding binary bytes (a NUL, control characters) are left out of the judgement:
    the reader counts them; content that is mostly such lines is binary.

    >>> sniff_format(b"# a log\\n!AIVDM,1,1,,B,,0*25\\n")
    'nmea'
    >>> sniff_format(b"\\xef\\xbb\\xbf\\x00\\n!AIVDM,1,1,,B,,0*25\\n")
    'nmea'
    >>> sniff_format(b"MMSI,BaseDateTime,LAT,LON,SOG\\n")
    'marinecadastre_csv'
    >>> sniff_format(b"# Timestamp,Type of mobile,MMSI,Latitude,Longitude\\n")
    'dma_csv'
    >>> sniff_format(b"")
    Traceback (most recent call last):
    ...
    vesselscreen.errors.FormatError: <bytes>: empty input: no AIS data
    """
    for magic, kind in _OTHER_COMPRESSIONS.items():
        if head.startswith(magic):
            raise FormatError(source, f"{kind}-compressed input is not supported: decompress it first")
    if head.startswith(mapping.PARQUET_MAGIC):
        return MARINECADASTRE_GEOPARQUET
    if head.startswith(_UTF16_BOMS):
        raise FormatError(source, "UTF-16 text: save the file as UTF-8 (or ASCII) first")
    head = head.removeprefix(_UTF8_BOM)
    if not head.strip():
        raise FormatError(source, "empty input: no AIS data")
    stripped = head.lstrip(b" \t\r\n")
    if stripped.startswith((b"[", b"{")):
        if b'"MessageType"' in head:
            return aisstream.FORMAT
        if b'"ERROR"' in head or b'"MMSI"' in head:
            return aishub.FORMAT_JSON
        raise FormatError(source, "JSON content that is neither aisstream.io messages nor AISHub output")
    nonblank = [line for line in (line.strip() for line in head.splitlines()) if line]
    textual = nonblank
    if _binary(head):  # rare: judged line by line only then
        textual = [line for line in nonblank if not _binary(line)]
    if len(textual) < _TEXT_SHARE * len(nonblank):
        raise FormatError(source, "binary content: not an AIS text format")
    if textual and textual[0].startswith(b"# Timestamp,"):
        return dma.FORMAT
    meaningful = [line for line in textual if not line.startswith(b"#")][:_SNIFF_LINES]
    if not meaningful:
        raise FormatError(source, "only comments and blank lines: no AIS data")
    nmea_like = sum(line.startswith(_NMEA_STARTS) for line in meaningful)
    if meaningful[0].startswith(_NMEA_STARTS) or 2 * nmea_like >= len(meaningful):
        return nmea.FORMAT
    header = {field.strip().strip('"') for field in meaningful[0].decode("utf-8", "replace").split(",")}
    if any(required <= header for required in _MARINECADASTRE_HEADERS):
        return marinecadastre.FORMAT
    if set(aishub.REQUIRED_COLUMNS) <= header:
        return aishub.FORMAT_CSV
    first = meaningful[0][:80].decode("ascii", errors="replace")
    raise FormatError(source, f"unrecognised content (not a known AIS format): {first!r}", line=1)


def _binary(text: bytes) -> bool:
    """Whether ``text`` holds a byte of :data:`_BINARY` (``bytes.translate`` finds them about five times
    faster than a regular expression)."""
    return len(text.translate(None, _BINARY)) != len(text)


def _empty_report(report: IngestReport | None, name: str) -> IngestReport:
    return IngestReport(
        source=name, format=report.format if report else "unknown", records=0, accepted=0, rejected=0
    )


def _sliced(frame: pd.DataFrame, chunksize: int, name: str) -> Iterator[pd.DataFrame]:
    """A frame read whole, in slices: the first carries the file's report, later ones empty
    reports, so summing reports over chunks gives the file's counts."""
    report = ingest_report(frame)
    for start in range(0, max(len(frame), 1), chunksize):
        part = frame.iloc[start : start + chunksize].reset_index(drop=True)
        part.attrs = {INGEST_REPORT_ATTR: report if start == 0 else _empty_report(report, name)}
        yield part


def _frames(
    source: AISSource | pd.DataFrame,
    format: str | None,
    *,
    columns: Mapping[str, str] | None,
    chunksize: int | None,
    reference_time: datetime | None,
    validate_checksum: bool,
    scaled: bool | None,
    time_format: str | None,
    assume_utc: bool,
    progress: bool | None,
) -> Iterator[pd.DataFrame]:
    """The positions frames of one source: one frame, or chunks of ``chunksize`` rows."""
    if columns is not None or isinstance(source, pd.DataFrame):
        if columns is None:
            raise ConfigError("a DataFrame source needs mapping= ({canonical column: its column})")
        yield from mapping.mapped_chunks(
            source,
            columns,
            chunksize=chunksize,
            time_format=time_format,
            assume_utc=assume_utc,
            progress=progress,
        )
        return
    name = source_name(source)
    marinecadastre_kinds = (marinecadastre.FORMAT, MARINECADASTRE_GEOPARQUET)
    marinecadastre_chunks = chunksize is not None and format in (None, *marinecadastre_kinds)
    if marinecadastre_chunks and (format or _sniff_path(source, name)) in marinecadastre_kinds:
        rows = chunksize or 1  # set: marinecadastre_chunks says so
        yield from marinecadastre.iter_marinecadastre(source, chunksize=rows, progress=progress)
        return
    with open_binary(source, progress=progress) as stream:
        try:
            kind = format or sniff_format(peek(stream, _SNIFF_BYTES), source=name)
            if kind == dma.FORMAT:
                yield from dma.iter_stream(stream, name, chunksize=chunksize)
                return
            if kind in (aishub.FORMAT_JSON, aishub.FORMAT_CSV):
                yield from aishub.iter_stream(stream, name, scaled=scaled, chunksize=chunksize)
                return
            if kind in (marinecadastre.FORMAT, MARINECADASTRE_GEOPARQUET):  # read whole (chunks above)
                whole = marinecadastre.read_stream(stream, name)
            elif kind == aisstream.FORMAT:
                whole = aisstream.read_stream(stream, name)
            elif chunksize is not None:  # NMEA streams: chunksize lines at a time
                yield from nmea.iter_stream(
                    stream,
                    name,
                    chunksize=chunksize,
                    reference_time=reference_time,
                    validate_checksum=validate_checksum,
                )
                return
            else:
                whole = nmea.read_stream(
                    stream, name, reference_time=reference_time, validate_checksum=validate_checksum
                )
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc
    if chunksize is None:
        yield whole
    else:
        yield from _sliced(whole, chunksize, name)


def _sniff_path(source: AISSource, name: str) -> str | None:
    try:
        with open_binary(source) as stream:
            return sniff_format(peek(stream, _SNIFF_BYTES), source=name)
    except FormatError:
        return None


def _combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0]
    reports = [report for frame in frames if (report := ingest_report(frame)) is not None]
    combined = pd.concat([frame for frame in frames if len(frame)] or [frames[0]], ignore_index=True)
    combined = combined.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
    combined.attrs = {INGEST_REPORT_ATTR: combine_reports(reports)}
    return combined


def _cleaned(
    frames: Iterator[pd.DataFrame], clean: bool, config: CleaningConfig | None
) -> Iterator[pd.DataFrame]:
    for frame in frames:
        yield clean_ais(frame, config=config) if clean else frame


@overload
def read_ais(
    source: AISSource | pd.DataFrame | Sequence[AISSource],
    *,
    format: str | None = ...,
    mapping: Mapping[str, str] | None = ...,
    chunksize: None = ...,
    clean: bool = ...,
    cleaning: CleaningConfig | None = ...,
    reference_time: datetime | None = ...,
    validate_checksum: bool = ...,
    scaled: bool | None = ...,
    time_format: str | None = ...,
    assume_utc: bool = ...,
    progress: bool | None = ...,
) -> pd.DataFrame: ...


@overload
def read_ais(
    source: AISSource | pd.DataFrame | Sequence[AISSource],
    *,
    format: str | None = ...,
    mapping: Mapping[str, str] | None = ...,
    chunksize: int,
    clean: bool = ...,
    cleaning: CleaningConfig | None = ...,
    reference_time: datetime | None = ...,
    validate_checksum: bool = ...,
    scaled: bool | None = ...,
    time_format: str | None = ...,
    assume_utc: bool = ...,
    progress: bool | None = ...,
) -> Iterator[pd.DataFrame]: ...


def read_ais(
    source: AISSource | pd.DataFrame | Sequence[AISSource],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    chunksize: int | None = None,
    clean: bool = False,
    cleaning: CleaningConfig | None = None,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
    scaled: bool | None = None,
    time_format: str | None = None,
    assume_utc: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame | Iterator[pd.DataFrame]:
    """Read AIS positions from a file, a file object, or a list of them into the POSITION schema.

    ``format`` is one of :data:`FORMATS`, or ``None`` to sniff it from the content.
    gzip, zip (one data file) and zstd input is read transparently. ``mapping``
    (``{canonical column: source column}``) reads any CSV, Parquet file or DataFrame
    (see :func:`vesselscreen.ais.mapping.read_mapped`, with ``time_format`` and
    ``assume_utc``). ``scaled`` forces AISHub's AIS-encoded value format on or off.

    The frame is sorted by ``mmsi`` then ``timestamp``; its
    :class:`~vesselscreen.ingest.IngestReport` is in ``frame.attrs[INGEST_REPORT_ATTR]``
    (see :func:`vesselscreen.ingest.ingest_report`). For a list, frames are concatenated
    and reports combined (counts summed).

    ``chunksize=n`` returns an iterator of frames of at most ``n`` rows instead, each
    with the report of its own records, for files larger than memory: NMEA,
    MarineCadastre, DMA, AISHub CSV and mapped CSV / Parquet stream in bounded memory;
    aisstream and AISHub JSON are read whole and sliced (their report comes with the first
    chunk). Chunks are sorted within themselves only. For a list, the chunks of each
    source follow in turn.

    ``clean=True`` runs :func:`vesselscreen.ais.cleaning.clean_ais` (with ``cleaning=``,
    a :class:`CleaningConfig`) on the frame, or on each chunk. ``progress`` shows a tqdm
    bar of the bytes the reader has taken from the file, as it decodes them (default:
    only when stderr is a terminal; ``False`` never).

    ``reference_time`` (timezone-aware) dates NMEA sentences that come before any time in
    their file; ``validate_checksum`` rejects NMEA sentences with a wrong checksum.

    Raises :class:`SourceNotFoundError` (no such file, or a directory), :class:`FormatError`
    (empty, binary, corrupt or unrecognised content), :class:`ColumnsError`, :class:`ConfigError`
    (unknown ``format``, bad ``mapping``), :class:`ReferenceTimeError` (naive
    ``reference_time`` or timestamps, or NMEA without any time and no ``reference_time``).
    """
    if format is not None and format not in FORMATS:
        raise ConfigError(f"unknown AIS format {format!r}; expected one of {', '.join(FORMATS)}")
    if format == "mapped" and mapping is None:
        raise ConfigError("format='mapped' needs mapping= ({canonical column: source column})")
    if chunksize is not None and chunksize < 1:
        raise ConfigError(f"chunksize must be a positive number of rows, not {chunksize}")
    # a str is a Sequence too, but it is one path: only lists and tuples are several sources
    sources = list(source) if isinstance(source, list | tuple) else [cast(AISSource, source)]
    if not sources:
        raise ConfigError("read_ais() got an empty list of sources")
    first = sources[0]
    reference_ns(reference_time, "DataFrame" if isinstance(first, pd.DataFrame) else source_name(first))

    def frames_of(item: AISSource | pd.DataFrame) -> Iterator[pd.DataFrame]:
        return _frames(
            item,
            None if format == "mapped" else format,
            columns=mapping,
            chunksize=chunksize,
            reference_time=reference_time,
            validate_checksum=validate_checksum,
            scaled=scaled,
            time_format=time_format,
            assume_utc=assume_utc,
            progress=progress,
        )

    if chunksize is not None:
        chained = itertools.chain.from_iterable(frames_of(item) for item in sources)
        return _cleaned(chained, clean, cleaning)
    combined = _combine([frame for item in sources for frame in frames_of(item)])
    # pyarrow's allocator keeps the parse buffers it freed (about 1.5x the frame on a large
    # CSV); hand them back so that screening does not start with them counted against it
    pa.default_memory_pool().release_unused()
    return clean_ais(combined, config=cleaning) if clean else combined


def validate_positions(frame: pd.DataFrame) -> None:
    """Check that a frame built outside :func:`read_ais` is a positions frame.

    Naive timestamps raise :class:`ReferenceTimeError` (AIS times must be UTC-aware);
    any missing column or wrong dtype raises :class:`SchemaError` listing every problem.
    ``vesselscreen.schema.conform(frame, POSITION_DTYPES)`` fixes dtypes for you.

    >>> from vesselscreen.schema import empty_frame
    >>> frame = empty_frame(POSITION_DTYPES)
    >>> validate_positions(frame)
    >>> frame["timestamp"] = frame["timestamp"].dt.tz_localize(None)
    >>> validate_positions(frame)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vesselscreen.errors.ReferenceTimeError: positions frame: column 'timestamp' is naive (dtype ...
    """
    if POSITION.TIMESTAMP in frame.columns:
        dtype = frame[POSITION.TIMESTAMP].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            pass
        elif pd.api.types.is_datetime64_dtype(dtype):
            raise ReferenceTimeError(
                "positions frame",
                f"column {POSITION.TIMESTAMP!r} is naive (dtype {dtype}); AIS times must be UTC: "
                "use .dt.tz_localize('UTC') if they are UTC",
            )
    try:
        validate(frame, POSITION_DTYPES, what="positions frame")
    except SchemaError as exc:
        raise SchemaError(f"{exc} (schema.conform(frame, POSITION_DTYPES) casts dtypes)") from exc
