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

from collections.abc import Sequence
from datetime import datetime
from typing import Final, cast

import pandas as pd

from vesselscreen.ais import marinecadastre, nmea
from vesselscreen.ais._common import combine_reports, reference_ns
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, peek, source_name
from vesselscreen.errors import ConfigError, FormatError, ReferenceTimeError, SchemaError
from vesselscreen.ingest import INGEST_REPORT_ATTR, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES, validate

__all__ = ["FORMATS", "read_ais", "sniff_format", "validate_positions"]

FORMATS: Final = (marinecadastre.FORMAT, nmea.FORMAT)
"""Format names :func:`read_ais` accepts for ``format=``."""

_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 20
_NMEA_STARTS = (b"!", b"$", b"\\")
_OTHER_COMPRESSIONS = {
    b"\x28\xb5\x2f\xfd": "zstd",
    b"PK\x03\x04": "zip",
    b"BZh": "bzip2",
    b"\xfd7zXZ": "xz",
}


def sniff_format(head: bytes, *, source: str = "<bytes>") -> str:
    """The AIS format of content starting with ``head`` (decompressed bytes), or FormatError.

    NMEA: most of the first meaningful lines (not blank, not ``#``) start with ``!``,
    ``$`` or ``\\``. MarineCadastre: the header names MMSI, BaseDateTime, LAT and LON.

    >>> sniff_format(b"# a log\\n!AIVDM,1,1,,B,,0*25\\n")
    'nmea'
    >>> sniff_format(b"MMSI,BaseDateTime,LAT,LON,SOG\\n")
    'marinecadastre_csv'
    >>> sniff_format(b"")
    Traceback (most recent call last):
    ...
    vesselscreen.errors.FormatError: <bytes>: empty input: no AIS data
    """
    for magic, kind in _OTHER_COMPRESSIONS.items():
        if head.startswith(magic):
            raise FormatError(source, f"{kind}-compressed input is not supported yet: decompress it first")
    if not head.strip():
        raise FormatError(source, "empty input: no AIS data")
    if b"\x00" in head:
        raise FormatError(source, "binary content: not an AIS text format")
    lines = [line.strip() for line in head.splitlines()]
    meaningful = [line for line in lines if line and not line.startswith(b"#")][:_SNIFF_LINES]
    if not meaningful:
        raise FormatError(source, "only comments and blank lines: no AIS data")
    nmea_like = sum(line.startswith(_NMEA_STARTS) for line in meaningful)
    if meaningful[0].startswith(_NMEA_STARTS) or 2 * nmea_like >= len(meaningful):
        return nmea.FORMAT
    header = {field.strip().strip('"') for field in meaningful[0].decode("utf-8-sig", "replace").split(",")}
    if set(marinecadastre.REQUIRED_COLUMNS) <= header:
        return marinecadastre.FORMAT
    first = meaningful[0][:80].decode("ascii", errors="replace")
    raise FormatError(
        source, f"unrecognised content (not NMEA, not a MarineCadastre CSV header): {first!r}", line=1
    )


def _read_one(
    source: AISSource, format: str | None, reference_time: datetime | None, validate_checksum: bool
) -> pd.DataFrame:
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            kind = format or sniff_format(peek(stream, _SNIFF_BYTES), source=name)
            if kind == marinecadastre.FORMAT:
                return marinecadastre.read_stream(stream, name)
            return nmea.read_stream(
                stream, name, reference_time=reference_time, validate_checksum=validate_checksum
            )
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt gzip data: {exc}") from exc


def read_ais(
    source: AISSource | Sequence[AISSource],
    *,
    format: str | None = None,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> pd.DataFrame:
    """Read AIS positions from a file, a file object, or a list of them into the POSITION schema.

    ``format`` is one of :data:`FORMATS` (``"marinecadastre_csv"``, ``"nmea"``), or
    ``None`` to sniff it. gzip-compressed input is read transparently. The frame is
    sorted by ``mmsi`` then ``timestamp``; its :class:`~vesselscreen.ingest.IngestReport`
    is in ``frame.attrs[INGEST_REPORT_ATTR]`` (see :func:`vesselscreen.ingest.ingest_report`).
    For a list, frames are concatenated and reports combined (counts summed).

    ``reference_time`` (timezone-aware) dates NMEA sentences that come before any time in
    their file; ``validate_checksum`` rejects NMEA sentences with a wrong checksum.

    Raises :class:`SourceNotFoundError` (no such file), :class:`FormatError` (empty,
    binary or unrecognised content), :class:`ColumnsError`, :class:`ConfigError`
    (unknown ``format``), :class:`ReferenceTimeError` (naive ``reference_time``, or NMEA
    without any time and no ``reference_time``).
    """
    if format is not None and format not in FORMATS:
        raise ConfigError(f"unknown AIS format {format!r}; expected one of {', '.join(FORMATS)}")
    # a str is a Sequence too, but it is one path: only lists and tuples are several sources
    sources = list(source) if isinstance(source, list | tuple) else [cast(AISSource, source)]
    if not sources:
        raise ConfigError("read_ais() got an empty list of sources")
    reference_ns(reference_time, source_name(sources[0]))  # refuse a naive time before reading anything
    frames = [_read_one(item, format, reference_time, validate_checksum) for item in sources]
    if len(frames) == 1:
        return frames[0]
    reports = [report for frame in frames if (report := ingest_report(frame)) is not None]
    combined = pd.concat([frame for frame in frames if len(frame)] or [frames[0]], ignore_index=True)
    combined = combined.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)
    combined.attrs = {INGEST_REPORT_ATTR: combine_reports(reports)}
    return combined


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
