"""Text list files line by line: decoding per line, and CSV records that cannot swallow each other.

Private helpers of the CSV list readers. :func:`decode_lines` decodes each physical line
on its own: UTF-8 first, and only a line that is not UTF-8 falls back to Windows-1252
(Latin-1 for the five bytes Windows-1252 leaves undefined), flagged as a warning with its
line, so one stray byte never garbles the other lines. A UTF-8 byte order mark is dropped;
a DOS end-of-file byte (0x1A) at the end is dropped and noted.

:func:`read_csv_table` parses the lines into records. A record that the csv module cannot
read (a carriage return inside an unquoted field, a field over the csv module's size limit),
that spans several lines and has the wrong number of fields, or that is still open after
``limits.MAX_RECORD_LINES`` lines (a quote left open, which would otherwise swallow the rows
after it) is rejected with its first line, and parsing starts again on the next line. A
one-line record with the wrong number of fields is rejected with its line; it never
shifts the columns of the others.

>>> from vesselscreen.ingest import RejectionLog
>>> log = RejectionLog("x.csv")
>>> data = 'name,imo\\nM\\u00dcNCHEN,9187629\\n"OPEN,1\\nCAF'.encode() + b"\\xc9,2\\n\\x1a"
>>> lines = decode_lines(data, log)
>>> table = read_csv_table(lines, log, label="x.csv")
>>> table.header, table.rows, table.lines, table.ordinals
(['name', 'imo'], [['MÜNCHEN', '9187629'], ['CAFÉ', '2']], [2, 4], [1, 3])
>>> report = log.report(format="demo")
>>> report.reasons, report.warnings, report.notes
({'wrong number of fields': 1}, {'not UTF-8': 1}, {'EOF marker (0x1A) skipped': 1})
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from vesselscreen.errors import FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists import limits

__all__ = ["BLANK", "CsvTable", "decode_lines", "read_csv_table", "strip_eof", "windows_1252"]

_BOM: Final = b"\xef\xbb\xbf"
_EOF: Final = b"\x1a"
BLANK: Final = " \t\r\n\x1a"
"""Characters a blank line or cell consists of (a stray 0x1A is blank too)."""


# Latin-1 reads every byte; the bytes 0x80-0x9F then become what Windows-1252 makes of them,
# except the five it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), which stay as Latin-1
_WINDOWS_1252: Final = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def windows_1252(data: bytes) -> str:
    """``data`` read as Windows-1252, never failing (its undefined bytes read as Latin-1).

    >>> windows_1252(b"CAF\\xc9 \\x80 \\x81")
    'CAFÉ € \\x81'
    """
    return data.decode("latin-1").translate(_WINDOWS_1252)


def _decode(line: bytes) -> tuple[str, bool]:
    """The text of one line, and whether it was UTF-8."""
    try:
        return line.decode("utf-8"), True
    except UnicodeDecodeError:
        return windows_1252(line), False


def strip_eof(data: bytes, log: RejectionLog) -> bytes:
    """``data`` without a DOS end-of-file byte (0x1A) at its end, noted in ``log``.

    The marker is the file's last byte, or a 0x1A that starts the last line (blanks may
    follow); a 0x1A followed by more of the line is data.

    >>> log = RejectionLog("x")
    >>> strip_eof(b"a,b\\r\\n\\x1a", log), strip_eof(b"a,b\\x1a", log), strip_eof(b"a\\n\\x1a\\r\\n", log)
    (b'a,b\\r\\n', b'a,b', b'a\\n')
    >>> strip_eof(b"a,\\x1a\\n", log), log.notes
    (b'a,\\x1a\\n', Counter({'EOF marker (0x1A) skipped': 3}))
    """
    if data.endswith(_EOF):
        log.note("EOF marker (0x1A) skipped")
        return data.rstrip(_EOF)
    body = data.rstrip(b" \t\r\n")
    if body.endswith(_EOF):
        start = len(body.rstrip(_EOF))
        if start == 0 or data[start - 1 : start] in (b"\n", b"\r"):
            log.note("EOF marker (0x1A) skipped")
            return data[:start]
    return data


def decode_lines(data: bytes, log: RejectionLog) -> list[str]:
    """The physical lines of ``data`` (each with its line end), every line decoded on its own.

    Lines end at LF (CRLF included); a file without any LF but with CRs (old Mac exports)
    is split at CR. A line that is not UTF-8 is decoded as Windows-1252 and flagged
    (``not UTF-8``) with its line number.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    data = strip_eof(data, log)
    if not data:
        return []
    separator = b"\n" if b"\n" in data or b"\r" not in data else b"\r"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        sep = separator.decode("ascii")
        lines = text.split(sep)
        return [line + sep for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    out: list[str] = []
    parts = data.split(separator)
    for number, part in enumerate(parts, start=1):
        if number == len(parts) and not part:
            break
        line, utf8 = _decode(part)
        if not utf8:
            log.warn("not UTF-8: line decoded as Windows-1252", line=number, raw=line)
        out.append(line + separator.decode("ascii") if number < len(parts) else line)
    return out


@dataclass(frozen=True, slots=True)
class CsvTable:
    """The header (empty for header-less files), the data records, each one's first line and ordinal.

    ``ordinals`` number the data records from 1 counting the rejected ones too, so a
    damaged row does not change the numbers of the rows after it.
    """

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    ordinals: list[int]


class _Lines:
    """An iterator over ``lines`` from a position, that stops at ``stop`` (moved by the reader).

    Stopping bounds how far one record may reach: the csv module then returns what it
    read (an open quote at the end of data is not an error outside strict mode), and
    ``capped`` says that it wanted more (the csv module asks for a line only while a
    record is unfinished).
    """

    __slots__ = ("capped", "lines", "position", "stop")

    def __init__(self, lines: Sequence[str], position: int) -> None:
        self.lines = lines
        self.position = position
        self.stop = len(lines)
        self.capped = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= self.stop:
            self.capped = self.stop < len(self.lines)
            raise StopIteration
        line = self.lines[self.position]
        self.position += 1
        return line


def _records(
    lines: Sequence[str], log: RejectionLog, delimiter: str, width: list[int]
) -> Iterator[tuple[int, list[str]]]:
    """``(first line, values)`` of every readable record; damaged ones are rejected here.

    ``width`` holds the expected number of fields once known (set by the caller after the
    header), so a record spanning several lines with the wrong width can be re-read.
    """
    source = _Lines(lines, 0)
    reader = csv.reader(source, delimiter=delimiter)
    while source.position < len(lines):
        first = source.position
        source.stop = min(len(lines), first + max(1, limits.MAX_RECORD_LINES))
        source.capped = False
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            log.reject(f"unreadable CSV record: {exc}", line=first + 1, raw=lines[first])
            source = _Lines(lines, first + 1)
            reader = csv.reader(source, delimiter=delimiter)
            continue
        span = source.position - first
        if source.capped or (span > 1 and width and len(values) != width[0]):
            # most likely a quote left open: give up this line only and read on from the next
            if source.capped:
                reason = f"quote left open: the record runs over more than {limits.MAX_RECORD_LINES} lines"
            else:
                reason = (
                    f"wrong number of fields: expected {width[0]}, got {len(values)} "
                    f"(a quote left open runs over {span} lines)"
                )
            log.reject(reason, line=first + 1, raw=lines[first])
            source = _Lines(lines, first + 1)
            reader = csv.reader(source, delimiter=delimiter)
            continue
        yield first + 1, values


def read_csv_table(
    lines: Sequence[str],
    log: RejectionLog,
    *,
    label: str,
    delimiter: str = ",",
    header: bool = True,
    width: int | None = None,
    skip: int = 0,
) -> CsvTable:
    """Parse decoded ``lines`` into records, rejecting (with the line) those that are damaged.

    With ``header`` the first non-blank record after ``skip`` records is the header and
    sets the number of fields; otherwise ``width`` does. Records of blank cells only are
    skipped and noted. A header the csv module cannot read raises :class:`FormatError`.
    """
    expected: list[int] = [width] if width is not None else []
    names: list[str] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    ordinals: list[int] = []
    count = 0  # data records so far, rejected ones included
    rejected = log.rejected
    for line, values in _records(lines, log, delimiter, expected):
        if skip:
            skip -= 1
            continue
        blank = not any(value.strip(BLANK) for value in values)
        if header and not names:
            if blank:
                continue
            if log.rejected > rejected:  # the real header was damaged: this is a data row
                damaged = next(s for s in reversed(log.samples) if not s.kept)
                raise FormatError(label, f"unreadable CSV header: {damaged.reason}", line=damaged.line)
            names = values
            expected.append(len(values))
            continue
        if blank:
            log.note("blank lines skipped")
            continue
        count += 1 + log.rejected - rejected  # damaged records rejected on the way were data records too
        if expected and len(values) != expected[0]:
            log.reject(
                f"wrong number of fields: expected {expected[0]}, got {len(values)}",
                line=line,
                raw=lines[line - 1],
            )
        else:
            rows.append(values)
            numbers.append(line)
            ordinals.append(count)
        rejected = log.rejected
    return CsvTable(names, rows, numbers, ordinals)
