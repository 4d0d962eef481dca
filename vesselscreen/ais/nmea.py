r"""Reader for raw NMEA 0183 AIS logs (``!AIVDM`` / ``!AIVDO``), decoded with pyais.

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
``notes`` by type (``"message type 4"``), whether or not they give rows.

``source`` is ``"nmea"``, or ``"nmea:<station>"`` when a tag block names its source
station (``s:``).

>>> import io
>>> log = "\\c:1241544035,s:r003669945*79\\!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13\n"
>>> row = read_nmea(io.StringIO(log)).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), float(row["lat"]), row["source"]
(367078248, '2009-05-05 17:20:35+00:00', 28.230963, 'nmea:r003669945')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import xor
from typing import Any

import numpy as np
import pandas as pd
from pyais.exceptions import AISBaseException
from pyais.messages import AISSentence, NMEASentenceFactory

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
from vesselscreen.ingest import RejectionLog
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


def read_nmea(
    source: AISSource,
    *,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> pd.DataFrame:
    """Decode an NMEA AIS log (path or file object, optionally gzipped) into a positions frame.

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
    """:func:`read_nmea` on an open binary stream (any iterable of lines) named ``name``."""
    parser = _Parser(name, reference_ns(reference_time, name), validate_checksum)
    parser.feed_lines(stream)
    return parser.frame()


@dataclass(frozen=True, slots=True)
class _Fragment:
    line: int
    sentence: AISSentence
    time: int
    station: str | None
    raw: bytes


def _checksum_ok(payload: bytes, check: bytes) -> bool:
    try:
        return int(check, 16) == reduce(xor, payload, 0)
    except ValueError:
        return False


def _tag_block(raw: bytes) -> tuple[dict[str, str], bool]:
    """Fields of an NMEA 4.0 tag block (``c:..,s:..*hh``) and whether its checksum holds."""
    payload, star, check = raw.partition(b"*")
    fields: dict[str, str] = {}
    for field in payload.decode("ascii", errors="replace").split(","):
        key, colon, value = field.partition(":")
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
        return int(whole) * 1_000_000_000 + int((fraction + "000000000")[:9])
    return None


def _pghp_time_ns(data: bytes) -> int | None:
    """UTC nanoseconds of ``PGHP,1,yyyy,m,d,h,m,s,ms,...`` (Gatehouse writes UTC), or None.

    >>> _pghp_time_ns(b"PGHP,1,2010,6,11,11,46,12,470,219,,2190064,1,5D")
    1276256772470000000
    """
    fields = data.split(b",")
    try:
        year, month, day, hour, minute, second, millis = (int(field) for field in fields[2:9])
        moment = datetime(year, month, day, hour, minute, second, millis * 1000)
    except ValueError:
        return None
    return (moment - _EPOCH) // _MICROSECOND * 1000


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


class _Parser:
    """State of one pass over a log: current time, pending fragments, collected rows."""

    def __init__(self, name: str, reference: int | None, validate_checksum: bool) -> None:
        self.name = name
        self.reference = reference
        self.validate = validate_checksum
        self.log = RejectionLog(name)
        self.time: int | None = None
        self.pending: dict[tuple[str, str, int, str, int], list[_Fragment]] = {}
        self.seq = 0
        self.positions: list[tuple[Any, ...]] = []
        self.statics: list[tuple[Any, ...]] = []

    # -- lines -------------------------------------------------------------------------

    def feed_lines(self, lines: Iterable[bytes]) -> None:
        for number, raw in enumerate(lines, start=1):
            text = raw.strip()
            if not text:
                self.log.note("blank lines")
            elif text[:1] == b"#":
                self.log.note("comment lines")
            else:
                self._line(number, text)
        for fragments in self.pending.values():
            self._reject(fragments, "incomplete multipart message: partner fragment never came")
        self.pending.clear()

    def _reject_line(self, number: int, text: bytes, reason: str) -> None:
        self.log.reject(reason, line=number, raw=text.decode("ascii", errors="replace"))

    def _reject(self, fragments: list[_Fragment], reason: str) -> None:
        for fragment in fragments:
            self._reject_line(fragment.line, fragment.raw, reason)

    def _line(self, number: int, text: bytes) -> None:
        body, station = text, None
        if text[:1] == b"\\":
            end = text.find(b"\\", 1)
            if end < 0:
                self._reject_line(number, text, "malformed sentence: unterminated tag block")
                return
            fields, valid = _tag_block(text[1:end])
            if self.validate and not valid:
                self._reject_line(number, text, "bad checksum: tag block")
                return
            body, station = text[end + 1 :], fields.get("s")
            if "c" in fields:
                time = _tag_time_ns(fields["c"])
                if time is None:
                    self.log.warn(
                        f"bad tag block time: c:{fields['c']}",
                        line=number,
                        raw=text.decode("ascii", errors="replace"),
                    )
                else:
                    self.time = time
        if body[:1] == b"$":
            self._dollar(number, text, body)
        elif body[:1] == b"!" and body[3:7] in (b"VDM,", b"VDO,"):
            self._ais(number, text, body, station)
        elif body[:1] == b"!":
            kind = body[1:].split(b",", 1)[0].decode("ascii", errors="replace")
            self._reject_line(number, text, f"non-AIS sentence: {kind}")
        else:
            self._reject_line(number, text, "not an NMEA sentence")

    def _trim(self, body: bytes) -> bytes:
        """The sentence up to its ``*hh`` checksum; trailing receiver fields are dropped and noted.

        Some receivers append fields after the checksum (``...,0*0F,1276256770``, ``...*5B,s36310,d-081``).
        """
        star = body.find(b"*")
        end = star + 3
        if star < 0 or len(body) <= end or not _HEX2.fullmatch(body[star + 1 : end]):
            return body
        self.log.note("trailing fields after checksum ignored")
        return body[:end]

    def _dollar(self, number: int, text: bytes, body: bytes) -> None:
        body = self._trim(body)
        kind = body[1:].split(b",", 1)[0]
        if kind != b"PGHP":
            self._reject_line(number, text, f"non-AIS sentence: {kind.decode('ascii', errors='replace')}")
            return
        data, star, check = body[1:].partition(b"*")
        if self.validate and not (star and _checksum_ok(data, check)):
            self._reject_line(number, text, "bad checksum: PGHP")
            return
        time = _pghp_time_ns(data)
        if time is None:
            self._reject_line(number, text, "malformed sentence: PGHP without a valid date and time")
            return
        self.time = time
        self.log.accept()
        self.log.note("PGHP lines")

    def _current_time(self, number: int) -> int:
        if self.time is not None:
            return self.time
        if self.reference is not None:
            return self.reference
        raise ReferenceTimeError(
            self.name,
            "no time for this sentence: no tag block c: or $PGHP line before it; "
            "pass reference_time= (timezone-aware) to date such logs",
            line=number,
        )

    def _ais(self, number: int, text: bytes, body: bytes, station: str | None) -> None:
        body = self._trim(body)
        try:
            sentence = NMEASentenceFactory.produce(body)
        except _DECODE_ERRORS as exc:
            self._reject_line(number, text, f"malformed sentence: {exc}")
            return
        if not isinstance(sentence, AISSentence):  # pragma: no cover - produce() dispatches on VDM/VDO
            self._reject_line(number, text, "malformed sentence")
            return
        if self.validate and not sentence.is_valid:
            self._reject_line(number, text, "bad checksum")
            return
        if not sentence.payload:
            self._reject_line(number, text, "empty payload")
            return
        fragment = _Fragment(number, sentence, self._current_time(number), station, text)
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

    # -- messages ----------------------------------------------------------------------

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
            problem = self._rows(kind, message, fragments[0])
            if problem is not None:
                self._reject(fragments, problem)
                return
        self.log.accept(len(fragments))
        self.log.note(f"message type {kind}")
        self.log.note("decoded sentences", len(fragments))

    def _rows(self, kind: int, message: Any, first: _Fragment) -> str | None:
        """Append the message's position and/or identity row; a rejection reason if it has none."""
        mmsi = message.mmsi
        if mmsi is None:
            return "undecodable payload: truncated message"
        if not MMSI_MIN <= mmsi <= MMSI_MAX:
            return f"invalid MMSI: {mmsi}"
        source = SOURCE if first.station is None else f"{SOURCE}:{first.station}"
        self.seq += 1
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
                (self.seq, first.time, mmsi, lat, lon, sog, cog, heading, status, name, ship_type, source)
            )
            return None
        if kind == 5:
            imo = _code(message.imo, 1, 2**30)
            if imo is not None and not is_valid_imo(imo):
                self.log.warn(
                    f"invalid IMO: {imo} of MMSI {mmsi}",
                    line=first.line,
                    raw=first.raw.decode("ascii", errors="replace"),
                )
                imo = None
            draught = _number(message.draught)
            self.statics.append(
                (
                    self.seq,
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
            self.statics.append((self.seq, first.time, mmsi, None, name, call_sign, ship_type, None, np.nan))
        return None

    # -- frame -------------------------------------------------------------------------

    def frame(self) -> pd.DataFrame:
        report = self.log.report(format=FORMAT)
        positions = _typed(pd.DataFrame.from_records(self.positions, columns=list(_POSITION_ROW)))
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


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows collected as tuples, cast to the positions dtypes (all identity columns present)."""
    out = frame.copy()
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
