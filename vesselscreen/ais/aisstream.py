"""aisstream.io JSON messages: a file of them, and an optional live websocket client.

aisstream.io sends one JSON object per AIS message::

    {"MessageType": "PositionReport",
     "MetaData": {"MMSI": 259000420, "MMSI_String": 259000420, "ShipName": "AUGUSTSON",
                  "latitude": 66.02695, "longitude": 12.253821666666665,
                  "time_utc": "2022-12-29 18:22:32.318353 +0000 UTC"},
     "Message": {"PositionReport": {"UserID": 259000420, "Latitude": 66.02695,
                 "Longitude": 12.253821666666665, "Sog": 0, "Cog": 284.6,
                 "TrueHeading": 511, "NavigationalStatus": 5, "Valid": true, ...}}}

``time_utc`` is the receive time in Go's default layout (nanoseconds optional, then the
offset and the zone name). A file holds one message per line (as saved from the
websocket) or a JSON array of them. What each message gives:

- ``PositionReport`` (class A), ``StandardClassBPositionReport`` and
  ``ExtendedClassBPositionReport``: a position row (``Latitude``, ``Longitude``, ``Sog``,
  ``Cog``, ``TrueHeading``, ``NavigationalStatus``; extended class B also ``Name`` and
  ``Type``); ``MetaData.ShipName`` (aisstream's name for the MMSI) fills ``name``;
- ``ShipStaticData`` (type 5: ``ImoNumber``, ``CallSign``, ``Name``, ``Type``,
  ``MaximumStaticDraught``, ``Destination``) and ``StaticDataReport`` (type 24:
  ``ReportA.Name``, ``ReportB.CallSign`` / ``ShipType``): identity, carried forward per
  MMSI onto later position rows, never backwards;
- any other message type: accepted, counted in ``notes``, no row.

A line that is not JSON or not a message is rejected (``malformed message``), as is a
message aisstream marks ``"Valid": false`` (``invalid message``); positions and MMSIs
are checked as in every reader (``invalid MMSI``, ``invalid latitude``, ...).

>>> import io
>>> line = ('{"MessageType":"PositionReport","MetaData":{"MMSI":259000420,"ShipName":"AUGUSTSON   ",'
...         '"time_utc":"2022-12-29 18:22:32.318353 +0000 UTC"},"Message":{"PositionReport":'
...         '{"UserID":259000420,"Latitude":66.02695,"Longitude":12.25382,"Sog":0,"Cog":284.6,'
...         '"TrueHeading":511,"NavigationalStatus":5,"Valid":true}}}')
>>> row = read_aisstream(io.StringIO(line)).iloc[0]
>>> int(row["mmsi"]), str(row["timestamp"]), row["name"], bool(pd.isna(row["heading"]))
(259000420, '2022-12-29 18:22:32.318353+00:00', 'AUGUSTSON', True)
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd

from vesselscreen.ais._common import holds_undecodable_bytes, utc_ns
from vesselscreen.ais._io import DECOMPRESSION_ERRORS, AISSource, open_binary, peek, source_name
from vesselscreen.ais.mapping import TableChunk, to_positions
from vesselscreen.errors import ConfigError, FormatError, InputError
from vesselscreen.ingest import RejectionLog
from vesselscreen.schema import POSITION

__all__ = ["FORMAT", "LIVE_URL", "read_aisstream", "stream_aisstream"]

FORMAT: Final = "aisstream_json"
SOURCE: Final = "aisstream"
LIVE_URL: Final = "wss://stream.aisstream.io/v0/stream"

POSITION_TYPES: Final = frozenset(
    {"PositionReport", "StandardClassBPositionReport", "ExtendedClassBPositionReport"}
)
STATIC_TYPES: Final = frozenset({"ShipStaticData", "StaticDataReport"})
_STATIC_MARK: Final = "\x00static"  # source value marking identity-only rows until they are folded in
_IDENTITY: Final = (
    POSITION.IMO,
    POSITION.NAME,
    POSITION.CALL_SIGN,
    POSITION.SHIP_TYPE,
    POSITION.DRAUGHT,
    POSITION.DESTINATION,
)
_BOM: Final = b"\xef\xbb\xbf"
_TIME_PATTERN: Final = r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*([+-]\d{2}):?(\d{2})"


def parse_time_utc(values: pd.Series) -> pd.Series:
    """aisstream's ``time_utc`` text (``2022-12-29 18:22:32.318353 +0000 UTC``) as UTC times.

    >>> parse_time_utc(pd.Series(["2023-06-01 10:00:00.123456789 +0000 UTC", "nonsense"])).tolist()
    [Timestamp('2023-06-01 10:00:00.123456789+0000', tz='UTC'), NaT]
    """
    parts = values.astype("string").str.extract(_TIME_PATTERN)
    iso = parts[0] + "T" + parts[1] + parts[2] + ":" + parts[3]
    parsed = pd.to_datetime(iso, format="ISO8601", errors="coerce", utc=True)
    return utc_ns(pd.Series(parsed, index=values.index))


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = value.replace("@", " ").strip()
    return cleaned or None


def _number(value: object) -> float | None:
    """A JSON number as a float; anything else (text, lists, booleans, huge integers) -> None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


class _InvalidMessageError(Exception):
    """A message aisstream.io itself marks ``"Valid": false``."""


def _message_row(message: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The row a message gives (``None`` for types without one) and its type; raises KeyError,
    TypeError or AttributeError for a message without the expected structure."""
    kind = message["MessageType"]
    meta = message.get("MetaData") or {}
    if not isinstance(kind, str) or not isinstance(meta, Mapping):
        raise KeyError("MessageType")
    body = (message.get("Message") or {}).get(kind)
    if kind not in POSITION_TYPES and kind not in STATIC_TYPES:
        return None, kind
    if not isinstance(body, Mapping):
        raise KeyError(kind)
    if body.get("Valid") is False:
        raise _InvalidMessageError(kind)
    time_utc = meta.get("time_utc")
    row: dict[str, Any] = {
        POSITION.MMSI: _number(body.get("UserID", meta.get("MMSI"))),
        POSITION.TIMESTAMP: time_utc if isinstance(time_utc, str) else None,
    }
    if kind in POSITION_TYPES:
        row.update(
            {
                POSITION.LAT: _number(body.get("Latitude")),
                POSITION.LON: _number(body.get("Longitude")),
                POSITION.SOG: _number(body.get("Sog")),
                POSITION.COG: _number(body.get("Cog")),
                POSITION.HEADING: _number(body.get("TrueHeading")),
                POSITION.NAV_STATUS: _number(body.get("NavigationalStatus")),
                POSITION.NAME: _text(body.get("Name")) or _text(meta.get("ShipName")),
                POSITION.SHIP_TYPE: _number(body.get("Type")),
                POSITION.SOURCE: SOURCE,
            }
        )
    elif kind == "ShipStaticData":
        row.update(
            {
                POSITION.IMO: _number(body.get("ImoNumber")),
                POSITION.NAME: _text(body.get("Name")),
                POSITION.CALL_SIGN: _text(body.get("CallSign")),
                POSITION.SHIP_TYPE: _number(body.get("Type")),
                POSITION.DRAUGHT: _number(body.get("MaximumStaticDraught")),
                POSITION.DESTINATION: _text(body.get("Destination")),
            }
        )
    else:  # StaticDataReport: part A names the ship, part B gives call sign and type
        part_a, part_b = body.get("ReportA") or {}, body.get("ReportB") or {}
        if part_a.get("Valid"):
            row[POSITION.NAME] = _text(part_a.get("Name"))
        if part_b.get("Valid"):
            row[POSITION.CALL_SIGN] = _text(part_b.get("CallSign"))
            row[POSITION.SHIP_TYPE] = _number(part_b.get("ShipType"))
    if kind in STATIC_TYPES:
        row.update({POSITION.LAT: 0.0, POSITION.LON: 0.0, POSITION.SOURCE: _STATIC_MARK})
    return row, kind


def _parsed(item: Mapping[str, Any] | str | bytes) -> tuple[Any, str | None]:
    """A message parsed from raw JSON text (or passed through), or ``None`` and why not.

    Each line is decoded on its own, so one line that is not UTF-8, not JSON, or nested
    deeper than Python's JSON parser goes is one rejected record, not a refused file.
    """
    if not isinstance(item, str | bytes):
        return item, None
    if isinstance(item, bytes):
        try:
            item = item.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"byte 0x{item[exc.start]:02X} at column {exc.start + 1}"
            return None, f"malformed message: not UTF-8 ({where})"
    try:
        return json.loads(item), None
    except json.JSONDecodeError as exc:
        return None, f"malformed message: not JSON ({exc.msg})"
    except RecursionError:
        return None, "malformed message: JSON nested too deeply"
    except ValueError as exc:  # e.g. an integer longer than Python converts
        return None, f"malformed message: not JSON ({exc})"


def messages_to_frame(
    messages: Iterable[tuple[int, Mapping[str, Any] | str | bytes]],
    name: str,
    *,
    log: RejectionLog | None = None,
) -> pd.DataFrame:
    """Positions frame of ``(line, message)`` pairs; a message is a parsed dict or raw JSON text."""
    log = log or RejectionLog(name)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for line, item in messages:
        raw = item.decode("utf-8", errors="replace") if isinstance(item, bytes) else str(item)
        message, problem = _parsed(item)
        if problem is not None:
            log.reject(problem, line=line, raw=raw)
            continue
        if isinstance(message, Mapping) and holds_undecodable_bytes(message):
            log.reject("malformed message: not UTF-8", line=line, raw=raw)
            continue
        try:
            if not isinstance(message, Mapping):
                raise KeyError("MessageType")
            row, kind = _message_row(message)
        except (KeyError, TypeError, AttributeError):
            log.reject("malformed message: no MessageType / Message body", line=line, raw=raw)
            continue
        except _InvalidMessageError as exc:
            log.reject(f"invalid message: {exc} marked Valid=false", line=line, raw=raw)
            continue
        log.note(f"message type {kind}")
        if row is None:
            log.accept()
        else:
            rows.append(row)
            lines.append(line)
    columns = [POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON, POSITION.SOURCE]
    raw_frame = pd.DataFrame(rows, columns=list(dict.fromkeys([*columns, *(k for r in rows for k in r)])))
    for column in (POSITION.NAME, POSITION.CALL_SIGN, POSITION.DESTINATION, POSITION.SOURCE):
        if column in raw_frame.columns:
            raw_frame[column] = raw_frame[column].astype("string")
    raw_frame[POSITION.TIMESTAMP] = parse_time_utc(raw_frame[POSITION.TIMESTAMP])
    for column in raw_frame.columns.difference(
        [POSITION.TIMESTAMP, POSITION.NAME, POSITION.CALL_SIGN, POSITION.DESTINATION, POSITION.SOURCE]
    ):
        raw_frame[column] = pd.to_numeric(raw_frame[column], errors="coerce").astype("float64")
    frame = to_positions(
        TableChunk(raw_frame, np.asarray(lines, dtype="int64")),
        name=name,
        format=FORMAT,
        source_label=SOURCE,
        log=log,
    )
    return _fold_identity(frame)


def _fold_identity(frame: pd.DataFrame) -> pd.DataFrame:
    """Carry identity rows forward per MMSI (time order, ties in file order), then drop them."""
    static = (frame[POSITION.SOURCE] == _STATIC_MARK).to_numpy(dtype=bool)
    if not static.any():
        return frame
    filled = frame.copy()
    filled[list(_IDENTITY)] = frame.groupby(POSITION.MMSI, sort=False)[list(_IDENTITY)].ffill()
    out = filled[~static].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


def _file_messages(stream: BinaryIO, name: str) -> Iterator[tuple[int, Mapping[str, Any] | bytes]]:
    """``(line, raw line)`` of a file of one message per line, or ``(index, message)`` of a JSON
    array (an array that is not JSON as a whole raises :class:`FormatError`)."""
    head = peek(stream, 4096).removeprefix(_BOM)
    if head.lstrip().startswith(b"["):
        data = stream.read().removeprefix(_BOM)
        text = data.decode("utf-8", errors="surrogateescape")  # a bad byte fails its message only
        try:
            messages = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(name, f"not a JSON array of messages: {exc.msg}", line=exc.lineno) from exc
        except RecursionError as exc:
            raise FormatError(name, "not a JSON array of messages: nested too deeply") from exc
        except ValueError as exc:
            raise FormatError(name, f"not a JSON array of messages: {exc}") from exc
        if not isinstance(messages, list):
            raise FormatError(name, "not a JSON array of messages")
        yield from enumerate(messages, start=1)
        return
    for number, line in enumerate(stream, start=1):
        content = line.removeprefix(_BOM) if number == 1 else line
        if content.strip():
            yield number, content.strip()


def read_stream(stream: BinaryIO, name: str) -> pd.DataFrame:
    """:func:`read_aisstream` on an open, decompressed binary stream named ``name``."""
    return messages_to_frame(_file_messages(stream, name), name)


def read_aisstream(source: AISSource) -> pd.DataFrame:
    """Read a file of aisstream.io JSON messages (one per line, or a JSON array; optionally
    compressed) into the positions frame.

    Line numbers in the report are file lines (for an array: the message's 1-based index).
    """
    name = source_name(source)
    with open_binary(source) as stream:
        try:
            return read_stream(stream, name)
        except DECOMPRESSION_ERRORS as exc:
            raise FormatError(name, f"corrupt compressed data: {exc}") from exc


BoundingBox = tuple[tuple[float, float], tuple[float, float]]


def stream_aisstream(
    api_key: str,
    *,
    bounding_boxes: Sequence[BoundingBox] = (((-90.0, -180.0), (90.0, 180.0)),),
    mmsi: Sequence[int] | None = None,
    message_types: Sequence[str] | None = (*sorted(POSITION_TYPES), *sorted(STATIC_TYPES)),
    batch_size: int = 1000,
    batch_seconds: float = 60.0,
    max_messages: int | None = None,
    url: str = LIVE_URL,
) -> Iterator[pd.DataFrame]:
    """Subscribe to aisstream.io and yield a positions frame every ``batch_size`` messages or
    ``batch_seconds`` seconds, whichever comes first (needs ``pip install vesselscreen[live]``).

    Bounding boxes are ``((lat1, lon1), (lat2, lon2))`` corners, as aisstream expects.
    Stops after ``max_messages`` messages (``None``: runs until the server closes the
    connection); the last, partial batch is yielded too. Each frame has its own ingest
    report; identity is carried forward within a batch only. An error message from
    aisstream (e.g. a bad API key) raises :class:`InputError`.
    """
    try:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect
    except ImportError as exc:  # the optional dependency of the `live` extra
        raise ConfigError(
            "the live aisstream client needs the websockets package: pip install 'vesselscreen[live]'"
        ) from exc
    if batch_size < 1 or batch_seconds <= 0:
        raise ConfigError("batch_size must be >= 1 and batch_seconds > 0")
    subscription: dict[str, Any] = {
        "APIKey": api_key,
        "BoundingBoxes": [[list(corner) for corner in box] for box in bounding_boxes],
    }
    if mmsi:
        subscription["FiltersShipMMSI"] = [str(number) for number in mmsi]
    if message_types:
        subscription["FilterMessageTypes"] = list(message_types)
    received = 0
    batch: list[tuple[int, str]] = []
    with connect(url, open_timeout=30) as websocket:
        websocket.send(json.dumps(subscription))
        deadline = time.monotonic() + batch_seconds
        while max_messages is None or received < max_messages:
            try:
                text = websocket.recv(timeout=max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                text = None
            except ConnectionClosed:
                break
            if text is not None:
                message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
                if message.lstrip().startswith('{"error"'):
                    raise InputError(url, f"aisstream.io refused the subscription: {message.strip()}")
                received += 1
                batch.append((received, message))
            if len(batch) >= batch_size or time.monotonic() >= deadline:
                if batch:
                    yield messages_to_frame(batch, url)
                batch = []
                deadline = time.monotonic() + batch_seconds
    if batch:
        yield messages_to_frame(batch, url)
