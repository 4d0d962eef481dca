r"""CSV input made safe for pyarrow: one record per physical line, and every bad line counted.

pyarrow's CSV parser ends a row at a bare carriage return as well as at a line feed, lets
a quote that never closes swallow the lines after it into one value, and on a single byte
that is not UTF-8 fails a whole text column (or raises inside its invalid-row callback).
The tabular AIS readers therefore read through :class:`CsvGuard`: lines are passed on
unchanged unless pyarrow would misread them, and such a line is replaced by a marker that
pyarrow reports as a malformed row; :func:`bad_row_handler` turns the marker back into the
line's reason and text, so it is rejected with its own line number and nothing else moves.
A plain file is read by pyarrow in place instead (:class:`MappedCsv`: the same lines, the
same markers, and no Python stream in between, which costs pyarrow about a third more time).

A line is bad when it holds

- a carriage return that does not end it (``CRLF`` line ends are fine);
- a quote that opens a field and never closes on the same line (pyarrow's rules: a quote
  opens only at the start of a field; ``""`` inside quotes is a quote);
- bytes that are not UTF-8.

>>> import io
>>> text = b'MMSI,NAME\n1,"A\n2,B\r,C\n3,\xe9\n4,D\n'
>>> guard = CsvGuard(io.BytesIO(text))
>>> lines = guard.read().split(b"\n")
>>> lines[0], lines[4]
(b'MMSI,NAME', b'4,D')
>>> [guard.flagged(line.decode())[0] for line in lines[1:4]]  # doctest: +NORMALIZE_WHITESPACE
['malformed row: a quote that never closes', 'malformed row: carriage return inside the line',
 'undecodable row: not UTF-8 (byte 0xE9 at column 3)']
"""

from __future__ import annotations

import contextlib
import csv
import io
import mmap
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type hints

from vesselscreen.errors import FormatError

__all__ = [
    "BLOCK_BYTES",
    "BadRow",
    "CsvGuard",
    "MappedCsv",
    "bad_row_handler",
    "check_unique",
    "header_fields",
    "parse_options",
    "read_options",
    "split_line",
]

BLOCK_BYTES: Final = 4 << 20
"""Bytes of CSV text per block handed to pyarrow (and checked here)."""

_MARKER: Final = "\x00vesselscreen-bad-line-"
# one CSV field as pyarrow reads it: quoted (a quote opens only at the start of a field, ""
# is a quote, anything after the closing quote up to the comma is kept) or unquoted
_FIELD: Final = rb'(?:"(?:[^"\n]|"")*+"[^,\n]*+|[^",\n][^,\n]*+|)'
_LINE: Final = _FIELD + rb"(?:," + _FIELD + rb")*+"
_BALANCED_LINE: Final = re.compile(_LINE)
_BALANCED_LINES: Final = re.compile(rb"(?:" + _LINE + rb"\n)*+" + _LINE)
_QUOTED_LINES_ALONE: Final = 64  # beyond this many lines with quotes in a block, one regex pass is faster


@dataclass(frozen=True, slots=True)
class BadRow:
    """A CSV line that gives no row: where (1-based line, ``None`` if unknown), why, its text."""

    line: int | None
    reason: str
    text: str


def _problem(line: bytes) -> str | None:
    """Why pyarrow would misread ``line`` (without its line feed), or ``None``."""
    body = line[:-1] if line.endswith(b"\r") else line
    if b"\r" in body:
        return "malformed row: carriage return inside the line"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"undecodable row: not UTF-8 (byte 0x{line[exc.start]:02X} at column {exc.start + 1})"
    if b'"' in body and _BALANCED_LINE.fullmatch(body) is None:
        return "malformed row: a quote that never closes"
    return None


class CsvGuard(io.RawIOBase):
    """A read-only binary stream of ``stream``'s lines, bad ones replaced by markers (see the module).

    It hands out whole lines only, so every line is checked in one piece. The first line
    (the header) is passed on as it is: :func:`header_fields` judges it. Not seekable:
    to read again, seek the underlying stream and wrap it anew.
    """

    def __init__(self, stream: BinaryIO, *, block_size: int = BLOCK_BYTES) -> None:
        super().__init__()
        self._stream = stream
        self._block_size = block_size
        self._rest = b""  # bytes read after the last complete line
        self._out = b""  # checked bytes not handed out yet
        self._out_at = 0
        self._header = True
        self._done = False
        self._bad: list[tuple[str, str]] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]  # typeshed's Buffer
        view = memoryview(buffer)
        while self._out_at >= len(self._out) and not self._done:
            self._out, self._out_at = self._next_block(), 0
        size = min(len(view), len(self._out) - self._out_at)
        view[:size] = self._out[self._out_at : self._out_at + size]
        self._out_at += size
        return size

    def flagged(self, text: str) -> tuple[str, str] | None:
        """``(reason, original text)`` if ``text`` is the marker of a bad line, else ``None``."""
        return _flagged(self._bad, text)

    def _next_block(self) -> bytes:
        data = self._rest + self._stream.read(self._block_size)
        if len(data) == len(self._rest):  # end of the stream: the last line has no line feed
            self._done = True
            self._rest = b""
            return self._checked(data)
        cut = data.rfind(b"\n") + 1
        if cut == 0:  # no complete line yet: read on
            self._rest = data
            return b""
        self._rest = data[cut:]
        return self._checked(data[:cut])

    def _checked(self, data: bytes) -> bytes:
        if self._header and data:
            self._header = False
            end = data.find(b"\n") + 1 or len(data)
            return data[:end] + self._checked(data[end:])
        if not _suspect(data):
            return data
        lines = data.split(b"\n")
        for index, line in enumerate(lines):
            reason = _problem(line) if line else None
            if reason is not None:
                self._bad.append((reason, line.decode("utf-8", errors="replace").rstrip("\r")))
                lines[index] = f"{_MARKER}{len(self._bad) - 1}".encode()
        return b"\n".join(lines)


class MappedCsv:
    """A regular file's CSV mapped into memory for pyarrow to read in place: the lines
    :class:`CsvGuard` would hand out, with no Python stream between pyarrow and the bytes.

    :meth:`of` checks the lines after ``start``'s header block by block as the guard does
    and overwrites each bad one with its marker, padded with spaces to the line's length,
    in the process's private copy of the page (the file is not changed). Use as a context
    manager; it unmaps the file on leaving. As with any memory-mapped read, a file cut
    short by another program while it is read stops the process (SIGBUS).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = path.write_bytes(b'MMSI,NAME\\n1,"MSC NAISHA III, old name\\n2,B\\n')
    >>> with path.open("rb") as file, MappedCsv.of(file, 0) as mapped:
    ...     row = mapped.reader().read().split(b"\\n")[1]
    ...     row.rstrip(b" "), mapped.flagged(row.decode())  # doctest: +NORMALIZE_WHITESPACE
    (b'\\x00vesselscreen-bad-line-0',
     ('malformed row: a quote that never closes', '1,"MSC NAISHA III, old name'))
    >>> path.read_bytes().split(b"\\n")[1]  # the file is unchanged
    b'1,"MSC NAISHA III, old name'
    """

    def __init__(self, mapped: mmap.mmap, start: int) -> None:
        self._mapped = mapped
        self._start = start
        self._bad: list[tuple[str, str]] = []
        self._buffer: Any = None

    @classmethod
    def of(cls, stream: BinaryIO, start: int, *, block_size: int = BLOCK_BYTES) -> MappedCsv | None:
        """The mapped lines of ``stream`` from ``start``, or ``None`` where a :class:`CsvGuard`
        is needed: not a plain regular file (compressed, in memory...), empty, or a bad line
        too short to hold its marker."""
        if type(stream) is not io.BufferedReader or not isinstance(stream.raw, io.FileIO):
            return None
        try:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode) or status.st_size <= start:
                return None
            mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_COPY)
        except (OSError, ValueError, OverflowError):  # not mappable (a special file system, no address room)
            return None
        lines = cls(mapped, start)
        if not lines._mark_bad_lines(block_size):
            lines.close()
            return None
        return lines

    def _mark_bad_lines(self, block_size: int) -> bool:
        mapped, size = self._mapped, len(self._mapped)
        at = mapped.find(b"\n", self._start) + 1 or size  # the header is passed on as it is
        while at < size:
            end = mapped.rfind(b"\n", at, min(at + block_size, size)) + 1
            if end <= at:  # a line longer than a block (or the last line): up to its end
                end = mapped.find(b"\n", at + block_size) + 1 or size
            # searched in place first: a clean block (the usual one) is never copied, which in a
            # fresh process costs more than the search (1M rows: 58 -> 22 ms)
            if _plain(mapped, at, end) and mapped.find(b'"', at, end) < 0:
                at = end
                continue
            data = mapped[at:end]
            if _suspect(data):
                offset = at
                for line in data.split(b"\n"):
                    reason = _problem(line) if line else None
                    if reason is not None:
                        self._bad.append((reason, line.decode("utf-8", errors="replace").rstrip("\r")))
                        marker = f"{_MARKER}{len(self._bad) - 1}".encode()
                        if len(marker) > len(line):
                            return False
                        mapped[offset : offset + len(line)] = marker.ljust(len(line))
                    offset += len(line) + 1
            at = end
        return True

    def reader(self) -> Any:
        """A pyarrow input file of the lines from ``start`` (read in place, no copy)."""
        if self._buffer is None:
            self._buffer = pa.py_buffer(self._mapped)
        return pa.BufferReader(self._buffer.slice(self._start))

    def flagged(self, text: str) -> tuple[str, str] | None:
        """``(reason, original text)`` if ``text`` is the marker of a bad line, else ``None``."""
        return _flagged(self._bad, text)

    def close(self) -> None:
        self._buffer = None
        with contextlib.suppress(BufferError):  # a view still held (a traceback): unmapped with it
            self._mapped.close()

    def __enter__(self) -> MappedCsv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(mapped: mmap.mmap, start: int, end: int) -> bool:
    """Whether bytes ``start:end`` of ``mapped`` are ASCII without a carriage return, read in
    place (the view is gone when this returns, so the map can always be closed)."""
    ascii_only = int(np.frombuffer(mapped, dtype=np.uint8, count=end - start, offset=start).max()) < 0x80
    return ascii_only and mapped.find(b"\r", start, end) < 0


def _flagged(bad: list[tuple[str, str]], text: str) -> tuple[str, str] | None:
    if not text.startswith(_MARKER):
        return None
    index = text[len(_MARKER) :].strip()
    return bad[int(index)] if index.isdigit() and int(index) < len(bad) else None


def _suspect(data: bytes) -> bool:
    """Whether ``data`` (whole lines) may hold a bad line; the usual block is cleared in a few
    passes at memory speed (searches first: counting is slower)."""
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return True
    if b"\r" in data:
        returns = data.count(b"\r")
        if returns != data.count(b"\r\n") + data.endswith(b"\r"):
            return True
    return b'"' in data and not _quotes_balanced(data)


def _quotes_balanced(data: bytes) -> bool:
    """Whether every line of ``data`` that holds a quote reads as one line (see the module):
    the few quoted lines one by one, or the whole block when quotes are common."""
    at, checked = data.find(b'"'), 0
    while at >= 0:
        if checked == _QUOTED_LINES_ALONE:
            start = data.rfind(b"\n", 0, at) + 1
            return _BALANCED_LINES.fullmatch(data[start:].rstrip(b"\n")) is not None
        start, end = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at)
        end = len(data) if end < 0 else end
        if _BALANCED_LINE.fullmatch(data, start, end) is None:
            return False
        at, checked = data.find(b'"', end), checked + 1
    return True


def split_line(text: str) -> list[str]:
    """The fields of one CSV line (quotes as pyarrow reads them); never raises.

    >>> split_line('1,"A, B",\\r')
    ['1', 'A, B', '']
    """
    try:
        return next(csv.reader([text.rstrip("\r\n")]), [])
    except csv.Error:  # a stray carriage return or NUL: plain commas are the best reading left
        return text.rstrip("\r\n").split(",")


def header_fields(stream: BinaryIO, name: str) -> list[str]:
    """The header of a CSV stream, read as pyarrow would (position unchanged); stripped names.

    A header that pyarrow would not read as one line (a quote that never closes, a carriage
    return inside it) raises :class:`FormatError`: the columns cannot be known.
    """
    start = stream.tell()
    line = stream.readline()
    stream.seek(start)
    body = line.rstrip(b"\n")
    if b"\r" in body.removesuffix(b"\r"):
        raise FormatError(name, "the header line holds a carriage return: its columns are unclear", line=1)
    text = body.decode("utf-8-sig", errors="replace").rstrip("\r")
    if not text.strip():
        return []
    if '"' in text and _BALANCED_LINE.fullmatch(text.encode()) is None:
        raise FormatError(name, "the header line has a quote that never closes", line=1)
    return [field.strip().strip('"').strip() for field in split_line(text)]


def read_options(header: list[str], *, threads: bool, block_size: int = BLOCK_BYTES) -> Any:
    """pyarrow read options naming the columns as :func:`header_fields` read them (its own
    reading of the header line is skipped), so the names asked for always exist."""
    return pacsv.ReadOptions(
        use_threads=threads, block_size=block_size, column_names=_unique(header), skip_rows=1
    )


def _unique(header: list[str]) -> list[str]:
    """Header names with repeats renamed (``x``, ``x.1``): pyarrow cannot select a repeated name."""
    names: list[str] = []
    for column in header:
        name, count = column, 0
        while name in names or (count and name in header):
            count += 1
            name = f"{column}.{count}"
        names.append(name)
    return names


def check_unique(header: list[str], used: list[str], name: str) -> None:
    """Raise :class:`FormatError` if a column the reader needs is named twice in the header.

    >>> check_unique(["MMSI", "LAT", "MMSI"], ["MMSI", "LAT"], "a.csv")
    Traceback (most recent call last):
    ...
    vesselscreen.errors.FormatError: a.csv:1: column 'MMSI' appears 2 times in the header: ambiguous
    """
    for column in used:
        count = header.count(column)
        if count > 1:
            message = f"column {column!r} appears {count} times in the header: ambiguous"
            raise FormatError(name, message, line=1)


def parse_options(on_invalid: Callable[[Any], str]) -> Any:
    return pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False)


def bad_row_handler(guard: CsvGuard | MappedCsv, sink: list[BadRow]) -> Callable[[Any], str]:
    """pyarrow's ``invalid_row_handler``: records each malformed row (a guard's marker gives its
    own reason) in ``sink`` and skips it. It never raises: pyarrow would only print the error."""

    def on_invalid(row: Any) -> str:
        try:
            text = str(row.text)
        except UnicodeDecodeError:  # not possible behind a guard; kept as a last resort
            text = ""
        flagged = guard.flagged(text)
        if flagged is not None:
            sink.append(BadRow(row.number, flagged[0], flagged[1]))
        else:
            reason = f"malformed row: {row.actual_columns} fields, expected {row.expected_columns}"
            sink.append(BadRow(row.number, reason, text))
        return "skip"

    return on_invalid
