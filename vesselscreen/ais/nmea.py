r"""Reader for raw NMEA 0183 AIS logs (``!AIVDM`` / ``!AIVDO``): streamed block by block, vectorised.

What a log line may be, and what happens to it (the rule for one line is
:func:`vesselscreen.ais._nmealines.line_result`):

- blank lines and ``#`` comments: skipped, not records (counted in ``notes``); a UTF-8 byte
  order mark at the start of the file is skipped;
- an AIS sentence of any talker (``!AIVDM``, ``!BSVDM``, ``!ABVDO``...), optionally behind
  an NMEA 4.0 tag block ``\c:1241544035,s:r003669945*hh\!AIVDM,...``; multipart messages
  are assembled by (talker, sequence id, channel); positions come from message types
  1, 2, 3, 18, 19 and 27, identity (IMO, name, call sign, ship type, destination,
  draught) from types 5, 24 (A: name, B: call sign and type) and 19 (name, type);
- a Gatehouse ``$PGHP,1,yyyy,m,d,h,m,s,ms,...`` wrapper line (Danish Maritime Authority
  feeds): gives the UTC time of the sentence(s) that follow; accepted, counted in notes;
- anything else (``$GPGGA``, ``$IIMWV``, free text, binary bytes): rejected with its reason.

**Time rule.** A tag block ``c:`` (Unix seconds, or milliseconds if 13 digits) or a
``$PGHP`` line sets the current time. A sentence without its own time takes the last
time seen earlier in the file; before any time is seen it takes ``reference_time``.
A sentence that has no time by these rules (no earlier time, no ``reference_time``)
raises :class:`ReferenceTimeError` naming the file and its line. A multipart message
takes the time of its first fragment.

**Tag block checksums.** A tag block whose checksum does not hold does not cost the
sentence behind it, whose own checksum still decides: the line is kept and flagged
(``tag block checksum mismatch``). If the checksum is that of the block's trailing fields
only, as in the Norwegian Coastal Administration's feed (``\g:1-2-9999,c:1565218798*53\``),
those fields are used; otherwise the tag block is ignored.

**Identity carried forward.** Identity fields are forward-filled per MMSI in time
order (ties in file order) onto later position rows, never back-filled; a later
message with an empty field does not erase an earlier value. Read in chunks
(:func:`iter_nmea`), identity is also carried from earlier chunks onto later rows that are
not earlier in time.

**Accounting.** Every line that is not blank and not a comment is a record: accepted
(a decoded AIS sentence, or a consumed ``$PGHP`` line) or rejected with a reason:
``bad checksum`` (sentence or ``$PGHP``, when ``validate_checksum``), ``malformed
sentence``, ``empty payload``, ``invalid payload character`` (outside the 6-bit armour),
``undecodable payload``, ``incomplete multipart message``, ``invalid MMSI``,
``invalid latitude``, ``invalid longitude``, ``non-AIS sentence``, ``not an NMEA
sentence``. Decoded messages are counted in ``notes`` by type (``"message type 4"``),
whether or not they give rows. Samples of rejections and warnings are kept in the order
they were found. Read in chunks, each chunk's report counts the records settled in it (a
multipart message split across chunks counts in the chunk of its last fragment), so the
reports add up to the file's.

``source`` is ``"nmea"``, or ``"nmea:<station>"`` when a tag block names its source
station (``s:``).

**How it is fast.** The log is read in blocks of whole lines (constant memory). In each
block numpy finds, over all lines at once, the line bounds, tag blocks and their fields,
the sentence fields and checksums; :mod:`vesselscreen.ais.fastdecode` decodes the
payloads of every message type a positions frame needs in bulk, multipart messages are
assembled in bulk (one Python step only per fragment that does not pair up cleanly), and
pyais decodes only what is left (short payloads, unknown types). Lines of an unusual shape
are read one by one by the reference rule.

Blocks are read on worker threads (:data:`WORKERS`, kept between reads), each as far as it
can go on its own: its rows made and sorted, its multipart messages assembled as if no
fragment waited before it. This thread then only dates the lines before a block's first
time, resumes the messages an earlier block began (from the block's fragments that come
before the first fragment 1 of their key), keeps the accounts, and merges the blocks'
sorted rows into the frame.

>>> import io
>>> log = "\\c:1241544035,s:r003669945*79\\!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13\n"
>>> row = read_nmea(io.StringIO(log)).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), float(row["lat"]), row["source"]
(367078248, '2009-05-05 17:20:35+00:00', 28.230963, 'nmea:r003669945')
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, partial
from itertools import repeat
from typing import Any, BinaryIO, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type hints
import pyarrow.compute as pc  # type: ignore[import-untyped]  # idem

from vesselscreen._runs import concatenated_ranges
from vesselscreen.ais import fastdecode
from vesselscreen.ais._common import MMSI_MAX, MMSI_MIN, SOG_NOT_AVAILABLE, combine_reports, reference_ns
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, source_name
from vesselscreen.ais._nmealines import (
    PAD,
    Events,
    Lines,
    Scan,
    Sentence,
    Vocabulary,
    count_byte,
    decode_errors,
    key_of,
    scan,
    split_lines,
)
from vesselscreen.errors import ConfigError, FormatError, ReferenceTimeError
from vesselscreen.ingest import INGEST_REPORT_ATTR, MAX_SAMPLES, IngestReport, RejectionLog
from vesselscreen.schema import POSITION

__all__ = [
    "BLOCK_BYTES",
    "FORMAT",
    "POSITION_MESSAGE_TYPES",
    "STATIC_MESSAGE_TYPES",
    "WORKERS",
    "iter_nmea",
    "read_nmea",
]

FORMAT: Final = "nmea"
SOURCE: Final = "nmea"
POSITION_MESSAGE_TYPES: Final = fastdecode.POSITION_TYPES
STATIC_MESSAGE_TYPES: Final = fastdecode.IDENTITY_TYPES
BLOCK_BYTES: Final = 8 << 20
"""Bytes of log read and decoded at a time when a file is read whole (its lines kept whole); what is
left at the end of the file (a whole log under this size) is cut into one block per worker thread."""
WORKERS: Final = max(1, min(os.cpu_count() or 1, 4))
"""Worker threads that read blocks ahead (what a block says on its own); one block each in flight."""

# type 27 (long-range broadcast) has its own "not available" codes: 6-bit speed, 9-bit course
_T27_SPEED_NA: Final = 63.0
_T27_COURSE_NA: Final = 511.0
_NAV_STATUS_TYPES: Final = (1, 2, 3, 27)
_BOM: Final = b"\xef\xbb\xbf"
_PADDING: Final = bytes(PAD)
_TRUNCATED: Final = "undecodable payload: truncated message"
_MISSING: Final = -2  # an MMSI pyais could not read (payload too short)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]
ByteArray = npt.NDArray[np.uint8]


# -- the public readers ---------------------------------------------------------------------


def read_nmea(
    source: AISSource,
    *,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> pd.DataFrame:
    """Decode an NMEA AIS log (path or file object, optionally compressed) into a positions frame.

    ``reference_time`` (timezone-aware) dates the sentences that come before any time
    in the file; a naive one raises :class:`ReferenceTimeError`. ``validate_checksum``
    rejects sentences whose checksum is wrong; it is on by default because a corrupted
    position is worse than a missing one for screening.
    """
    name = source_name(source)
    reference_ns(reference_time, name)  # a naive time is refused before the file is opened
    with open_binary(source) as stream:
        try:
            return read_stream(
                stream, name, reference_time=reference_time, validate_checksum=validate_checksum
            )
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


def iter_nmea(
    source: AISSource,
    *,
    chunksize: int,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
) -> Iterator[pd.DataFrame]:
    """:func:`read_nmea` as positions frames of at most ``chunksize`` rows, in constant memory.

    The log is read ``chunksize`` lines at a time (a line gives at most one row), each
    chunk sorted within itself with its own ingest report; multipart messages split
    between chunks are assembled, identity is carried forward across chunks, and the
    reports add up to the file's.
    """
    name = source_name(source)
    reference_ns(reference_time, name)
    with open_binary(source) as stream:
        try:
            yield from iter_stream(
                stream,
                name,
                chunksize=chunksize,
                reference_time=reference_time,
                validate_checksum=validate_checksum,
            )
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


def read_stream(
    stream: BinaryIO,
    name: str,
    *,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
    fast: bool = True,
) -> pd.DataFrame:
    """:func:`read_nmea` on an open binary stream named ``name``.

    ``fast=False`` reads every line by the reference rule and every message with pyais
    (the tests compare both ways).
    """
    settings = _Settings(name, reference_ns(reference_time, name), validate_checksum, fast, whole=True)
    pool = _workers()
    results = list(_results(stream, settings, lines_per_block=None, pool=pool))
    rows = _Rows.concat([result.rows for result in results])
    report = _file_report([result.report for result in results], name)
    frame, _ = _frame(rows, report, None, pool)
    return frame


def iter_stream(
    stream: BinaryIO,
    name: str,
    *,
    chunksize: int,
    reference_time: datetime | None = None,
    validate_checksum: bool = True,
    fast: bool = True,
) -> Iterator[pd.DataFrame]:
    """:func:`iter_nmea` on an open binary stream named ``name``."""
    if chunksize < 1:
        raise ConfigError(f"chunksize must be a positive number of rows, not {chunksize}")
    settings = _Settings(name, reference_ns(reference_time, name), validate_checksum, fast)
    identity = _Identity.empty()
    for result in _results(stream, settings, lines_per_block=chunksize):
        frame, identity = _frame(result.rows, result.report, identity)
        yield frame


# -- blocks of whole lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    name: str
    reference: int | None
    validate: bool
    fast: bool
    whole: bool = False  # one report for the file: samples beyond its first MAX_SAMPLES are not made


@dataclass(frozen=True)
class _Block:
    """Whole lines of the log, numbered: ``data`` followed by :data:`PAD` zero bytes, or not yet
    (``padded`` False: a piece of a log read whole, copied with them on its worker thread)."""

    data: bytes | memoryview
    first: int  # file line index of its first line
    last: bool
    bom: bool  # a byte order mark was skipped before this block
    padded: bool = True

    def padded_data(self) -> bytes:
        """The block's lines followed by :data:`PAD` zero bytes."""
        return bytes(self.data) if self.padded else b"".join((self.data, _PADDING))


def _blocks(stream: BinaryIO, lines_per_block: int | None) -> Iterator[_Block]:
    """The log in blocks of whole lines, numbered, the last one marked, a leading byte order mark
    skipped."""
    raw = _raw_blocks(stream, lines_per_block)
    padded = lines_per_block is not None
    current = next(raw, _PADDING if padded else memoryview(b""))  # an empty log: one empty block
    bom = bytes(current[: len(_BOM)]) == _BOM
    if bom:
        current = current[len(_BOM) :]
    first = 0
    for following in raw:
        yield _Block(current, first, last=False, bom=bom, padded=padded)
        # a block other than the last ends with a line feed; numpy counts them 5 times faster than bytes
        first += count_byte(np.frombuffer(current, dtype=np.uint8), ord("\n"))
        bom, current = False, following
    yield _Block(current, first, last=True, bom=bom, padded=padded)


def _raw_blocks(stream: BinaryIO, lines_per_block: int | None) -> Iterator[bytes | memoryview]:
    """``lines_per_block`` lines at a time, each followed by :data:`PAD` zero bytes (copied once, with
    them); or (a log read whole) about :data:`BLOCK_BYTES` of whole lines at a time, not copied."""
    pending, at, done, piece = b"", 0, False, 0
    while True:
        cut = _cut(pending, at, lines_per_block, done, piece)
        if cut is not None:
            if cut > at:
                view = memoryview(pending)[at:cut]
                yield b"".join((view, _PADDING)) if lines_per_block is not None else view
            at = cut
            if done and at >= len(pending):
                return
            continue
        more = stream.read(BLOCK_BYTES)
        done = not more
        pending, at = (more if at >= len(pending) else pending[at:] + more), 0
        if done and lines_per_block is None:
            piece = _piece(len(pending))


def _piece(left: int) -> int:
    """Bytes of each block the rest of a log (``left`` bytes, read whole) is cut into: one per worker
    thread, so that they read it side by side (a log under :data:`BLOCK_BYTES` would otherwise be one
    block, read by one thread), but none under :data:`_SPLIT_MIN` of :data:`BLOCK_BYTES`."""
    blocks = max(1, min(WORKERS, left // max(1, BLOCK_BYTES // _SPLIT_MIN)))
    return -(-left // blocks)


_SPLIT_MIN: Final = 8
"""The rest of a log read whole is cut into blocks no smaller than 1/8 of :data:`BLOCK_BYTES` (1 MB):
a block's fixed costs and the threads' handoff are then small beside its reading."""


def _cut(pending: bytes, at: int, lines: int | None, done: bool, piece: int) -> int | None:
    """Where the next block ends in ``pending`` (from ``at``), or ``None`` to read more first;
    ``piece``: the size of the blocks the rest is cut into once all of it is read."""
    if done and lines is None:
        if len(pending) - at <= piece:
            return len(pending)
        end = pending.find(b"\n", at + piece - 1) + 1
        return end if end > at else len(pending)
    if lines is not None:
        found = _nth_newline(pending, at, lines)
        return len(pending) if done and found is None else found
    if len(pending) - at < BLOCK_BYTES:
        return None
    end = pending.rfind(b"\n", at) + 1
    return end if end > at else None


def _nth_newline(data: bytes, at: int, count: int) -> int | None:
    """The position after the ``count``-th line feed from ``at``, or ``None`` if there are fewer.

    Looked for in a window that doubles until it holds them: not over all the data read ahead.
    """
    if count <= 64:
        position = at
        for _ in range(count):
            found = data.find(b"\n", position)
            if found < 0:
                return None
            position = found + 1
        return position
    size = max(count * _LINE_GUESS, 1 << 16)
    while True:
        end = min(len(data), at + size)
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8, count=end - at, offset=at) == ord("\n"))
        if len(newlines) >= count:
            return at + int(newlines[count - 1]) + 1
        if end >= len(data):
            return None
        size *= 2


_LINE_GUESS: Final = 96  # bytes of a usual log line, to size the first window


# -- one block ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fragments:
    """AIS sentences to assemble (or decode), in line order, with their payloads in ``data``."""

    line: IntArray  # file line index
    time: IntArray
    station: IntArray
    key: IntArray
    count: IntArray
    number: IntArray
    fill: IntArray
    start: IntArray
    length: IntArray
    data: ByteArray

    @staticmethod
    def empty() -> _Fragments:
        no = np.zeros(0, dtype=np.int64)
        return _Fragments(no, no, no, no, no, no, no, no, no, np.zeros(0, dtype=np.uint8))

    def __len__(self) -> int:
        return len(self.line)

    def subset(self, index: IntArray) -> _Fragments:
        """The fragments at ``index``, their payloads left where they are."""
        return _Fragments(
            self.line.take(index),
            self.time.take(index),
            self.station.take(index),
            self.key.take(index),
            self.count.take(index),
            self.number.take(index),
            self.fill.take(index),
            self.start.take(index),
            self.length.take(index),
            self.data,
        )

    def take(self, index: IntArray) -> _Fragments:
        """The fragments at ``index``, their payloads gathered into a new buffer."""
        data, start = _gather(self.data, self.start, self.length, index)
        return replace(self.subset(index), start=start, data=data)

    @staticmethod
    def concat(parts: list[_Fragments]) -> _Fragments:
        """The fragments of ``parts`` one after the other (payloads left in a block gathered first)."""
        parts = [part for part in parts if len(part)]
        if not parts:
            return _Fragments.empty()
        if len(parts) == 1:
            return parts[0]
        parts = [
            part if len(part.data) == int(part.length.sum()) else part.take(np.arange(len(part)))
            for part in parts
        ]
        offsets = np.cumsum([0, *(len(part.data) for part in parts[:-1])])

        def joined(name: str) -> IntArray:
            return np.concatenate([getattr(part, name) for part in parts])

        return _Fragments(
            joined("line"),
            joined("time"),
            joined("station"),
            joined("key"),
            joined("count"),
            joined("number"),
            joined("fill"),
            np.concatenate([part.start + offset for part, offset in zip(parts, offsets, strict=True)]),
            joined("length"),
            np.concatenate([part.data for part in parts]),
        )


def _gather(
    data: ByteArray, start: IntArray, length: IntArray, index: IntArray
) -> tuple[ByteArray, IntArray]:
    """The byte ranges ``index`` of ``[start, start + length)`` in ``data`` back to back, and where
    each begins.

    Fragments hold their ranges in order, not overlapping: then Arrow takes them (one pass in C)
    from a binary array laid over ``data`` whose even items are the ranges and odd ones the
    gaps between them; otherwise numpy gathers them through an index per byte.
    """
    if len(index) and len(start) and bool(np.all(start[1:] >= start[:-1] + length[:-1])):
        bounds = np.empty(2 * len(start), dtype=np.int64)
        bounds[0::2] = start
        bounds[1::2] = start + length
        laid = pa.LargeBinaryArray.from_buffers(
            pa.large_binary(), len(bounds) - 1, [None, pa.py_buffer(bounds), pa.py_buffer(data)]
        )
        _, offsets_buffer, data_buffer = laid.take(pa.array(2 * index)).buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int64, count=len(index) + 1)
        if data_buffer is None:  # only empty ranges
            return np.zeros(0, dtype=np.uint8), np.zeros(len(index), dtype=np.int64)
        gathered: ByteArray = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        return gathered, offsets[:-1] - offsets[0]
    start, length = start[index], length[index]
    new_start = np.zeros(len(start), dtype=np.int64)
    if len(start) > 1:
        np.cumsum(length[:-1], out=new_start[1:])
    total = int(length.sum()) if len(length) else 0
    positions = np.repeat(start - new_start, length) + np.arange(total, dtype=np.int64)
    return data[positions], new_start


@dataclass(frozen=True)
class _Carry:
    """What a block hands to the next: the last time seen, multipart fragments still waiting
    for their partners (and their lines' text, for samples)."""

    time: int = -1
    pending: _Fragments = field(default_factory=_Fragments.empty)
    raw: dict[int, str] = field(default_factory=dict)
    samples: int = 0  # samples in the reports so far


@dataclass(frozen=True)
class _Rows:
    """Position rows and identity rows of some messages, as runs each sorted within itself."""

    runs: list[_Run]
    stations: list[str]  # station names by code (the log's so far)
    texts: list[str]  # names, call signs, destinations by code (-1: none)

    @staticmethod
    def concat(parts: list[_Rows]) -> _Rows:
        if not parts:
            return _Rows([_Run.of([_Part.empty()])], [], [])
        return _Rows([run for part in parts for run in part.runs], parts[-1].stations, parts[-1].texts)


@dataclass(frozen=True)
class _Result:
    rows: _Rows
    report: IngestReport


def _results(
    stream: BinaryIO,
    settings: _Settings,
    *,
    lines_per_block: int | None,
    pool: ThreadPoolExecutor | None = None,
) -> Iterator[_Result]:
    """Each block's rows and report, in file order.

    What a block says on its own (lines, fields, its messages decoded, checked and made rows)
    is worked out on worker threads, blocks ahead (numpy releases the GIL); what depends on
    the blocks before it (times before the block's first, multipart messages begun in an
    earlier block, accounts) follows in order on this thread. A log read whole is read
    :data:`WORKERS` blocks ahead; chunks one fewer, as this thread builds each chunk's
    frame meanwhile (measured on 1,000,000 lines in chunks of 20,000 on two cores: a third
    busy thread made the reading 10% slower). ``pool``: the threads to use (default:
    :func:`_workers`).
    """
    carry = _Carry()
    vocabulary = _Vocabularies(Vocabulary(), Vocabulary(), Vocabulary())
    workers = pool or _workers()
    reading_ahead = WORKERS if lines_per_block is None else max(1, WORKERS - 1)
    ahead: deque[Future[_Prepared]] = deque()
    try:
        for block in _blocks(stream, lines_per_block):
            ahead.append(workers.submit(_prepare, block, vocabulary, settings))
            if len(ahead) > reading_ahead:
                result, carry = _finish(ahead.popleft().result(), carry, vocabulary, settings)
                yield result
        while ahead:
            result, carry = _finish(ahead.popleft().result(), carry, vocabulary, settings)
            yield result
    finally:  # an error, or a reader left unfinished: blocks not begun are not read
        for future in ahead:
            future.cancel()


_POOLS: Final[dict[int, ThreadPoolExecutor]] = {}


def _workers() -> ThreadPoolExecutor:
    """:data:`WORKERS` threads for the reader, started on first use and kept for the next reads.

    A thread keeps the memory its blocks' temporaries took (its malloc arena) from one read to
    the next: measured on 100,000 lines, the threads of a pool made for each read touched up
    to 20 MB of fresh pages (about 5,000 page faults, 5-10 ms), a kept pool's almost none.
    """
    pool = _POOLS.get(WORKERS)
    if pool is None:  # two threads may race here: the executor left over never starts a thread
        made = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="vesselscreen-nmea")
        pool = _POOLS.setdefault(WORKERS, made)
    return pool


# a forked child has none of its parent's threads: it starts its own
os.register_at_fork(after_in_child=_POOLS.clear)


@dataclass(frozen=True)
class _Vocabularies:
    """Texts of the log, numbered as first seen; shared by the worker threads (numbering takes a
    lock, so the numbers depend on which thread came first, never what a row's text is). Two
    threads may work out one new text at once: they give it the same code."""

    stations: Vocabulary[str]
    texts: Vocabulary[str]
    keys: Vocabulary[tuple[Any, ...]]  # assembly keys the integer code cannot hold
    text_codes: dict[str, int] = field(default_factory=dict)  # decoded text -> code of texts, or -1


@dataclass(frozen=True)
class _Assembly:
    """Multipart messages assembled: their rows (and what checking them found), what assembling
    them found, and the fragments still waiting for partners."""

    part: _Part
    events: Events
    pending: _Fragments


@dataclass(frozen=True)
class _Prepared:
    """What a block says on its own: its lines and what each says, the rows of its single-sentence
    messages, and its multipart messages assembled as if no fragment waited before the block.

    Whether one did changes only what becomes of the ``heads``: fragments of a key that come
    before its first fragment 1 in the block, which may continue a message begun in an
    earlier block (see :func:`_resume`). They are left out of ``alone``: on their own they
    only make orphans, which change nothing for the fragments after them.

    Times are the block's own: a line before the block's first time has none yet (-1), and
    ``undated`` is the first file line of a sentence there (-1: none).
    """

    block: _Block
    lines: Lines
    said: Scan
    last_time: int  # the last time the block sets (-1: none)
    undated: int
    fragments: _Fragments  # multipart sentences (and sentences read one by one), in line order
    heads: IntArray  # fragments before the first fragment 1 of their key in the block: left out of alone
    run: _Run  # the rows of the block's single-sentence messages and of alone's messages
    singles: _Part  # the accounts of the block's single-sentence messages (rows in run)
    alone: _Assembly  # (rows in run)


def _prepare(block: _Block, vocabulary: _Vocabularies, settings: _Settings) -> _Prepared:
    """What a block says on its own (see :class:`_Prepared`), worked out on a worker thread."""
    lines = split_lines(block.padded_data(), block.first, padded=True)
    said = scan(lines, settings.validate, vocabulary.stations, fast=settings.fast)
    singles, fragments = _sentences(lines, said, vocabulary.keys)
    times, last_time = _line_times(said.time, -1, None)
    singles = replace(singles, time=times.take(singles.line - lines.first))
    fragments = replace(fragments, time=times.take(fragments.line - lines.first))
    undated = np.concatenate((singles.line[singles.time < 0], fragments.line[fragments.time < 0]))
    single_parts = _single_parts(singles, vocabulary, settings.fast)
    heads = _heads(fragments)
    rest = fragments.take(np.flatnonzero(~heads)) if heads.any() else fragments
    alone = _assembly(rest, block, lines, vocabulary, settings)
    run = _Run.of([*single_parts, alone.part])  # sorted here, on the block's thread
    single_rows, alone = _Part.merged(single_parts), replace(alone, part=alone.part.counted())
    first_undated = int(undated.min()) if undated.size else -1
    return _Prepared(
        block,
        lines,
        said,
        last_time,
        first_undated,
        fragments,
        np.flatnonzero(heads),
        run,
        single_rows,
        alone,
    )


def _heads(fragments: _Fragments) -> BoolArray:
    """Which multipart fragments (in line order) come before the first fragment 1 of their key."""
    heads = np.zeros(len(fragments), dtype=bool)
    multi = np.flatnonzero(fragments.count > 1)
    if not multi.size:
        return heads
    order = multi[np.argsort(fragments.key[multi], kind="stable")]  # by key, then line
    key, first = fragments.key[order], fragments.number[order] == 1
    new_key = np.ones(len(order), dtype=bool)
    new_key[1:] = key[1:] != key[:-1]
    started = np.cumsum(first)  # fragments 1 so far, over all keys: counted from each key's start
    before_key = np.maximum.accumulate(np.where(new_key, started - first, 0))
    heads[order] = started == before_key
    return heads


def _assembly(
    fragments: _Fragments, block: _Block, lines: Lines, vocabulary: _Vocabularies, settings: _Settings
) -> _Assembly:
    """The messages of ``fragments`` (in line order) assembled, decoded, checked and made rows."""
    events = Events()
    messages, pending = _assemble(
        fragments, events, last=block.last, fast=settings.fast, end=lines.first + len(lines)
    )
    part = _part_rows(_assembled_messages(messages, settings.fast), vocabulary)
    return _Assembly(part, events, pending)


def _finish(
    prepared: _Prepared, carry: _Carry, vocabulary: _Vocabularies, settings: _Settings
) -> tuple[_Result, _Carry]:
    """A prepared block given the blocks before it: times, the messages begun before it, rows
    and report."""
    lines, said, block = prepared.lines, prepared.said, prepared.block
    before = carry.time if carry.time >= 0 else (-1 if settings.reference is None else settings.reference)
    _check_dated(prepared.undated, before, settings.name)
    run, alone, fragments = prepared.run, prepared.alone, prepared.fragments
    if prepared.undated >= 0:  # the block's first lines take the time before it
        run = run.dated(before)
        alone = replace(alone, pending=replace(alone.pending, time=_dated(alone.pending.time, before)))
        fragments = replace(fragments, time=_dated(fragments.time, before))
    resumed = _resume(carry.pending, fragments, prepared.heads, block, lines, vocabulary, settings)
    pending = alone.pending
    if len(resumed.pending):
        pending = _Fragments.concat([pending, resumed.pending])
        pending = pending.take(np.argsort(pending.line, kind="stable"))
    parts = [prepared.singles, alone.part, resumed.part]
    events = Events.joined([said.events, resumed.events, alone.events, *(part.events for part in parts)])
    runs = [run, _Run.of([resumed.part])] if resumed.part.accepted else [run]
    rows = _Rows(
        runs,
        list(vocabulary.stations.labels),  # the labels of every code so far: numbered before
        list(vocabulary.texts.labels),
    )
    accepted, notes = _accounts(parts)
    fresh = (int(line) for line in pending.line.tolist() if line >= lines.first)
    raw = {**carry.raw, **{line: lines.text(line - lines.first).decode("ascii", "replace") for line in fresh}}
    wanted = max(MAX_SAMPLES - carry.samples, 0) if settings.whole else MAX_SAMPLES
    report = _report(lines, said, events, accepted, notes, raw, settings.name, bom=block.bom, samples=wanted)
    kept = set(pending.line.tolist())
    next_carry = _Carry(
        time=prepared.last_time if prepared.last_time >= 0 else carry.time,
        pending=pending,
        raw={line: text for line, text in raw.items() if line in kept},
        samples=carry.samples + len(report.samples),
    )
    return _Result(rows, report), next_carry


def _dated(time: IntArray, before: int) -> IntArray:
    """Times with the block's "none yet" (-1) as the time before the block."""
    dated: IntArray = np.where(time == -1, before, time)
    return dated


def _resume(
    waiting: _Fragments,
    fragments: _Fragments,
    heads: IntArray,
    block: _Block,
    lines: Lines,
    vocabulary: _Vocabularies,
    settings: _Settings,
) -> _Assembly:
    """What the fragments still ``waiting`` from earlier blocks and the block's ``heads`` (indices
    into its ``fragments``, see :class:`_Prepared`) make by the rule of :func:`_assemble`.

    A head of a key nothing waits for is an orphan. The others take the rule's steps from the
    waiting fragments (replayed: they are a message's first fragments), and the first fragment
    of their key after the heads, if any, supersedes what still waits then; the messages
    completed are decoded and checked as the block's others.
    """
    events = Events()
    waiting_keys = np.unique(waiting.key)
    head_keys = fragments.key.take(heads)
    resumed = np.isin(head_keys, waiting_keys)
    for line in fragments.line.take(heads.compress(~resumed)).tolist():
        events.one(line, line, _ORPHAN)
    if not len(waiting):
        return _Assembly(_Part.empty(), events, waiting)
    is_head = np.zeros(len(fragments), dtype=bool)
    is_head[heads] = True
    later = np.flatnonzero(np.isin(fragments.key, waiting_keys) & ~is_head)  # in line order
    _, first = np.unique(fragments.key.take(later), return_index=True)
    stoppers = later.take(first)  # each waiting key's first fragment 1 in the block
    involved = _Fragments.concat([waiting, fragments.take(heads.compress(resumed)), fragments.take(stoppers)])
    order = np.lexsort((involved.line, involved.key))
    key = involved.key.take(order)
    group = np.zeros(len(order), dtype=np.int64)
    group[1:] = np.cumsum(key[1:] != key[:-1])
    stopper = np.arange(len(involved)) >= len(involved) - len(stoppers)
    done, left = _step(
        np.arange(len(order)),
        group,
        involved.number.take(order),
        involved.count.take(order),
        stopper.take(order),  # as a run start: what waits is superseded, the fragment left to alone
        involved.line.take(order),
        events,
    )
    if block.last:
        for parts in left:
            for position in parts:
                events.one(lines.first + len(lines), int(involved.line[order[position]]), _NEVER_CAME)
        left = []
    sizes = np.array([len(parts) for parts in done], dtype=np.int64)
    index = order.take(np.array([position for parts in done for position in parts], dtype=np.int64))
    first_part = np.zeros(len(sizes), dtype=np.int64)
    if len(sizes) > 1:
        np.cumsum(sizes[:-1], out=first_part[1:])
    messages = _Messages(involved.take(index), first_part, sizes)
    still = np.sort(order.take(np.array([position for parts in left for position in parts], dtype=np.int64)))
    part = _part_rows(_assembled_messages(messages, settings.fast), vocabulary)
    return _Assembly(part, events, involved.take(still))


# -- times and sentences -----------------------------------------------------------------------


def _line_times(time_event: IntArray, carried: int, reference: int | None) -> tuple[IntArray, int]:
    """Each line's time (the last time set at or before it, else the reference; -1: none) and
    the last time set by the block's end."""
    if not len(time_event):
        return time_event, carried
    has = time_event >= 0
    last = np.maximum.accumulate(np.where(has, np.arange(len(has)), -1))
    before = carried if carried >= 0 else (-1 if reference is None else reference)
    times = np.where(last >= 0, time_event.take(np.maximum(last, 0)), before)
    return times, int(time_event[last[-1]]) if last[-1] >= 0 else carried


def _sentences(lines: Lines, said: Scan, keys: Vocabulary[tuple[Any, ...]]) -> tuple[_Fragments, _Fragments]:
    """The block's AIS sentences (times not set yet): single-fragment ones read in bulk, and the
    others (multipart, or read one by one); payloads read in bulk are left in the block."""
    found = said.sentences
    line = found["line"]
    single = found["count"] == 1
    no_time = np.full(len(line), -1, dtype=np.int64)

    def fast(which: BoolArray) -> _Fragments:
        where = line.compress(which)
        return _Fragments(
            lines.first + where,
            no_time.compress(which),
            said.station.take(where),
            found["key"].compress(which),
            found["count"].compress(which),
            found["number"].compress(which),
            found["fill"].compress(which),
            found["payload_start"].compress(which),
            found["payload_length"].compress(which),
            lines.buf,
        )

    singles = fast(single)
    fragments = fast(~single)  # payloads gathered when assembled
    if said.slow:
        both = _Fragments.concat([fragments, _slow_fragments(lines, said, keys)])
        fragments = both.take(np.argsort(both.line, kind="stable"))
    return singles, fragments


def _slow_fragments(lines: Lines, said: Scan, keys: Vocabulary[tuple[Any, ...]]) -> _Fragments:
    """Sentences read one by one, as fragments (their payloads joined into one buffer)."""
    where = np.array([line for line, _ in said.slow], dtype=np.int64)
    sentences = [sentence for _, sentence in said.slow]
    codes = [_key(sentence, keys) for sentence in sentences]
    lengths = np.array([len(sentence.payload) for sentence in sentences], dtype=np.int64)
    starts = np.zeros(len(sentences), dtype=np.int64)
    if len(sentences) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    return _Fragments(
        lines.first + where,
        np.full(len(where), -1, dtype=np.int64),
        said.station[where],
        np.array(codes, dtype=np.int64),
        np.array([sentence.count for sentence in sentences], dtype=np.int64),
        np.array([sentence.number for sentence in sentences], dtype=np.int64),
        np.array([sentence.fill for sentence in sentences], dtype=np.int64),
        starts,
        lengths,
        np.frombuffer(b"".join(sentence.payload for sentence in sentences), dtype=np.uint8),
    )


def _key(sentence: Sentence, keys: Vocabulary[tuple[Any, ...]]) -> int:
    """The assembly key of a sentence read one by one: the bulk reader's integer, or (for a shape
    it cannot hold: a long channel, a sequence id over 9) a negative number kept per log."""
    code = key_of(sentence.talker, sentence.kind, sentence.seq, sentence.channel, sentence.count)
    if code is not None:
        return code
    whole = (sentence.talker, sentence.kind, sentence.seq, sentence.channel, sentence.count)
    return -1 - keys.code(whole)


def _check_dated(undated: int, before: int, name: str) -> None:
    """Raise if a sentence before the block's first time (``undated``, a file line; -1: none)
    has no time before the block either."""
    if undated >= 0 and before < 0:
        raise ReferenceTimeError(
            name,
            "no time for this sentence: no tag block c: or $PGHP line before it; "
            "pass reference_time= (timezone-aware) to date such logs",
            line=undated + 1,
        )


# -- multipart assembly ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Messages:
    """Messages as runs of fragments: ``parts`` holds them message after message (each message's
    payload contiguous in ``parts.data``); message ``m`` is ``parts[first[m] : first[m] + size[m]]``."""

    parts: _Fragments
    first: IntArray
    size: IntArray


_SUPERSEDED: Final = "incomplete multipart message: superseded by a new first fragment"
_ORPHAN: Final = "incomplete multipart message: fragment without its predecessors"
_NEVER_CAME: Final = "incomplete multipart message: partner fragment never came"


def _assemble(
    fragments: _Fragments, events: Events, *, last: bool, fast: bool, end: int
) -> tuple[_Messages, _Fragments]:
    """Messages of the fragments (in line order), and the fragments still waiting for partners.

    The rule, per key (talker, VDM/VDO, sequence id, channel, fragment count) in line
    order: a first fragment starts a message (a message still incomplete is rejected as
    superseded); fragment ``i`` joins a message that has ``i - 1`` fragments, and is rejected
    otherwise; a message with all its fragments is complete. Clean runs (fragments 1..n of
    a key one after the other) are found in bulk; only the other fragments take a Python
    step. At the end of the log (``last``) the waiting fragments are rejected.
    """
    single = np.flatnonzero(fragments.count == 1)
    multi = np.flatnonzero(fragments.count > 1)
    order = multi[np.argsort(fragments.key[multi], kind="stable")]  # by key, then line
    key, number, count = fragments.key[order], fragments.number[order], fragments.count[order]
    size = len(order)
    run_start = (number == 1) if fast else np.zeros(size, dtype=bool)
    for step in range(1, int(count.max(initial=1))):
        following = np.arange(size) + step
        inside = following < size
        ahead = np.minimum(following, max(size - 1, 0))
        joins = inside & (key[ahead] == key) & (number[ahead] == step + 1)
        run_start &= (step >= count) | joins
    member = np.zeros(size, dtype=bool)
    starts = np.flatnonzero(run_start)
    for step in range(int(count.max(initial=1))):
        these = starts[step < count[starts]]
        member[these + step] = True
    group = np.zeros(size, dtype=np.int64)
    if size:
        group[1:] = np.cumsum(key[1:] != key[:-1])
    odd_groups = np.unique(group[~member])
    interesting = np.flatnonzero(np.isin(group, odd_groups) & (~member | run_start))
    stepped, waiting = _step(interesting, group, number, count, run_start, fragments.line[order], events)
    if last:
        for parts in waiting:
            for position in parts:
                events.one(end, int(fragments.line[order[position]]), _NEVER_CAME)
        waiting = []
    run_parts = [starts + step for step in range(int(count.max(initial=1)))]
    run_size = count[starts]
    index_lists: list[IntArray] = [single]
    sizes: list[IntArray] = [np.ones(len(single), dtype=np.int64)]
    if starts.size:  # runs, fragment after fragment: an index matrix read row by row, padding dropped
        matrix = np.column_stack(run_parts)
        used = np.arange(matrix.shape[1]) < run_size[:, None]
        index_lists.append(order[matrix[used]])
        sizes.append(run_size)
    if stepped:
        index_lists.append(order[np.concatenate([np.asarray(parts) for parts in stepped])])
        sizes.append(np.array([len(parts) for parts in stepped], dtype=np.int64))
    index = np.concatenate(index_lists)
    sizes_all = np.concatenate(sizes)
    first = np.zeros(len(sizes_all), dtype=np.int64)
    if len(sizes_all) > 1:
        np.cumsum(sizes_all[:-1], out=first[1:])
    waiting_index = (
        np.sort(order[np.concatenate([np.asarray(parts) for parts in waiting])]) if waiting else None
    )
    pending = fragments.take(waiting_index) if waiting_index is not None else _Fragments.empty()
    return _Messages(fragments.take(index), first, sizes_all), pending


def _step(
    positions: IntArray,
    group: IntArray,
    number: IntArray,
    count: IntArray,
    run_start: BoolArray,
    line: IntArray,
    events: Events,
) -> tuple[list[list[int]], list[list[int]]]:
    """The rule of :func:`_assemble`, one fragment at a time, over the fragments that are not in
    clean runs (and the run starts after them, which supersede what is waiting). Returns the
    messages completed and the fragments left waiting (both as positions)."""
    done: list[list[int]] = []
    waiting: list[list[int]] = []
    current = -1
    parts: list[int] = []
    for position in positions.tolist():
        if group[position] != current:
            if parts:
                waiting.append(parts)
            current, parts = int(group[position]), []
        if run_start[position]:
            for part in parts:
                events.one(int(line[position]), int(line[part]), _SUPERSEDED)
            parts = []
            continue
        fragment_number = int(number[position])
        if fragment_number == 1:
            for part in parts:
                events.one(int(line[position]), int(line[part]), _SUPERSEDED)
            parts = [position]
        elif parts and fragment_number == len(parts) + 1:
            parts.append(position)
        else:
            events.one(int(line[position]), int(line[position]), _ORPHAN)
            continue
        if len(parts) == int(count[position]):
            done.append(parts)
            parts = []
    if parts:
        waiting.append(parts)
    return done, waiting


# -- decoding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decoded:
    """Every message of a block decoded: fields, pyais' complaint if any, and where it came from."""

    fields: fastdecode.Messages
    problem: ObjectArray  # pyais' error, or None
    no_mmsi: BoolArray  # pyais read no MMSI (payload too short)
    no_position: BoolArray  # pyais read no latitude or longitude
    seq: IntArray  # file line of the message's last fragment
    time: IntArray
    station: IntArray
    part_line: IntArray  # file lines of every message's fragments, message after message
    part_first: IntArray
    part_size: IntArray


def _single_messages(
    singles: _Fragments, decoded: tuple[fastdecode.Messages, ObjectArray, BoolArray, BoolArray]
) -> _Decoded:
    """Single-sentence messages, decoded in place in their block (see :func:`_decode`)."""
    fields, problem, no_mmsi, no_position = decoded
    return _Decoded(
        fields, problem, no_mmsi, no_position, singles.line, singles.time, singles.station,
        part_line=singles.line, part_first=np.arange(len(singles), dtype=np.int64),
        part_size=np.ones(len(singles), dtype=np.int64),
    )  # fmt: skip


def _assembled_messages(messages: _Messages, fast: bool) -> _Decoded:
    """Assembled messages decoded in their buffer; pyais takes what the bulk decoder leaves. Kept
    apart from the single-sentence ones: joining them would copy every field of every message."""
    parts, first, size = messages.parts, messages.first, messages.size
    length = np.add.reduceat(parts.length, first) if len(first) else np.zeros(0, dtype=np.int64)
    last = first + size - 1
    fields, problem, no_mmsi, no_position = _decode(
        parts.data, parts.start[first], length, parts.fill[last], fast
    )
    return _Decoded(
        fields, problem, no_mmsi, no_position, parts.line[last], parts.time[first], parts.station[first],
        part_line=parts.line, part_first=first, part_size=size,
    )  # fmt: skip


def _decode(
    data: ByteArray, start: IntArray, length: IntArray, fill: IntArray, fast: bool
) -> tuple[fastdecode.Messages, ObjectArray, BoolArray, BoolArray]:
    """The messages' fields, in bulk, then by pyais for what the bulk decoder leaves: a message
    pyais cannot decode either stays not ``decoded``, with pyais' complaint in ``problem``."""
    if fast:
        fields = fastdecode.decode_messages(data, start, length, fill)
    else:
        fields = fastdecode._empty_messages(np.full(len(start), -1, dtype=np.int64))
    problem = np.empty(len(start), dtype=object)  # None in every item, as numpy fills them
    no_mmsi = np.zeros(len(start), dtype=bool)
    no_position = np.zeros(len(start), dtype=bool)
    for index in np.flatnonzero(~fields.decoded).tolist():
        payload = data[start[index] : start[index] + length[index]].tobytes()
        problem[index] = _pyais_fields(payload, int(fill[index]), fields, index, no_mmsi, no_position)
    return fields, problem, no_mmsi, no_position


def _pyais_fields(
    payload: bytes,
    fill: int,
    fields: fastdecode.Messages,
    index: int,
    no_mmsi: BoolArray,
    no_position: BoolArray,
) -> str | None:
    """Decode one payload with pyais into row ``index`` of ``fields``; its error, if it has one."""
    from pyais.bit_vector import bit_vector  # imported on first use: not by `import vesselscreen`
    from pyais.messages import MSG_CLASS

    try:
        vector = bit_vector(payload, fill)
        ais_id = vector.get(0, 6)
        if ais_id not in MSG_CLASS:
            return f"undecodable payload: UnknownMessageException: message type {ais_id} is not supported"
        message = MSG_CLASS[ais_id].from_vector(vector)
    except decode_errors() as exc:
        return f"undecodable payload: {type(exc).__name__}: {exc}"
    kind = getattr(message, "msg_type", None)
    if not isinstance(kind, int):
        return "undecodable payload: no message type"
    fields.kind[index] = kind
    fields.decoded[index] = True
    mmsi = getattr(message, "mmsi", None)
    no_mmsi[index] = not isinstance(mmsi, int)
    fields.mmsi[index] = mmsi if isinstance(mmsi, int) else _MISSING
    if kind in POSITION_MESSAGE_TYPES:
        lat, lon = getattr(message, "lat", None), getattr(message, "lon", None)
        no_position[index] = not (isinstance(lat, int | float) and isinstance(lon, int | float))
        fields.lat[index] = _number(lat)
        fields.lon[index] = _number(lon)
        fields.speed[index] = _number(getattr(message, "speed", None))
        fields.course[index] = _number(getattr(message, "course", None))
        fields.heading[index] = _number(getattr(message, "heading", None))
        status = getattr(message, "status", None)
        fields.status[index] = int(status) if isinstance(status, int) and 0 <= status <= 15 else -1
    for name in ("shipname", "callsign", "destination"):
        value = getattr(message, name, None)
        getattr(fields, name)[index] = value if isinstance(value, str) else None
    for name in ("imo", "ship_type"):
        value = getattr(message, name, None)
        getattr(fields, name)[index] = int(value) if isinstance(value, int) else 0
    fields.draught[index] = _number(getattr(message, "draught", None))
    partno = getattr(message, "partno", None)
    fields.partno[index] = int(partno) if isinstance(partno, int) else -1
    return None


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


# -- checks, rows and accounting -----------------------------------------------------------------

_POSITION_COLUMNS: Final = (
    "seq",
    "time",
    "mmsi",
    "lat",
    "lon",
    "sog",
    "cog",
    "heading",
    "status",
    "name",
    "ship_type",
    "station",
)
_STATIC_COLUMNS: Final = (
    "seq",
    "time",
    "mmsi",
    "imo",
    "name",
    "call_sign",
    "ship_type",
    "destination",
    "draught",
)


def _no_rows(columns: tuple[str, ...]) -> dict[str, npt.NDArray[Any]]:
    floats = {"lat", "lon", "sog", "cog", "heading", "draught"}
    return {name: np.zeros(0, dtype=np.float64 if name in floats else np.int64) for name in columns}


@dataclass(frozen=True)
class _Part:
    """The rows of some messages, checked: position and identity rows, fragments accepted,
    messages accepted per type (by ``type + 1``), and the rejections and warnings found."""

    positions: dict[str, npt.NDArray[Any]]
    statics: dict[str, npt.NDArray[Any]]
    accepted: int
    per_kind: IntArray
    events: Events

    @staticmethod
    def empty() -> _Part:
        no_kinds = np.zeros(_KIND_SLOTS, dtype=np.int64)
        return _Part(_no_rows(_POSITION_COLUMNS), _no_rows(_STATIC_COLUMNS), 0, no_kinds, Events())

    def counted(self) -> _Part:
        """The part's accounts without its rows (once they are in a :class:`_Run`)."""
        return replace(self, positions=_no_rows(_POSITION_COLUMNS), statics=_no_rows(_STATIC_COLUMNS))

    @staticmethod
    def merged(parts: list[_Part]) -> _Part:
        """The accounts of ``parts`` as one part's, without their rows."""
        per_kind: IntArray = np.zeros(_KIND_SLOTS, dtype=np.int64)
        for part in parts:
            per_kind += part.per_kind
        events = Events.joined([part.events for part in parts])
        accepted = sum(part.accepted for part in parts)
        return _Part(_no_rows(_POSITION_COLUMNS), _no_rows(_STATIC_COLUMNS), accepted, per_kind, events)


def _accounts(parts: list[_Part]) -> tuple[int, dict[str, int]]:
    """The fragments a block's parts accepted, and the notes (messages accepted per type)."""
    accepted = sum(part.accepted for part in parts)
    per_kind = np.sum([part.per_kind for part in parts], axis=0)
    notes: dict[str, int] = {}
    if accepted:
        notes["decoded sentences"] = accepted
    for value in np.flatnonzero(per_kind).tolist():
        notes[f"message type {value - 1}"] = int(per_kind[value])
    return accepted, notes


def _single_parts(singles: _Fragments, vocabulary: _Vocabularies, fast: bool) -> list[_Part]:
    """The rows of single-sentence messages: position reports of types 1, 2, 3, 18 and 27 (most of
    a feed) decoded and checked straight into rows (:func:`_report_rows`); the others decoded as
    any message (:func:`_decode`, :func:`_part_rows`)."""
    data, start, length, fill = singles.data, singles.start, singles.length, singles.fill
    if not fast:
        return [_part_rows(_single_messages(singles, _decode(data, start, length, fill, fast)), vocabulary)]
    reports = fastdecode.buffer_decodable(data, start, length, fill)
    first = data.take(np.where(length > 0, start, 0)) if len(data) else np.zeros(len(start), np.uint8)
    long_range = (fastdecode.armour_values(first) == 27) & (length > 0)
    long_range &= length * 6 - fill >= fastdecode._T27_BITS
    parts = []
    for which, fields in (
        (np.flatnonzero(reports), fastdecode._report_fields),
        (np.flatnonzero(long_range), fastdecode._long_range_fields),
    ):
        if which.size:
            parts.append(_report_rows(singles.subset(which), fields(data, start.take(which))))
    others = np.flatnonzero(~(reports | long_range))
    if others.size or not parts:
        rest = singles.subset(others)
        decoded = _decode(rest.data, rest.start, rest.length, rest.fill, fast)
        parts.append(_part_rows(_single_messages(rest, decoded), vocabulary))
    return parts


def _report_rows(singles: _Fragments, fields: dict[str, npt.NDArray[Any]]) -> _Part:
    """:func:`_part_rows` of single-sentence position reports of types 1, 2, 3, 18 or 27, decoded
    (``fields``): the same checks, rejections and rows, on arrays of these messages only."""
    kind, mmsi, lat, lon = fields["kind"], fields["mmsi"], fields["lat"], fields["lon"]
    events = Events()
    failed = np.zeros(len(kind), dtype=bool)
    with np.errstate(invalid="ignore"):
        checks = (
            ("invalid MMSI", (mmsi < MMSI_MIN) | (mmsi > MMSI_MAX), mmsi),
            ("invalid latitude", ~((lat >= -90.0) & (lat <= 90.0)), lat),
            ("invalid longitude", ~((lon >= -180.0) & (lon <= 180.0)), lon),
        )
    for label, check, value in checks:  # in order: a message is rejected for the first it fails
        these = np.flatnonzero(check & ~failed)
        failed |= check
        if these.size:
            lines = singles.line.take(these)
            events.add(lines, label, _valued(label, lines, value.take(these)), found=lines)
    ok = np.flatnonzero(~failed)
    kind_ok = kind.take(ok)
    long_range = fields.get("heading") is None  # type 27: its own "not available" codes, no heading
    speed, course = fields["speed"].take(ok), fields["course"].take(ok)
    if long_range:
        speed = np.where(speed == _T27_SPEED_NA, np.nan, speed)
        course = np.where(course == _T27_COURSE_NA, np.nan, course)
    heading = np.full(len(ok), np.nan) if long_range else _angle(fields["heading"].take(ok))
    positions = {
        "seq": singles.line.take(ok),
        "time": singles.time.take(ok),
        "mmsi": mmsi.take(ok),
        "lat": lat.take(ok),
        "lon": lon.take(ok),
        "sog": _speed(speed),
        "cog": _angle(course),
        "heading": heading,
        "status": fields["status"].take(ok),  # -1 for type 18 already
        "name": np.full(len(ok), -1, dtype=np.int64),
        "ship_type": np.zeros(len(ok), dtype=np.int64),
        "station": singles.station.take(ok),
    }
    per_kind = np.bincount(kind_ok + 1, minlength=_KIND_SLOTS)
    return _Part(positions, _no_rows(_STATIC_COLUMNS), len(ok), per_kind, events)


def _valued(label: str, lines: IntArray, values: npt.NDArray[Any]) -> Callable[[int], str]:
    """Words a rejection of file line ``lines[i]`` (sorted) for ``label`` with its ``values[i]``."""

    def detail(line: int) -> str:
        return f"{label}: {values[np.searchsorted(lines, line)].item()}"

    return detail


def _part_rows(decoded: _Decoded, vocabulary: _Vocabularies) -> _Part:
    """Check every message (MMSI, position), count its fragments as accepted or rejected, and
    give the rows of the accepted ones (texts numbered in the log's vocabulary)."""
    events = Events()
    texts, text_codes = vocabulary.texts, vocabulary.text_codes
    fields = decoded.fields
    kind = fields.kind
    mmsi, lat, lon = fields.mmsi, fields.lat, fields.lon
    slot = kind + 1
    is_position = _kinds_in(POSITION_MESSAGE_TYPES).take(slot)
    needs_mmsi = is_position | _kinds_in(STATIC_MESSAGE_TYPES).take(slot)
    # each message left undecoded has pyais' complaint (see _decode)
    suspect = ~fields.decoded | decoded.no_mmsi | decoded.no_position
    suspect |= needs_mmsi & ((mmsi < MMSI_MIN) | (mmsi > MMSI_MAX))
    with np.errstate(invalid="ignore"):
        suspect |= is_position & ~((lat >= -90.0) & (lat <= 90.0) & (lon >= -180.0) & (lon <= 180.0))
    failed = np.zeros(len(kind), dtype=bool)
    which = np.flatnonzero(suspect)  # the checks, in order, on the few messages that may fail one
    if which.size:
        position_s, needs_s, mmsi_s, lat_s, lon_s = (
            is_position[which],
            needs_mmsi[which],
            mmsi[which],
            lat[which],
            lon[which],
        )
        with np.errstate(invalid="ignore"):
            checks = (
                ("pyais", ~fields.decoded[which]),
                ("truncated", needs_s & decoded.no_mmsi[which]),
                ("invalid MMSI", needs_s & ((mmsi_s < MMSI_MIN) | (mmsi_s > MMSI_MAX))),
                ("truncated", position_s & decoded.no_position[which]),
                ("invalid latitude", position_s & ~((lat_s >= -90.0) & (lat_s <= 90.0))),
                ("invalid longitude", position_s & ~((lon_s >= -180.0) & (lon_s <= 180.0))),
            )
        passed = np.ones(len(which), dtype=bool)
        for label, mask in checks:
            these = which[mask & passed]
            passed &= ~mask
            if these.size:
                _reject_messages(decoded, these, label, events)
        failed[which[~passed]] = True
    ok = np.flatnonzero(~failed)
    accepted = int(decoded.part_size.take(ok).sum())
    ok_slot = slot.take(ok)
    per_kind = np.bincount(ok_slot, minlength=_KIND_SLOTS)
    imo = _checked_imos(decoded, ok, events)
    carriers = {"shipname": (5, 19, 24), "callsign": (5, 24), "destination": (5,)}
    text = {
        name: _text_codes(getattr(fields, name), texts, _kinds_in(kinds).take(slot), text_codes)
        for name, kinds in carriers.items()
    }
    position = ok.compress(is_position.take(ok))
    kind_p = kind.take(position)
    t27 = kind_p == 27
    speed, course = fields.speed.take(position), fields.course.take(position)
    positions = {
        "seq": decoded.seq.take(position),
        "time": decoded.time.take(position),
        "mmsi": mmsi.take(position),
        "lat": lat.take(position),
        "lon": lon.take(position),
        "sog": _speed(np.where(t27 & (speed == _T27_SPEED_NA), np.nan, speed)),
        "cog": _angle(np.where(t27 & (course == _T27_COURSE_NA), np.nan, course)),
        "heading": _angle(np.where(t27, np.nan, fields.heading.take(position))),
        "status": np.where(_kinds_in(_NAV_STATUS_TYPES).take(kind_p + 1), fields.status.take(position), -1),
        "name": np.where(kind_p == 19, text["shipname"].take(position), -1),
        "ship_type": np.where(kind_p == 19, _code(fields.ship_type.take(position)), 0),
        "station": decoded.station.take(position),
    }
    static = ok.compress(_kinds_in((5, 24)).take(ok_slot))
    kind_s, part = kind.take(static), fields.partno.take(static)
    t5, part_a, part_b = kind_s == 5, (kind_s == 24) & (part == 0), (kind_s == 24) & (part == 1)
    draught = fields.draught.take(static)
    statics = {
        "seq": decoded.seq.take(static),
        "time": decoded.time.take(static),
        "mmsi": mmsi.take(static),
        "imo": np.where(t5, imo.take(static), 0),
        "name": np.where(t5 | part_a, text["shipname"].take(static), -1),
        "call_sign": np.where(t5 | part_b, text["callsign"].take(static), -1),
        "ship_type": np.where(t5 | part_b, _code(fields.ship_type.take(static)), 0),
        "destination": np.where(t5, text["destination"].take(static), -1),
        "draught": np.where(t5 & (draught > 0), draught, np.nan),
    }
    return _Part(positions, statics, accepted, per_kind, events)


_KIND_SLOTS: Final = 65  # message types are 6-bit numbers; -1: none


@cache
def _kinds_in(kinds: Iterable[int]) -> BoolArray:
    """A table (built once per set) of whether ``kind + 1`` is one of ``kinds``: a lookup is faster
    than ``np.isin``."""
    table = np.zeros(_KIND_SLOTS, dtype=bool)
    table[[kind + 1 for kind in kinds]] = True
    return table


def _reject_messages(decoded: _Decoded, messages: IntArray, label: str, events: Events) -> None:
    """Every fragment line of ``messages`` rejected, found at the message's last line."""
    size = decoded.part_size[messages]
    offsets = concatenated_ranges(decoded.part_first[messages], size)
    about = decoded.part_line[offsets]
    found = np.repeat(decoded.seq[messages], size)
    owner = np.repeat(messages, size)
    order = np.argsort(about)
    sorted_about, sorted_owner = about[order], owner[order]
    fields = decoded.fields

    def detail(line: int) -> str:
        message = int(sorted_owner[np.searchsorted(sorted_about, line)])
        if label == "pyais":
            return str(decoded.problem[message])
        if label == "truncated":
            return _TRUNCATED
        value = {
            "invalid MMSI": fields.mmsi,
            "invalid latitude": fields.lat,
            "invalid longitude": fields.lon,
        }[label]
        return f"{label}: {value[message].item()}"

    reason = "undecodable payload" if label in ("pyais", "truncated") else label
    events.add(about, reason, detail, found=found)


def _checked_imos(decoded: _Decoded, ok: IntArray, events: Events) -> IntArray:
    """IMO numbers of accepted type 5 messages; one failing its check digit is 0, with a warning."""
    fields = decoded.fields
    imo = np.where((fields.imo >= 1) & (fields.imo <= 2**30), fields.imo, 0)
    candidates = ok[(fields.kind[ok] == 5) & (imo[ok] != 0)]
    if not candidates.size:
        return imo
    invalid = candidates[~_valid_imos(imo[candidates])]
    if not invalid.size:
        return imo
    first = decoded.part_line[decoded.part_first[invalid]]  # each message's first line
    order = np.argsort(first)
    lines, messages, numbers = first[order], invalid[order], imo[invalid][order]

    def detail(line: int) -> str:  # worded only for the samples kept
        at = int(np.searchsorted(lines, line))
        return f"invalid IMO: {int(numbers[at])} of MMSI {int(fields.mmsi[messages[at]])}"

    events.add(first, "invalid IMO", detail, found=decoded.seq[invalid], kept=True)
    imo[invalid] = 0
    return imo


_IMO_WEIGHTS: Final = ((1_000_000, 7), (100_000, 6), (10_000, 5), (1_000, 4), (100, 3), (10, 2))


def _valid_imos(numbers: IntArray) -> BoolArray:
    """:func:`vesselscreen.identifiers.is_valid_imo` of each number, in bulk.

    >>> _valid_imos(np.array([9074729, 9074728, 123])).tolist()
    [True, False, False]
    """
    total = np.zeros(len(numbers), dtype=np.int64)
    for scale, weight in _IMO_WEIGHTS:
        total += numbers // scale % 10 * weight
    valid: BoolArray = (numbers >= 1_000_000) & (numbers <= 9_999_999) & (total % 10 == numbers % 10)
    return valid


def _code(values: IntArray) -> IntArray:
    """AIS codes 1-255 as they are; anything else 0 (not available)."""
    return np.where((values >= 1) & (values <= 255), values, 0)


def _text_codes(
    values: ObjectArray, texts: Vocabulary[str], carriers: BoolArray, known: dict[str, int]
) -> IntArray:
    """AIS text of the ``carriers`` (the messages of types with this field) without its '@'
    padding and surrounding spaces, as codes of ``texts``; empty or none -> -1. Worked out
    once per distinct value of the log (``known``: the codes of the values seen so far)."""
    result = np.full(len(values), -1, dtype=np.int64)
    which = np.flatnonzero(carriers)
    if not which.size:
        return result
    codes, distinct = pd.factorize(values[which], use_na_sentinel=True)
    raw: list[str] = distinct.tolist()
    table: list[int | None] = list(map(known.get, raw))
    if None in table:  # '@' padding and spaces trimmed at both ends, in Arrow
        new = [text for text, code in zip(raw, table, strict=True) if code is None]
        cleaned: list[str] = pc.utf8_trim_whitespace(pc.utf8_trim(pa.array(new), characters="@ ")).to_pylist()
        named = [text for text in cleaned if text]
        codes_of = dict(zip(named, texts.codes(named), strict=True))
        known.update(zip(new, map(codes_of.get, cleaned, repeat(-1)), strict=True))  # -1: nothing left
        table = list(map(known.get, raw))
    result[which] = np.array([*table, -1], dtype=np.int64).take(codes)
    return result


def _report(
    lines: Lines,
    said: Scan,
    events: Events,
    accepted: int,
    notes: dict[str, int],
    raw: dict[int, str],
    name: str,
    *,
    bom: bool,
    samples: int = MAX_SAMPLES,
) -> IngestReport:
    """The block's report: records settled in it, notes, the first ``samples`` samples in the order
    they were found (the others counted only)."""
    log = RejectionLog(name)
    pghp = int(said.pghp.sum())
    log.accept(pghp + accepted)
    counts = {
        "byte order mark skipped": int(bom),
        "blank lines": said.blank,
        "comment lines": said.comments,
        "PGHP lines": pghp,
        "trailing fields after checksum ignored": int(said.trailing.sum()),
        **notes,
    }
    for key, count in counts.items():
        if count:
            log.note(key, count)

    def text(line: int) -> str:
        if lines.first <= line < lines.first + len(lines):
            return lines.text(line - lines.first).decode("ascii", errors="replace")
        return raw.get(line, "")

    found = [group[0] for group in events.groups] + [np.asarray(events.found, dtype=np.int64)]
    about = [group[1] for group in events.groups] + [np.asarray(events.about, dtype=np.int64)]
    owner = [np.full(len(group[0]), index, dtype=np.int64) for index, group in enumerate(events.groups)]
    owner.append(-1 - np.arange(len(events.found), dtype=np.int64))  # single events: -1, -2, ...
    all_found, all_about, all_owner = np.concatenate(found), np.concatenate(about), np.concatenate(owner)
    order = np.lexsort((all_about, all_found))
    for position in order[:samples].tolist():
        line, which = int(all_about[position]), int(all_owner[position])
        if which >= 0:
            reason, kept = events.groups[which][4](line), events.groups[which][3]
        else:
            reason, kept = events.reasons[-1 - which], events.kept[-1 - which]
        if kept:
            log.warn(reason, line=line + 1, raw=text(line))
        else:
            log.reject(reason, line=line + 1, raw=text(line))
    rest = all_owner[order[samples:]]
    classes: dict[tuple[str, bool], int] = {}
    grouped, group_counts = np.unique(rest[rest >= 0], return_counts=True)
    for which, count in zip(grouped.tolist(), group_counts.tolist(), strict=True):
        group_class = (events.groups[which][2], events.groups[which][3])
        classes[group_class] = classes.get(group_class, 0) + count
    for which in rest[rest < 0].tolist():
        single_class = (events.reasons[-1 - which].split(":", 1)[0].strip(), events.kept[-1 - which])
        classes[single_class] = classes.get(single_class, 0) + 1
    for (reason_class, is_kept), count in classes.items():
        if is_kept:
            log.warnings[reason_class] += count
        else:  # counted only: reject() would add a sample while the log holds fewer than its maximum
            log.reasons[reason_class] += count
    return log.report(format=FORMAT)


def _file_report(reports: list[IngestReport], name: str) -> IngestReport:
    if not reports:
        return IngestReport(source=name, format=FORMAT, records=0, accepted=0, rejected=0)
    return combine_reports(reports).model_copy(update={"source": name})


# -- the frame ----------------------------------------------------------------------------------

_IDENTITY: Final = ("imo", "name", "call_sign", "ship_type", "destination", "draught")


_NONE: Final = {"imo": 0, "ship_type": 0, "draught": np.nan, "name": -1, "call_sign": -1, "destination": -1}
"""How each identity column says "not known"."""


def _missing(name: str, values: npt.NDArray[Any]) -> BoolArray:
    if name == "draught":
        return np.asarray(np.isnan(values), dtype=bool)
    return np.asarray(values == _NONE[name], dtype=bool)


@dataclass(frozen=True)
class _Identity:
    """Per MMSI, the latest value of each identity field and its time (chunked reading)."""

    fields: dict[str, tuple[IntArray, npt.NDArray[Any], IntArray]]

    @staticmethod
    def empty() -> _Identity:
        nothing = np.zeros(0, dtype=np.int64)
        return _Identity({name: (nothing, _no_rows((name,))[name], nothing) for name in _IDENTITY})


@dataclass(frozen=True)
class _Run:
    """Position and identity rows sorted within themselves: ``order`` sorts them by MMSI, time
    and line (indices into the positions, then the identity rows), and ``keys`` holds their
    MMSI, time and line in that order. A block's run is sorted on its thread; the frame merges
    the runs (see :func:`_merged`).
    """

    positions: list[dict[str, npt.NDArray[Any]]]  # tables of the same columns, not joined
    statics: list[dict[str, npt.NDArray[Any]]]
    order: IntArray
    keys: dict[str, IntArray]

    @staticmethod
    def of(parts: list[_Part]) -> _Run:
        return _Run.sorted([part.positions for part in parts], [part.statics for part in parts])

    @staticmethod
    def sorted(
        positions: list[dict[str, npt.NDArray[Any]]], statics: list[dict[str, npt.NDArray[Any]]]
    ) -> _Run:
        both = {name: np.concatenate([table[name] for table in positions + statics]) for name in _KEYS}
        order = _order(both["mmsi"], both["time"], both["seq"])
        return _Run(positions, statics, order, {name: both[name].take(order) for name in _KEYS})

    @property
    def count(self) -> tuple[int, int]:
        """The run's position rows and identity rows."""
        return sum(len(table["seq"]) for table in self.positions), sum(
            len(table["seq"]) for table in self.statics
        )

    def dated(self, before: int) -> _Run:
        """The run with times "none yet" (-1) as ``before``, sorted again if that moves a row."""
        undated = self.keys["time"] == -1
        if not undated.any():
            return self
        positions = [{**table, "time": _dated(table["time"], before)} for table in self.positions]
        statics = [{**table, "time": _dated(table["time"], before)} for table in self.statics]
        if not undated.all():
            return _Run.sorted(positions, statics)
        return _Run(positions, statics, self.order, {**self.keys, "time": np.full(len(undated), before)})


_KEYS: Final = ("mmsi", "time", "seq")


def _merged(runs: list[_Run]) -> tuple[IntArray, IntArray, IntArray]:
    """The frame's order of the rows of ``runs`` (indices into all their positions, then all their
    identity rows, each joined in run order) by MMSI, time and line; and the rows' MMSIs and
    times in that order.

    The runs' MMSIs are merged by one stable sort (numpy's timsort merges sorted runs in
    linear time): each MMSI's rows then come run after run, which is their order unless
    an earlier run has a row later in time (or line) than a later one; the MMSIs where that
    happens are sorted again.
    """
    count_p = sum(run.count[0] for run in runs)
    pieces, at_p, at_s = [], 0, count_p
    for run in runs:
        held, identity_rows = run.count
        pieces.append(np.where(run.order < held, run.order + at_p, run.order - held + at_s))
        at_p, at_s = at_p + held, at_s + identity_rows
    if len(runs) == 1:
        return pieces[0], runs[0].keys["mmsi"], runs[0].keys["time"]
    keys = {name: np.concatenate([run.keys[name] for run in runs]) for name in _KEYS}
    merge = np.argsort(keys["mmsi"], kind="stable")
    order = np.concatenate(pieces).take(merge)
    mmsi, time, seq = (keys[name].take(merge) for name in _KEYS)
    same = mmsi[1:] == mmsi[:-1]
    earlier = time[1:] < time[:-1]
    earlier |= (time[1:] == time[:-1]) & (seq[1:] < seq[:-1])
    earlier &= same
    if earlier.any():  # those MMSIs' rows sorted again, in place
        group = np.zeros(len(mmsi), dtype=np.int64)
        np.cumsum(~same, out=group[1:])
        rows = np.flatnonzero(np.isin(group, group[1:][earlier]))
        again = np.lexsort((seq.take(rows), time.take(rows), group.take(rows)))
        order[rows], time[rows] = order.take(rows).take(again), time.take(rows).take(again)
    return order, mmsi, time


def _order(mmsi: IntArray, time: IntArray, seq: IntArray) -> IntArray:
    """Row order by MMSI, then time, then line.

    Lines and times come nearly sorted (a stable sort of runs is fast); MMSIs do not. An
    MMSI (30 bits) is sorted as two 16-bit halves, low then high, each by numpy's stable
    sort of 16-bit numbers, a radix sort: about twice as fast as one sort of 64-bit keys.
    """
    by_seq = np.argsort(seq, kind="stable")
    by_time = by_seq.take(np.argsort(time.take(by_seq), kind="stable"))
    keys = mmsi.take(by_time)
    if len(keys) and int(keys.min()) >= 0 and int(keys.max()) < 1 << 32:
        by_low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
        by_high = np.argsort((keys.take(by_low) >> 16).astype(np.uint16), kind="stable")
        ordered: IntArray = by_time.take(by_low.take(by_high))
        return ordered
    return by_time[np.argsort(keys, kind="stable")]


def _frame(
    rows: _Rows, report: IngestReport, identity: _Identity | None, pool: ThreadPoolExecutor | None = None
) -> tuple[pd.DataFrame, _Identity]:
    """The positions frame of some rows: identity carried forward per MMSI in time order (and from
    ``identity``, what earlier chunks said), sorted by MMSI then time.

    Identity rows (type 5 and 24 messages, and type 19 positions, which name their ship) are
    few: each field is filled forward among them, and each position takes the values of the
    last identity row of its MMSI at or before it. The position columns are put in the frame's
    order, and the identity columns filled, on ``pool``'s threads if given and on this one (numpy
    and Arrow release the GIL; a gather in an order by MMSI waits on memory more than it computes).
    """
    runs = rows.runs
    order, ordered_mmsi, ordered_time = _merged(runs)
    count_p = sum(run.count[0] for run in runs)
    position_tables = [table for run in runs for table in run.positions]
    is_position = order < count_p
    final = order.compress(is_position)  # the position rows, in the frame's order

    def gathered(name: str) -> npt.NDArray[Any]:
        return _joined(position_tables, (name,))[name].take(final)

    # the position columns first: the pool gathers them while this thread works out identity rows
    sources = pa.array([SOURCE, *(f"{SOURCE}:{name}" for name in rows.stations)], type=pa.string())
    tasks: dict[str, Callable[[], Any]] = {name: partial(gathered, name) for name in _GATHERED}
    tasks["source"] = lambda: _strings(sources, gathered("station") + 1)
    futures = {name: pool.submit(task) for name, task in tasks.items()} if pool else {}
    mmsi, time = ordered_mmsi.compress(is_position), ordered_time.compress(is_position)
    positions = _joined(position_tables, ("name", "ship_type"))
    statics = _joined([table for run in runs for table in run.statics])
    named = (positions["name"] >= 0) | (positions["ship_type"] != 0)  # type 19
    is_identity = np.concatenate((named, np.ones(len(statics["seq"]), dtype=bool))).take(order)
    chosen = order.compress(is_identity)  # identity rows in order (indices into positions, then statics)
    identity_mmsi, identity_time = ordered_mmsi.compress(is_identity), ordered_time.compress(is_identity)
    last = np.cumsum(is_identity).compress(is_position) - 1  # each position's last identity row so far
    linked = (last >= 0) & (identity_mmsi.take(np.maximum(last, 0)) == mmsi) if len(chosen) else last >= 0
    source = np.where(linked, last, len(chosen))  # each position's identity row; past the last: none
    start = _group_starts(identity_mmsi)
    texts = pa.array(rows.texts, type=pa.string())  # once for the three text columns
    from_statics = chosen >= count_p
    identity_rows = (chosen.compress(from_statics) - count_p, chosen.compress(~from_statics))

    def identity_column(name: str) -> tuple[Any, tuple[IntArray, npt.NDArray[Any], IntArray] | None]:
        values = _identity_values(name, from_statics, identity_rows, positions, statics)
        missing = _missing(name, values)
        latest = (
            np.maximum.accumulate(np.where(~missing, np.arange(len(values)), -1)) if len(values) else start
        )
        known = latest >= start
        filled = np.where(known, values[np.maximum(latest, 0)], values)  # forward within each MMSI
        column = np.append(filled, np.array([_NONE[name]], dtype=values.dtype)).take(source)
        if identity is None:
            return _identity_array(name, column, texts), None
        kept = ~missing
        carried = identity.fields[name]
        update = _latest(carried, identity_mmsi[kept], values[kept], identity_time[kept])
        column = _from_earlier_chunks(carried, mmsi, time, column, ~_missing(name, column))
        return _identity_array(name, column, texts), update

    filling = {name: partial(identity_column, name) for name in _IDENTITY}
    futures |= {name: pool.submit(task) for name, task in filling.items()} if pool else {}
    tasks |= filling
    data: dict[str, Any] = {
        POSITION.MMSI: pd.arrays.IntegerArray(
            mmsi.astype(np.int64, copy=False), np.zeros(len(mmsi), dtype=bool)
        ),
        POSITION.TIMESTAMP: _utc(time),
    }
    done = _shared(tasks, futures)
    filled = {name: done[name] for name in _IDENTITY}
    updated = {name: update for name, (_, update) in filled.items() if update is not None}
    identity_columns = {name: column for name, (column, _) in filled.items()}
    frame = _positions_frame(data, {name: done[name] for name in (*_GATHERED, "source")}, identity_columns)
    frame.attrs[INGEST_REPORT_ATTR] = report
    return frame, (_Identity(updated) if identity is not None else _Identity.empty())


def _shared(tasks: dict[str, Callable[[], Any]], futures: dict[str, Future[Any]]) -> dict[str, Any]:
    """Each task's result: worked out by the thread pool the ``futures`` were handed to, and by this
    thread, which takes back (from the last) the tasks no thread has begun, rather than wait."""
    results = {}
    for name in reversed(tasks):
        future = futures.get(name)
        if future is None or future.cancel():
            results[name] = tasks[name]()
    return {name: results[name] if name in results else futures[name].result() for name in tasks}


_GATHERED: Final = ("lat", "lon", "sog", "cog", "heading", "status")


def _joined(
    tables: list[dict[str, npt.NDArray[Any]]], columns: tuple[str, ...] | None = None
) -> dict[str, npt.NDArray[Any]]:
    """The rows of several tables of the same columns (a table alone is not copied): all their
    columns, or only ``columns``."""
    filled = [table for table in tables if len(table["seq"])] or tables[:1]
    names = columns or tuple(filled[0])
    if len(filled) == 1:
        return {name: filled[0][name] for name in names}
    return {name: np.concatenate([table[name] for table in filled]) for name in names}


def _group_starts(mmsi: IntArray) -> IntArray:
    """For each row of MMSI-sorted rows, the index of the first row of its MMSI."""
    if not len(mmsi):
        return np.zeros(0, dtype=np.int64)
    boundary = np.ones(len(mmsi), dtype=bool)
    boundary[1:] = mmsi[1:] != mmsi[:-1]
    starts: IntArray = np.maximum.accumulate(np.where(boundary, np.arange(len(mmsi)), 0))
    return starts


def _identity_values(
    name: str,
    from_statics: BoolArray,
    rows: tuple[IntArray, IntArray],
    positions: dict[str, npt.NDArray[Any]],
    statics: dict[str, npt.NDArray[Any]],
) -> npt.NDArray[Any]:
    """Field ``name`` of the identity rows, which come ``from_statics`` or from positions: ``rows``
    are their indices into the statics, and into the positions."""
    values = np.full(len(from_statics), _NONE[name], dtype=statics[name].dtype)
    values[from_statics] = statics[name].take(rows[0])
    if name in positions:
        values[~from_statics] = positions[name].take(rows[1])
    return values


def _latest(
    carried: tuple[IntArray, npt.NDArray[Any], IntArray],
    mmsi: IntArray,
    values: npt.NDArray[Any],
    time: IntArray,
) -> tuple[IntArray, npt.NDArray[Any], IntArray]:
    """Per MMSI, the value with the latest time (ties: the later in the file) of the carried and
    the new values."""
    all_mmsi = np.concatenate((carried[0], mmsi))
    all_values = np.concatenate((carried[1], values))
    all_time = np.concatenate((carried[2], time))
    newer = np.concatenate((np.zeros(len(carried[0]), dtype=np.int64), np.arange(1, len(mmsi) + 1)))
    order = np.lexsort((newer, all_time, all_mmsi))
    ordered = all_mmsi[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    chosen = order[last]
    return all_mmsi[chosen], all_values[chosen], all_time[chosen]


def _from_earlier_chunks(
    carried: tuple[IntArray, npt.NDArray[Any], IntArray],
    mmsi: IntArray,
    time: IntArray,
    values: npt.NDArray[Any],
    known: BoolArray,
) -> npt.NDArray[Any]:
    """``values`` with rows that have no value in their chunk yet (not ``known``) given the carried
    one, if it is not later than the row."""
    carried_mmsi, carried_values, carried_time = carried
    if not len(carried_mmsi):
        return values
    index = np.minimum(np.searchsorted(carried_mmsi, mmsi), len(carried_mmsi) - 1)
    usable = ~known & (carried_mmsi[index] == mmsi) & (carried_time[index] <= time)
    return np.where(usable, carried_values[index], values)


def _identity_array(name: str, column: npt.NDArray[Any], texts: Any) -> Any:
    """An identity column (codes of ``texts`` for the text ones) with its positions-schema dtype."""
    if name in ("name", "call_sign", "destination"):
        return _strings(texts, column)
    if name == "imo":
        return pd.arrays.IntegerArray(column.astype(np.int64, copy=False), column == 0)
    if name == "ship_type":
        return pd.arrays.IntegerArray(column.astype(np.int16), column == 0)
    return column.astype(np.float64, copy=False)  # draught


def _positions_frame(data: dict[str, Any], taken: dict[str, Any], identity: dict[str, Any]) -> pd.DataFrame:
    """The canonical columns and dtypes, in order, from the MMSI and timestamp columns (``data``),
    the position columns and the source (``taken``: speed, course and heading "not available"
    are NaN already, see :func:`_speed`) and the identity ones."""
    status = taken["status"]
    columns = {
        POSITION.MMSI: data[POSITION.MMSI],
        POSITION.TIMESTAMP: data[POSITION.TIMESTAMP],
        POSITION.LAT: taken["lat"],
        POSITION.LON: taken["lon"],
        POSITION.SOG: taken["sog"],
        POSITION.COG: taken["cog"],
        POSITION.HEADING: taken["heading"],
        POSITION.NAV_STATUS: pd.arrays.IntegerArray(np.maximum(status, 0).astype(np.int8), status < 0),
        POSITION.IMO: identity["imo"],
        POSITION.NAME: identity["name"],
        POSITION.CALL_SIGN: identity["call_sign"],
        POSITION.DESTINATION: identity["destination"],
        POSITION.SHIP_TYPE: identity["ship_type"],
        POSITION.DRAUGHT: identity["draught"],
        POSITION.SOURCE: taken["source"],
    }
    return pd.DataFrame(columns, copy=False)


def _speed(sog: FloatArray) -> FloatArray:
    """Speeds with "not available" (102.3 knots, negative, not finite) as NaN: worked out per block,
    before the rows are gathered into the frame's order."""
    with np.errstate(invalid="ignore"):
        # np.isclose's test, written out: isclose itself costs several passes more
        close = np.abs(sog - SOG_NOT_AVAILABLE) <= _ISCLOSE_ATOL + _ISCLOSE_RTOL * SOG_NOT_AVAILABLE
        speed: FloatArray = np.where((sog >= 0) & np.isfinite(sog) & ~close, sog, np.nan)
    return speed


def _angle(angle: FloatArray) -> FloatArray:
    """Courses or headings with "not available" (360 and above, negative) as NaN."""
    with np.errstate(invalid="ignore"):
        known: FloatArray = np.where((angle >= 0) & (angle < 360.0), angle, np.nan)
    return known


_ISCLOSE_RTOL: Final = 1e-05  # np.isclose's default tolerances
_ISCLOSE_ATOL: Final = 1e-08


_UTC: Final = pd.DatetimeTZDtype("ns", "UTC")


def _utc(nanoseconds: IntArray) -> pd.DatetimeIndex:
    # the dtype says the values are UTC: no pass to localize them
    return pd.DatetimeIndex(nanoseconds.astype(np.int64, copy=False).view("datetime64[ns]"), dtype=_UTC)


def _strings(texts: Any, codes: IntArray) -> pd.arrays.ArrowStringArray:
    """A text column of the positions schema (``"string"``) of codes into ``texts`` (an Arrow string
    array; -1: NA), built in Arrow: each row points at one of few strings, and no Python object is
    made per row."""
    return pd.arrays.ArrowStringArray(texts.take(pa.array(codes, mask=codes < 0, type=pa.int64())))
