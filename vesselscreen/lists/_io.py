"""Reading list sources into bytes and text: paths, raw bytes and binary file objects.

Private helpers shared by the list readers. A :class:`RawSource` keeps the exact bytes
(for the snapshot hash), a label used in errors and reports, and the path when there is
one (so the OFAC reader can find sibling files).

>>> raw = read_raw(b"name\\nARTAVIL\\n")
>>> raw.label, decode_text(raw)
('<bytes>', 'name\\nARTAVIL\\n')
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from vesselscreen.errors import ConfigError, InputError, SourceNotFoundError

ListSource = str | os.PathLike[str] | bytes | IO[bytes]
"""What a list reader accepts: a path, the raw bytes, or a binary file object."""


@dataclass(frozen=True, slots=True)
class RawSource:
    """The raw bytes of one file, where they came from, and when they were read."""

    data: bytes
    label: str
    location: str
    path: Path | None
    retrieved_at: datetime


def read_raw(source: ListSource, *, label: str | None = None) -> RawSource:
    """Read ``source`` completely; missing files raise :class:`SourceNotFoundError`."""
    now = datetime.now(UTC)
    if isinstance(source, bytes | bytearray | memoryview):
        name = label or "<bytes>"
        return RawSource(bytes(source), name, name, None, now)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        location = os.fspath(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise SourceNotFoundError(location, "no such file") from exc
        except IsADirectoryError as exc:
            raise SourceNotFoundError(location, "is a directory, not a file") from exc
        except PermissionError as exc:
            raise SourceNotFoundError(location, "cannot be opened: permission denied") from exc
        except OSError as exc:
            raise InputError(location, f"cannot be read: {exc.strerror or exc}") from exc
        except ValueError as exc:  # e.g. a NUL character, which no file name can hold
            raise SourceNotFoundError(location, f"not a usable path: {exc}") from exc
        return RawSource(data, label or location, location, path, now)
    read = getattr(source, "read", None)
    if read is None:
        raise ConfigError(
            f"cannot read a watchlist from {type(source).__name__}: "
            "pass a path, bytes or a binary file object"
        )
    name = label or str(getattr(source, "name", "<stream>"))
    content = read()
    if isinstance(content, str):
        raise ConfigError(f"{name}: open the file in binary mode ('rb'), not text mode")
    if not isinstance(content, bytes | bytearray):
        raise ConfigError(f"{name}: read() returned {type(content).__name__}, expected bytes")
    return RawSource(bytes(content), name, name, None, now)


def decode_text(raw: RawSource) -> str:
    """The text of ``raw``: UTF-8 (a BOM is dropped), else Windows-1252 as older OFAC files use.

    >>> decode_text(read_raw("Caf\\xe9".encode("cp1252")))
    'Café'
    """
    try:
        return raw.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; replacing them keeps the rest readable
        return raw.data.decode("cp1252", errors="replace")


def sha256_of(parts: Iterable[bytes]) -> str:
    """Hex SHA-256 of the concatenated bytes of every file read for one source.

    >>> sha256_of([b"a", b"b"]) == sha256_of([b"ab"])
    True
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()
