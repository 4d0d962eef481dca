r"""Reader for raw NMEA 0183 AIS logs (``!AIVDM`` / ``!AIVDO``): vectorised, with pyais for the rest.

What a log line may be, and what happens to it:

- blank lines and ``#`` comments: skipped, not records (counted in ``notes``);
- an AIS sentence of any talker (``!AIVDM``, ``!BSVDM``, ``!ABVDO``...), optionally behind
  an NMEA 4.0 tag block ``\c:1241544035,s:r003669945*hh\!AIVDM,...``; multipart messages
  are assembled by (talker, sequence id, channel); positions come from message types
  1, 2, 3, 18, 19 and 27, identity (IMO, name, call sign, ship type, destination,
  draught) from types 5, 24 (A: name, B: call sign and type) and 19 (name, type);
- a Gatehouse ``$PGHP,1,yyyy,m,d,h,m,s,ms,...`` wrapper line (Danish Maritime Authority
  feeds): gives the UTC time of the sentence(s) that follow; accepted, counted in notes;
- anything else (``$GPGGA``, ``$IIMWV``, free text): rejected with its reason.

**Time rule.** A tag block ``c:`` (Unix seconds, or milliseconds if 13 digits) or a
``$PGHP`` line sets the current time. A sentence without its own time takes the last
time seen earlier in the file; before any time is seen it takes ``reference_time``.
A sentence that has no time by these rules (no earlier time, no ``reference_time``)
raises :class:`ReferenceTimeError` naming the file and its line. A multipart message
takes the time of its first fragment.

**Identity carried forward.** Identity fields are forward-filled per MMSI in time
order (ties in file order) onto later position rows, never back-filled; a later
message with an empty field does not erase an earlier value.

**Accounting.** Every line that is not blank and not a comment is a record: accepted
(a decoded AIS sentence, or a consumed ``$PGHP`` line) or rejected with a reason:
``bad checksum`` (sentence or tag block, when ``validate_checksum``), ``malformed
sentence``, ``empty payload``, ``undecodable payload``, ``incomplete multipart
message``, ``invalid MMSI``, ``invalid latitude``, ``invalid longitude``,
``non-AIS sentence``, ``not an NMEA sentence``. Decoded messages are counted in
``notes`` by type (``"message type 4"``), whether or not they give rows. Samples of
rejections and warnings are kept in line order.

``source`` is ``"nmea"``, or ``"nmea:<station>"`` when a tag block names its source
station (``s:``).

**How it is fast.** The whole file is one byte array. Line bounds, tag blocks, fields,
checksums (a prefix XOR: the XOR of any byte range is two lookups) and ``$PGHP`` times
are found with numpy over all lines at once, and single-sentence position reports
(types 1, 2, 3, 18) are decoded in place by :mod:`vesselscreen.ais.fastdecode`. Lines
that do not have the common printable shape (spaces, odd fields, non-ASCII bytes) are
read one by one by :func:`_line_result`, the reference rule for a line; multipart
messages and the other message types are decoded with pyais.

>>> import io
>>> log = "\\c:1241544035,s:r003669945*79\\!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13\n"
>>> row = read_nmea(io.StringIO(log)).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), float(row["lat"]), row["source"]
(367078248, '2009-05-05 17:20:35+00:00', 28.230963, 'nmea:r003669945')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import xor
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyais.exceptions import AISBaseException
from pyais.messages import AISSentence, NMEASentenceFactory

from vesselscreen.ais import fastdecode
from vesselscreen.ais._common import (
    MMSI_MAX,
    MMSI_MIN,
    clean_motion,
    finish,
    reference_ns,
)
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, source_name
from vesselscreen.errors import FormatError, ReferenceTimeError
from vesselscreen.identifiers import is_valid_imo
from vesselscreen.ingest import MAX_SAMPLES, RejectionLog
from vesselscreen.schema import POSITION, POSITION_DTYPES

__all__ = ["FORMAT", "POSITION_MESSAGE_TYPES", "STATIC_MESSAGE_TYPES", "read_nmea"]

FORMAT = "nmea"
SOURCE = "nmea"
POSITION_MESSAGE_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_MESSAGE_TYPES = frozenset({5, 19, 24})

_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)
_HEX2 = re.compile(rb"[0-9A-Fa-f]{2}")
_TAG_TIME = re.compile(r"(\d+)(?:\.(\d{1,9}))?")
# pyais raises its own tree, and plain ValueError / IndexError on some corrupt payloads
_DECODE_ERRORS = (AISBaseException, ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError)
# type 27 (long-range broadcast) has its own "not available" codes: 6-bit speed, 9-bit course
_T27_SPEED_NA = 63.0
_T27_COURSE_NA = 511.0
# times outside what a nanosecond timestamp holds (years 1677-2262) are not times
_MAX_NS: Final = int(pd.Timestamp.max.value)
_MIN_NS: Final = int(pd.Timestamp.min.value)

_IDENTITY = (
    POSITION.IMO,
    POSITION.NAME,
    POSITION.CALL_SIGN,
    POSITION.SHIP_TYPE,
    POSITION.DESTINATION,
    POSITION.DRAUGHT,
)
_POSITION_ROW = (
    "_seq",
    POSITION.TIMESTAMP,
    POSITION.MMSI,
    POSITION.LAT,
    POSITION.LON,
    POSITION.SOG,
    POSITION.COG,
    POSITION.HEADING,
    POSITION.NAV_STATUS,
    POSITION.NAME,
    POSITION.SHIP_TYPE,
    POSITION.SOURCE,
)
_STATIC_ROW = ("_seq", POSITION.TIMESTAMP, POSITION.MMSI, *_IDENTITY)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def read_nmea(
    source: AISSource,
    *,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> pd.DataFrame:
    """Decode an NMEA AIS log (path or file object, optionally compressed) into a positions frame.

    ``reference_time`` (timezone-aware) dates the sentences that come before any time
    in the file; a naive one raises :class:`ReferenceTimeError`. ``validate_checksum``
    rejects sentences and tag blocks whose checksum is wrong; it is on by default
    because a corrupted position is worse than a missing one for screening.
    """
    name = source_name(source)
    reference_ns(reference_time, name)  # a naive time is refused before the file is opened
    with open_binary(source) as stream:
        try:
            return read_stream(
                stream, name, reference_time=reference_time, validate_checksum=validate_checksum
            )
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt gzip data: {exc}") from exc


def read_stream(
    stream: Iterable[bytes],
    name: str,
    *,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> pd.DataFrame:
    """:func:`read_nmea` on an open binary stream (or any iterable of lines) named ``name``."""
    reader = _Reader(name, reference_ns(reference_time, name), validate_checksum)
    return reader.read(_content(stream))


def _content(stream: Iterable[bytes]) -> bytes:
    read = getattr(stream, "read", None)
    if callable(read):
        content = read()
        if isinstance(content, bytes):
            return content
    return b"".join(line if line.endswith(b"\n") else line + b"\n" for line in stream)


# -- the reference rule for one line --------------------------------------------------------


def _checksum_ok(payload: bytes, check: bytes) -> bool:
    try:
        return int(check, 16) == reduce(xor, payload, 0)
    except ValueError:
        return False


def _tag_block(raw: bytes) -> tuple[dict[str, str], bool]:
    """Fields of an NMEA 4.0 tag block (``c:..,s:..*hh``) and whether its checksum holds."""
    payload, star, check = raw.partition(b"*")
    fields: dict[str, str] = {}
    for item in payload.decode("ascii", errors="replace").split(","):
        key, colon, value = item.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    return fields, bool(star) and _checksum_ok(payload, check.strip())


def _tag_time_ns(value: str) -> int | None:
    """A tag block ``c:`` value as UTC nanoseconds: Unix seconds, or milliseconds if 13 digits.

    >>> _tag_time_ns("1241544035"), _tag_time_ns("1241544035123"), _tag_time_ns("12415440354")
    (1241544035000000000, 1241544035123000000, None)
    """
    match = _TAG_TIME.fullmatch(value)
    if match is None:
        return None
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) == 13:
        return int(whole) * 1_000_000
    if len(whole) <= 10:
        time = int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])
        return time if time <= _MAX_NS else None
    return None


def _pghp_time_ns(data: bytes) -> int | None:
    """UTC nanoseconds of ``PGHP,1,yyyy,m,d,h,m,s,ms,...`` (Gatehouse writes UTC), or None.

    >>> _pghp_time_ns(b"PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D")
    1276256772470000000
    """
    fields = data.split(b",")
    try:
        year, month, day, hour, minute, second, millis = (int(item) for item in fields[2:9])
        moment = datetime(year, month, day, hour, minute, second, millis * 1000)
    except ValueError:
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


@dataclass(slots=True)
class _LineResult:
    """What one record line says, independent of the lines around it."""

    time: int | None = None  # a time this line sets (tag block c:, $PGHP)
    warning: str | None = None
    rejection: str | None = None
    pghp: bool = False  # an accepted $PGHP line
    trailing: bool = False
    sentence: AISSentence | None = None  # an AIS sentence to decode
    station: str | None = None


def _line_result(text: bytes, validate: bool) -> _LineResult:
    """The reference rule for one stripped record line (the vectorised scanner agrees with it)."""
    result = _LineResult()
    body = text
    if text[:1] == b"\\":
        end = text.find(b"\\", 1)
        if end < 0:
            result.rejection = "malformed sentence: unterminated tag block"
            return result
        fields, valid = _tag_block(text[1:end])
        if validate and not valid:
            result.rejection = "bad checksum: tag block"
            return result
        body, result.station = text[end + 1 :], fields.get("s")
        if "c" in fields:
            time = _tag_time_ns(fields["c"])
            if time is None:
                result.warning = f"bad tag block time: c:{fields['c']}"
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


def _dollar(body: bytes, validate: bool, result: _LineResult) -> None:
    body, result.trailing = _trimmed(body)
    kind = body[1:].split(b",", 1)[0]
    if kind != b"PGHP":
        result.rejection = f"non-AIS sentence: {kind.decode('ascii', errors='replace')}"
        return
    data, star, check = body[1:].partition(b"*")
    if validate and not (star and _checksum_ok(data, check)):
        result.rejection = "bad checksum: PGHP"
        return
    time = _pghp_time_ns(data)
    if time is None:
        result.rejection = "malformed sentence: PGHP without a valid date and time"
        return
    result.time = time
    result.pghp = True


def _ais(body: bytes, validate: bool, result: _LineResult) -> None:
    body, result.trailing = _trimmed(body)
    try:
        sentence = NMEASentenceFactory.produce(body)
    except _DECODE_ERRORS as exc:
        result.rejection = f"malformed sentence: {exc}"
        return
    if not isinstance(sentence, AISSentence):  # pragma: no cover - produce() dispatches on VDM/VDO
        result.rejection = "malformed sentence"
        return
    if validate and not sentence.is_valid:
        result.rejection = "bad checksum"
        return
    if not sentence.payload:
        result.rejection = "empty payload"
        return
    result.sentence = sentence


# -- helpers of the vectorised scanner ----------------------------------------------------

_SPACE = np.zeros(256, dtype=bool)
_SPACE[list(b" \t\n\r\x0b\x0c")] = True  # what bytes.strip() removes
_HEX = np.full(256, -1, dtype=np.int64)
for _index, _char in enumerate(b"0123456789ABCDEF"):
    _HEX[_char] = _index
    _HEX[ord(chr(_char).lower())] = _index
_DIGIT = np.full(256, -1, dtype=np.int64)
_DIGIT[list(b"0123456789")] = np.arange(10)
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _next(positions: IntArray, after: IntArray) -> IntArray:
    """The first of ``positions`` (sorted) at or after each of ``after``; a huge value if none."""
    index = np.searchsorted(positions, after)
    found = np.full(len(after), np.iinfo(np.int64).max // 2, dtype=np.int64)
    inside = index < len(positions)
    found[inside] = positions[index[inside]]
    return found


def _hex_pair(buf: npt.NDArray[np.uint8], at: IntArray) -> tuple[IntArray, BoolArray]:
    """The value of the two hex digits at ``at`` and whether both are hex digits."""
    high, low = _HEX[buf[at]], _HEX[buf[at + 1]]
    return high * 16 + low, (high >= 0) & (low >= 0)


def _unsigned(
    buf: npt.NDArray[np.uint8], start: IntArray, end: IntArray, digits: int
) -> tuple[IntArray, BoolArray]:
    """Decimal numbers of 1 to ``digits`` ASCII digits in ``[start, end)``, and which ranges are."""
    width = end - start
    ok = (width >= 1) & (width <= digits)
    value = np.zeros(len(start), dtype=np.int64)
    for offset in range(digits):
        live = ok & (offset < width)
        digit = _DIGIT[buf[np.where(live, start + offset, 0)]]
        ok &= ~live | (digit >= 0)
        value = np.where(live, value * 10 + digit, value)
    return value, ok


def _tag_time(buf: npt.NDArray[np.uint8], start: IntArray, end: IntArray) -> tuple[IntArray, BoolArray]:
    """:func:`_tag_time_ns` over ranges: nanoseconds and validity."""
    width = end - start
    ok = (width >= 1) & (width <= 23)
    whole = np.zeros(len(start), dtype=np.int64)
    fraction = np.zeros(len(start), dtype=np.int64)
    whole_digits = np.zeros(len(start), dtype=np.int64)
    fraction_digits = np.zeros(len(start), dtype=np.int64)
    dot = np.zeros(len(start), dtype=bool)
    for offset in range(23):
        live = ok & (offset < width)
        if not live.any():
            break
        char = buf[np.where(live, start + offset, 0)]
        digit = _DIGIT[char]
        is_dot = (char == ord(".")) & ~dot & (whole_digits > 0)
        ok &= ~live | (digit >= 0) | is_dot
        in_whole = live & (digit >= 0) & ~dot
        in_fraction = live & (digit >= 0) & dot
        whole = np.where(in_whole, whole * 10 + digit, whole)
        whole_digits += in_whole
        fraction = np.where(in_fraction, fraction * 10 + digit, fraction)
        fraction_digits += in_fraction
        dot |= live & is_dot
    ok &= ~dot | ((fraction_digits >= 1) & (fraction_digits <= 9))
    seconds = ok & (whole_digits <= 10) & (whole <= _MAX_NS // 1_000_000_000 - 1)
    millis = ok & (whole_digits == 13)
    scale = 10 ** np.clip(9 - fraction_digits, 0, 9)
    time = np.where(millis, whole * 1_000_000, whole * 1_000_000_000 + fraction * scale)
    return time, (seconds & (time <= _MAX_NS)) | millis


def _value_detail(label: str, lines: IntArray, values: npt.NDArray[Any]) -> Callable[[int], str]:
    """``"label: value"`` for one of ``lines`` (sorted), as the one-by-one reader words it."""

    def detail(line: int) -> str:
        return f"{label}: {values[np.searchsorted(lines, line)].item()}"

    return detail


def _xor(prefix: npt.NDArray[np.uint8], start: IntArray, end: IntArray) -> IntArray:
    """XOR of the bytes in ``[start, end)``, from the prefix XOR (``prefix[i]`` = XOR of bytes before i)."""
    return (prefix[end] ^ prefix[start]).astype(np.int64)


@dataclass
class _Events:
    """Rejections and warnings found in bulk: line indices by reason class, detail on demand."""

    groups: list[tuple[IntArray, str, bool, Callable[[int], str]]] = field(default_factory=list)

    def add(self, lines: IntArray, reason: str, detail: Callable[[int], str], *, kept: bool = False) -> None:
        """Lines rejected (or, ``kept``, flagged) for ``reason``; ``detail(line)`` gives the full text."""
        if len(lines):
            self.groups.append((lines, reason, kept, detail))


# -- the reader -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fragment:
    line: int  # line number, 1-based
    sentence: AISSentence
    time: int
    station: str | None
    raw: bytes


class _Reader:
    """One pass over a log held in memory."""

    def __init__(
        self, name: str, reference: int | None, validate_checksum: bool, *, scan: bool = True
    ) -> None:
        self.name = name
        self.scan = scan  # False: every line by the reference rule (tests compare the two)
        self.reference = reference
        self.validate = validate_checksum
        self.log = RejectionLog(name)
        self.events = _Events()
        # (line index where it was found, line index it is about, reason, kept); kept in the order
        # they arise: a multipart message rejected at the end of the file comes last
        self.slow_events: list[tuple[int, int, str, bool]] = []
        self.now = 0  # the line being processed by the stateful part
        self.positions: list[tuple[Any, ...]] = []
        self.statics: list[tuple[Any, ...]] = []

    # -- lines ---------------------------------------------------------------------------

    def read(self, data: bytes) -> pd.DataFrame:
        self.data = data
        buf = self.buf = np.frombuffer(data, dtype=np.uint8)
        newline = np.flatnonzero(buf == ord("\n"))
        starts = np.concatenate(([0], newline + 1)).astype(np.int64)
        ends = np.concatenate((newline, [len(buf)])).astype(np.int64)
        if len(buf) == 0 or buf[-1] == ord("\n"):  # no line after the last newline
            starts, ends = starts[:-1], ends[:-1]
        self.start, self.end = self._strip(starts, ends)
        first = np.zeros(len(starts), dtype=np.uint8)
        nonblank = self.start < self.end
        first[nonblank] = buf[self.start[nonblank]]
        blank, comment = ~nonblank, nonblank & (first == ord("#"))
        if blank.any():
            self.log.note("blank lines", int(blank.sum()))
        if comment.any():
            self.log.note("comment lines", int(comment.sum()))
        records = np.flatnonzero(nonblank & ~comment)
        # a line with a control, space or non-ASCII byte inside is read by the reference rule
        odd = np.flatnonzero((buf <= ord(" ")) | (buf >= 127))
        odd_inside = np.searchsorted(odd, self.end[records]) > np.searchsorted(odd, self.start[records])
        odd_inside |= not self.scan
        self.time_event = np.full(len(starts), -1, dtype=np.int64)
        self.trailing = np.zeros(len(starts), dtype=bool)
        self.pghp = np.zeros(len(starts), dtype=bool)
        self.station_range = np.full((len(starts), 2), -1, dtype=np.int64)
        self.station_text: dict[int, str] = {}
        self._scan(records[~odd_inside])
        fragments = self._slow(np.sort(np.concatenate((records[odd_inside], self.slow_lines))))
        self._sentences(fragments)
        self._flush_events()
        return self._frame()

    def _strip(self, starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
        """Line bounds without leading and trailing whitespace (as ``bytes.strip``)."""
        start, end = starts.copy(), ends.copy()
        todo = np.flatnonzero(start < end)
        while todo.size:
            todo = todo[_SPACE[self.buf[start[todo]]]]
            start[todo] += 1
            todo = todo[start[todo] < end[todo]]
        todo = np.flatnonzero(start < end)
        while todo.size:
            todo = todo[_SPACE[self.buf[end[todo] - 1]]]
            end[todo] -= 1
            todo = todo[start[todo] < end[todo]]
        return start, end

    def text(self, line: int) -> bytes:
        return self.data[self.start[line] : self.end[line]]

    def _raw(self, line: int) -> str:
        return self.text(line).decode("ascii", errors="replace")

    def _detail(self, line: int) -> str:
        """The reason the reference rule gives for a line the scanner rejected."""
        result = _line_result(self.text(line), self.validate)
        return result.rejection or result.warning or ""

    def _warning(self, line: int) -> str:
        return _line_result(self.text(line), self.validate).warning or ""

    # -- the vectorised scanner ------------------------------------------------------------

    def _scan(self, lines: IntArray) -> None:
        """Classify printable record lines in bulk; lines it cannot settle go to :meth:`_slow`.

        Sets ``self.sentences``: the AIS sentences to decode (line index, sentence start
        and end, payload start and length, fill bits, fragment count), and
        ``self.slow_lines``.
        """
        buf, start, end = self.buf, self.start[lines], self.end[lines]
        prefix = np.zeros(len(buf) + 1, dtype=np.uint8)
        np.bitwise_xor.accumulate(buf, out=prefix[1:])
        stars = np.flatnonzero(buf == ord("*"))
        commas = np.flatnonzero(buf == ord(","))
        slow = np.zeros(len(lines), dtype=bool)
        rejected = np.zeros(len(lines), dtype=bool)

        # tag blocks
        body = start.copy()
        tagged = np.flatnonzero(buf[start] == ord("\\"))
        if tagged.size:
            closing = _next(np.flatnonzero(buf == ord("\\")), start[tagged] + 1)
            unterminated = closing >= end[tagged]
            self.events.add(lines[tagged[unterminated]], "malformed sentence", self._detail)
            rejected[tagged[unterminated]] = True
            keep = ~unterminated
            tagged, closing = tagged[keep], closing[keep]
            star = _next(stars, start[tagged] + 1)
            check, is_hex = _hex_pair(buf, np.minimum(star + 1, len(buf) - 2))
            plain = (star + 3 == closing) & is_hex  # the common "...*hh\" shape
            slow[tagged[~plain]] = True
            tagged, closing, star, check = tagged[plain], closing[plain], star[plain], check[plain]
            if self.validate:
                bad = _xor(prefix, start[tagged] + 1, star) != check
                self.events.add(lines[tagged[bad]], "bad checksum", self._detail)
                rejected[tagged[bad]] = True
                tagged, closing, star = tagged[~bad], closing[~bad], star[~bad]
            body[tagged] = closing + 1
            self._tag_fields(lines[tagged], start[tagged], star, commas)

        # bodies
        live = np.flatnonzero(~slow & ~rejected)
        first = np.zeros(len(live), dtype=np.uint8)
        has_body = body[live] < end[live]
        first[has_body] = buf[body[live][has_body]]
        dollar = live[first == ord("$")]
        bang = live[first == ord("!")]
        other = live[(first != ord("$")) & (first != ord("!"))]
        self.events.add(lines[other], "not an NMEA sentence", lambda line: "not an NMEA sentence")
        kind = buf[np.minimum(body[bang][:, None] + np.arange(3, 7), len(buf) - 1)]
        is_ais = (
            (body[bang] + 7 <= end[bang])
            & (kind[:, 0] == ord("V"))
            & (kind[:, 1] == ord("D"))
            & ((kind[:, 2] == ord("M")) | (kind[:, 2] == ord("O")))
            & (kind[:, 3] == ord(","))
        )
        not_ais = bang[~is_ais]
        self.events.add(lines[not_ais], "non-AIS sentence", self._detail)
        ais = bang[is_ais]

        # the checksum star of $ and AIS bodies, and receiver fields after it
        sentences = np.concatenate((dollar, ais))
        star = _next(stars, body[sentences])
        check, is_hex = _hex_pair(buf, np.minimum(star + 1, len(buf) - 2))
        has_star = star < end[sentences]
        trailing = has_star & (end[sentences] > star + 3) & is_hex
        self.trailing[lines[sentences[trailing]]] = True
        # the common shape ends right after "*hh"; anything else is left to the reference rule
        plain = has_star & is_hex & ((end[sentences] == star + 3) | trailing)
        slow[sentences[~plain]] = True
        sentences, star, check = sentences[plain], star[plain], check[plain]
        is_dollar = np.isin(sentences, dollar)
        self._pghp(lines, sentences[is_dollar], body, star[is_dollar], check[is_dollar], prefix, commas, slow)
        self._ais_fields(
            lines, sentences[~is_dollar], body, star[~is_dollar], check[~is_dollar], prefix, commas, slow
        )
        self.slow_lines = lines[np.flatnonzero(slow)]

    def _tag_fields(self, lines: IntArray, tag_start: IntArray, star: IntArray, commas: IntArray) -> None:
        """Time (``c:``) and station (``s:``) of well-formed tag blocks; the last of a key wins."""
        buf = self.buf
        colons = np.flatnonzero(buf == ord(":"))
        colons = colons[colons >= 2]
        opening = (buf[colons - 2] == ord(",")) | (buf[colons - 2] == ord("\\"))
        for key in (ord("c"), ord("s")):
            keys = colons[opening & (buf[colons - 1] == key)] - 1
            index = np.searchsorted(keys, star) - 1
            found = index >= 0
            found[found] = keys[index[found]] > tag_start[found]
            where = np.flatnonzero(found)
            value_start = keys[index[where]] + 2
            value_end = np.minimum(_next(commas, value_start), star[where])
            if key == ord("s"):
                self.station_range[lines[where]] = np.column_stack((value_start, value_end))
                continue
            time, ok = _tag_time(buf, value_start, value_end)
            self.time_event[lines[where[ok]]] = time[ok]
            bad = lines[where[~ok]]
            self.events.add(bad, "bad tag block time", self._warning, kept=True)

    def _pghp(
        self,
        lines: IntArray,
        which: IntArray,
        body: IntArray,
        star: IntArray,
        check: IntArray,
        prefix: npt.NDArray[np.uint8],
        commas: IntArray,
        slow: BoolArray,
    ) -> None:
        buf = self.buf
        begin = body[which]
        name = buf[np.minimum(begin[:, None] + np.arange(1, 6), len(buf) - 1)]
        is_pghp = (begin + 6 <= star) & (name == np.frombuffer(b"PGHP,", dtype=np.uint8)).all(axis=1)
        not_pghp = which[~is_pghp]
        self.events.add(lines[not_pghp], "non-AIS sentence", self._detail)
        which, begin, star, check = which[is_pghp], begin[is_pghp], star[is_pghp], check[is_pghp]
        if self.validate:
            bad = _xor(prefix, begin + 1, star) != check
            self.events.add(lines[which[bad]], "bad checksum", self._detail)
            which, begin, star = which[~bad], begin[~bad], star[~bad]
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
        slow[which[present & ~well_formed]] = True
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
        self.events.add(lines[which[malformed]], "malformed sentence", self._detail)
        which = which[valid]
        sel = np.flatnonzero(valid)
        epoch_months = (year[sel] - 1970) * 12 + month_index[sel]
        dates = epoch_months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + day[sel] - 1
        time = (((dates * 24 + hour[sel]) * 60 + minute[sel]) * 60 + second[sel]) * 1_000_000_000
        time += millis[sel] * 1_000_000
        self.time_event[lines[which]] = time
        self.pghp[lines[which]] = True

    def _ais_fields(
        self,
        lines: IntArray,
        which: IntArray,
        body: IntArray,
        star: IntArray,
        check: IntArray,
        prefix: npt.NDArray[np.uint8],
        commas: IntArray,
        slow: BoolArray,
    ) -> None:
        """AIS sentences of exactly seven plain fields; others go to the reference rule."""
        buf = self.buf
        begin = body[which]
        first_comma = np.searchsorted(commas, begin)
        index = first_comma[:, None] + np.arange(7)
        at = commas[np.minimum(index, len(commas) - 1)] if len(commas) else np.zeros(index.shape, np.int64)
        exists = index < len(commas)
        # six commas before the star, and the first one right after "!xxVDM"
        plain = (
            exists[:, 5] & (at[:, 0] == begin + 6) & (at[:, 5] < star) & (~exists[:, 6] | (at[:, 6] > star))
        )
        count = _DIGIT[buf[np.minimum(at[:, 0] + 1, len(buf) - 1)]]
        number = _DIGIT[buf[np.minimum(at[:, 1] + 1, len(buf) - 1)]]
        sequence_width = at[:, 3] - at[:, 2] - 1
        sequence = _DIGIT[buf[np.minimum(at[:, 2] + 1, len(buf) - 1)]]
        fill = _DIGIT[buf[np.minimum(at[:, 5] + 1, len(buf) - 1)]]
        payload_length = at[:, 5] - at[:, 4] - 1
        plain &= (at[:, 1] == at[:, 0] + 2) & (at[:, 2] == at[:, 1] + 2)  # one-digit count and number
        plain &= (count >= 1) & (number >= 1) & (number <= count)
        plain &= (sequence_width == 0) | ((sequence_width == 1) & (sequence >= 0))
        plain &= at[:, 4] - at[:, 3] - 1 <= 1  # channel: empty or one character
        plain &= (star == at[:, 5] + 2) & (fill >= 0) & (fill <= 5)
        plain &= payload_length <= 200
        slow[which[~plain]] = True
        keep = np.flatnonzero(plain)
        which, begin, star, check = which[keep], begin[keep], star[keep], check[keep]
        payload_start, payload_length = at[keep, 4] + 1, payload_length[keep]
        fill, count = fill[keep], count[keep]
        if self.validate:
            bad = _xor(prefix, begin + 1, star) != check
            self.events.add(lines[which[bad]], "bad checksum", lambda line: "bad checksum")
            good = np.flatnonzero(~bad)
            which, begin, star, payload_start = which[good], begin[good], star[good], payload_start[good]
            payload_length, fill, count = payload_length[good], fill[good], count[good]
        empty = payload_length == 0
        self.events.add(lines[which[empty]], "empty payload", lambda line: "empty payload")
        full = np.flatnonzero(~empty)
        self.sentences = {
            "line": lines[which[full]],
            "begin": begin[full],
            "end": star[full] + 3,
            "payload_start": payload_start[full],
            "payload_length": payload_length[full],
            "fill": fill[full],
            "count": count[full],
        }

    # -- lines the scanner left to the reference rule ----------------------------------------

    def _slow(self, lines: IntArray) -> list[_Fragment]:
        """Apply :func:`_line_result` to each line; the AIS sentences it gives, undated yet."""
        self.slow = np.zeros(len(self.start), dtype=bool)
        self.slow[lines] = True
        sentences: list[_Fragment] = []
        for line in lines.tolist():
            text = self.text(line)
            result = _line_result(text, self.validate)
            self.time_event[line] = -1 if result.time is None else result.time
            self.station_range[line] = -1
            if result.station is not None:
                self.station_text[line] = result.station
            self.trailing[line] = result.trailing
            self.pghp[line] = result.pghp
            if result.warning is not None:
                self.slow_events.append((line, line, result.warning, True))
            if result.rejection is not None:
                self.slow_events.append((line, line, result.rejection, False))
            if result.sentence is not None:
                sentences.append(_Fragment(line + 1, result.sentence, 0, result.station, text))
        return sentences

    # -- time, and the sentences to decode ---------------------------------------------------

    def _times(self) -> IntArray:
        """The time of each line: the last time set at or before it, else the reference (-1: none)."""
        has = self.time_event >= 0
        last = (
            np.maximum.accumulate(np.where(has, np.arange(len(has)), -1))
            if len(has)
            else np.zeros(0, np.int64)
        )
        reference = -1 if self.reference is None else self.reference
        return np.where(last >= 0, self.time_event[np.maximum(last, 0)], reference)

    def _station(self, line: int) -> str | None:
        if line in self.station_text:
            return self.station_text[line]
        low, high = self.station_range[line]
        return None if low < 0 else self.data[low:high].decode("ascii")

    def _sentences(self, slow_fragments: list[_Fragment]) -> None:
        times = self._times()
        fast = self.sentences
        keep = ~self.slow[fast["line"]]  # a line both scanned and re-read counts once, as re-read
        fast = {key: values[keep] for key, values in fast.items()}
        slow_lines = np.array([fragment.line - 1 for fragment in slow_fragments], dtype=np.int64)
        undated = np.concatenate((fast["line"][times[fast["line"]] < 0], slow_lines[times[slow_lines] < 0]))
        if undated.size:
            raise ReferenceTimeError(
                self.name,
                "no time for this sentence: no tag block c: or $PGHP line before it; "
                "pass reference_time= (timezone-aware) to date such logs",
                line=int(undated.min()) + 1,
            )
        single = fast["count"] == 1
        decodable = single & fastdecode.buffer_decodable(
            self.buf, fast["payload_start"], fast["payload_length"], fast["fill"]
        )
        self._fast_positions({key: values[decodable] for key, values in fast.items()}, times)
        fragments = [
            _Fragment(
                line + 1, cast(AISSentence, NMEASentenceFactory.produce(self.data[begin:end])), 0, None, b""
            )
            for line, begin, end in zip(
                fast["line"][~decodable].tolist(),
                fast["begin"][~decodable].tolist(),
                fast["end"][~decodable].tolist(),
                strict=True,
            )
        ]
        fragments.extend(slow_fragments)
        fragments.sort(key=lambda fragment: fragment.line)
        self.pending: dict[tuple[str, str, int, str, int], list[_Fragment]] = {}
        for fragment in fragments:
            line = fragment.line - 1
            self.now = line
            dated = _Fragment(
                fragment.line, fragment.sentence, int(times[line]), self._station(line), self.text(line)
            )
            self._fragment(dated)
        self.now = len(self.start)  # after the last line
        for parts in self.pending.values():
            self._reject(parts, "incomplete multipart message: partner fragment never came")
        self.pending.clear()

    def _fast_positions(self, fast: dict[str, IntArray], times: IntArray) -> None:
        """Single-sentence position reports decoded in bulk, checked as :meth:`_rows` checks them."""
        decoded = fastdecode.decode_buffer(
            self.buf, fast["payload_start"], fast["payload_length"], fast["fill"]
        )
        lines = fast["line"]
        mmsi = decoded["mmsi"].to_numpy(dtype=np.int64)
        lat, lon = decoded["lat"].to_numpy(), decoded["lon"].to_numpy()
        bad_mmsi = (mmsi < MMSI_MIN) | (mmsi > MMSI_MAX)
        bad_lat = ~bad_mmsi & ((lat < -90.0) | (lat > 90.0))
        bad_lon = ~bad_mmsi & ~bad_lat & ((lon < -180.0) | (lon > 180.0))
        for mask, label, values in (
            (bad_mmsi, "invalid MMSI", mmsi),
            (bad_lat, "invalid latitude", lat),
            (bad_lon, "invalid longitude", lon),
        ):
            where = np.flatnonzero(mask)
            self.events.add(lines[where], label, _value_detail(label, lines[where], values[where]))
        ok = np.flatnonzero(~(bad_mmsi | bad_lat | bad_lon))
        kinds = decoded["msg_type"].to_numpy(dtype=np.int64)[ok]
        self.log.accept(len(ok))
        if len(ok):
            self.log.note("decoded sentences", len(ok))
        for kind, count in zip(*np.unique(kinds, return_counts=True), strict=True):
            self.log.note(f"message type {kind}", int(count))
        status = decoded["status"].to_numpy(dtype="float64", na_value=np.nan)[ok]
        rows = lines[ok]
        self.fast_rows = pd.DataFrame(
            {
                "_seq": rows + 1,
                POSITION.TIMESTAMP: pd.to_datetime(times[rows], unit="ns", utc=True),
                POSITION.MMSI: pd.array(mmsi[ok], dtype="Int64"),
                POSITION.LAT: lat[ok],
                POSITION.LON: lon[ok],
                POSITION.SOG: decoded["speed"].to_numpy()[ok],
                POSITION.COG: decoded["course"].to_numpy()[ok],
                POSITION.HEADING: decoded["heading"].to_numpy(dtype="float64")[ok],
                POSITION.NAV_STATUS: pd.array(status, dtype="Float64").astype("Int8"),
                POSITION.SOURCE: self._sources(rows),
            }
        )

    def _sources(self, rows: IntArray) -> pd.Series:
        """``nmea`` or ``nmea:<station>`` for each line, built per distinct station."""
        low, high = self.station_range[rows, 0], self.station_range[rows, 1]
        sources = np.full(len(rows), SOURCE, dtype=object)
        named = np.flatnonzero(low >= 0)
        if named.size:
            texts = [self.data[a:b] for a, b in zip(low[named].tolist(), high[named].tolist(), strict=True)]
            codes, unique = pd.factorize(pd.Series(texts, dtype=object))
            labels = np.array([f"{SOURCE}:{station.decode('ascii')}" for station in unique], dtype=object)
            sources[named] = labels[codes]
        return pd.Series(sources, dtype="string")

    # -- the stateful part: multipart assembly, and pyais for everything else ---------------------

    def _reject(self, fragments: list[_Fragment], reason: str) -> None:
        for fragment in fragments:
            self.slow_events.append((self.now, fragment.line - 1, reason, False))

    def _fragment(self, fragment: _Fragment) -> None:
        sentence = fragment.sentence
        if sentence.frag_cnt == 1:
            self._decode([fragment])
            return
        seq_id = -1 if sentence.seq_id is None else sentence.seq_id
        key = (sentence.talker_id, sentence.type, seq_id, sentence.channel, sentence.frag_cnt)
        parts = self.pending.get(key)
        if sentence.frag_num == 1:
            if parts:
                self._reject(parts, "incomplete multipart message: superseded by a new first fragment")
            parts = self.pending[key] = [fragment]
        elif parts and sentence.frag_num == len(parts) + 1:
            parts.append(fragment)
        else:
            self._reject([fragment], "incomplete multipart message: fragment without its predecessors")
            return
        if len(parts) == sentence.frag_cnt:
            del self.pending[key]
            self._decode(parts)

    def _decode(self, fragments: list[_Fragment]) -> None:
        if len(fragments) == 1:
            sentence = fragments[0].sentence
        else:
            sentence = AISSentence.assemble_from_iterable([f.sentence for f in fragments])
        try:
            message = sentence.decode()
        except _DECODE_ERRORS as exc:
            self._reject(fragments, f"undecodable payload: {type(exc).__name__}: {exc}")
            return
        kind = int(message.msg_type)
        if kind in POSITION_MESSAGE_TYPES or kind in STATIC_MESSAGE_TYPES:
            problem = self._rows(kind, message, fragments[0], fragments[-1].line)
            if problem is not None:
                self._reject(fragments, problem)
                return
        self.log.accept(len(fragments))
        self.log.note(f"message type {kind}")
        self.log.note("decoded sentences", len(fragments))

    def _rows(self, kind: int, message: Any, first: _Fragment, seq: int) -> str | None:
        """Append the message's position and/or identity row; a rejection reason if it has none."""
        mmsi = message.mmsi
        if mmsi is None:
            return "undecodable payload: truncated message"
        if not MMSI_MIN <= mmsi <= MMSI_MAX:
            return f"invalid MMSI: {mmsi}"
        source = SOURCE if first.station is None else f"{SOURCE}:{first.station}"
        if kind in POSITION_MESSAGE_TYPES:
            lat, lon = message.lat, message.lon
            if lat is None or lon is None:
                return "undecodable payload: truncated message"
            if not -90.0 <= lat <= 90.0:
                return f"invalid latitude: {lat}"
            if not -180.0 <= lon <= 180.0:
                return f"invalid longitude: {lon}"
            sog, cog = _number(message.speed), _number(message.course)
            if kind == 27:
                heading = np.nan
                sog = np.nan if sog == _T27_SPEED_NA else sog
                cog = np.nan if cog == _T27_COURSE_NA else cog
            else:
                heading = _number(message.heading)
            status = _code(message.status, 0, 15) if kind in (1, 2, 3, 27) else None
            name = _text(message.shipname) if kind == 19 else None
            ship_type = _code(message.ship_type, 1, 255) if kind == 19 else None
            self.positions.append(
                (seq, first.time, mmsi, lat, lon, sog, cog, heading, status, name, ship_type, source)
            )
            return None
        if kind == 5:
            imo = _code(message.imo, 1, 2**30)
            if imo is not None and not is_valid_imo(imo):
                self.slow_events.append(
                    (self.now, first.line - 1, f"invalid IMO: {imo} of MMSI {mmsi}", True)
                )
                imo = None
            draught = _number(message.draught)
            self.statics.append(
                (
                    seq,
                    first.time,
                    mmsi,
                    imo,
                    _text(message.shipname),
                    _text(message.callsign),
                    _code(message.ship_type, 1, 255),
                    _text(message.destination),
                    draught if draught > 0 else np.nan,
                )
            )
        elif kind == 24:
            part_a = message.partno == 0
            name = _text(message.shipname) if part_a else None
            call_sign = None if part_a else _text(message.callsign)
            ship_type = None if part_a else _code(message.ship_type, 1, 255)
            self.statics.append((seq, first.time, mmsi, None, name, call_sign, ship_type, None, np.nan))
        return None

    # -- accounting and the frame ------------------------------------------------------------

    def _flush_events(self) -> None:
        """Count every rejection and warning; the first ones in line order become samples."""
        pghp = int((self.pghp).sum())
        self.log.accept(pghp)
        if pghp:
            self.log.note("PGHP lines", pghp)
        trailing = int(self.trailing.sum())
        if trailing:
            self.log.note("trailing fields after checksum ignored", trailing)
        found, lines, groups, kept = [], [], [], []
        for index, (group_lines, _reason, group_kept, _detail) in enumerate(self.events.groups):
            group_lines = group_lines[~self.slow[group_lines]]  # re-read lines: their own events count
            found.append(group_lines)
            lines.append(group_lines)
            groups.append(np.full(len(group_lines), index, dtype=np.int64))
            kept.append(np.full(len(group_lines), group_kept))
        slow_index = len(self.events.groups)
        found.append(np.array([event[0] for event in self.slow_events], dtype=np.int64))
        lines.append(np.array([event[1] for event in self.slow_events], dtype=np.int64))
        groups.append(np.arange(len(self.slow_events), dtype=np.int64) + slow_index)
        kept.append(np.array([event[3] for event in self.slow_events], dtype=bool))
        all_lines, all_groups = np.concatenate(lines), np.concatenate(groups)
        all_kept = np.concatenate(kept)
        order = np.argsort(np.concatenate(found), kind="stable")
        for position in order[:MAX_SAMPLES].tolist():
            line, group = int(all_lines[position]), int(all_groups[position])
            if group >= slow_index:
                reason = self.slow_events[group - slow_index][2]
            else:
                reason = self.events.groups[group][3](line)
            if all_kept[position]:
                self.log.warn(reason, line=line + 1, raw=self._raw(line))
            else:
                self.log.reject(reason, line=line + 1, raw=self._raw(line))
        rest = order[MAX_SAMPLES:]
        if rest.size:
            classes: dict[tuple[str, bool], int] = {}
            for group, count in zip(*np.unique(all_groups[rest], return_counts=True), strict=True):
                if group >= slow_index:
                    _, _, reason, is_kept = self.slow_events[group - slow_index]
                    reason = reason.split(":", 1)[0].strip()
                else:
                    reason, is_kept = self.events.groups[group][1], self.events.groups[group][2]
                classes[(reason, is_kept)] = classes.get((reason, is_kept), 0) + int(count)
            for (reason, is_kept), count in classes.items():
                if is_kept:
                    self.log.warnings[reason] += count
                else:
                    self.log.reject(reason, n=count)

    def _frame(self) -> pd.DataFrame:
        report = self.log.report(format=FORMAT)
        slow = _typed(pd.DataFrame.from_records(self.positions, columns=list(_POSITION_ROW)))
        parts = [
            frame for frame in (getattr(self, "fast_rows", None), slow) if frame is not None and len(frame)
        ]
        positions = _typed(pd.concat(parts, ignore_index=True)) if parts else slow
        if len(parts) > 1:  # rows decoded in bulk and one by one: back to file order, for ties
            positions = positions.sort_values("_seq", kind="stable", ignore_index=True)
        if self.statics:
            statics = _typed(pd.DataFrame.from_records(self.statics, columns=list(_STATIC_ROW)))
            positions[_ROLE] = True
            statics[_ROLE] = False
            both = pd.concat([positions, statics[[*positions.columns]]], ignore_index=True)
            both = both.sort_values([POSITION.MMSI, POSITION.TIMESTAMP, "_seq"], kind="stable")
            both[list(_IDENTITY)] = both.groupby(POSITION.MMSI, sort=False)[list(_IDENTITY)].ffill()
            positions = both[both[_ROLE]]
        return finish(clean_motion(positions), report)


_ROLE = "_is_position"


def _text(value: object) -> str | None:
    """A 6-bit AIS text field without its '@' padding and spaces; empty -> None."""
    if not isinstance(value, str):
        return None
    return value.strip("@ ").strip() or None


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def _code(value: object, low: int, high: int) -> int | None:
    if isinstance(value, int) and low <= int(value) <= high:
        return int(value)
    return None


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows collected as tuples (or decoded in bulk), cast to the positions dtypes."""
    out = frame.copy()
    if not isinstance(out[POSITION.TIMESTAMP].dtype, pd.DatetimeTZDtype):
        out[POSITION.TIMESTAMP] = pd.to_datetime(out[POSITION.TIMESTAMP].astype("int64"), unit="ns", utc=True)
    for column in POSITION_DTYPES:
        if column == POSITION.TIMESTAMP:
            continue
        dtype = POSITION_DTYPES[column]
        if column not in out.columns:
            out[column] = pd.Series(index=out.index, dtype=dtype)
        else:
            out[column] = out[column].astype(dtype)  # type: ignore[call-overload]  # runtime dtype string
    return out
