"""Opening AIS sources: paths, binary or text file objects, compressed content, progress bars.

Every reader works on a seekable binary stream of the *decompressed* content, so
sniffing can peek at the start and rewind. Compression is recognised by its magic
bytes, whatever the file is called:

- gzip (``1f 8b``): read through :class:`gzip.GzipFile`;
- zip (``PK 03 04``): the one data member of the archive (directories and ``__MACOSX``
  entries skipped); an archive with several data members raises :class:`FormatError`;
- zstd (``28 b5 2f fd``): decompressed with pyarrow's zstd codec into a spooled
  temporary file (in memory up to 64 MB, on disk beyond), so memory stays bounded.

>>> import io
>>> with open_binary(io.StringIO("!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\\n")) as stream:
...     stream.read(6)
b'!AIVDM'
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, BinaryIO, Never, TypeAlias, cast

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
from tqdm import tqdm

from vesselscreen.errors import FormatError, SourceNotFoundError

__all__ = [
    "DECOMPRESSION_ERRORS",
    "PARQUET_ERRORS",
    "AISSource",
    "ProgressReader",
    "compression_of",
    "open_binary",
    "peek",
    "progress_bar",
    "source_name",
    "source_size",
]

AISSource: TypeAlias = str | os.PathLike[str] | IO[bytes] | IO[str]
"""A path, or a binary or text file object (read from its current position)."""

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SPOOL_BYTES = 64 * 1024 * 1024
_COPY_BYTES = 1024 * 1024


def source_name(source: AISSource) -> str:
    """How errors and reports name ``source``: the path, a file object's name, or its type.

    >>> source_name("a/b.nmea"), source_name(io.BytesIO())
    ('a/b.nmea', '<BytesIO>')
    """
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else f"<{type(source).__name__}>"


def source_size(source: AISSource) -> int | None:
    """Size in bytes of a path (``None`` for file objects or missing files), for progress bars."""
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).stat().st_size
        except OSError:
            return None
    return None


def peek(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from the current position, leaving the position unchanged."""
    start = stream.tell()
    head = stream.read(size)
    stream.seek(start)
    return head


def compression_of(head: bytes) -> str | None:
    """``"gzip"``, ``"zip"``, ``"zstd"`` or ``None`` from the first bytes of a file.

    >>> compression_of(b"\\x1f\\x8b\\x08"), compression_of(b"MMSI,BaseDateTime")
    ('gzip', None)
    """
    for magic, kind in ((GZIP_MAGIC, "gzip"), (ZIP_MAGIC, "zip"), (ZSTD_MAGIC, "zstd")):
        if head.startswith(magic):
            return kind
    return None


def _seekable_binary(fileobj: IO[bytes] | IO[str]) -> BinaryIO:
    probe = fileobj.read(0)
    if isinstance(probe, str):
        text = cast(IO[str], fileobj).read()
        return io.BytesIO(text.encode("utf-8"))
    binary = cast(BinaryIO, fileobj)
    if binary.seekable():
        return binary
    return io.BytesIO(binary.read())


def _zip_member(stream: BinaryIO, name: str, stack: ExitStack) -> BinaryIO:
    try:
        archive = stack.enter_context(zipfile.ZipFile(stream))
    except zipfile.BadZipFile as exc:
        raise FormatError(name, f"corrupt zip archive: {exc}") from exc
    members = [
        info for info in archive.infolist() if not info.is_dir() and not info.filename.startswith("__MACOSX/")
    ]
    if len(members) != 1:
        listed = ", ".join(info.filename for info in members[:5]) or "none"
        raise FormatError(
            name, f"a zip archive must hold exactly one data file, found {len(members)} ({listed})"
        )
    return cast(BinaryIO, stack.enter_context(archive.open(members[0])))


def _unzstd(stream: BinaryIO, name: str, stack: ExitStack) -> BinaryIO:
    spool = cast(BinaryIO, stack.enter_context(tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)))  # noqa: SIM115  # closed by the caller's ExitStack
    try:
        with pa.CompressedInputStream(pa.PythonFile(stream, mode="r"), "zstd") as unzipped:
            while chunk := unzipped.read(_COPY_BYTES):
                spool.write(chunk)
    except (OSError, pa.ArrowException) as exc:
        raise FormatError(name, f"corrupt zstd data: {exc}") from exc
    spool.seek(0)
    return spool


def _decompressed(stream: BinaryIO, name: str, stack: ExitStack) -> BinaryIO:
    kind = compression_of(peek(stream, 4))
    if kind == "gzip":
        return cast(BinaryIO, stack.enter_context(gzip.GzipFile(fileobj=stream, mode="rb")))
    if kind == "zip":
        return _zip_member(stream, name, stack)
    if kind == "zstd":
        return _unzstd(stream, name, stack)
    return stream


@contextmanager
def open_binary(source: AISSource, *, progress: bool | None = False) -> Iterator[BinaryIO]:
    """A seekable binary stream of ``source``'s decompressed content (gzip, zip or zstd undone).

    A path that does not exist raises :class:`SourceNotFoundError`; a corrupt zip or
    zstd archive, or a zip with several data files, raises :class:`FormatError`. File
    objects passed in are not closed. ``progress`` shows a bar of the (compressed) bytes
    read, see :func:`progress_bar`.
    """
    name = source_name(source)
    with ExitStack() as stack:
        bar = stack.enter_context(progress_bar(source_size(source), Path(name).name, progress=progress))
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if path.is_dir():
                raise SourceNotFoundError(
                    name,
                    "is a directory, not a file: pass its files as a list, e.g. sorted(folder.glob('*.csv'))",
                )
            if not path.is_file():
                raise SourceNotFoundError(name, "no such file")
            try:
                raw: BinaryIO = stack.enter_context(path.open("rb"))
            except OSError as exc:
                raise SourceNotFoundError(name, f"cannot open: {exc.strerror or exc}") from exc
        else:
            raw = _seekable_binary(source)
        if not bar.disable:
            raw = cast(BinaryIO, ProgressReader(raw, bar))
        yield _decompressed(raw, name, stack)


DECOMPRESSION_ERRORS: tuple[type[Exception], ...] = (
    gzip.BadGzipFile,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
)
"""What reading a corrupt compressed stream raises; readers turn these into a FormatError."""

PARQUET_ERRORS: tuple[type[Exception], ...] = (pa.ArrowException, OSError, UnicodeDecodeError)
"""What reading a damaged Parquet file raises (corrupt pages, metadata that is not UTF-8...);
readers turn these into a FormatError."""


def progress_bar(total: int | None, description: str, *, progress: bool | None) -> tqdm[Never]:
    """A tqdm byte counter on stderr: shown when ``progress`` is True, or when it is None and
    stderr is a terminal; quiet otherwise (tests, pipes, logs).

    It counts the bytes the reader has taken from the file so far (readers take their input
    block by block as they decode it), and stays on screen when done, with the total and the
    rate.

    >>> bar = progress_bar(100, "x.csv", progress=False)
    >>> bar.disable
    True
    >>> bar.close()
    """
    show = progress if progress is not None else sys.stderr.isatty()
    bar: tqdm[Never] = tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not show,
        leave=True,
        file=sys.stderr,
    )
    return bar


class ProgressReader(io.RawIOBase):
    """A binary stream that advances a progress bar by the bytes read from the stream it wraps.

    Seeking backwards (sniffing, re-reading a header) does not move the bar back: it shows
    work done, at most the file's size.
    """

    def __init__(self, stream: BinaryIO, bar: tqdm[Never]) -> None:
        super().__init__()
        self._stream = stream
        self._bar = bar
        self._furthest = stream.tell()

    def _advance(self) -> None:
        position = self._stream.tell()
        if position > self._furthest:
            self._bar.update(position - self._furthest)
            self._furthest = position

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]  # typeshed's Buffer
        data = self._stream.read(len(buffer))
        size = len(data)
        memoryview(buffer)[:size] = data
        self._advance()
        return size

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._advance()
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = self._stream.readline(-1 if size is None else size)
        self._advance()
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()
