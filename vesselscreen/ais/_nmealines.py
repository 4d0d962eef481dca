r"""What each line of an NMEA log says: the reference rule for one line, and a vectorised scanner.

:func:`line_result` is the rule, written for one line at a time (pyais parses the
sentence). :func:`scan` applies it to a whole block of lines at once with numpy for the
lines of the common printable shape (a tag block ``\...*hh\``, then ``!xxVDM,...*hh``, or a
``$PGHP`` wrapper) and hands every other line to :func:`line_result`; the tests check that
both give the same answer on every shared log and on damaged real lines.

The rule, for a stripped line that is not blank and not a ``#`` comment:

- a tag block ``\c:..,s:..*hh\`` gives the time (``c:``: Unix seconds, or milliseconds if 13
  digits) and the receiving station (``s:``). When its checksum does not hold (and checksums
  are validated) the line is kept, flagged ``tag block checksum mismatch``; if the checksum
  is that of the trailing fields only (the Norwegian Coastal Administration writes
  ``\g:1-2-9999,c:1565218798*53\``, ``53`` being the checksum of ``c:1565218798``) those
  fields are used, otherwise none is;
- ``$PGHP,1,yyyy,m,d,h,m,s,ms,...`` (Gatehouse wrapper): sets the time; other ``$`` sentences
  are not AIS;
- ``!xxVDM`` / ``!xxVDO``: an AIS sentence, checked by pyais (fields, checksum), then its
  payload: empty, or holding a character outside the 6-bit armour (``0``-``W``, `````-``w``),
  rejects the line;
- anything else is not an NMEA sentence.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, reduce
from operator import xor
from typing import Any, Final, Generic, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.ais import fastdecode

__all__ = [
    "Events",
    "LineResult",
    "Lines",
    "Scan",
    "Sentence",
    "Vocabulary",
    "decode_errors",
    "line_result",
    "scan",
    "split_lines",
]

_Label = TypeVar("_Label", bound=Hashable)
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ByteArray = npt.NDArray[np.uint8]


# pyais raises its own tree, and plain ValueError / IndexError on some corrupt input
def decode_errors() -> tuple[type[BaseException], ...]:
    """What pyais raises on corrupt input: its own tree, and plain errors on some input.

    pyais is imported here, on the first line that needs it, not by ``import vesselscreen``.
    """
    return _pyais()[2]


@cache
def _pyais() -> tuple[Any, Any, tuple[type[BaseException], ...]]:
    from pyais.exceptions import AISBaseException
    from pyais.messages import AISSentence, NMEASentenceFactory

    return (
        AISSentence,
        NMEASentenceFactory,
        (AISBaseException, ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError),
    )


MAX_PAYLOAD: Final = 200  # pyais' MAX_PAYLOAD_LEN: longer payloads are refused

_EPOCH: Final = datetime(1970, 1, 1)
_MICROSECOND: Final = timedelta(microseconds=1)
_HEX2: Final = re.compile(rb"[0-9A-Fa-f]{2}")
_TAG_TIME: Final = re.compile(r"(\d+)(?:\.(\d{1,9}))?")
# times outside what a nanosecond timestamp holds (years 1677-2262) are not times
_MAX_NS: Final = int(pd.Timestamp.max.value)
_MIN_NS: Final = int(pd.Timestamp.min.value)
_ARMOUR: Final = frozenset(b"0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw")


# -- the reference rule for one line --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sentence:
    """The fields of an AIS sentence that assembly and decoding need."""

    talker: str
    kind: str  # "VDM" or "VDO"
    count: int
    number: int
    seq: int | None
    channel: str
    payload: bytes
    fill: int


@dataclass(slots=True)
class LineResult:
    """What one record line says, independent of the lines around it."""

    time: int | None = None  # a time this line sets (tag block c:, $PGHP)
    warnings: list[str] = field(default_factory=list)
    rejection: str | None = None
    pghp: bool = False  # an accepted $PGHP line
    trailing: bool = False
    sentence: Sentence | None = None  # an AIS sentence to decode
    station: str | None = None


def _checksum_ok(payload: bytes, check: bytes) -> bool:
    try:
        return int(check, 16) == reduce(xor, payload, 0)
    except ValueError:
        return False


def _fields(payload: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in payload.decode("ascii", errors="replace").split(","):
        key, colon, value = item.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    return fields


def _tag_block(raw: bytes, validate: bool) -> tuple[dict[str, str], str | None]:
    """The fields of a tag block (``c:..,s:..*hh``) a line may use, and a warning if its checksum
    does not hold: then only trailing fields that checksum covers are used (longest first).

    >>> _tag_block(b"g:1-2-9999,c:1565218798*53", True)
    ({'c': '1565218798'}, "tag block checksum mismatch: it covers only 'c:1565218798'")
    """
    payload, star, check = raw.partition(b"*")
    if not validate or (star and _checksum_ok(payload, check.strip())):
        return _fields(payload), None
    if star:
        comma = payload.find(b",")
        while comma >= 0:
            tail = payload[comma + 1 :]
            if _checksum_ok(tail, check.strip()):
                covered = tail.decode("ascii", errors="replace")
                return _fields(tail), f"tag block checksum mismatch: it covers only {covered!r}"
            comma = payload.find(b",", comma + 1)
    return {}, "tag block checksum mismatch: tag block ignored"


def tag_time_ns(value: str) -> int | None:
    """A tag block ``c:`` value as UTC nanoseconds: Unix seconds, or milliseconds if 13 digits.

    >>> tag_time_ns("1241544035"), tag_time_ns("1241544035123"), tag_time_ns("12415440354")
    (1241544035000000000, 1241544035123000000, None)
    """
    match = _TAG_TIME.fullmatch(value)
    if match is None:
        return None
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) == 13:
        time = int(whole) * 1_000_000
        return time if time <= _MAX_NS else None
    if len(whole) <= 10:
        time = int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])
        return time if time <= _MAX_NS else None
    return None


def pghp_time_ns(data: bytes) -> int | None:
    """UTC nanoseconds of ``PGHP,1,yyyy,m,d,h,m,s,ms,...`` (Gatehouse writes UTC), or None.

    >>> pghp_time_ns(b"PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D")
    1276256772470000000
    """
    fields = data.split(b",")
    try:
        year, month, day, hour, minute, second, millis = (int(item) for item in fields[2:9])
        moment = datetime(year, month, day, hour, minute, second, millis * 1000)
    except (ValueError, OverflowError):  # OverflowError: a field beyond what datetime takes in C
        return None
    time = (moment - _EPOCH) // _MICROSECOND * 1000
    return time if _MIN_NS <= time <= _MAX_NS else None


def _trimmed(body: bytes) -> tuple[bytes, bool]:
    """The sentence up to its ``*hh`` checksum, and whether trailing receiver fields were cut.

    Some receivers append fields after the checksum (``...,0*0F,1276256770``, ``...*5B,s36310,d-081``).
    """
    star = body.find(b"*")
    end = star + 3
    if star < 0 or len(body) <= end or not _HEX2.fullmatch(body[star + 1 : end]):
        return body, False
    return body[:end], True


def line_result(text: bytes, validate: bool) -> LineResult:
    """The rule for one stripped record line (see the module); :func:`scan` agrees with it.

    >>> line_result(b"\\\\g:1-2-9999,c:1565218798*53\\\\!BSVDM,2,2,3,A,00000000000,2*3E", True).time
    1565218798000000000
    """
    result = LineResult()
    body = text
    if text[:1] == b"\\":
        end = text.find(b"\\", 1)
        if end < 0:
            result.rejection = "malformed sentence: unterminated tag block"
            return result
        fields, warning = _tag_block(text[1:end], validate)
        if warning is not None:
            result.warnings.append(warning)
        body, result.station = text[end + 1 :], fields.get("s")
        if "c" in fields:
            time = tag_time_ns(fields["c"])
            if time is None:
                result.warnings.append(f"bad tag block time: c:{fields['c']}")
            else:
                result.time = time
    if body[:1] == b"$":
        _dollar(body, validate, result)
    elif body[:1] == b"!" and body[3:7] in (b"VDM,", b"VDO,"):
        _ais(body, validate, result)
    elif body[:1] == b"!":
        kind = body[1:].split(b",", 1)[0].decode("ascii", errors="replace")
        result.rejection = f"non-AIS sentence: {kind}"
    else:
        result.rejection = "not an NMEA sentence"
    return result


def _dollar(body: bytes, validate: bool, result: LineResult) -> None:
    body, result.trailing = _trimmed(body)
    kind = body[1:].split(b",", 1)[0]
    if kind != b"PGHP":
        result.rejection = f"non-AIS sentence: {kind.decode('ascii', errors='replace')}"
        return
    data, star, check = body[1:].partition(b"*")
    if validate and not (star and _checksum_ok(data, check)):
        result.rejection = "bad checksum: PGHP"
        return
    time = pghp_time_ns(data)
    if time is None:
        result.rejection = "malformed sentence: PGHP without a valid date and time"
        return
    result.time = time
    result.pghp = True


def _ais(body: bytes, validate: bool, result: LineResult) -> None:
    body, result.trailing = _trimmed(body)
    sentence_type, factory, errors = _pyais()
    try:
        sentence = factory.produce(body)
    except errors as exc:
        result.rejection = f"malformed sentence: {exc}"
        return
    if not isinstance(sentence, sentence_type):  # pragma: no cover - produce() dispatches on VDM/VDO
        result.rejection = "malformed sentence"
        return
    if validate and not sentence.is_valid:
        result.rejection = "bad checksum"
        return
    payload = sentence.payload
    if not payload:
        result.rejection = "empty payload"
        return
    for index, char in enumerate(payload):
        if char not in _ARMOUR:
            result.rejection = f"invalid payload character: {chr(char)!r} at {index + 1}"
            return
    result.sentence = Sentence(
        talker=sentence.talker_id,
        kind=sentence.type,
        count=sentence.frag_cnt,
        number=sentence.frag_num,
        seq=sentence.seq_id,
        channel=sentence.channel,
        payload=payload,
        fill=sentence.fill_bits,
    )


# -- lines of a block -------------------------------------------------------------------------

_SPACE: Final = np.zeros(256, dtype=bool)
_SPACE[list(b" \t\n\r\x0b\x0c")] = True  # what bytes.strip() removes
_HEX: Final = np.full(256, -1, dtype=np.int64)
for _index, _char in enumerate(b"0123456789ABCDEF"):
    _HEX[_char] = _index
    _HEX[ord(chr(_char).lower())] = _index
_DIGIT: Final = np.full(256, -1, dtype=np.int64)
_DIGIT[list(b"0123456789")] = np.arange(10)
_DAYS_IN_MONTH: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_FAR: Final = np.iinfo(np.int64).max // 2


@dataclass(frozen=True)
class Lines:
    """A block of whole lines: the bytes, and each line's bounds without surrounding whitespace.

    ``data`` ends with :data:`PAD` zero bytes and ``buf`` is ``data`` as an array; ``first`` is
    the file line index (0-based) of the block's first line; ``plain``: the data is ASCII and its
    only byte at or below a space is the line feed (the usual block).
    """

    data: bytes
    buf: ByteArray
    start: IntArray
    end: IntArray
    first: int
    newlines: int
    plain: bool = False

    def __len__(self) -> int:
        return len(self.start)

    def text(self, line: int) -> bytes:
        """The stripped text of block line ``line``."""
        return self.data[self.start[line] : self.end[line]]


PAD: Final = 64
"""Zero bytes after a block's data, so fixed-width reads past a line's end need no bounds checks."""


_SCAN_BYTES: Final = 1 << 20
"""Bytes of a block compared at a time: a whole block's comparison would be a temporary as large as
the block, which the allocator hands back to the system and takes again as fresh pages each time."""


def _where_byte(buf: ByteArray, byte: int) -> IntArray:
    """Where ``byte`` is in ``buf``, in order."""
    parts = [
        np.flatnonzero(buf[low : low + _SCAN_BYTES] == byte) + low for low in range(0, len(buf), _SCAN_BYTES)
    ]
    found: IntArray = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return found


def count_byte(buf: ByteArray, byte: int) -> int:
    """How many bytes of ``buf`` are ``byte``."""
    return sum(
        int(np.count_nonzero(buf[low : low + _SCAN_BYTES] == byte)) for low in range(0, len(buf), _SCAN_BYTES)
    )


def _count_at_most(buf: ByteArray, byte: int) -> int:
    """How many bytes of ``buf`` are at most ``byte``."""
    return sum(
        int(np.count_nonzero(buf[low : low + _SCAN_BYTES] <= byte)) for low in range(0, len(buf), _SCAN_BYTES)
    )


def split_lines(data: bytes, first: int, *, padded: bool = False) -> Lines:
    """The lines of ``data``; a last line without a line feed counts too. ``padded``: ``data``
    already ends with :data:`PAD` zero bytes (not part of it), so it is not copied."""
    if not padded:
        data += bytes(PAD)
    size = len(data) - PAD
    buf = np.frombuffer(data, dtype=np.uint8)
    newline = _where_byte(buf, ord("\n"))
    starts = np.empty(len(newline) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newline + 1
    ends = np.append(newline, size).astype(np.int64)
    if not size or data[size - 1] == ord("\n"):  # no line after the last line feed
        starts, ends = starts[:-1], ends[:-1]
    plain = data.isascii() and _count_at_most(buf, ord(" ")) == len(newline) + PAD
    if plain:  # no space or control byte to strip
        return Lines(data, buf, starts, ends, first, len(newline), plain=True)
    start, end = _strip(buf, starts, ends)
    return Lines(data, buf, start, end, first, len(newline))


def _strip(buf: ByteArray, starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Line bounds without leading and trailing whitespace (as ``bytes.strip``)."""
    start, end = starts.copy(), ends.copy()
    todo = np.flatnonzero(start < end)
    while todo.size:
        todo = todo[_SPACE[buf[start[todo]]]]
        start[todo] += 1
        todo = todo[start[todo] < end[todo]]
    todo = np.flatnonzero(start < end)
    while todo.size:
        todo = todo[_SPACE[buf[end[todo] - 1]]]
        end[todo] -= 1
        todo = todo[start[todo] < end[todo]]
    return start, end


# -- events ---------------------------------------------------------------------------------------


@dataclass
class Events:
    """Rejections and warnings: the file line where each was found and the line it is about,
    its reason class, whether the line is kept, and its full reason on demand.

    Events found in bulk are groups of lines (``add``); events of lines read one by one are
    single entries (``one``), kept in plain lists.
    """

    groups: list[tuple[IntArray, IntArray, str, bool, Callable[[int], str]]] = field(default_factory=list)
    found: list[int] = field(default_factory=list)
    about: list[int] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    kept: list[bool] = field(default_factory=list)

    def add(
        self,
        about: IntArray,
        reason: str,
        detail: Callable[[int], str] | None = None,
        *,
        found: IntArray | None = None,
        kept: bool = False,
    ) -> None:
        """File lines ``about`` rejected (``kept``: flagged) for ``reason`` (a class);
        ``detail(line)`` words the event of a line in full (default: the class itself)."""
        if len(about):
            where = about if found is None else found
            self.groups.append((where, about, reason, kept, detail or (lambda _line: reason)))

    def one(self, found: int, about: int, reason: str, *, kept: bool = False) -> None:
        """One event, worded in full (its class is the text before the first colon)."""
        self.found.append(found)
        self.about.append(about)
        self.reasons.append(reason)
        self.kept.append(kept)

    @staticmethod
    def joined(parts: list[Events]) -> Events:
        """The events of ``parts``, in that order (among events found at and about the same line,
        the order they were added in decides which sample comes first).

        >>> first, second = Events(), Events()
        >>> first.one(3, 3, "bad checksum"); second.one(5, 4, "invalid MMSI: 7")
        >>> Events.joined([first, second]).reasons
        ['bad checksum', 'invalid MMSI: 7']
        """
        return Events(
            groups=[group for part in parts for group in part.groups],
            found=[line for part in parts for line in part.found],
            about=[line for part in parts for line in part.about],
            reasons=[reason for part in parts for reason in part.reasons],
            kept=[kept for part in parts for kept in part.kept],
        )

    def without(self, lines: BoolArray, first: int) -> Events:
        """These events less the grouped ones about block lines marked in ``lines`` (``first``:
        file index of the block's first line)."""
        kept = Events(found=self.found, about=self.about, reasons=self.reasons, kept=self.kept)
        for found, about, reason, is_kept, detail in self.groups:
            inside = (about >= first) & (about < first + len(lines))
            drop = np.zeros(len(about), dtype=bool)
            drop[inside] = lines[about[inside] - first]
            kept.add(about[~drop], reason, detail, found=found[~drop], kept=is_kept)
        return kept


# -- texts of a log ------------------------------------------------------------------------------


class Vocabulary(Generic[_Label]):
    """Texts of one log (station names, ship names...), numbered as first seen: columns hold
    the numbers, and each text is one Python string however often it comes. Blocks read on
    worker threads share one, so numbering takes a lock."""

    def __init__(self) -> None:
        self.labels: list[_Label] = []
        self._codes: dict[_Label, int] = {}
        self._lock = threading.Lock()

    def code(self, label: _Label) -> int:
        code = self._codes.get(label)
        if code is None:
            with self._lock:
                code = self._codes.get(label)
                if code is None:
                    code = self._codes[label] = len(self.labels)
                    self.labels.append(label)
        return code

    def codes(self, labels: list[_Label]) -> list[int]:
        """:meth:`code` of each of ``labels``, under one lock."""
        found: list[int] = []
        with self._lock:
            known = self._codes
            for label in labels:
                code = known.get(label)
                if code is None:
                    code = known[label] = len(self.labels)
                    self.labels.append(label)
                found.append(code)
        return found


# -- the vectorised scanner ------------------------------------------------------------------


@dataclass
class Scan:
    """What the lines of a block say (arrays over the block's lines).

    ``time`` is the time a line sets (-1: none), ``station`` its station code (-1: none),
    ``pghp`` marks accepted ``$PGHP`` lines, ``trailing`` lines with receiver fields after
    the checksum. ``sentences`` are the AIS sentences the scanner read (block line, payload
    start and length in the block, fill bits, fragment count and number, assembly key);
    ``slow`` the lines read by :func:`line_result` that hold a sentence.
    """

    record: BoolArray
    blank: int
    comments: int
    time: IntArray
    station: IntArray
    pghp: BoolArray
    trailing: BoolArray
    events: Events
    sentences: dict[str, IntArray]
    slow: list[tuple[int, Sentence]]


def _next(positions: IntArray, after: IntArray) -> IntArray:
    """The first of ``positions`` (sorted) at or after each of ``after``; a huge value if none."""
    index = np.searchsorted(positions, after)
    found = np.full(len(after), _FAR, dtype=np.int64)
    inside = index < len(positions)
    found[inside] = positions[index[inside]]
    return found


def _at(buf: ByteArray, where: IntArray) -> ByteArray:
    """``buf[where]``: positions up to :data:`PAD` past the data read the padding's zeros."""
    values: ByteArray = buf.take(where)
    return values


def _hex_pair(buf: ByteArray, at: IntArray) -> tuple[IntArray, BoolArray]:
    """The value of the two hex digits at ``at`` and whether both are hex digits."""
    high, low = _HEX.take(_at(buf, at)), _HEX.take(_at(buf, at + 1))
    return high * 16 + low, (high >= 0) & (low >= 0)


def _xor(buf: ByteArray, start: IntArray, end: IntArray) -> IntArray:
    """XOR of the bytes in each ``[start, end)``: ranges sorted and not overlapping."""
    total = np.zeros(len(start), dtype=np.int64)
    # a range that is empty or outside the buffer (a line too short to hold a sentence) is 0;
    # reduceat would give buf[start] for an empty range and fail outside the buffer
    usable = (start < end) & (start >= 0) & (end <= len(buf))
    if not usable.any():
        return total
    if end[usable].max() == len(buf):  # reduceat takes an end only inside the buffer: pad one byte
        buf = np.append(buf, np.uint8(0))
    bounds = np.empty(2 * int(usable.sum()), dtype=np.int64)
    bounds[0::2], bounds[1::2] = start[usable], end[usable]
    total[usable] = np.bitwise_xor.reduceat(buf, bounds)[0::2]
    return total


def _unsigned(buf: ByteArray, start: IntArray, end: IntArray, digits: int) -> tuple[IntArray, BoolArray]:
    """Decimal numbers of 1 to ``digits`` ASCII digits in ``[start, end)``, and which ranges are."""
    width = end - start
    ok = (width >= 1) & (width <= digits)
    value = np.zeros(len(start), dtype=np.int64)
    for offset in range(digits):
        live = ok & (offset < width)
        digit = _DIGIT[_at(buf, np.where(live, start + offset, 0))]
        ok &= ~live | (digit >= 0)
        value = np.where(live, value * 10 + digit, value)
    return value, ok


def scan(lines: Lines, validate: bool, stations: Vocabulary[str], *, fast: bool = True) -> Scan:
    """Read every line of a block: in bulk where it has the common shape, else by :func:`line_result`.

    ``fast=False`` reads every line by :func:`line_result` (the tests compare both ways).
    """
    buf, count = lines.buf, len(lines)
    start, end = lines.start, lines.end
    nonblank = start < end
    first = buf.take(start)  # a blank line's first byte is its line feed or the padding's zero
    comment = nonblank & (first == ord("#"))
    record = nonblank & ~comment
    out = Scan(
        record=record,
        blank=int(count - nonblank.sum()),
        comments=int(comment.sum()),
        time=np.full(count, -1, dtype=np.int64),
        station=np.full(count, -1, dtype=np.int64),
        pghp=np.zeros(count, dtype=bool),
        trailing=np.zeros(count, dtype=bool),
        events=Events(),
        sentences={},
        slow=[],
    )
    records = np.flatnonzero(record)
    slow = np.zeros(count, dtype=bool)
    if fast:
        plain = _plain(lines, records)
        slow[records.compress(~plain)] = True
        _scan_plain(lines, records.compress(plain), validate, stations, out, slow)
        out.events = out.events.without(slow, lines.first)  # a line read again counts as read again
    else:
        slow[records] = True
        out.sentences = _no_sentences()
    _read_slow(lines, np.flatnonzero(slow), validate, stations, out)
    return out


def _plain(lines: Lines, records: IntArray) -> BoolArray:
    """Which record lines hold only printable ASCII (no space, control or non-ASCII byte)."""
    buf = lines.buf
    if lines.plain:
        return np.ones(len(records), dtype=bool)  # every such byte is a line feed: the usual block
    odd = np.flatnonzero((buf <= ord(" ")) | (buf >= 127))
    start, end = lines.start[records], lines.end[records]
    inside: BoolArray = np.searchsorted(odd, end) > np.searchsorted(odd, start)
    return ~inside


def _no_sentences() -> dict[str, IntArray]:
    empty = np.zeros(0, dtype=np.int64)
    return dict.fromkeys(("line", "payload_start", "payload_length", "fill", "count", "number", "key"), empty)


def _scan_plain(
    lines: Lines, records: IntArray, validate: bool, stations: Vocabulary[str], out: Scan, slow: BoolArray
) -> None:
    """Settle printable record lines in bulk; the ones of an unusual shape are marked ``slow``."""
    buf = lines.buf
    start, end = lines.start.take(records), lines.end.take(records)
    body = start.copy()
    live = np.ones(len(records), dtype=bool)

    # tag blocks: "\" fields "*hh\"
    tagged = np.flatnonzero(buf.take(start) == ord("\\"))
    closing = np.zeros(0, dtype=np.int64)
    if tagged.size:
        closing = _closing(buf, start.take(tagged))
        unterminated = closing >= end[tagged]
        detail = _detail(lines, validate)
        out.events.add(lines.first + records[tagged[unterminated]], "malformed sentence", detail)
        live[tagged[unterminated]] = False
        tagged, closing = tagged[~unterminated], closing[~unterminated]
    stars = _Stars.of(buf, start, end, start.take(tagged), closing)
    if tagged.size:
        # a tag block like the line's before says the same: read each run's first only
        head = _repeats(buf, start.take(tagged), closing)
        heads = np.flatnonzero(head)
        partial = _tag_blocks(
            lines,
            records,
            tagged.take(heads),
            closing.take(heads),
            stars,
            validate,
            stations,
            out,
            slow,
            live,
        )
        body[tagged] = closing + 1
        follower = np.flatnonzero(~head)
        if follower.size:
            leader = tagged.take(
                np.maximum.accumulate(np.where(head, np.arange(len(tagged)), 0)).take(follower)
            )
            follows = tagged.take(follower)
            follows_line, leader_line = records.take(follows), records.take(leader)
            slow[follows_line] = slow.take(leader_line)
            live[follows] = live.take(leader)
            out.time[follows_line] = out.time.take(leader_line)
            out.station[follows_line] = out.station.take(leader_line)
            flagged = np.zeros(len(records), dtype=bool)
            flagged[tagged[heads[partial]]] = True
            out.events.add(
                lines.first + records[follows[flagged[leader]]],
                "tag block checksum mismatch",
                _warning(lines, validate, "tag block checksum mismatch"),
                kept=True,
            )

    # bodies: "$PGHP,..." or "!xxVDM,..."
    which = np.flatnonzero(live & (body < end))
    lead = buf.take(body.take(which))
    other = which.compress((lead != ord("$")) & (lead != ord("!")))
    out.events.add(lines.first + records[other], "not an NMEA sentence")
    empty_body = np.flatnonzero(live & (body >= end))
    out.events.add(lines.first + records[empty_body], "not an NMEA sentence")
    dollar = which.compress(lead == ord("$"))
    bang = which.compress(lead == ord("!"))
    if dollar.size:
        _pghp(lines, records, dollar, body, end, stars, validate, out, slow)
    out.sentences = _ais_fields(lines, records, bang, body, end, stars, validate, out, slow)


def _closing(buf: ByteArray, opening: IntArray) -> IntArray:
    """Where the tag blocks opening at ``opening`` (sorted) close: the next backslash, or a huge
    value if none. When the block's backslashes are exactly an opening and a closing one per
    tag block (the usual block), they pair up in order without a search."""
    backslashes = _where_byte(buf, ord("\\"))
    if len(backslashes) == 2 * len(opening) and np.array_equal(backslashes[0::2], opening):
        closing: IntArray = backslashes[1::2]
        return closing
    return _next(backslashes, opening + 1)


@dataclass(frozen=True)
class _Stars:
    """Where the stars of a block are, for one question: is the first star at or after a line
    position ``begin`` the one at ``star`` (the reference rule splits at the first star)?

    Usual blocks have stars only where checksums begin: three bytes before each line's end
    and before each tag block's closing backslash. When that holds for every star of the
    block (``usual``), a star at one of those places is the first after any ``begin`` of its
    line with no other such place between them, as in every question the scanner asks
    (``begin`` a tag block's start and ``star`` its checksum's, or ``begin`` the sentence's
    start and ``star`` the line's last checksum). Otherwise ``positions`` holds every star.
    """

    buf: ByteArray
    usual: bool
    positions: IntArray

    @staticmethod
    def of(buf: ByteArray, start: IntArray, end: IntArray, tag_start: IntArray, closing: IntArray) -> _Stars:
        """The stars of ``buf`` given its lines ``[start, end)`` and its terminated tag blocks."""
        count = count_byte(buf, ord("*"))
        line_star, tag_star = end - 3, closing - 3
        at_places = int(np.count_nonzero(buf.take(line_star.compress(line_star >= start)) == ord("*")))
        at_places += int(np.count_nonzero(buf.take(tag_star.compress(tag_star > tag_start)) == ord("*")))
        if at_places == count:  # every star is at one of those places (they are all distinct)
            return _Stars(buf, True, np.zeros(0, dtype=np.int64))
        return _Stars(buf, False, _where_byte(buf, ord("*")))

    def first_is(self, begin: IntArray, star: IntArray) -> BoolArray:
        """Whether the first star at or after each ``begin`` is at ``star`` (see the class)."""
        if self.usual:
            found: BoolArray = (star >= begin) & (self.buf.take(np.maximum(star, 0)) == ord("*"))
            return found
        is_first: BoolArray = _next(self.positions, begin) == star
        return is_first


_REPEAT_WIDTH: Final = PAD  # longest tag block compared with the line's before


def _repeats(buf: ByteArray, start: IntArray, closing: IntArray) -> BoolArray:
    """Which tag blocks (``[start, closing]``) may differ from the one before them: run heads.

    Feeds repeat a tag block over consecutive lines (one station, one second): about 60%
    of the GFW and Kystverket samples' lines. Lines of equal tag length are compared 8 bytes
    at a time over a fixed width (bytes past the tag too: that only makes more heads); a
    longer block is always a head.
    """
    head = np.ones(len(start), dtype=bool)
    length = closing - start
    candidate = np.flatnonzero((length[1:] == length[:-1]) & (length[1:] < _REPEAT_WIDTH)) + 1
    if not candidate.size:
        return head
    width = -(-(int(length[candidate].max()) + 1) // 8) * 8
    words = _window(buf, start, width).view(np.uint64)  # every block once, compared with the row before
    differs = words[1:, 0] != words[:-1, 0]
    for column in range(1, width // 8):  # column by column: a reduction along rows is slower
        differs |= words[1:, column] != words[:-1, column]
    head[candidate] = differs[candidate - 1]
    return head


def _tag_blocks(
    lines: Lines,
    records: IntArray,
    tagged: IntArray,
    closing: IntArray,
    stars: _Stars,
    validate: bool,
    stations: Vocabulary[str],
    out: Scan,
    slow: BoolArray,
    live: BoolArray,
) -> BoolArray:
    """Checksum, time and station of terminated tag blocks; which had a partial checksum."""
    buf = lines.buf
    start = lines.start.take(records.take(tagged))
    star = closing - 3
    check, is_hex = _hex_pair(buf, star + 1)
    shaped = (star > start + 1) & stars.first_is(start, star) & is_hex
    slow[records[tagged[~shaped]]] = True
    live[tagged[~shaped]] = False
    partial = np.zeros(len(tagged), dtype=bool)
    keep = np.flatnonzero(shaped)
    tagged, start, star, check = tagged.take(keep), start.take(keep), star.take(keep), check.take(keep)
    keys = _tag_keys(buf, start, star)
    covered = start + 1  # where the fields the checksum covers begin
    if validate:
        whole = _xor(buf, start + 1, star) == check
        odd = np.flatnonzero(~whole)
        is_partial = np.zeros(len(tagged), dtype=bool)
        is_partial[odd] = _covers_time_only(
            buf, start[odd], star[odd], check[odd], {key: keys[key][odd] for key in keys}
        )
        partial[keep[is_partial]] = True
        mismatch = ~whole & ~is_partial  # other mismatches: the reference rule words them
        slow[records[tagged[mismatch]]] = True
        live[tagged[mismatch]] = False
        out.events.add(
            lines.first + records[tagged[is_partial]],
            "tag block checksum mismatch",
            _warning(lines, validate, "tag block checksum mismatch"),
            kept=True,
        )
        covered = np.where(is_partial, keys["c"], covered)
        fine = ~mismatch
        tagged, star, covered = tagged.compress(fine), star.compress(fine), covered.compress(fine)
        keys = {key: position.compress(fine) for key, position in keys.items()}
    _tag_fields(lines, records, tagged, star, covered, keys, stations, out, slow, live)
    return partial


def _detail(lines: Lines, validate: bool) -> Callable[[int], str]:
    """The reason the reference rule gives for a file line of this block."""

    def detail(line: int) -> str:
        result = line_result(lines.text(line - lines.first), validate)
        return result.rejection or (result.warnings[0] if result.warnings else "")

    return detail


def _warning(lines: Lines, validate: bool, reason: str) -> Callable[[int], str]:
    """The warning starting with ``reason`` the reference rule gives for a file line of this block."""

    def warning(line: int) -> str:
        found = line_result(lines.text(line - lines.first), validate).warnings
        return next((text for text in found if text.startswith(reason)), reason)

    return warning


def _window(buf: ByteArray, start: IntArray, width: int) -> ByteArray:
    """``width`` bytes from each of ``start`` (positions in the data, ``width`` <= :data:`PAD`)."""
    return fastdecode._byte_rows(buf, start, width)


def _tag_times(buf: ByteArray, start: IntArray) -> tuple[IntArray, BoolArray]:
    """The ``c:`` values at ``start`` of the two usual shapes, as nanoseconds: 10 digits (Unix
    seconds) or 13 (milliseconds), then ``,`` or ``*``; and which values have one of them."""
    rows = _window(buf, start, 14)
    digits = rows - np.uint8(ord("0"))  # wraps around below '0'
    is_digit = digits <= 9
    leading = np.cumprod(is_digit, axis=1, dtype=np.uint8).sum(axis=1)
    after = rows[np.arange(len(start)), np.minimum(leading, 13)]
    ends = (after == ord(",")) | (after == ord("*"))
    seconds = ends & (leading == 10)
    millis = ends & (leading == 13)
    value = np.zeros(len(start), dtype=np.int64)
    for usual, width in ((seconds, 10), (millis, 13)):
        rows_of = np.flatnonzero(usual)
        if rows_of.size:
            value[rows_of] = _digits(digits[rows_of, :width])
    seconds &= value <= _MAX_NS // 1_000_000_000
    millis &= value <= _MAX_NS // 1_000_000
    time = np.where(millis, value * 1_000_000, value * 1_000_000_000)
    return time, seconds | millis


def _tag_keys(buf: ByteArray, tag_start: IntArray, star: IntArray) -> dict[str, IntArray]:
    """Where the last ``c:`` and ``s:`` field of each tag block begins (``_FAR``: none), the
    time of a ``c:`` field of a usual shape (-1: not worked out here), and where the ``s:``
    value ends when the ``s:`` field comes just before ``c:`` (-1: not worked out here).

    Most tag blocks end with their ``c:`` field, often after an ``s:`` one
    (``\\s:117,c:1668046497*0A\\``): those are read at fixed offsets from the star; the
    others by looking for every ``x:`` field.
    """
    count = len(star)
    keys = {"c": np.full(count, _FAR, dtype=np.int64), "s": np.full(count, _FAR, dtype=np.int64)}
    keys["time"] = np.full(count, -1, dtype=np.int64)
    keys["s_end"] = np.full(count, -1, dtype=np.int64)
    settled = np.zeros(count, dtype=bool)
    candidates = np.arange(count)
    for digits, scale in ((10, 1_000_000_000), (13, 1_000_000)):
        star_here = star.take(candidates)
        key = star_here - digits - 2
        inside = key > tag_start.take(candidates)
        key = np.where(inside, key, star_here)
        shaped = inside & (buf.take(key) == ord("c")) & (buf.take(key + 1) == ord(":"))
        before = buf.take(key - 1)
        shaped &= (before == ord(",")) | (before == ord("\\"))
        which, key = candidates.compress(shaped), key.compress(shaped)
        values = _window(buf, key + 2, digits) - np.uint8(ord("0"))  # wraps around below '0'
        numeric = values[:, 0] <= 9
        for column in range(1, digits):  # column by column: a reduction along rows is slower
            numeric &= values[:, column] <= 9
        which, key, values = which.compress(numeric), key.compress(numeric), values[numeric]
        number = _digits(values)
        fits = number <= _MAX_NS // scale
        keys["c"][which] = key
        keys["time"][which.compress(fits)] = number.compress(fits) * scale
        settled[which] = True
        candidates = candidates.compress(~settled.take(candidates))
    time_key = keys["c"]
    alone = settled & (buf.take(np.where(settled, time_key, star) - 1) == ord("\\"))  # the only field
    after = np.flatnonzero(settled & ~alone)  # a field before c: is it s:?
    if after.size:
        # the field before c: begins after the last separator among the _STATION_WIDTH bytes before
        # its comma: looked for backwards, byte by byte, over the rows not found yet (names are short)
        previous = star.take(after)  # none found: not a station
        before_comma = time_key.take(after)
        todo = np.arange(len(after))
        for distance in range(2, _STATION_WIDTH + 2):
            at = before_comma.take(todo) - distance
            inside = at >= 0
            byte = buf.take(np.maximum(at, 0))
            separator = inside & ((byte == ord(",")) | (byte == ord("\\")))
            previous[todo.compress(separator)] = at.compress(separator) + 1
            todo = todo.compress(~separator & inside)
            if not todo.size:
                break
        station = (buf.take(previous) == ord("s")) & (buf.take(previous + 1) == ord(":"))
        named = after.compress(station)
        keys["s"][named] = previous.compress(station)
        keys["s_end"][named] = before_comma.compress(station) - 1  # the comma before c:
        settled[after.compress(~station)] = False
    rest = np.flatnonzero(~settled)
    if rest.size:
        general = _tag_keys_anywhere(buf, tag_start.take(rest), star.take(rest))
        for name in ("c", "s"):
            keys[name][rest] = general[name]
        keys["time"][rest] = -1
        keys["s_end"][rest] = -1
    return keys


def _digits(values: ByteArray) -> IntArray:
    """The numbers written by rows of digit values (0-9, most significant first), 8 to 16 digits:
    the first eight combined at once in a 64-bit word (SWAR, as fast number parsers do)."""
    word = np.ascontiguousarray(values[:, :8]).view("<u8").ravel().copy()  # first digit lowest
    word = word * np.uint64(10) + (word >> np.uint64(8))  # pairs of digits
    pairs = np.uint64(0x000000FF000000FF)
    word = (
        (word & pairs) * np.uint64(100 + (1_000_000 << 32))
        + ((word >> np.uint64(16)) & pairs) * np.uint64(1 + (10_000 << 32))
    ) >> np.uint64(32)
    number = word.astype(np.int64)
    for column in range(8, values.shape[1]):
        number = number * 10 + values[:, column]
    return number


def _tag_keys_anywhere(buf: ByteArray, tag_start: IntArray, star: IntArray) -> dict[str, IntArray]:
    """Where the last ``c:`` and ``s:`` field of each tag block begins (``_FAR``: none), wherever
    they are: every ``x:`` (after ``\\`` or ``,``) of the block is looked at."""
    keys = {name: np.full(len(star), _FAR, dtype=np.int64) for name in ("c", "s")}
    width = star - tag_start
    short = np.flatnonzero(width <= PAD)
    if short.size:  # the block's bytes as rows of a matrix, as wide as the longest block
        size = min(PAD, max(8, -(-int(width[short].max()) // 8) * 8))
        window = _window(buf, tag_start[short], size)
        column = np.arange(size)
        opening = np.zeros_like(window, dtype=bool)
        opening[:, 2:] = (window[:, 2:] == ord(":")) & (
            (window[:, :-2] == ord(",")) | (window[:, :-2] == ord("\\"))
        )
        opening &= column < width[short][:, None]
        for name in ("c", "s"):
            found = np.zeros_like(opening)
            found[:, 1:-1] = opening[:, 2:] & (window[:, 1:-1] == ord(name))
            last = size - 1 - np.argmax(found[:, ::-1], axis=1)
            has = found.any(axis=1)
            keys[name][short[has]] = tag_start[short[has]] + last[has]
    long = np.flatnonzero(width > PAD)
    if long.size:  # rare: every colon of the block
        colons = _where_byte(buf, ord(":"))
        colons = colons[colons >= 2]
        opening_at = (buf[colons - 2] == ord(",")) | (buf[colons - 2] == ord("\\"))
        starts = colons[opening_at] - 1  # where each "x:" field begins
        for name in ("c", "s"):
            these = starts[buf[starts] == ord(name)]
            index = np.searchsorted(these, star[long]) - 1
            position = np.full(len(long), _FAR, dtype=np.int64)
            ok = index >= 0
            position[ok] = these[index[ok]]
            position[position <= tag_start[long]] = _FAR
            keys[name][long] = position
    return keys


_PARTIAL_WIDTH: Final = 64  # longest tag block part before c: read in bulk


def _covers_time_only(
    buf: ByteArray, tag_start: IntArray, star: IntArray, check: IntArray, keys: dict[str, IntArray]
) -> BoolArray:
    """Tag blocks of two fields, ``x:..,c:..``, whose checksum is that of the ``c:`` field alone
    (the Norwegian Coastal Administration's feed): the one shape of a partial checksum read in bulk."""
    time_key = keys["c"]
    before = time_key - tag_start - 1  # bytes between the backslash and c:
    candidate = (time_key < star) & (before <= _PARTIAL_WIDTH)
    candidate[candidate] &= buf[time_key[candidate] - 1] == ord(",")
    which = np.flatnonzero(candidate)
    result = np.zeros(len(star), dtype=bool)
    if not which.size:
        return result
    window = _window(buf, tag_start[which] + 1, _PARTIAL_WIDTH)
    commas = ((window == ord(",")) & (np.arange(_PARTIAL_WIDTH) < before[which][:, None])).sum(axis=1)
    ok = commas == 1  # exactly one comma in the tag block: the one before c:
    ok &= _xor(buf, time_key[which], star[which]) == check[which]
    result[which[ok]] = True
    return result


_STATION_WIDTH: Final = 24  # longest station name read in bulk


def _tag_fields(
    lines: Lines,
    records: IntArray,
    tagged: IntArray,
    star: IntArray,
    covered: IntArray,
    keys: dict[str, IntArray],
    stations: Vocabulary[str],
    out: Scan,
    slow: BoolArray,
    live: BoolArray,
) -> None:
    """Time (``c:``) and station (``s:``) of the tag blocks read in bulk; a value of an unusual
    shape sends its line to the reference rule."""
    buf = lines.buf
    time_key = keys["c"]
    which = np.flatnonzero((time_key < star) & (time_key >= covered))
    time = keys["time"].take(which)
    known = time >= 0
    usual = known.copy()
    unknown = np.flatnonzero(~known)
    if unknown.size:
        time[unknown], usual[unknown] = _tag_times(buf, time_key[which[unknown]] + 2)
    unusual = tagged.take(which.compress(~usual))  # fractions, other lengths, bad times: the reference rule
    slow[records.take(unusual)] = True
    live[unusual] = False
    out.time[records.take(tagged.take(which.compress(usual)))] = time.compress(usual)

    station_key = keys["s"]
    named = np.flatnonzero((station_key < star) & (station_key >= covered) & live.take(tagged))
    if not named.size:
        return
    known_length = keys["s_end"].take(named) - station_key.take(named) - 2
    fits = (known_length >= 0) & (known_length <= 8)  # the value's end known (s: just before c:)
    if fits.any():  # each name as one 64-bit word
        these = named.compress(fits)
        words = _window(buf, station_key.take(these) + 2, 8).view("<u8")[:, 0]
        words &= _BYTES_KEPT.take(known_length.compress(fits))
        codes, distinct = pd.factorize(words)
        labels = np.array(
            [
                stations.code(int(word).to_bytes(8, "little").rstrip(b"\x00").decode("ascii").strip())
                for word in distinct
            ],
            dtype=np.int64,
        )
        out.station[records.take(tagged.take(these))] = labels.take(codes)
        named = named.compress(~fits)
        if not named.size:
            return
    width = _STATION_WIDTH
    short = _window(buf, station_key[named] + 2, 8)  # most names: up to 7 bytes, then ',' or '*'
    stop = (short == ord(",")) | (short == ord("*"))
    if stop.any(axis=1).all():
        width, window = 8, short
    else:
        window = _window(buf, station_key[named] + 2, width)
        stop = (window == ord(",")) | (window == ord("*"))
    found = stop.any(axis=1)
    length = stop.argmax(axis=1)
    odd = named[~found]  # a station name longer than the window
    slow[records[tagged[odd]]] = True
    live[tagged[odd]] = False
    named, window, length = named[found], window[found], length[found]
    window = window * (np.arange(width) < length[:, None])
    codes, rows = _factorize_rows(window)
    labels = np.array(
        [stations.code(bytes(row).rstrip(b"\x00").decode("ascii").strip()) for row in rows],
        dtype=np.int64,
    )
    if len(labels):
        out.station[records[tagged[named]]] = labels[codes]


def _factorize_rows(rows: ByteArray) -> tuple[IntArray, list[ByteArray]]:
    """Codes of equal rows of a byte matrix, and one row per code."""
    used = int(np.flatnonzero(rows.any(axis=0)).max(initial=-1)) + 1  # station names are short, most 8 bytes
    padded = np.zeros((len(rows), max(-(-used // 8), 1) * 8), dtype=np.uint8)
    padded[:, :used] = rows[:, :used]
    words = padded.view(np.uint64)
    codes = np.zeros(len(rows), dtype=np.int64)
    for column in range(words.shape[1]):
        part, _ = pd.factorize(words[:, column])
        codes = part if column == 0 else pd.factorize(codes * (int(part.max(initial=0)) + 1) + part)[0]
    first = np.unique(codes, return_index=True)[1]
    return codes.astype(np.int64), [rows[index] for index in first]


def _pghp(
    lines: Lines,
    records: IntArray,
    which: IntArray,
    body: IntArray,
    end: IntArray,
    stars: _Stars,
    validate: bool,
    out: Scan,
    slow: BoolArray,
) -> None:
    """``$PGHP,1,yyyy,m,d,h,m,s,ms,...*hh`` lines: their time; other ``$`` lines are not AIS."""
    buf = lines.buf
    begin, stop = body[which], end[which]
    star = stop - 3
    check, is_hex = _hex_pair(buf, star + 1)
    shaped = stars.first_is(begin, star) & is_hex
    slow[records[which[~shaped]]] = True  # trailing fields or no checksum: the reference rule
    which, begin, star, check = which[shaped], begin[shaped], star[shaped], check[shaped]
    name = _window(buf, begin + 1, 5)
    is_pghp = (begin + 6 <= star) & (name == np.frombuffer(b"PGHP,", dtype=np.uint8)).all(axis=1)
    out.events.add(lines.first + records[which[~is_pghp]], "non-AIS sentence", _detail(lines, validate))
    which, begin, star, check = which[is_pghp], begin[is_pghp], star[is_pghp], check[is_pghp]
    if validate:
        bad = _xor(buf, begin + 1, star) != check
        out.events.add(lines.first + records[which[bad]], "bad checksum", _detail(lines, validate))
        which, begin, star = which[~bad], begin[~bad], star[~bad]
    commas = _where_byte(buf, ord(","))
    first_comma = np.searchsorted(commas, begin)  # the comma after "$PGHP"
    values = []
    present = np.ones(len(which), dtype=bool)
    well_formed = np.ones(len(which), dtype=bool)
    for number in range(2, 9):  # fields[2:9]: year, month, day, hour, minute, second, ms
        index = first_comma + number - 1
        field_start = commas[np.minimum(index, len(commas) - 1)] + 1 if len(commas) else begin
        present &= (index < len(commas)) & (field_start <= star)
        field_end = np.minimum(_next(commas, field_start), star)
        value, ok = _unsigned(buf, field_start, field_end, 4)
        well_formed &= ok
        values.append(value)
    # a field that is not 1-4 plain digits (a sign, "5_0", empty...): the reference rule decides
    slow[records[which[present & ~well_formed]]] = True
    year, month, day, hour, minute, second, millis = values
    month_index = np.clip(month - 1, 0, 11)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = _DAYS_IN_MONTH[month_index] + ((month == 2) & leap)
    valid = (
        present
        & well_formed
        & (year >= 1678)
        & (year <= 2261)
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= days)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
        & (millis <= 999)
    )
    malformed = ~valid & ~(present & ~well_formed)
    out.events.add(lines.first + records[which[malformed]], "malformed sentence", _detail(lines, validate))
    which = which[valid]
    sel = np.flatnonzero(valid)
    epoch_months = (year[sel] - 1970) * 12 + month_index[sel]
    dates = epoch_months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + day[sel] - 1
    time = (((dates * 24 + hour[sel]) * 60 + minute[sel]) * 60 + second[sel]) * 1_000_000_000
    time += millis[sel] * 1_000_000
    out.time[records[which]] = time
    out.pghp[records[which]] = True


def key_of(talker: bytes | str, kind: str, seq: int | None, channel: bytes | str, count: int) -> int | None:
    """The multipart assembly key (talker, VDM/VDO, sequence id, channel, fragment count) as one
    integer, or ``None`` for a shape the integer cannot hold (see :class:`Keys`).

    >>> key_of("AI", "VDM", 3, "A", 2) == key_of(b"AI", "VDM", 3, b"A", 2)
    True
    """
    talker_bytes = talker.encode("ascii") if isinstance(talker, str) else talker
    channel_bytes = channel.encode("ascii") if isinstance(channel, str) else channel
    if len(talker_bytes) != 2 or len(channel_bytes) > 1 or not (seq is None or 0 <= seq <= 9):
        return None
    if kind not in ("VDM", "VDO") or not 1 <= count <= 9:
        return None
    seq_code = 0 if seq is None else seq + 1
    channel_code = channel_bytes[0] if channel_bytes else 0
    return int(
        (
            (((talker_bytes[0] * 256 + talker_bytes[1]) * 2 + (kind == "VDO")) * 16 + seq_code) * 256
            + channel_code
        )
        * 16
        + count
    )


def _ais_fields(
    lines: Lines,
    records: IntArray,
    which: IntArray,
    body: IntArray,
    end: IntArray,
    stars: _Stars,
    validate: bool,
    out: Scan,
    slow: BoolArray,
) -> dict[str, IntArray]:
    """AIS sentences ``!xxVDM,n,i,[s],[c],payload,f*hh``; any other ``!`` line goes to the reference rule.

    Every field but the payload is within a sentence's first 15 bytes or its last 8: each
    sentence's first 16 and last 8 bytes are gathered once, as rows byte by byte.
    """
    buf = lines.buf
    b, e = body.take(which), end.take(which)
    head = np.ascontiguousarray(_window(buf, b, 16).T)  # byte by byte: each a contiguous row
    # ...,f*hh: a sentence too short to hold it fails the shape below whatever these bytes say
    tail = np.ascontiguousarray(_window(buf, np.maximum(e - 8, 0), 8).T)
    seq_empty = head[11] == ord(",")
    channel = np.where(seq_empty, head[12], head[13])  # the channel, or the comma of an empty one
    channel_empty = channel == ord(",")
    payload_start = b + 13 + ~seq_empty + ~channel_empty
    payload_end = e - 5
    # digits as bytes less '0' (8 bits: numbers of a few values, not 64-bit lookups): others wrap past 9
    count, number, seq, fill = (row - np.uint8(ord("0")) for row in (head[7], head[9], head[11], tail[4]))
    high, low = _hex_digit(tail[6]), _hex_digit(tail[7])
    star = (tail[5] == ord("*")) if stars.usual else stars.first_is(b, e - 3)
    shaped = (
        (head[1] != ord(","))
        & (head[2] != ord(","))
        & (head[3] == ord("V"))
        & (head[4] == ord("D"))
        & ((head[5] == ord("M")) | (head[5] == ord("O")))
        & (head[6] == ord(","))
        & (count - np.uint8(1) <= 8)  # 1-9
        & (head[8] == ord(","))
        & (number - np.uint8(1) <= 8)
        & (number <= count)
        & (head[10] == ord(","))
        & (seq_empty | ((seq <= 9) & (head[12] == ord(","))))
        & (channel_empty | (np.where(seq_empty, head[13], head[14]) == ord(",")))
        & (payload_end >= payload_start)
        & (payload_end - payload_start <= MAX_PAYLOAD)
        & (tail[3] == ord(","))
        & (fill <= 5)
        & star
        & (high <= 15)
        & (low <= 15)
    )
    slow[records.take(which.compress(~shaped))] = (
        True  # other talker shapes, trailing fields...: the reference rule
    )
    length = payload_end - payload_start
    filled = np.flatnonzero(shaped & (length != 0))
    bad = np.zeros(len(which), dtype=bool)
    payload_xor = np.zeros(len(which), dtype=np.int64)
    bad[filled], payload_xor[filled] = _payload_checks(buf, payload_start.take(filled), length.take(filled))
    ok = shaped
    if validate:  # the checksum of the bytes before the payload, the payload's and the ",f" after it
        before = np.bitwise_xor.reduce(head[1:13], axis=0) ^ np.where(seq_empty, 0, head[13])
        before ^= np.where(channel_empty, 0, np.where(seq_empty, head[13], head[14]))
        good = (before ^ tail[3] ^ tail[4] ^ payload_xor) == high * 16 + low
        out.events.add(lines.first + records.take(which.compress(shaped & ~good)), "bad checksum")
        ok = shaped & good
    out.events.add(lines.first + records.take(which.compress(ok & (length == 0))), "empty payload")
    candidates = np.flatnonzero(ok & (length != 0))
    bad_here = bad.take(candidates)
    slow[records.take(which.take(candidates.compress(bad_here)))] = True  # the reference rule names it
    keep = candidates.compress(~bad_here)
    talker = head[1].astype(np.int64) * 256 + head[2]
    vdo = (head[5] == ord("O")).astype(np.int64)
    seq_code = np.where(seq_empty, 0, seq + np.uint8(1))  # 0: none, else the id + 1
    key = ((((talker * 2 + vdo) * 16 + seq_code) * 256 + np.where(channel_empty, 0, channel)) * 16) + count
    return {
        "line": records.take(which.take(keep)),
        "payload_start": payload_start.take(keep),
        "payload_length": length.take(keep),
        "fill": fill.take(keep).astype(np.int64),
        "count": count.take(keep).astype(np.int64),
        "number": number.take(keep).astype(np.int64),
        "key": key.take(keep),
    }


def _hex_digit(chars: ByteArray) -> ByteArray:
    """The values of hex digit bytes (``0``-``9``, ``A``-``F``, ``a``-``f``); other bytes give more
    than 15. In 8 bits, without a lookup (an index of 64-bit numbers per byte)."""
    digit = chars - np.uint8(ord("0"))
    letter = (chars | np.uint8(0x20)) - np.uint8(ord("a"))  # either case
    value: ByteArray = np.where(
        digit <= 9, digit, np.where(letter <= 5, letter + np.uint8(10), np.uint8(255))
    )
    return value


def _payload_checks(buf: ByteArray, start: IntArray, length: IntArray) -> tuple[BoolArray, IntArray]:
    """Which payloads hold a byte outside the 6-bit armour, and the XOR of each payload's bytes (its
    part of the sentence's checksum): :data:`_ARMOUR_WIDTH` bytes of every payload at a time, byte
    by byte, each row's bytes past its end masked off 8 at a time.

    Rows are reduced as 64-bit words combined column by column: numpy's reductions along a
    short axis (``any(axis=1)``) and broadcast comparisons cost more than the checks. Rows
    go :data:`_ARMOUR_ROWS` at a time, worked in place: the few temporaries stay small,
    in cache and in the allocator's free lists (large ones come back as fresh pages).
    """
    bad = np.zeros(len(start), dtype=bool)
    xor = np.zeros(len(start), dtype=np.int64)
    for low in range(0, len(start), _ARMOUR_ROWS):
        rows = slice(low, low + _ARMOUR_ROWS)
        bad[rows], xor[rows] = _payload_rows(buf, start[rows], length[rows])
    return bad, xor


def _payload_rows(buf: ByteArray, start: IntArray, length: IntArray) -> tuple[BoolArray, IntArray]:
    bad = np.zeros(len(start), dtype=bool)
    xor = np.zeros(len(start), dtype=np.uint64)
    todo = np.arange(len(start))
    offset = 0
    while todo.size:
        left = length.take(todo) - offset
        chars = fastdecode._byte_rows(buf, start.take(todo) + offset, _ARMOUR_WIDTH)  # a copy
        masks = _WORDS_KEPT.take(np.minimum(left, _ARMOUR_WIDTH), axis=0)  # one row of masks per payload
        kept = [masks[:, word] for word in range(_ARMOUR_WIDTH // 8)]
        words = chars.view("<u8")  # byte i of a row is bits 8i-8i+7 of its word
        folded = words[:, 0] & kept[0]
        for word in range(1, _ARMOUR_WIDTH // 8):
            folded ^= words[:, word] & kept[word]
        xor[todo] ^= folded
        chars -= np.uint8(48)  # wraps around below '0'
        # armour: '0'-'W' (0-39 after the shift) and '`'-'w' (48-71)
        invalid = chars > 71
        chars &= np.uint8(0xF8)
        outside = chars.view(np.bool_)
        np.equal(chars, 40, out=outside)  # 40-47
        invalid |= outside
        flags = invalid.view("<u8")
        hit = flags[:, 0] & kept[0]
        for word in range(1, _ARMOUR_WIDTH // 8):
            hit |= flags[:, word] & kept[word]
        bad[todo] |= hit != 0
        offset += _ARMOUR_WIDTH
        todo = todo.compress(left > _ARMOUR_WIDTH)
    for shift in (32, 16, 8):  # the 8 bytes of each word XORed into one
        xor ^= xor >> np.uint64(shift)
    return bad, (xor & np.uint64(0xFF)).astype(np.int64)


_ARMOUR_ROWS: Final = 16_384  # payloads checked at a time: 512 KB of each temporary
_ARMOUR_WIDTH: Final = 32  # payload bytes checked at a time (<= PAD): most payloads are 28
_BYTES_KEPT: Final = np.array([(1 << (8 * count)) - 1 for count in range(9)], dtype=np.uint64)
"""The mask of a 64-bit word's first (lowest, little-endian) ``count`` bytes."""
_WORDS_KEPT: Final = _BYTES_KEPT.take(
    np.clip(np.arange(_ARMOUR_WIDTH + 1)[:, None] - 8 * np.arange(_ARMOUR_WIDTH // 8), 0, 8)
)
"""For ``count`` bytes (up to :data:`_ARMOUR_WIDTH`), the masks of the words of a row that keep them."""


# -- lines the scanner leaves to the reference rule -----------------------------------------------


def _read_slow(
    lines: Lines, slow_lines: IntArray, validate: bool, stations: Vocabulary[str], out: Scan
) -> None:
    for line in slow_lines.tolist():
        result = line_result(lines.text(line), validate)
        where = lines.first + line
        out.time[line] = -1 if result.time is None else result.time
        out.station[line] = -1 if result.station is None else stations.code(result.station)
        out.trailing[line] = result.trailing
        out.pghp[line] = result.pghp
        for warning in result.warnings:
            out.events.one(where, where, warning, kept=True)
        if result.rejection is not None:
            out.events.one(where, where, result.rejection)
        if result.sentence is not None:
            out.slow.append((line, result.sentence))
