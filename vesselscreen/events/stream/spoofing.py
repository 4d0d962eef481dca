"""Spoofing of a feed, as `vesselscreen.events.spoofing` defines it.

Impossible jumps cut a vessel's track into streams; jumps each within ``repeat_window_h``
of the last form an episode, judged when it is over: two places at once (enough jumps,
both places persisting) or single jumps between persisting streams. An episode is over
when the next jump comes later than the window, or the feed ends: until then its last
stream, and so its description (reports and hours after the jump), can still grow.
`SpoofingStream.provisional` gives the events an open episode already certainly has, with
their description so far.

Runs of positions on land (when the optional land mask is installed and the check is on)
end at the next position at sea; draught changes come from the gaps whose draught after
is known (`GapStream`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, IntArray, to_utc
from vesselscreen.events._spoofing import _on_land, land_mask_available
from vesselscreen.events.config import SpoofingConfig
from vesselscreen.events.stream._base import NEVER, Chunk, Slots, State, none
from vesselscreen.events.stream._runs import ClosedRuns, RunTracker
from vesselscreen.schema import GAP, POSITION, SPOOFING, SPOOFING_DTYPES, conform

__all__ = ["SpoofingStream"]

_STREAM = (
    "count",
    "first_ts",
    "last_ts",
    "first_lat",
    "first_lon",
    "last_lat",
    "last_lon",
    "last_imo",
    "last_name",
)


@dataclass
class _Stream:
    count: int
    first_ts: int
    last_ts: int
    first_lat: float
    first_lon: float
    last_lat: float
    last_lon: float
    last_imo: object
    last_name: object

    def hours(self) -> float:
        return float((self.last_ts - self.first_ts) / HOUR_NS)


@dataclass
class _Jump:
    ts: int
    prev_ts: int
    speed: float
    dist: float
    dt: int
    lat: float
    lon: float
    imo: object
    name: object


@dataclass
class _Episode:
    streams: list[_Stream] = field(default_factory=list)
    jumps: list[_Jump] = field(default_factory=list)


class SpoofingStream:
    """Spoofing events as their episodes end (see the module)."""

    def __init__(self, slots: Slots, config: SpoofingConfig) -> None:
        self.slots = slots
        self.config = config
        self.state = State(
            {
                "has": (bool, False),
                "count": (np.int64, 0),
                "first_ts": (np.int64, NEVER),
                "last_ts": (np.int64, NEVER),
                "first_lat": (np.float64, np.nan),
                "first_lon": (np.float64, np.nan),
                "last_lat": (np.float64, np.nan),
                "last_lon": (np.float64, np.nan),
                "last_imo": (object, None),
                "last_name": (object, None),
            }
        )
        self.episodes: dict[int, _Episode] = {}
        self.land = RunTracker(slots, lasts=("lat", "lon", "imo", "name"))
        self.check_land = config.check_land and land_mask_available()

    def _carried(self, slot: int) -> _Stream:
        state = self.state
        return _Stream(*(state[name][slot] for name in _STREAM))

    def push(self, chunk: Chunk) -> pd.DataFrame:
        """The events of the episodes this chunk ended (and of land runs it ended)."""
        config, state = self.config, self.state
        state.grow(len(self.slots))
        n = len(chunk)
        if n == 0:
            return none(SPOOFING_DTYPES)
        first, slot = chunk.first, chunk.slot
        jump = chunk.impossible_step & (chunk.dist_prev > config.min_displacement_m)
        cut = chunk.start | jump
        piece = np.cumsum(cut | first, dtype=np.int64)
        starts = np.flatnonzero(cut | first)
        ends = np.append(starts[1:], n) - 1
        p_slot = slot[starts]
        carried = (first & ~cut)[starts] & state["has"][p_slot]
        count = np.bincount(piece, minlength=len(starts) + 1)[1:] + np.where(
            carried, state["count"][p_slot], 0
        )
        pieces = {
            "count": count,
            "first_ts": np.where(carried, state["first_ts"][p_slot], chunk.ts[starts]),
            "last_ts": chunk.ts[ends],
            "first_lat": np.where(carried, state["first_lat"][p_slot], chunk.lat[starts]),
            "first_lon": np.where(carried, state["first_lon"][p_slot], chunk.lon[starts]),
            "last_lat": chunk.lat[ends],
            "last_lon": chunk.lon[ends],
            "last_imo": chunk.carried[POSITION.IMO][ends],
            "last_name": chunk.carried[POSITION.NAME][ends],
        }
        speed = chunk.implied_speed
        events: list[dict[str, object]] = []
        busy = set(np.unique(slot[jump]).tolist()) | (set(self.episodes) & set(np.unique(slot).tolist()))
        for s in sorted(busy):  # one step per vessel with jumps or an open episode: few
            mine = np.flatnonzero(p_slot == s)
            seq = [] if carried[mine[0]] or chunk.start[starts[mine[0]]] else [self._carried(s)]
            jumps: list[_Jump | None] = [None] * len(seq)
            for k in mine:
                seq.append(_Stream(*(pieces[name][k] for name in _STREAM)))
                row = int(starts[k])
                jumps.append(
                    _Jump(
                        ts=int(chunk.ts[row]),
                        prev_ts=int(chunk.prev_ts[row]),
                        speed=float(speed[row]),
                        dist=float(chunk.dist_prev[row]),
                        dt=int(chunk.dt_prev[row]),
                        lat=float(chunk.lat[row]),
                        lon=float(chunk.lon[row]),
                        imo=chunk.carried[POSITION.IMO][row],
                        name=chunk.carried[POSITION.NAME][row],
                    )
                    if jump[row]
                    else None
                )
            episode = self.episodes.pop(s, None)
            if episode is not None:
                episode.streams[-1] = seq[0]  # the stream it ended with has grown
            for i in range(1, len(seq)):  # each later piece begins with a jump
                j = jumps[i]
                assert j is not None
                if episode is not None and j.ts - episode.jumps[-1].ts <= config.repeat_window_h * HOUR_NS:
                    episode.jumps.append(j)
                    episode.streams.append(seq[i])
                else:
                    if episode is not None:
                        events += self._events(s, episode)
                    episode = _Episode(streams=[seq[i - 1], seq[i]], jumps=[j])
            if episode is not None:
                episode.streams[-1] = seq[-1]
                self.episodes[s] = episode
        final = np.flatnonzero(np.append(p_slot[1:] != p_slot[:-1], True))
        ends = p_slot[final]
        state["has"][ends] = True
        for name in _STREAM:
            state[name][ends] = pieces[name][final]
        frames = [_frame(events)]
        if self.check_land:
            frames.append(self._land(chunk))
        return _joined(frames)

    def _land(self, chunk: Chunk) -> pd.DataFrame:
        config = self.config
        land = _on_land(chunk.lat, chunk.lon, config)
        if land.any():
            land &= ~chunk.near_port(config.land_port_buffer_m)
        closed = self.land.push(
            chunk,
            land,
            chunk.start,
            {},
            {},
            {
                "lat": chunk.lat,
                "lon": chunk.lon,
                "imo": chunk.carried[POSITION.IMO],
                "name": chunk.carried[POSITION.NAME],
            },
        )
        return self._land_events(closed)

    def _land_events(self, runs: ClosedRuns) -> pd.DataFrame:
        if not len(runs):
            return none(SPOOFING_DTYPES)
        return _frame(
            [
                {
                    SPOOFING.MMSI: int(self.slots.mmsi[s]),
                    SPOOFING.KIND: "on_land",
                    SPOOFING.START: int(a),
                    SPOOFING.END: int(b),
                    SPOOFING.LAT: float(lat),
                    SPOOFING.LON: float(lon),
                    SPOOFING.VALUE: float(k),
                    SPOOFING.N_POSITIONS: int(k),
                    SPOOFING.DETAIL: f"{k} positions on land",
                    SPOOFING.IMO: imo,
                    SPOOFING.NAME: name,
                }
                for s, a, b, k, lat, lon, imo, name in zip(
                    runs.slot,
                    runs.first_ts,
                    runs.last_ts,
                    runs.count,
                    runs.lasts["lat"],
                    runs.lasts["lon"],
                    runs.lasts["imo"],
                    runs.lasts["name"],
                    strict=True,
                )
            ]
        )

    def _events(self, slot: int, episode: _Episode) -> list[dict[str, object]]:
        """The events of an episode that is over (`vesselscreen.events.spoofing`'s rules)."""
        config = self.config
        mmsi = int(self.slots.mmsi[slot])
        jumps, streams = episode.jumps, episode.streams
        if len(jumps) >= config.min_repeats:
            sides = [streams[0::2], streams[1::2]]
            counts = [sum(stream.count for stream in side) for side in sides]
            hours = [float((side[-1].last_ts - side[0].first_ts) / HOUR_NS) for side in sides]
            if min(counts) < config.min_stream_reports or min(hours) < config.min_stream_h:
                return []
            places = [f"{side[0].first_lat:.3f}, {side[0].first_lon:.3f}" for side in sides]
            top = max(j.speed for j in jumps)
            end = streams[-1]
            return [
                {
                    SPOOFING.MMSI: mmsi,
                    SPOOFING.KIND: "two_places",
                    SPOOFING.START: streams[0].first_ts,
                    SPOOFING.END: end.last_ts,
                    SPOOFING.LAT: end.last_lat,
                    SPOOFING.LON: end.last_lon,
                    SPOOFING.VALUE: float(len(jumps)),
                    SPOOFING.N_POSITIONS: sum(s.count for s in streams),
                    SPOOFING.DETAIL: (
                        f"{len(jumps)} impossible jumps (up to {top:,.0f} kn) between two position "
                        f"streams that each persist: {counts[0]} reports over {hours[0]:.1f} h near "
                        f"{places[0]} and {counts[1]} reports over {hours[1]:.1f} h near {places[1]}"
                    ),
                    SPOOFING.IMO: end.last_imo,
                    SPOOFING.NAME: end.last_name,
                }
            ]
        events = []
        for k, j in enumerate(jumps):
            before, after = streams[k], streams[k + 1]
            if not (self._persists(before) and self._persists(after)):
                continue
            events.append(
                {
                    SPOOFING.MMSI: mmsi,
                    SPOOFING.KIND: "jump",
                    SPOOFING.START: j.prev_ts,
                    SPOOFING.END: j.ts,
                    SPOOFING.LAT: j.lat,
                    SPOOFING.LON: j.lon,
                    SPOOFING.VALUE: j.speed,
                    SPOOFING.N_POSITIONS: 2,
                    SPOOFING.DETAIL: (
                        f"{j.dist / 1000:.1f} km in {j.dt / HOUR_NS:.2f} h, and stayed: "
                        f"{before.count} reports over {before.hours():.1f} h before, "
                        f"{after.count} over {after.hours():.1f} h after"
                    ),
                    SPOOFING.IMO: j.imo,
                    SPOOFING.NAME: j.name,
                }
            )
        return events

    def _persists(self, stream: _Stream) -> bool:
        return stream.count >= self.config.min_stream_reports and stream.hours() >= self.config.min_stream_h

    def provisional(self, horizon: IntArray | None) -> pd.DataFrame:
        """The events of open episodes that can take no more jumps (``horizon`` per slot is past
        their last jump by ``repeat_window_h``), described as they stand: each such event is
        certain (its streams only grow), its description not yet."""
        if horizon is None:
            return none(SPOOFING_DTYPES)
        window = self.config.repeat_window_h * HOUR_NS
        events = []
        for slot, episode in sorted(self.episodes.items()):
            if horizon[slot] > episode.jumps[-1].ts + window:
                events += self._events(slot, episode)
        return _frame(events)

    def draught(self, gaps: pd.DataFrame) -> pd.DataFrame:
        """Draught changes across gaps that began away from port, from gaps whose draught after is known."""
        if gaps.empty:
            return none(SPOOFING_DTYPES)
        change = (gaps[GAP.DRAUGHT_END] - gaps[GAP.DRAUGHT_START]).to_numpy(dtype=np.float64, na_value=np.nan)
        moved = gaps[GAP.START_PORT_ID].isna().to_numpy() & (np.abs(change) >= self.config.draught_change_m)
        picked = gaps[moved]
        start = picked[GAP.START].to_numpy(dtype="datetime64[ns]").view(np.int64)
        end = picked[GAP.END].to_numpy(dtype="datetime64[ns]").view(np.int64)
        return _frame(
            [
                {
                    SPOOFING.MMSI: int(m),
                    SPOOFING.KIND: "draught_change",
                    SPOOFING.START: int(s),
                    SPOOFING.END: int(e),
                    SPOOFING.LAT: float(lat),
                    SPOOFING.LON: float(lon),
                    SPOOFING.VALUE: float(c),
                    SPOOFING.N_POSITIONS: 2,
                    SPOOFING.DETAIL: f"draught {a:.1f} m -> {b:.1f} m across a {(e - s) / HOUR_NS:.1f} h gap",
                    SPOOFING.IMO: imo,
                    SPOOFING.NAME: name,
                }
                for m, s, e, lat, lon, c, a, b, imo, name in zip(
                    picked[GAP.MMSI],
                    start,
                    end,
                    picked[GAP.END_LAT],
                    picked[GAP.END_LON],
                    change[moved],
                    picked[GAP.DRAUGHT_START],
                    picked[GAP.DRAUGHT_END],
                    picked["_after_imo"],
                    picked["_after_name"],
                    strict=True,
                )
            ]
        )

    def close(self) -> pd.DataFrame:
        """The feed is over: every open episode and land run ends where it stands."""
        events = []
        for slot, episode in sorted(self.episodes.items()):
            events += self._events(slot, episode)
        self.episodes = {}
        frames = [_frame(events)]
        if self.check_land:
            frames.append(self._land_events(self.land.close(self.land.open_slots())))
        return _joined(frames)


def _frame(events: list[dict[str, object]]) -> pd.DataFrame:
    if not events:
        return none(SPOOFING_DTYPES)
    frame = pd.DataFrame(events)
    frame[SPOOFING.START] = to_utc(frame[SPOOFING.START].to_numpy(dtype=np.int64))
    frame[SPOOFING.END] = to_utc(frame[SPOOFING.END].to_numpy(dtype=np.int64))
    return conform(frame, SPOOFING_DTYPES)


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [f for f in frames if len(f)]
    return conform(pd.concat(parts, ignore_index=True), SPOOFING_DTYPES) if parts else none(SPOOFING_DTYPES)
