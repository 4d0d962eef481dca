"""Encounters of a feed, as `vesselscreen.events.encounters` defines them, closed as they end.

1. **Grid points as steps arrive.** Each settled step of a vessel puts it on the common
   time grid exactly as the batch resampling does; a position that falls on the grid at
   the end of a chain (the batch's "tail" point) waits until the vessel's next later row
   says whether a step covers it.
2. **Pairs as points arrive.** New points are paired with the points of the same instants
   kept from earlier feeds (and with each other), so each pair is found once, when its
   later point comes. Points are kept while some vessel can still add a point at their
   instant.
3. **Runs close when their next instant is settled** for both vessels (each has moved past
   it, or has been silent too long to be interpolated there); closed runs become
   encounters with the batch's own aggregation (`encounters_of_pairs`).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen._runs import positions_in_runs
from vesselscreen.events._common import HOUR_NS, BoolArray, IntArray
from vesselscreen.events._encounters import GRID_COLUMNS, PAIR_COLUMNS, close_pairs, encounters_of_pairs
from vesselscreen.events.config import EncounterConfig
from vesselscreen.events.stream._base import Chunk, Slots, none
from vesselscreen.geo.ports import PortIndex, PortProximity
from vesselscreen.limits import M_PER_NM
from vesselscreen.schema import ENCOUNTER_DTYPES

__all__ = ["KEEP_POINTS_NS", "EncounterStream"]

_MINUTE_NS: Final = 60_000_000_000
KEEP_POINTS_NS: Final = 24 * HOUR_NS
"""Grid points older than this before the feed's horizon are dropped even when a vessel could
in principle still add a point at their instant (a vessel whose last rows wait for cleaning
after an impossible jump): memory stays bounded; such a late pair would be missed."""
_TAIL = ("slot", "lat", "lon", "speed", "ts", "next_seen")


def _points(
    mmsi: IntArray, slot: IntArray, lat: np.ndarray, lon: np.ndarray, speed: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(dict(zip(GRID_COLUMNS, (mmsi, slot, lat, lon, speed), strict=True)))


class EncounterStream:
    """Encounters as they end (see the module)."""

    def __init__(self, slots: Slots, ports: PortIndex, config: EncounterConfig) -> None:
        self.slots = slots
        self.ports = ports
        self.config = config
        self.grid_ns = config.grid_minutes * _MINUTE_NS
        self.max_gap_ns = int(config.max_interpolation_gap_h * HOUR_NS)
        empty = np.empty(0, dtype=np.int64)
        self.points = _points(empty, empty, np.empty(0), np.empty(0), np.empty(0))
        self.tails = pd.DataFrame({"vessel": empty, **{c: np.empty(0) for c in _TAIL}}).set_index("vessel")
        self.open = pd.DataFrame(
            {
                c: np.empty(0, dtype=np.int64 if c in ("m1", "m2", "slot") else np.float64)
                for c in PAIR_COLUMNS
            }
        )

    # -- 1. grid points ----------------------------------------------------------------------

    def _resample(self, chunk: Chunk) -> pd.DataFrame:
        """The chunk's final grid points (tails resolved where the next later row is known)."""
        g = self.grid_ns
        valid = ~chunk.start & (chunk.dt_prev > 0) & (chunk.dt_prev <= self.max_gap_ns)
        step = np.flatnonzero(valid)
        t0, t1 = chunk.prev_ts[step], chunk.ts[step]
        k0 = -(-t0 // g)
        count = -(-t1 // g) - k0
        rep = np.repeat(np.arange(len(step)), count)
        offset = positions_in_runs(count)
        slot = k0[rep] + offset
        i1 = step[rep]
        a0, a1 = chunk.prev_ts[i1], chunk.ts[i1]
        frac = (slot * g - a0) / (a1 - a0)
        lat0, lat1 = chunk.prev_lat[i1], chunk.lat[i1]
        lon0, lon1 = chunk.prev_lon[i1], chunk.lon[i1]
        lat = lat0 + frac * (lat1 - lat0)
        dlon = (lon1 - lon0 + 180.0) % 360.0 - 180.0
        lon = (lon0 + frac * dlon + 180.0) % 360.0 - 180.0
        implied = chunk.dist_prev[i1] / M_PER_NM / (chunk.dt_prev[i1] / HOUR_NS)
        s0, s1 = chunk.prev_sog[i1], chunk.sog[i1]
        speed = np.where(
            np.isfinite(s0) & np.isfinite(s1),
            s0 + frac * (s1 - s0),
            np.where(np.isfinite(s0), s0, np.where(np.isfinite(s1), s1, implied)),
        )
        found = [_points(chunk.mmsi[i1], slot, lat, lon, speed)]
        found += self._tails(chunk, valid)
        return pd.concat(found, ignore_index=True)

    def _tails(self, chunk: Chunk, valid: BoolArray) -> list[pd.DataFrame]:
        """Positions on the grid at the end of a chain: a point unless a step from that time covers it.

        A tail at row i is a point when the step into i + 1 is not valid and neither is the
        step into the first later row with a later time (rows sharing i's time make no step).
        """
        g = self.grid_ns
        n = len(chunk)
        out: list[pd.DataFrame] = []
        # waiting tails of the chunk's vessels
        if len(self.tails):
            mine = self.tails.index.isin(chunk.vessel_slots)
            waiting = self.tails[mine]
            self.tails = self.tails[~mine]
            first_row = pd.Series(np.flatnonzero(chunk.first), index=chunk.vessel_slots)
            f = first_row.reindex(waiting.index).to_numpy()
            next_invalid = np.where(waiting["next_seen"].to_numpy(dtype=bool), True, ~valid[f])
            tail_ts = waiting["ts"].to_numpy(dtype=np.int64)
            later_row = self._first_later(chunk, waiting.index.to_numpy(dtype=np.int64), tail_ts)
            decided = later_row >= 0
            emit = next_invalid & decided & ~valid[np.maximum(later_row, 0)]
            keep = next_invalid & ~decided  # every row of the chunk shares the tail's time
            if emit.any():
                e = waiting[emit]
                out.append(
                    _points(
                        self.slots.mmsi[e.index.to_numpy()],
                        e["slot"].to_numpy(dtype=np.int64),
                        e["lat"].to_numpy(),
                        e["lon"].to_numpy(),
                        e["speed"].to_numpy(),
                    )
                )
            if keep.any():
                self.tails = pd.concat([self.tails, waiting[keep].assign(next_seen=1.0)])
        # the chunk's own tails
        on_grid = valid & (chunk.ts % g == 0)
        rows = np.flatnonzero(on_grid)
        if len(rows) == 0:
            return out
        implied = np.where(
            chunk.dt_prev[rows] > 0,
            chunk.dist_prev[rows] / M_PER_NM / (np.maximum(chunk.dt_prev[rows], 1) / HOUR_NS),
            0.0,
        )
        speed = np.where(np.isfinite(chunk.sog[rows]), chunk.sog[rows], implied)
        has_next = ~chunk.last[rows]
        next_invalid = np.where(has_next, ~valid[np.minimum(rows + 1, n - 1)], True)
        later = self._first_later(chunk, chunk.slot[rows], chunk.ts[rows])
        decided = later >= 0
        emit = has_next & next_invalid & decided & ~valid[np.maximum(later, 0)]
        if emit.any():
            r = rows[emit]
            out.append(_points(chunk.mmsi[r], chunk.ts[r] // g, chunk.lat[r], chunk.lon[r], speed[emit]))
        wait = (~has_next) | (next_invalid & ~decided)
        if wait.any():
            r = rows[wait]
            waiting = pd.DataFrame(
                {
                    "slot": chunk.ts[r] // g,
                    "lat": chunk.lat[r],
                    "lon": chunk.lon[r],
                    "speed": speed[wait],
                    "ts": chunk.ts[r],
                    "next_seen": has_next[wait].astype(float),
                },
                index=pd.Index(chunk.slot[r], name="vessel"),
            )
            self.tails = pd.concat([self.tails, waiting])
        return out

    @staticmethod
    def _first_later(chunk: Chunk, slots: IntArray, ts: IntArray) -> IntArray:
        """For each (vessel slot, time): the chunk's first row of that vessel with a later time, or -1."""
        block = pd.Series(chunk.group[chunk.first], index=chunk.vessel_slots).reindex(slots)
        out = np.full(len(slots), -1, dtype=np.int64)
        known = block.notna().to_numpy()
        if not known.any():
            return out
        # rows are sorted by (vessel, time): one search over (vessel number, time) pairs
        g = block.to_numpy()[known].astype(np.int64)
        lo = np.searchsorted(chunk.group, g, side="left")
        hi = np.searchsorted(chunk.group, g, side="right")
        at = np.array(
            [
                lo[k] + np.searchsorted(chunk.ts[lo[k] : hi[k]], t, side="right")
                for k, t in enumerate(ts[known])
            ],
            dtype=np.int64,
        )
        out[known] = np.where(at < hi, at, -1)
        return out

    # -- 2. pairs ----------------------------------------------------------------------------

    def push(self, chunk: Chunk) -> pd.DataFrame:
        """Add a chunk's grid points; pair them; return nothing yet (runs close in `close`)."""
        if len(chunk) == 0:
            return none(ENCOUNTER_DTYPES)
        points = self._resample(chunk)
        if self.config.min_port_distance_m > 0 and len(points):
            far = ~PortProximity(
                self.ports, points["lat"].to_numpy(dtype=np.float64), points["lon"].to_numpy(dtype=np.float64)
            ).any_within(self.config.min_port_distance_m)
            points = points[far]
        self._pair(points.reset_index(drop=True))
        return none(ENCOUNTER_DTYPES)

    def _pair(self, new: pd.DataFrame) -> None:
        if new.empty:
            return
        slots = np.unique(new["slot"].to_numpy(dtype=np.int64))
        old = self.points[np.isin(self.points["slot"].to_numpy(dtype=np.int64), slots)]
        candidates = pd.concat([old, new], ignore_index=True)
        pairs = close_pairs(candidates, self.config.max_distance_m)
        self.points = pd.concat([self.points, new], ignore_index=True)
        if pairs.empty:
            return
        fresh = pd.MultiIndex.from_arrays(
            [new["mmsi"].to_numpy(dtype=np.int64), new["slot"].to_numpy(dtype=np.int64)]
        )
        one = pd.MultiIndex.from_arrays([pairs["m1"].to_numpy(), pairs["slot"].to_numpy()]).isin(fresh)
        two = pd.MultiIndex.from_arrays([pairs["m2"].to_numpy(), pairs["slot"].to_numpy()]).isin(fresh)
        self.open = pd.concat([self.open, pairs[one | two]], ignore_index=True)

    # -- 3. runs -----------------------------------------------------------------------------

    def _resolved(self, mmsi: IntArray, slot: IntArray, last_ts: IntArray, horizon: IntArray) -> BoolArray:
        """Whether each vessel's points at ``slot`` are all known (it can add none there)."""
        v = self.slots.known(mmsi)
        at = slot * self.grid_ns
        seen_past = at < last_ts[v]
        silent = (at < horizon[v]) & (
            (horizon[v] > last_ts[v] + self.max_gap_ns) | (at >= last_ts[v] + self.max_gap_ns)
        )
        waiting = np.isin(v, self.tails.index.to_numpy(dtype=np.int64))
        return np.asarray((seen_past | silent) & ~(waiting & ~seen_past), dtype=np.bool_)

    def close(self, last_ts: IntArray | None, horizon: IntArray | None) -> pd.DataFrame:
        """Encounters whose next instant is settled for both vessels (all of them when ``horizon``
        is None: the feed is over), and drop what no later point can need."""
        if horizon is None:
            assert last_ts is None
            if len(self.tails):
                t = self.tails
                self._pair(
                    _points(
                        self.slots.mmsi[t.index.to_numpy(dtype=np.int64)],
                        t["slot"].to_numpy(dtype=np.int64),
                        t["lat"].to_numpy(),
                        t["lon"].to_numpy(),
                        t["speed"].to_numpy(),
                    )
                )
                self.tails = self.tails.iloc[:0]
            done, self.open = self.open, self.open.iloc[:0]
            self.points = self.points.iloc[:0]
            return encounters_of_pairs(done, self.config) if len(done) else none(ENCOUNTER_DTYPES)
        assert last_ts is not None
        self._settle_tails(last_ts, horizon)
        out = none(ENCOUNTER_DTYPES)
        if len(self.open):
            pairs = self.open.sort_values(["m1", "m2", "slot"], kind="mergesort").reset_index(drop=True)
            m1, m2, s = (pairs[c].to_numpy(dtype=np.int64) for c in ("m1", "m2", "slot"))
            run_start = np.ones(len(pairs), dtype=bool)
            run_start[1:] = (m1[1:] != m1[:-1]) | (m2[1:] != m2[:-1]) | (s[1:] != s[:-1] + 1)
            run = np.cumsum(run_start)
            run_end = np.append(run[1:] != run[:-1], True)
            pair_end = np.append((m1[1:] != m1[:-1]) | (m2[1:] != m2[:-1]), True)
            # a run is over when a later run of the pair began, or its next instant is settled for both
            nxt = s[run_end] + 1
            over = ~pair_end[run_end] | (
                self._resolved(m1[run_end], nxt, last_ts, horizon)
                & self._resolved(m2[run_end], nxt, last_ts, horizon)
            )
            closed = np.isin(run, np.flatnonzero(over) + 1)
            if closed.any():
                out = encounters_of_pairs(pairs[closed], self.config)
            self.open = pairs[~closed].reset_index(drop=True)
        self._prune(last_ts, horizon)
        return out

    def _settle_tails(self, last_ts: IntArray, horizon: IntArray) -> None:
        """A waiting tail whose vessel has been silent longer than a step can span is a point."""
        if not len(self.tails):
            return
        v = self.tails.index.to_numpy(dtype=np.int64)
        due = horizon[v] > last_ts[v] + self.max_gap_ns
        if due.any():
            t = self.tails[due]
            self._pair(
                _points(
                    self.slots.mmsi[v[due]],
                    t["slot"].to_numpy(dtype=np.int64),
                    t["lat"].to_numpy(),
                    t["lon"].to_numpy(),
                    t["speed"].to_numpy(),
                )
            )
            self.tails = self.tails[~due]

    def _prune(self, last_ts: IntArray, horizon: IntArray) -> None:
        """Drop points at instants where no vessel can add a point any more."""
        if self.points.empty or len(last_ts) == 0:
            return
        seen = last_ts > np.iinfo(np.int64).min
        # a vessel adds no point before its last settled row, nor before its horizon less a step;
        # one with no settled row yet none before its horizon
        earliest = np.where(seen, np.maximum(last_ts, horizon - self.max_gap_ns), horizon)
        floor = int(earliest.min())
        if len(self.tails):
            floor = min(floor, int(self.tails["ts"].min()))
        floor = max(floor, int(horizon.max()) - KEEP_POINTS_NS)
        self.points = self.points[self.points["slot"].to_numpy(dtype=np.int64) * self.grid_ns >= floor]
