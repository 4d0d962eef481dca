"""Opening AIS sources: paths, binary or text file objects, gzip undone transparently.

Every reader works on a seekable binary stream of the *decompressed* content, so
sniffing can peek at the start and rewind.

>>> import io
>>> with open_binary(io.StringIO("!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\\n")) as stream:
...     stream.read(6)
b'!AIVDM'
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO, TypeAlias, cast

from vesselscreen.errors import SourceNotFoundError

__all__ = ["DECOMPRESSION_ERRORS", "AISSource", "open_binary", "peek", "source_name"]

AISSource: TypeAlias = str | os.PathLike[str] | IO[bytes] | IO[str]
"""A path, or a binary or text file object (read from its current position)."""

GZIP_MAGIC = b"\x1f\x8b"


def source_name(source: AISSource) -> str:
    """How errors and reports name ``source``: the path, a file object's name, or its type.

    >>> source_name("a/b.nmea"), source_name(io.BytesIO())
    ('a/b.nmea', '<BytesIO>')
    """
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else f"<{type(source).__name__}>"


def peek(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from the current position, leaving the position unchanged."""
    start = stream.tell()
    head = stream.read(size)
    stream.seek(start)
    return head


def _seekable_binary(fileobj: IO[bytes] | IO[str]) -> BinaryIO:
    probe = fileobj.read(0)
    if isinstance(probe, str):
        text = cast(IO[str], fileobj).read()
        return io.BytesIO(text.encode("utf-8"))
    binary = cast(BinaryIO, fileobj)
    if binary.seekable():
        return binary
    return io.BytesIO(binary.read())


@contextmanager
def open_binary(source: AISSource) -> Iterator[BinaryIO]:
    """A seekable binary stream of ``source``'s content, gunzipped if it starts with the gzip magic.

    A path that does not exist raises :class:`SourceNotFoundError`. File objects passed
    in are not closed.
    """
    name = source_name(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise SourceNotFoundError(name, "no such file")
        try:
            handle: BinaryIO = path.open("rb")
        except OSError as exc:
            raise SourceNotFoundError(name, f"cannot open: {exc.strerror or exc}") from exc
        with handle:
            if peek(handle, 2) == GZIP_MAGIC:
                with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                    yield cast(BinaryIO, unzipped)
            else:
                yield handle
        return
    stream = _seekable_binary(source)
    if peek(stream, 2) == GZIP_MAGIC:
        with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
            yield cast(BinaryIO, unzipped)
    else:
        yield stream


DECOMPRESSION_ERRORS: tuple[type[Exception], ...] = (gzip.BadGzipFile, EOFError, zlib.error)
"""What reading a corrupt gzip stream raises; readers turn these into a FormatError."""
