"""Vectorised decoding of AIS position reports (message types 1, 2, 3 and 18) with numpy.

pyais decodes one message at a time in Python (about 30 µs each). Position reports are
most of any AIS feed and all share one 168-bit layout per class, so this module decodes
whole arrays of them at once: the 6-bit ASCII armour of every payload becomes a row of
a ``uint8`` matrix, the rows are packed into three 60-bit words, and each field is cut
out of the words with shifts and masks (signed fields by two's complement), then scaled
exactly as pyais scales it. The result is identical to pyais, field for field
(ITU-R M.1371-5, and https://gpsd.gitlab.io/gpsd/AIVDM.html for the layout).

A payload is decoded here when its message type is 1, 2, 3 or 18 and it has at least
168 bits after its fill bits; the ``decoded`` column says which rows were. Anything
else (other types, short payloads) is left for pyais.

>>> payloads = [b"15RTgt0PAso;90TKcjM8h6g208CQ", b"B3P9T4P08Ws0Ba8=FpR7wwb5oP06", b"55?MbV02"]
>>> decode_positions(payloads)[["decoded", "msg_type", "mmsi", "lat", "lon", "speed", "course", "heading"]]
   decoded  msg_type       mmsi        lat         lon  speed  course  heading
0     True         1  371798000  48.381633 -123.395383   12.3   224.0      215
1     True        18  235037714  57.383053   -4.365090    3.4   217.5      511
2    False      <NA>       <NA>        NaN         NaN    NaN     NaN     <NA>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # idem

from vesselscreen.errors import ConfigError

__all__ = [
    "COLUMNS",
    "FAST_TYPES",
    "IDENTITY_TYPES",
    "KNOWN_TYPES",
    "MESSAGE_BITS",
    "POSITION_TYPES",
    "Messages",
    "armour_values",
    "buffer_decodable",
    "decode_buffer",
    "decode_messages",
    "decode_positions",
    "fast_decodable",
]

FAST_TYPES: Final = frozenset({1, 2, 3, 18})
"""Message types this module decodes; every other type goes to pyais."""

MESSAGE_BITS: Final = 168
"""Length of a type 1/2/3/18 message: 28 armoured characters."""

_CHARS: Final = MESSAGE_BITS // 6

# the armoured first character of each fast type: '1', '2', '3', 'B'
_FAST_FIRST: Final = np.zeros(256, dtype=bool)
_FAST_FIRST[[ord("1"), ord("2"), ord("3"), ord("B")]] = True

UInt64Array = npt.NDArray[np.uint64]
Int64Array = npt.NDArray[np.int64]


def _byte_rows(data: npt.NDArray[np.uint8], starts: Int64Array, width: int) -> npt.NDArray[np.uint8]:
    """``width`` bytes of ``data`` from each of ``starts``, one row each (a copy).

    The bytes at every offset are viewed as one ``width``-byte item, so that rows are
    gathered as items, each copied whole: a fancy index of a sliding-window view copies
    them byte by byte, about 2.5 times slower, and holds the GIL meanwhile.
    """
    if not len(starts):
        return np.zeros((0, width), dtype=np.uint8)
    items = np.ndarray(shape=(len(data) - width + 1,), dtype=f"V{width}", buffer=data, strides=(1,))
    rows: npt.NDArray[np.uint8] = items[starts].view(np.uint8).reshape(len(starts), width)
    return rows


def armour_values(chars: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The 6-bit values of armoured payload characters (any shape), as pyais reads them.

    >>> armour_values(np.frombuffer(b"0W`w", dtype=np.uint8)).tolist()
    [0, 39, 40, 63]
    """
    # arithmetic rather than a table lookup: several times faster on large matrices
    offset = chars - np.uint8(48)  # wraps around for bytes below '0'
    values: npt.NDArray[np.uint8] = offset - np.uint8(8) * (offset > 40)
    values *= offset <= 71  # bytes above 'w' (and below '0') are 0, as in pyais
    return values


def _buffer(payloads: Sequence[bytes]) -> tuple[npt.NDArray[np.uint8], Int64Array, Int64Array]:
    """All payloads in one byte array, with each payload's start offset and length."""
    lengths = np.fromiter(map(len, payloads), dtype=np.int64, count=len(payloads))
    starts = np.zeros(len(payloads), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    data = np.frombuffer(b"".join(payloads), dtype=np.uint8)
    return data, starts, lengths


def fast_decodable(
    payloads: Sequence[bytes], fill_bits: Sequence[int] | None = None
) -> npt.NDArray[np.bool_]:
    """Mask of the payloads :func:`decode_positions` decodes: type 1/2/3/18, >= 168 bits.

    >>> fast_decodable([b"15RTgt0PAso;90TKcjM8h6g208CQ", b"15RTgt0PAso", b"55?MbV02"]).tolist()
    [True, False, False]
    """
    data, starts, lengths = _buffer(payloads)
    return buffer_decodable(data, starts, lengths, _fill(fill_bits, len(payloads)))


def _fill(fill_bits: Sequence[int] | None, count: int) -> Int64Array:
    if fill_bits is None:
        return np.zeros(count, dtype=np.int64)
    fill = np.asarray(fill_bits, dtype=np.int64)
    if fill.shape != (count,):
        raise ConfigError(f"fill_bits has {fill.size} values for {count} payloads")
    return fill


def buffer_decodable(
    data: npt.NDArray[np.uint8], starts: Int64Array, lengths: Int64Array, fill_bits: Int64Array
) -> npt.NDArray[np.bool_]:
    """:func:`fast_decodable` for payloads given as ``data[starts[i] : starts[i] + lengths[i]]``.

    >>> data = np.frombuffer(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", dtype=np.uint8)
    >>> buffer_decodable(data, np.array([14]), np.array([28]), np.array([0])).tolist()
    [True]
    """
    long_enough = lengths * 6 - fill_bits >= MESSAGE_BITS
    first = data.take(np.where(long_enough, starts, 0)) if len(data) else np.zeros(len(starts), np.uint8)
    mask: npt.NDArray[np.bool_] = long_enough & _FAST_FIRST.take(first)
    return mask


def _words(data: npt.NDArray[np.uint8], starts: Int64Array) -> tuple[UInt64Array, UInt64Array, UInt64Array]:
    """The first 168 bits of each payload, big-endian, as three 64-bit words (the last 24 bits 0).

    A sliding-window view of the byte buffer gives the 28 characters of each payload
    as one matrix row without an index per character; every 4 six-bit values are
    regrouped into 3 bytes (as base64 does), and 24 bytes per row read as 3 words.
    """
    if not len(starts):
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty, empty
    values = armour_values(_byte_rows(data, starts, _CHARS)).reshape(-1, _CHARS // 4, 4)
    first, second, third, fourth = (values[:, :, k] for k in range(4))
    packed = np.zeros((len(starts), 24), dtype=np.uint8)
    packed[:, 0:21:3] = (first << 2) | (second >> 4)
    packed[:, 1:21:3] = (second << 4) | (third >> 2)
    packed[:, 2:21:3] = (third << 6) | fourth
    words = packed.view(">u8")
    return tuple(words[:, k].astype(np.uint64) for k in range(3))  # type: ignore[return-value]  # 3 words


_LANES: Final = np.uint64(0x0101010101010101)  # one in each byte of a 64-bit word


def _armoured_words(
    data: npt.NDArray[np.uint8], starts: Int64Array
) -> tuple[UInt64Array, UInt64Array, UInt64Array]:
    """:func:`_words` of payloads known to hold armour characters only, 8 characters at a time (the
    bits past a payload's end are not 0: fields are read within it).

    Each row's 32 bytes from its start are read as four little-endian words and undone in place
    as 8 lanes of a byte (SWAR): the armour offset taken off (no lane borrows, every character
    being at least '0'; a borrow or carry only runs towards later bytes, past the 28 used),
    the 6-bit values packed pairwise into 12, 24 and 48 bits, and the four 48-bit numbers
    regrouped into three words.
    """
    if not len(starts):
        return _words(data, starts)
    if int(starts.max()) + 32 > len(data):  # a buffer without padding (assembled messages: few)
        data = np.concatenate((data, np.zeros(32, dtype=np.uint8)))
    words = _byte_rows(data, starts, 32).view("<u8")  # a copy: worked in place
    words -= np.uint64(48) * _LANES
    words -= ((words + np.uint64(87) * _LANES) & (np.uint64(0x80) * _LANES)) >> np.uint64(4)  # 8 off above 40
    words &= np.uint64(0x3F) * _LANES
    words = ((words & np.uint64(0x003F003F003F003F)) << np.uint64(6)) | (
        (words >> np.uint64(8)) & np.uint64(0x003F003F003F003F)
    )
    words = ((words & np.uint64(0x00000FFF00000FFF)) << np.uint64(12)) | (
        (words >> np.uint64(16)) & np.uint64(0x00000FFF00000FFF)
    )
    low24 = np.uint64(0xFFFFFF)
    words = ((words & low24) << np.uint64(24)) | ((words >> np.uint64(32)) & low24)
    a, b, c, d = (words[:, k] for k in range(4))  # characters 0-7, 8-15, 16-23, 24-31 (28 used)
    return (
        (a << np.uint64(16)) | (b >> np.uint64(32)),
        (b << np.uint64(32)) | (c >> np.uint64(16)),
        (c << np.uint64(48)) | (d & np.uint64(0xFFFFFF000000)),
    )


class _Bits:
    """Fields of 168-bit messages held as three big-endian 64-bit words per message."""

    def __init__(self, words: tuple[UInt64Array, UInt64Array, UInt64Array]) -> None:
        self.words = words

    def unsigned(self, offset: int, width: int) -> Int64Array:
        index, start = divmod(offset, 64)
        end = start + width
        mask = np.uint64((1 << width) - 1)
        if end <= 64:
            value = (self.words[index] >> np.uint64(64 - end)) & mask
        else:  # the field straddles two words
            low = end - 64
            value = (
                (self.words[index] << np.uint64(low)) | (self.words[index + 1] >> np.uint64(64 - low))
            ) & mask
        return value.view(np.int64)  # at most 30 bits: the same values, no copy

    def signed(self, offset: int, width: int) -> Int64Array:
        value = self.unsigned(offset, width)
        sign = 1 << (width - 1)
        return (value ^ sign) - sign

    def flag(self, offset: int) -> npt.NDArray[np.bool_]:
        return self.unsigned(offset, 1).astype(bool)


def _lat_lon(raw: Int64Array) -> npt.NDArray[np.float64]:
    # pyais: round(v / 600000, 6) computed exactly as ((10 v + 3) // 6) / 1e6 (messages.to_lat_lon)
    return ((10 * raw + 3) // 6) / 1e6


def _turn(raw: Int64Array) -> npt.NDArray[np.float64]:
    """Rate of turn in degrees/minute as pyais gives it (messages.to_turn); +-127, -128 are codes."""
    rate = np.copysign(np.round((raw / 4.733) ** 2), raw)
    codes = (np.abs(raw) == 127) | (raw == -128)
    return np.where(codes, raw.astype(np.float64), np.where(raw == 0, 0.0, rate))


# field name, bit offset, width, kind ("u" unsigned int, "s" signed, "b" flag), for each class
_CLASS_A: Final = (
    ("status", 38, 4, "u"),
    ("turn", 42, 8, "turn"),
    ("speed", 50, 10, "tenth"),
    ("accuracy", 60, 1, "b"),
    ("lon", 61, 28, "latlon"),
    ("lat", 89, 27, "latlon"),
    ("course", 116, 12, "tenth"),
    ("heading", 128, 9, "u"),
    ("second", 137, 6, "u"),
    ("maneuver", 143, 2, "u"),
    ("raim", 148, 1, "b"),
    ("radio", 149, 19, "u"),
)
_CLASS_B: Final = (
    ("reserved_1", 38, 8, "u"),
    ("speed", 46, 10, "tenth"),
    ("accuracy", 56, 1, "b"),
    ("lon", 57, 28, "latlon"),
    ("lat", 85, 27, "latlon"),
    ("course", 112, 12, "tenth"),
    ("heading", 124, 9, "u"),
    ("second", 133, 6, "u"),
    ("reserved_2", 139, 2, "u"),
    ("cs", 141, 1, "b"),
    ("display", 142, 1, "b"),
    ("dsc", 143, 1, "b"),
    ("band", 144, 1, "b"),
    ("msg22", 145, 1, "b"),
    ("assigned", 146, 1, "b"),
    ("raim", 147, 1, "b"),
    ("radio", 148, 20, "u"),
)

COLUMNS: Final = (
    "decoded",
    "msg_type",
    "repeat",
    "mmsi",
    "status",
    "turn",
    "speed",
    "accuracy",
    "lon",
    "lat",
    "course",
    "heading",
    "second",
    "maneuver",
    "reserved_1",
    "reserved_2",
    "cs",
    "display",
    "dsc",
    "band",
    "msg22",
    "assigned",
    "raim",
    "radio",
)
"""Columns of :func:`decode_positions`: ``decoded`` and pyais' field names of types 1/2/3 and 18."""

_FLOATS: Final = frozenset({"turn", "speed", "lon", "lat", "course"})
_FLAGS: Final = frozenset({"accuracy", "raim", "cs", "display", "dsc", "band", "msg22", "assigned"})


def _field(bits: _Bits, offset: int, width: int, kind: str) -> npt.NDArray[np.generic]:
    if kind == "u":
        return bits.unsigned(offset, width)
    if kind == "b":
        return bits.flag(offset)
    if kind == "tenth":
        return bits.unsigned(offset, width) / 10.0
    if kind == "latlon":
        return _lat_lon(bits.signed(offset, width))
    return _turn(bits.signed(offset, width))  # "turn"


def decode_positions(payloads: Sequence[bytes], fill_bits: Sequence[int] | None = None) -> pd.DataFrame:
    """Decode armoured AIS payloads of types 1, 2, 3 and 18 into one row each, in input order.

    ``fill_bits`` (0-5 per payload, default 0) are the pad bits at the end of each
    payload. Rows the fast path cannot take (``decoded`` False) are all-NA: decode
    those with pyais. Columns are pyais' field names (see :data:`COLUMNS`); fields a
    class does not have (``status`` for type 18, ``cs`` for type 1...) are NA. Codes are
    plain integers (``status``, ``maneuver``); ``turn`` is degrees per minute, or the
    codes 127 / -127 / -128 as pyais gives them.

    >>> row = decode_positions([b"B3P9T4P08Ws0Ba8=FpR7wwb5oP06"], fill_bits=[0]).iloc[0]
    >>> int(row["mmsi"]), float(row["lat"]), bool(row["cs"]), row["status"] is pd.NA
    (235037714, 57.383053, True, True)
    """
    data, starts, lengths = _buffer(payloads)
    return decode_buffer(data, starts, lengths, _fill(fill_bits, len(payloads)))


def decode_buffer(
    data: npt.NDArray[np.uint8], starts: Int64Array, lengths: Int64Array, fill_bits: Int64Array
) -> pd.DataFrame:
    """:func:`decode_positions` for payloads given as ``data[starts[i] : starts[i] + lengths[i]]``.

    Readers that hold a whole file in one byte array decode its payloads in place,
    without copying each into a ``bytes`` object first.

    >>> data = np.frombuffer(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", dtype=np.uint8)
    >>> int(decode_buffer(data, np.array([14]), np.array([28]), np.array([0]))["mmsi"].iloc[0])
    371798000
    """
    count = len(starts)
    ok = buffer_decodable(data, starts, lengths, fill_bits)
    rows = np.flatnonzero(ok)
    every = len(rows) == count  # the usual case: no scattering into full-length columns
    bits = _Bits(_words(data, starts[rows]))
    msg_type = bits.unsigned(0, 6)
    class_b = msg_type == 18
    missing = {"all": ~ok, "a": ~ok, "b": ~ok}
    if every:
        missing = {"all": np.zeros(count, dtype=bool), "a": class_b, "b": ~class_b}
    else:
        missing["a"][rows[class_b]] = True
        missing["b"] = missing["b"].copy()
        missing["b"][rows[~class_b]] = True
    values: dict[str, npt.NDArray[np.generic]] = {
        "msg_type": msg_type,
        "repeat": bits.unsigned(6, 2),
        "mmsi": bits.unsigned(8, 30),
    }
    which: dict[str, str] = dict.fromkeys(values, "all")
    for layout, members, group in ((_CLASS_A, ~class_b, "a"), (_CLASS_B, class_b, "b")):
        for name, offset, width, kind in layout:
            value = _field(bits, offset, width, kind)
            if name in values:  # a field both classes have, at different offsets
                values[name] = np.where(members, value, values[name])
                which[name] = "all"
            else:
                values[name] = value
                which[name] = group
    columns: dict[str, object] = {"decoded": ok}
    for name in COLUMNS[1:]:
        value = values[name]
        if not every:
            full = np.zeros(count, dtype=value.dtype)
            full[rows] = value
            value = full
        mask = missing[which[name]]
        mask = mask.copy() if mask.any() else np.zeros(count, dtype=bool)  # no array shares a mask
        if name in _FLOATS:
            columns[name] = np.where(mask, np.nan, value) if mask.any() else value
        elif name in _FLAGS:
            columns[name] = pd.arrays.BooleanArray(np.asarray(value, dtype=np.bool_), mask)
        else:
            columns[name] = pd.arrays.IntegerArray(np.asarray(value, dtype=np.int64), mask)
    return pd.DataFrame(columns)


# -- every message type a positions frame needs --------------------------------------------

POSITION_TYPES: Final = frozenset({1, 2, 3, 18, 19, 27})
"""Message types that report a position."""

IDENTITY_TYPES: Final = frozenset({5, 19, 24})
"""Message types that report identity (IMO, name, call sign, ship type, destination, draught)."""

KNOWN_TYPES: Final = frozenset(range(29))
"""Message types pyais knows (0 to 28); it refuses the others."""

# bits each layout needs for every field read here (the field ends; fill bits excluded)
_T27_BITS: Final = 94
"""Bits of a type 27 message :func:`_long_range_fields` reads (its course ends at bit 94)."""
_T5_BITS: Final = 422  # destination ends at bit 422
_T19_BITS: Final = 271  # ship type ends at bit 271
_T24A_BITS: Final = 160  # part A: the name ends at bit 160
_T24B_BITS: Final = 132  # part B: the call sign ends at bit 132
_TEXT_CHARS: Final = np.array([v + 64 if v < 32 else v for v in range(64)], dtype=np.uint8)
"""ASCII of each 6-bit text character: values 0-31 are '@'-'_', 32-63 are ' '-'?'."""


@cache
def _ship_types() -> npt.NDArray[np.int64]:
    """pyais' reading of each 8-bit ship type code (reserved codes fold into their category).

    Built on first decode: pyais' import (~0.1 s) is not paid by ``import vesselscreen``.
    """
    from pyais.constants import ShipType

    return np.array([int(ShipType.from_value(code) or 0) for code in range(256)], dtype=np.int64)


_OTHER_KNOWN: Final = np.zeros(65, dtype=bool)
"""By message type + 1 (-1: none), the types pyais knows whose fields a positions frame does not need."""
_OTHER_KNOWN[[kind + 1 for kind in KNOWN_TYPES - POSITION_TYPES - IDENTITY_TYPES]] = True


@dataclass(frozen=True)
class Messages:
    """The fields a positions frame needs, for a batch of messages, one entry per message.

    ``decoded`` is False where this module leaves the message to pyais (a type it does not
    decode here, a payload too short for the fields, a type 24 part number other than 0 or
    1): those entries hold no values. Otherwise every value is the one pyais gives
    (ship types as pyais reads them, text with its trailing ``@`` padding and spaces
    removed); a field a message type does not carry is NaN, -1 (``status``, ``partno``), 0
    (``imo``, ``ship_type``) or ``None`` (text).
    """

    kind: Int64Array
    decoded: npt.NDArray[np.bool_]
    mmsi: Int64Array
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    speed: npt.NDArray[np.float64]
    course: npt.NDArray[np.float64]
    heading: npt.NDArray[np.float64]
    status: Int64Array
    partno: Int64Array
    imo: Int64Array
    ship_type: Int64Array
    draught: npt.NDArray[np.float64]
    shipname: npt.NDArray[np.object_]
    callsign: npt.NDArray[np.object_]
    destination: npt.NDArray[np.object_]


def _sixbit(data: npt.NDArray[np.uint8], starts: Int64Array, chars: int) -> npt.NDArray[np.uint8]:
    """The 6-bit values of the first ``chars`` armoured characters of each payload, one row each."""
    if not len(starts):
        return np.zeros((0, chars), dtype=np.uint8)
    return armour_values(_byte_rows(data, starts, chars))


def _unsigned(values: npt.NDArray[np.uint8], offset: int, width: int) -> Int64Array:
    """The unsigned field of ``width`` bits at bit ``offset`` of each row of 6-bit values."""
    first, last = offset // 6, (offset + width - 1) // 6
    field = np.zeros(len(values), dtype=np.int64)
    for column in range(first, last + 1):
        field = (field << 6) | values[:, column]
    field >>= 6 * (last + 1) - (offset + width)
    masked: Int64Array = field & ((1 << width) - 1)
    return masked


def _signed(values: npt.NDArray[np.uint8], offset: int, width: int) -> Int64Array:
    sign = 1 << (width - 1)
    return (_unsigned(values, offset, width) ^ sign) - sign


def _text(values: npt.NDArray[np.uint8], offset: int, chars: int) -> npt.NDArray[np.uint8]:
    """The ASCII of the ``chars`` 6-bit text characters at bit ``offset`` of each row of 6-bit values."""
    first, shift = divmod(offset, 6)
    if shift:  # each character straddles two armour characters
        high = values[:, first : first + chars] << np.uint8(shift)
        codes = (high | (values[:, first + 1 : first + chars + 1] >> np.uint8(6 - shift))) & np.uint8(63)
    else:
        codes = values[:, first : first + chars]
    ascii_rows: npt.NDArray[np.uint8] = _TEXT_CHARS[codes]
    return ascii_rows


_TEXT_WIDTH: Final = 24  # bytes of a text row: the longest text (20 characters), in whole 64-bit words


def _set_texts(out: Messages, texts: list[tuple[str, Int64Array, npt.NDArray[np.uint8]]]) -> None:
    """Each ``(field, rows, ASCII rows)`` of ``texts`` written to ``out`` as pyais gives it: trailing
    ``@`` padding, then spaces, removed.

    All the texts of a batch go through Arrow at once (padded with ``@`` to one width, which the
    trim removes with the text's own padding), each distinct text made a string once: names and
    destinations repeat.
    """
    texts = [text for text in texts if len(text[1])]
    if not texts:
        return
    padded = np.full((sum(len(rows) for _, rows, _ in texts), _TEXT_WIDTH), ord("@"), dtype=np.uint8)
    at = 0
    for _, rows, ascii_rows in texts:
        padded[at : at + len(rows), : ascii_rows.shape[1]] = ascii_rows
        at += len(rows)
    which, firsts = _distinct_rows(padded.view(np.uint64))
    distinct = pa.StringArray.from_buffers(
        len(firsts),
        pa.py_buffer(np.arange(len(firsts) + 1, dtype=np.int32) * np.int32(_TEXT_WIDTH)),
        pa.py_buffer(padded[firsts]),
    )
    trimmed = pc.utf8_trim_whitespace(pc.utf8_rtrim(distinct, characters="@"))
    strings: npt.NDArray[np.object_] = trimmed.to_numpy(zero_copy_only=False)[which]
    at = 0
    for name, rows, _ in texts:
        getattr(out, name)[rows] = strings[at : at + len(rows)]
        at += len(rows)


_MIX: Final = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: a multiplier that spreads bits


def _distinct_rows(words: UInt64Array, mix: np.uint64 = _MIX) -> tuple[Int64Array, Int64Array]:
    """Codes of the equal rows of a matrix of 64-bit words, numbered as first seen, and the first
    row of each code.

    The words of a row are mixed into one key and the keys factorized at once (a hash table,
    not a sort); rows sharing a key are then checked equal to the first row with it, and if
    two differ (a collision, or ``mix`` too weak) the rows are factorized word by word.

    >>> words = np.array([[1, 2], [3, 4], [1, 2]], dtype=np.uint64)
    >>> [codes.tolist() for codes in _distinct_rows(words)]
    [[0, 1, 0], [0, 1]]
    """
    key = words[:, 0].copy()
    for column in range(1, words.shape[1]):
        key = key * mix + words[:, column]  # wraps around: a hash
    which: Int64Array = pd.factorize(key)[0].astype(np.int64, copy=False)
    firsts = _first_seen(which)
    representative = firsts[which]
    if all(
        np.array_equal(words[:, column], words[representative, column]) for column in range(words.shape[1])
    ):
        return which, firsts
    which = np.zeros(len(words), dtype=np.int64)
    for column in words.T:
        part = pd.factorize(column)[0]
        which = pd.factorize(which * (int(part.max(initial=0)) + 1) + part)[0].astype(np.int64, copy=False)
    return which, _first_seen(which)


def _first_seen(codes: Int64Array) -> Int64Array:
    """Where each code of codes numbered as first seen (0, 1, 2... in order of appearance) first comes."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    first = np.ones(len(codes), dtype=bool)
    first[1:] = seen[1:] > seen[:-1]
    return np.flatnonzero(first)


def _tenths(raw: Int64Array) -> npt.NDArray[np.float64]:
    return raw / 10.0


def _lat_lon_600(raw: Int64Array) -> npt.NDArray[np.float64]:
    # pyais: round(v / 600, 6), computed exactly as ((10000 v + 3) // 6) / 1e6 (messages.to_lat_lon_600)
    return ((10000 * raw + 3) // 6) / 1e6


def decode_messages(
    data: npt.NDArray[np.uint8], starts: Int64Array, lengths: Int64Array, fill_bits: Int64Array
) -> Messages:
    """Decode the position and identity fields of any AIS messages given as
    ``data[starts[i] : starts[i] + lengths[i]]`` (armoured payloads, ``fill_bits`` each).

    Types 1, 2, 3 and 18 go through :func:`decode_buffer`; types 5, 19, 24 and 27 are cut
    out of their 6-bit values the same way; the other types pyais knows (4, 8, 21...) need
    only their type. Payloads must hold armour characters only (``0``-``W``, `````-``w``):
    readers reject others first.

    >>> payload = b"55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp888888888880"
    >>> data = np.frombuffer(payload, dtype=np.uint8)
    >>> decoded = decode_messages(data, np.array([0]), np.array([len(payload)]), np.array([2]))
    >>> int(decoded.kind[0]), int(decoded.mmsi[0]), decoded.shipname[0], decoded.destination[0]
    (5, 351759000, 'EVER DIADEM', 'NEW YORK')
    """
    count = len(starts)
    bits = lengths * 6 - fill_bits
    present = lengths > 0
    first = data.take(np.where(present, starts, 0)) if len(data) else np.zeros(count, np.uint8)
    kind = np.where(present & (bits >= 6), armour_values(first).astype(np.int64), -1)
    out = _empty_messages(kind)
    decoded = out.decoded
    texts: list[tuple[str, Int64Array, npt.NDArray[np.uint8]]] = []

    positions = np.flatnonzero(buffer_decodable(data, starts, lengths, fill_bits))
    if positions.size:
        _reports(data, starts.take(positions), out, positions)
        decoded[positions] = True

    rows = np.flatnonzero((kind == 27) & (bits >= _T27_BITS))
    if rows.size:
        long_range = _long_range_fields(data, starts.take(rows))
        for name in ("mmsi", "status", "lon", "lat", "speed", "course"):
            getattr(out, name)[rows] = long_range[name]
        decoded[rows] = True

    rows = np.flatnonzero((kind == 19) & (bits >= _T19_BITS))
    if rows.size:
        values = _sixbit(data, starts[rows], -(-_T19_BITS // 6))
        out.mmsi[rows] = _unsigned(values, 8, 30)
        out.speed[rows] = _tenths(_unsigned(values, 46, 10))
        out.lon[rows] = _lat_lon(_signed(values, 57, 28))
        out.lat[rows] = _lat_lon(_signed(values, 85, 27))
        out.course[rows] = _tenths(_unsigned(values, 112, 12))
        out.heading[rows] = _unsigned(values, 124, 9).astype(np.float64)
        texts.append(("shipname", rows, _text(values, 143, 20)))
        out.ship_type[rows] = _ship_types()[_unsigned(values, 263, 8)]
        decoded[rows] = True

    rows = np.flatnonzero((kind == 5) & (bits >= _T5_BITS))
    if rows.size:
        values = _sixbit(data, starts[rows], -(-_T5_BITS // 6))
        out.mmsi[rows] = _unsigned(values, 8, 30)
        out.imo[rows] = _unsigned(values, 40, 30)
        texts.append(("callsign", rows, _text(values, 70, 7)))
        texts.append(("shipname", rows, _text(values, 112, 20)))
        out.ship_type[rows] = _ship_types()[_unsigned(values, 232, 8)]
        out.draught[rows] = _tenths(_unsigned(values, 294, 8))
        texts.append(("destination", rows, _text(values, 302, 20)))
        decoded[rows] = True

    rows = np.flatnonzero((kind == 24) & (bits >= 40))
    if rows.size:
        part = _unsigned(_sixbit(data, starts[rows], 7), 38, 2)
        for (
            number,
            needed,
        ) in ((0, _T24A_BITS), (1, _T24B_BITS)):
            these = rows[(part == number) & (bits[rows] >= needed)]
            if not these.size:
                continue
            values = _sixbit(data, starts[these], -(-needed // 6))
            out.mmsi[these] = _unsigned(values, 8, 30)
            out.partno[these] = number
            if number == 0:
                texts.append(("shipname", these, _text(values, 40, 20)))
            else:  # pyais reads part B's ship type without its enumeration
                out.ship_type[these] = _unsigned(values, 40, 8)
                texts.append(("callsign", these, _text(values, 90, 7)))
            decoded[these] = True

    _set_texts(out, texts)
    decoded |= _OTHER_KNOWN.take(kind + 1)
    return out


_ROW_FIELDS: Final = ("mmsi", "speed", "course", "heading", "lon", "lat", "status")


def _reports(data: npt.NDArray[np.uint8], starts: Int64Array, out: Messages, rows: Int64Array) -> None:
    """The fields :class:`Messages` holds of position reports (types 1, 2, 3, 18 of 168 bits) at
    ``starts``, written to ``rows`` of ``out``."""
    fields = _report_fields(data, starts)
    for name in _ROW_FIELDS:
        getattr(out, name)[rows] = fields[name]


def _report_fields(data: npt.NDArray[np.uint8], starts: Int64Array) -> dict[str, npt.NDArray[np.generic]]:
    """Position reports (types 1, 2, 3, 18 of 168 bits, armour characters only) at ``starts``: the
    fields a positions frame needs, :func:`decode_buffer`'s values (``status`` -1 for type 18),
    and ``kind``, the message type.

    >>> data = np.frombuffer(b"15RTgt0PAso;90TKcjM8h6g208CQ" + bytes(8), dtype=np.uint8)
    >>> fields = _report_fields(data, np.array([0]))
    >>> int(fields["kind"][0]), int(fields["mmsi"][0]), float(fields["lat"][0]), float(fields["speed"][0])
    (1, 371798000, 48.381633, 12.3)
    """
    bits = _Bits(_armoured_words(data, starts))
    kind = bits.unsigned(0, 6)
    class_b = kind == 18

    def field(class_a_offset: int, class_b_offset: int, width: int) -> Int64Array:
        return np.where(class_b, bits.unsigned(class_b_offset, width), bits.unsigned(class_a_offset, width))

    return {
        "kind": kind,
        "mmsi": bits.unsigned(8, 30),
        "speed": field(50, 46, 10) / 10.0,
        "course": field(116, 112, 12) / 10.0,
        "heading": field(128, 124, 9).astype(np.float64),
        "lon": _lat_lon(np.where(class_b, bits.signed(57, 28), bits.signed(61, 28))),
        "lat": _lat_lon(np.where(class_b, bits.signed(85, 27), bits.signed(89, 27))),
        "status": np.where(class_b, -1, bits.unsigned(38, 4)),
    }


def _long_range_fields(data: npt.NDArray[np.uint8], starts: Int64Array) -> dict[str, npt.NDArray[np.generic]]:
    """Type 27 messages (long-range broadcasts of at least 94 bits, armour characters only) at
    ``starts``: the fields a positions frame needs, as pyais gives them (speed and course in
    whole knots and degrees; 63 and 511 are "not available"), and ``kind`` (27).

    >>> data = np.frombuffer(b"KmO6jKP6`>6bTOwv" + bytes(32), dtype=np.uint8)
    >>> fields = _long_range_fields(data, np.array([0]))
    >>> int(fields["mmsi"][0]), float(fields["lat"][0]), float(fields["speed"][0])
    (368161390, 91.0, 63.0)
    """
    bits = _Bits(_armoured_words(data, starts))
    return {
        "kind": np.full(len(starts), 27, dtype=np.int64),
        "mmsi": bits.unsigned(8, 30),
        "status": bits.unsigned(40, 4),
        "lon": _lat_lon_600(bits.signed(44, 18)),
        "lat": _lat_lon_600(bits.signed(62, 17)),
        "speed": bits.unsigned(79, 6).astype(np.float64),
        "course": bits.unsigned(85, 9).astype(np.float64),
    }


def _empty_messages(kind: Int64Array) -> Messages:
    count = len(kind)

    def texts() -> npt.NDArray[np.object_]:
        return np.empty(count, dtype=object)  # None in every item: numpy fills object arrays so

    return Messages(
        kind=kind,
        decoded=np.zeros(count, dtype=bool),
        mmsi=np.full(count, -1, dtype=np.int64),
        lat=np.full(count, np.nan),
        lon=np.full(count, np.nan),
        speed=np.full(count, np.nan),
        course=np.full(count, np.nan),
        heading=np.full(count, np.nan),
        status=np.full(count, -1, dtype=np.int64),
        partno=np.full(count, -1, dtype=np.int64),
        imo=np.zeros(count, dtype=np.int64),
        ship_type=np.zeros(count, dtype=np.int64),
        draught=np.full(count, np.nan),
        shipname=texts(),
        callsign=texts(),
        destination=texts(),
    )
