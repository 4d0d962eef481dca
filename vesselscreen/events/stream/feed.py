"""A feed through the streaming detectors: raw chunks in, newly final events out.

`Feed.push` takes a chunk of positions (any order, any vessels), and:

1. keeps the rows that can be placed in time (an MMSI and a time) in vessel-time order,
   leaving out (and counting) rows older than one already fed for their vessel;
2. updates the identity timeline with them (`IdentityStream`);
3. cleans the rows with a valid position (`CleaningStream`) and gets the rows that are
   settled now, as a `Chunk` whose steps continue each vessel's track;
4. hands the chunk to each detector, which returns the events that can no longer change.

The feed's clock is the latest time fed; ``max_delay`` says how late a report may arrive
after its time. A vessel's *horizon* is the time before which no more of its rows can
come: events that only a later row could extend are closed once it passes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen._sorting import vessel_time_order
from vesselscreen.ais.cleaning import CleaningConfig
from vesselscreen.events._common import IntArray
from vesselscreen.events.config import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    PortCallConfig,
    SpoofingConfig,
    StopConfig,
)
from vesselscreen.events.stream._base import NEVER, Chunk, Slots, State, last_marked, none
from vesselscreen.events.stream.cleaning import CleaningStream
from vesselscreen.events.stream.encounters import EncounterStream
from vesselscreen.events.stream.gaps import GapStream
from vesselscreen.events.stream.identity import IDENTITY_COLUMNS, IdentityStream
from vesselscreen.events.stream.port_calls import PortCallStream
from vesselscreen.events.stream.spoofing import SpoofingStream
from vesselscreen.events.stream.stops import LoiteringStream, StopStream
from vesselscreen.events.stream.voyages import VoyageStream
from vesselscreen.events.track import TRACK_COLUMNS
from vesselscreen.geo.distance import haversine_m
from vesselscreen.geo.ports import PortIndex
from vesselscreen.limits import MotionLimits
from vesselscreen.schema import (
    ENCOUNTER,
    ENCOUNTER_DTYPES,
    GAP,
    GAP_DTYPES,
    LOITERING,
    LOITERING_DTYPES,
    PORT_CALL,
    PORT_CALL_DTYPES,
    POSITION,
    POSITION_DTYPES,
    SPOOFING,
    SPOOFING_DTYPES,
    STOP,
    STOP_DTYPES,
    VOYAGE,
    VOYAGE_DTYPES,
    conform,
)

__all__ = ["EVENT_KINDS", "Feed", "FeedConfig", "FeedOutput"]

_COLUMNS: Final = tuple(name for name in TRACK_COLUMNS if name in POSITION_DTYPES)
"""A track's columns but the optional particulars (class, length): the Screener tallies those."""
_CARRIED: Final = (POSITION.IMO, POSITION.NAME, POSITION.DRAUGHT)


@dataclass(frozen=True)
class FeedConfig:
    """The thresholds a feed's detectors use (the fields of a `ScreeningConfig` they need)."""

    limits: MotionLimits
    cleaning: CleaningConfig | None
    port_calls: PortCallConfig
    stops: StopConfig
    gaps: GapConfig
    loitering: LoiteringConfig
    spoofing: SpoofingConfig
    encounters: EncounterConfig
    max_delay_ns: int


@dataclass
class FeedOutput:
    """What one push (or the flush) made final."""

    events: dict[str, pd.DataFrame] = field(default_factory=dict)
    changes: pd.DataFrame | None = None
    settled: pd.DataFrame | None = None
    """The rows settled and kept (the positions the detectors saw)."""
    identity_touched: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    """The vessels seen in this push."""
    identity_recomputed: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    """The vessels whose identities are new or changed (not only seen for longer)."""


class Feed:
    """Streaming detectors over a feed of position chunks (see the module)."""

    def __init__(self, ports: PortIndex, config: FeedConfig) -> None:
        self.ports = ports
        self.config = config
        self.slots = Slots()
        self.raw = State({"last_ts": (np.int64, NEVER)})
        self.track = State(
            {
                "seen": (bool, False),
                "ts": (np.int64, NEVER),
                "lat": (np.float64, np.nan),
                "lon": (np.float64, np.nan),
                "sog": (np.float64, np.nan),
                **{f"carried_{c}": (object, None) for c in _CARRIED},
            }
        )
        self.identity = IdentityStream()
        self.cleaning = CleaningStream(self.slots, config.cleaning, config.limits)
        self.port_calls = PortCallStream(self.slots, ports, config.port_calls)
        self.stops = StopStream(self.slots, ports, config.stops)
        self.loitering = LoiteringStream(self.slots, config.loitering)
        self.gaps = GapStream(self.slots, config.gaps)
        self.voyages = VoyageStream(self.slots)
        self.spoofing = SpoofingStream(self.slots, config.spoofing)
        self.encounters = EncounterStream(self.slots, ports, config.encounters)
        self.clock = NEVER
        self.rows = 0
        self.late = 0
        self.unplaced: dict[str, int] = {}
        self.kept = 0

    # -- input -------------------------------------------------------------------------------

    def _timed(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """The chunk's rows that have an MMSI and a time, cast and in vessel-time order, none late."""
        present = [name for name in dict.fromkeys((*_COLUMNS, POSITION.CALL_SIGN)) if name in chunk.columns]
        frame = conform(chunk[present], {name: POSITION_DTYPES[name] for name in _COLUMNS})
        if frame[POSITION.TIMESTAMP].dtype != _UTC_NS:
            frame[POSITION.TIMESTAMP] = frame[POSITION.TIMESTAMP].dt.tz_convert("UTC").dt.as_unit("ns")
        timed = frame[POSITION.MMSI].notna() & frame[POSITION.TIMESTAMP].notna()
        if not timed.all():
            self.unplaced["missing MMSI or timestamp"] = self.unplaced.get(
                "missing MMSI or timestamp", 0
            ) + int((~timed).sum())
            frame = frame[timed]
        frame = frame.take(vessel_time_order(frame, POSITION.MMSI, POSITION.TIMESTAMP)).reset_index(drop=True)
        mmsi = frame[POSITION.MMSI].to_numpy(dtype=np.int64)
        ts = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        slot = self.slots.of(mmsi)
        self.raw.grow(len(self.slots))
        late = ts < self.raw["last_ts"][slot]
        if late.any():
            self.late += int(late.sum())
            frame, slot, ts = frame[~late].reset_index(drop=True), slot[~late], ts[~late]
        if len(frame):
            last = np.ones(len(frame), dtype=bool)
            last[:-1] = slot[:-1] != slot[1:]
            self.raw["last_ts"][slot[last]] = ts[last]
            self.clock = max(self.clock, int(ts.max()))
        return frame

    # -- the settled rows as a chunk -------------------------------------------------------

    def _chunk(self, kept: pd.DataFrame) -> Chunk:
        frame = kept.reset_index(drop=True)
        mmsi = frame[POSITION.MMSI].to_numpy(dtype=np.int64)
        ts = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        lat = frame[POSITION.LAT].to_numpy(dtype=np.float64)
        lon = frame[POSITION.LON].to_numpy(dtype=np.float64)
        slot = self.slots.of(mmsi)
        state = self.track
        state.grow(len(self.slots))
        n = len(frame)
        first = np.ones(n, dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        sog = frame[POSITION.SOG].to_numpy(dtype=np.float64, na_value=np.nan)
        prev_ts = np.empty(n, dtype=np.int64)
        prev_lat, prev_lon, prev_sog = np.empty(n), np.empty(n), np.empty(n)
        prev_ts[1:], prev_lat[1:], prev_lon[1:], prev_sog[1:] = ts[:-1], lat[:-1], lon[:-1], sog[:-1]
        prev_ts[first], prev_lat[first], prev_lon[first], prev_sog[first] = (
            state["ts"][slot[first]],
            state["lat"][slot[first]],
            state["lon"][slot[first]],
            state["sog"][slot[first]],
        )
        start = first & ~state["seen"][slot]
        dt_prev = np.where(start, 0, ts - prev_ts)
        with np.errstate(invalid="ignore"):
            dist_prev = np.where(start, 0.0, haversine_m(prev_lat, prev_lon, lat, lon))
        carried: dict[str, np.ndarray] = {}
        prev_carried: dict[str, np.ndarray] = {}
        for column in _CARRIED:
            values = frame[column].astype(object).to_numpy()
            present = frame[column].notna().to_numpy(dtype=bool)
            last_present = last_marked(present, first)
            from_before = state[f"carried_{column}"][slot]
            carried[column] = np.where(last_present >= 0, values[np.maximum(last_present, 0)], from_before)
            before = np.empty(n, dtype=object)
            before[1:] = carried[column][:-1]
            before[first] = from_before[first]
            prev_carried[column] = before
        last = np.ones(n, dtype=bool)
        last[:-1] = first[1:]
        ends = slot[last]
        state["seen"][ends] = True
        state["ts"][ends], state["lat"][ends], state["lon"][ends] = ts[last], lat[last], lon[last]
        state["sog"][ends] = sog[last]
        for column in _CARRIED:
            state[f"carried_{column}"][ends] = carried[column][last]
        return Chunk(
            frame=frame,
            slot=slot,
            mmsi=mmsi,
            ts=ts,
            lat=lat,
            lon=lon,
            sog=sog,
            start=start,
            dt_prev=np.asarray(dt_prev, dtype=np.int64),
            dist_prev=np.asarray(dist_prev, dtype=np.float64),
            ports=self.ports,
            limits=self.config.limits,
            prev_ts=prev_ts,
            prev_lat=prev_lat,
            prev_lon=prev_lon,
            prev_sog=prev_sog,
            carried=carried,
            prev_carried=prev_carried,
        )

    def horizon(self, slots: IntArray) -> IntArray:
        """Per vessel slot: no row of it older than this (ns) can still come or settle."""
        floor = NEVER if self.clock == NEVER else self.clock - self.config.max_delay_ns
        out = np.full(len(slots), floor, dtype=np.int64)
        unsettled = self.cleaning.first_unsettled()
        if len(unsettled):
            where = self.slots.known(unsettled.index.to_numpy(dtype=np.int64))
            first = np.full(len(self.slots), floor, dtype=np.int64)
            first[where] = unsettled.to_numpy(dtype=np.int64)
            out = np.minimum(out, first[slots])
        return out

    # -- the steps ---------------------------------------------------------------------------

    def push(self, chunk: pd.DataFrame, *, flush: bool = False) -> FeedOutput:
        """Screen a chunk of positions; with ``flush``, also end every track (the feed is over)."""
        self.rows += len(chunk)
        timed = self._timed(chunk)
        changes = self.identity.push(timed[[c for c in IDENTITY_COLUMNS if c in timed.columns]])
        placed = timed[
            timed[POSITION.LAT].between(-90.0, 90.0) & timed[POSITION.LON].between(-180.0, 180.0)
        ].reset_index(drop=True)
        if len(placed) < len(timed):
            self.unplaced["no position"] = self.unplaced.get("no position", 0) + len(timed) - len(placed)
        kept = self.cleaning.push(placed, self.clock, flush=flush)
        self.kept += len(kept)
        rows = self._chunk(kept)
        events: dict[str, list[pd.DataFrame]] = {kind: [] for kind in EVENT_KINDS}
        calls, marks = self.port_calls.push(rows)
        stops = self.stops.push(rows)
        self.voyages.add_stops(stops)
        events["port_calls"].append(calls)
        events["stops"].append(stops)
        events["voyages"].append(self.voyages.push(rows, marks))
        events["loitering"].append(self.loitering.push(rows))
        gaps, draught_ready = self.gaps.push(rows)
        events["gaps"].append(gaps)
        events["spoofing"].append(self.spoofing.push(rows))
        self.encounters.push(rows)
        horizon = None if flush else self.horizon(np.arange(len(self.slots), dtype=np.int64))
        stops = self.stops.close(horizon)
        self.voyages.add_stops(stops)
        calls = self.port_calls.close(horizon)
        events["port_calls"].append(calls)
        events["stops"].append(stops)
        events["voyages"].append(self.voyages.calls_ended(calls))
        events["loitering"].append(self.loitering.close(horizon))
        self.track.grow(len(self.slots))
        last_ts = None if flush else self.track["ts"][: len(self.slots)]
        events["encounters"].append(self.encounters.close(last_ts, horizon))
        if flush:
            draught_ready = pd.concat([draught_ready, self.gaps.flush()], ignore_index=True)
            events["spoofing"].append(self.spoofing.close())
        events["spoofing"].append(self.spoofing.draught(draught_ready))
        return FeedOutput(
            events={kind: _sorted(kind, frames) for kind, frames in events.items()},
            changes=changes,
            settled=kept,
            identity_touched=np.asarray(
                pd.unique(timed[POSITION.MMSI].to_numpy(dtype=np.int64)), dtype=np.int64
            ),
            identity_recomputed=self.identity.recomputed,
        )

    def flush(self) -> FeedOutput:
        """End the feed: every row settles, every open event ends where it stands."""
        return self.push(
            pd.DataFrame(columns=[POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON]).astype(
                {POSITION.TIMESTAMP: "datetime64[ns, UTC]"}
            ),
            flush=True,
        )


_UTC_NS: Final = pd.DatetimeTZDtype("ns", "UTC")
EVENT_KINDS: Final = {
    "port_calls": (PORT_CALL_DTYPES, (PORT_CALL.MMSI, PORT_CALL.ARRIVAL, PORT_CALL.PORT_ID)),
    "stops": (STOP_DTYPES, (STOP.MMSI, STOP.START)),
    "voyages": (VOYAGE_DTYPES, (VOYAGE.MMSI, VOYAGE.DEPARTURE)),
    "gaps": (GAP_DTYPES, (GAP.MMSI, GAP.START)),
    "loitering": (LOITERING_DTYPES, (LOITERING.MMSI, LOITERING.START)),
    "spoofing": (SPOOFING_DTYPES, (SPOOFING.MMSI, SPOOFING.START, SPOOFING.KIND)),
    "encounters": (ENCOUNTER_DTYPES, (ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2, ENCOUNTER.START)),
}
"""Each kind of event a feed yields: its columns and the order its batch detector returns."""


def _sorted(kind: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    dtypes, order = EVENT_KINDS[kind]
    parts = [frame for frame in frames if len(frame)]
    if not parts:
        return none(dtypes)
    joined = conform(pd.concat(parts, ignore_index=True), dtypes)
    return joined.sort_values(list(order), kind="mergesort").reset_index(drop=True)
