"""Streaming list input: files read in blocks while hashing, and safe streaming XML.

Private helpers shared by the XML and JSON-lines list readers. A :class:`StreamInput`
opens a path, bytes or a binary file object as a stream and computes the SHA-256 of
every byte read, so a 200 MB list is never held in memory. :func:`iter_records` parses
XML as a stream and yields one record element at a time, freeing each after use, and
frees every element outside the records as soon as it ends, so memory stays flat
whatever a document holds between its records.

Decoding per line: a UTF-8 document (declared so, or not declared) is passed to the
parser through a filter that lets valid UTF-8 through untouched; a line that is not
UTF-8 is decoded as Windows-1252 (Latin-1 for its undefined bytes), a control character
that XML forbids becomes a space, and a DOS end-of-file byte (0x1A) at the end is
dropped, each flagged or noted in the reader's log with its line, so one bad byte does
not refuse the whole list.

XML safety: a document can declare entities (billion laughs) or external references
(XXE) only in a DTD, and a DTD can only come before the root element. So the prolog is
checked first and any ``<!DOCTYPE`` is refused with a
:class:`~vesselscreen.errors.FormatError`; the body is then parsed by the standard
library's C parser (any entity reference other than the five predefined ones is then an
undefined-entity error). The same policy as ``defusedxml`` (``forbid_dtd=True``), at the
speed of the C parser; ``defusedxml``'s own iterparse runs in pure Python.

>>> doc = b"<list><ship><name>ARTAVIL</name></ship><ship><name>TIFON</name></ship></list>"
>>> src = StreamInput.of(doc)
>>> with src.open() as stream:
...     [ship.findtext("name") for _, ship in iter_records(stream, src.label, {"ship"})]
['ARTAVIL', 'TIFON']
>>> len(src.sha256())
64
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, Final
from xml.etree.ElementTree import Element, ParseError, iterparse

from vesselscreen.errors import FormatError, InputError, SourceNotFoundError, VesselScreenError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource, read_raw
from vesselscreen.lists._text import windows_1252

__all__ = [
    "StreamInput",
    "check_prolog",
    "iter_records",
    "local_name",
    "namespace_of",
    "qualified",
    "root_element",
    "text_of",
]

_BLOCK = 1 << 20
_HEAD = 1 << 16


class _HashingReader(io.RawIOBase):
    """A binary stream that feeds every byte it returns into a SHA-256 digest."""

    def __init__(self, inner: IO[bytes], digest: hashlib._Hash) -> None:
        self._inner = inner
        self._digest = digest
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]  # RawIOBase's buffer type
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._digest.update(data)
        self.bytes_read += n
        return n

    def read(self, size: int | None = -1) -> bytes:
        data = self._inner.read() if size is None or size < 0 else self._inner.read(size)
        self._digest.update(data)
        self.bytes_read += len(data)
        return data


@dataclass(slots=True)
class StreamInput:
    """One list file opened as a stream: where it came from, and a hash of what was read."""

    label: str
    location: str
    retrieved_at: datetime
    _opener: Callable[[], IO[bytes]]
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256)
    bytes_read: int = 0

    @classmethod
    def of(cls, source: ListSource | RawSource, *, label: str | None = None) -> StreamInput:
        """A stream over a path (read in blocks), bytes, a binary file object, or a read RawSource."""
        now = datetime.now(UTC)
        if isinstance(source, RawSource):
            data = source.data
            return cls(source.label, source.location, source.retrieved_at, lambda: io.BytesIO(data))
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            location = os.fspath(source)
            if not path.is_file():
                raise SourceNotFoundError(location, "no such file" if not path.exists() else "not a file")
            return cls(label or location, location, now, lambda: path.open("rb", buffering=_BLOCK))
        raw = read_raw(source, label=label)
        return cls.of(raw)

    @contextmanager
    def open(self) -> Iterator[io.BufferedReader[_HashingReader]]:
        """The content as a binary stream; bytes read through it are hashed.

        A file that cannot be opened or read (permissions, a disk error, removed while
        read) raises :class:`~vesselscreen.errors.InputError` naming it.
        """
        self._digest = hashlib.sha256()
        try:
            with self._opener() as inner:
                reader = _HashingReader(inner, self._digest)
                buffered = io.BufferedReader(reader, buffer_size=_BLOCK)
                try:
                    yield buffered
                    # a reader may stop early (e.g. after the records it wants): hash the rest too
                    while buffered.read(_BLOCK):
                        pass
                finally:
                    self.bytes_read = reader.bytes_read
        except VesselScreenError:
            raise
        except PermissionError as exc:
            raise SourceNotFoundError(self.location, "cannot be opened: permission denied") from exc
        except OSError as exc:
            raise InputError(self.location, f"cannot be read: {exc.strerror or exc}") from exc

    def sha256(self) -> str:
        """Hex SHA-256 of the bytes read so far (the whole file after :meth:`open` is closed)."""
        return self._digest.hexdigest()


@cache
def qualified(path: str, namespace: str) -> str:
    """An ElementPath with every step in ``namespace`` (plain paths are faster than ``{*}``).

    >>> qualified("names/name", "{urn:x}")
    '{urn:x}names/{urn:x}name'
    """
    return "/".join(step if step in ("", ".", "..") else namespace + step for step in path.split("/"))


def namespace_of(tag: str) -> str:
    """The ``{uri}`` prefix of a tag, or ``""``."""
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def local_name(tag: str) -> str:
    """An element tag without its namespace.

    >>> local_name("{https://sanctionslistservice.ofac.treas.gov/x}entity")
    'entity'
    """
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element | None) -> str | None:
    """The stripped text of ``element``, or ``None`` when it is missing or blank."""
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


_PROLOG = re.compile(
    rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>|\s+|\xef\xbb\xbf", re.DOTALL | re.IGNORECASE
)
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def root_element(head: bytes) -> str | None:
    """The local name of the root element of an XML document, from its first bytes.

    >>> root_element(b'<?xml version="1.0"?>\\n<!-- x --><sanctionsData xmlns="urn:x">')
    'sanctionsData'
    >>> root_element(b"name,imo\\n") is None
    True
    """
    position = 0
    while True:
        match = _PROLOG.match(head, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    root = _ROOT.match(head, position)
    return root.group(1).decode("ascii") if root else None


def check_prolog(head: bytes, label: str) -> None:
    """Refuse a document whose prolog (before the root element) has a DTD, or has no root.

    >>> check_prolog(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', "evil.xml")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    vesselscreen.errors.FormatError: evil.xml: refused: the XML declares a DTD (<!DOCTYPE ...>), ...
    """
    position = 0
    while True:
        match = _PROLOG.match(head, position)
        if match is None or match.end() == position:
            break
        if match.group(0)[:9].upper() == b"<!DOCTYPE":
            raise FormatError(
                label,
                "refused: the XML declares a DTD (<!DOCTYPE ...>), which can define entities or "
                "external references; sanctions lists never do",
            )
        position = match.end()
    if _ROOT.match(head, position) is None:
        if head[position : position + 2] == b"<!":
            raise FormatError(label, "refused: a DTD or declaration before the root element")
        raise FormatError(label, "not XML: no root element at the start of the file (UTF-8 expected)")


_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES: Final = frozenset({"utf-8", "utf8"})
# C0 controls XML 1.0 forbids (tab, LF and CR are allowed)
_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORBIDDEN_TO_SPACE: Final = bytes.maketrans(bytes([*range(9), 11, 12, *range(14, 32)]), b" " * 29)


def _is_utf8_document(head: bytes) -> bool:
    """UTF-8 declared or nothing declared (XML's default), and no UTF-16/32 byte order mark."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return False
    declared = _DECLARED.match(head)
    return declared is None or declared.group(1).decode("ascii").lower() in _UTF8_NAMES


class _LineRepair:
    """A UTF-8 byte stream for the XML parser, repaired line by line where it is not clean.

    Blocks end at a line end, so a multi-byte character is never cut. A clean block (valid
    UTF-8, no forbidden control character) passes through untouched; in the others, each
    line that is not UTF-8 is read as Windows-1252 and re-encoded, and forbidden controls
    become spaces, each flagged with its line. Line ends are kept, so the parser's line
    numbers still match the file's.
    """

    def __init__(self, inner: IO[bytes], log: RejectionLog) -> None:
        self._inner = inner
        self._log = log
        self._pending = b""
        self._block = b""
        self._position = 0
        self._line = 1  # line number of the first line of the next block
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while self._position >= len(self._block) and not self._done:
            self._fill()
        if size < 0:
            size = len(self._block) - self._position
        start = self._position
        self._position = min(len(self._block), start + size)
        return self._block[start : self._position]

    def _fill(self) -> None:
        chunk = self._inner.read(_BLOCK)
        data = self._pending + chunk
        if not chunk:
            self._done = True
            body = data.rstrip(b"\x1a \t\r\n")
            if b"\x1a" in data[len(body) :]:
                data = body + data[len(body) :].split(b"\x1a", 1)[0]
                self._log.note("EOF marker (0x1A) skipped")
            self._pending = b""
        else:
            cut = data.rfind(b"\n") + 1
            if cut == 0 and len(data) < 4 * _BLOCK:
                self._pending, self._block, self._position = data, b"", 0
                return
            if cut == 0:  # a very long line: cut before a character that may be incomplete
                cut = len(data)
                for back in range(1, min(4, len(data)) + 1):
                    if data[-back] >= 0xC0:
                        cut = len(data) - back
                        break
                    if data[-back] < 0x80:
                        break
            data, self._pending = data[:cut], data[cut:]
        self._block, self._position = self._repaired(data), 0

    def _repaired(self, data: bytes) -> bytes:
        first = self._line
        self._line += data.count(b"\n")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if _FORBIDDEN.search(data) is None:
                return data
        lines = data.split(b"\n")
        for offset, line in enumerate(lines):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                text = windows_1252(line)
                line = text.encode("utf-8")
                self._log.warn("not UTF-8: line decoded as Windows-1252", line=first + offset, raw=text)
            if _FORBIDDEN.search(line) is not None:
                line = line.translate(_FORBIDDEN_TO_SPACE)
                self._log.warn("control character: replaced by a space", line=first + offset)
            lines[offset] = line
        return b"\n".join(lines)


def iter_records(
    stream: IO[bytes], label: str, records: Collection[str], log: RejectionLog | None = None
) -> Iterator[tuple[str, Element]]:
    """Yield ``(local name, element)`` for each complete element named in ``records``.

    Each element is cleared and removed from its parent once the consumer asks for the
    next one, and every other element outside a record is cleared and removed when it
    ends, so memory holds one record at a time however long the file is and whatever
    lies between records. Records must not nest. ``stream`` must support ``peek`` (a
    buffered reader). A DTD raises :class:`FormatError` before anything is parsed;
    malformed XML (including an undefined entity) raises :class:`FormatError` with the
    line. With ``log``, a UTF-8 document is repaired line by line (module docstring).

    >>> doc = io.BufferedReader(io.BytesIO(b"<list><ship/><ship/><ship/></list>"))
    >>> [len(element) for name, element in iter_records(doc, "x.xml", {"ship", "list"})]
    [0, 0, 0, 0]
    """
    peek = getattr(stream, "peek", None)
    head = peek(_HEAD)[:_HEAD] if peek is not None else b""
    check_prolog(head, label)
    source: IO[bytes] | _LineRepair = stream
    if log is not None and _is_utf8_document(head):
        source = _LineRepair(stream, log)
    inside = 0  # records open around the current element
    try:
        names: dict[str, str] = {}  # tag -> local name, computed once per distinct tag
        # ElementTree has no parent links: the open elements are tracked from "start"
        # events, so a finished record can be deleted from its parent (a cleared element
        # left there would still cost ~100 bytes per record)
        open_elements: list[Element] = []
        push, pop = open_elements.append, open_elements.pop
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            name = names.get(tag)
            if name is None:
                name = names[tag] = local_name(tag)
            if event == "start":
                push(element)
                inside += name in records
                continue
            pop()
            if name in records:
                inside -= 1
                yield name, element
            elif inside:
                continue  # part of a record: the record's reader needs it
            element.clear()
            if open_elements:
                # the parser runs ahead of the events: later siblings may already be there,
                # but every finished element before this one is gone, so it is found first
                open_elements[-1].remove(element)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise FormatError(label, f"malformed XML: {exc}", line=line) from exc
    except (LookupError, ValueError) as exc:
        # the parser's word on an encoding it cannot use ("unknown encoding", "multi-byte
        # encodings are not supported"); the records' own code runs outside this try
        raise FormatError(label, f"unreadable XML: {exc}") from exc
