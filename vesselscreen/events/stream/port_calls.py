"""Port calls of a feed, as `vesselscreen.events.port_calls` defines them, closed as they end.

The batch detector's per-row states (the port a vessel is in, in or out with hysteresis,
stopped or not) are forward fills: each vessel carries its last row's states into the
next chunk. A visit open at the end of a chunk carries its aggregates (arrival, rows,
stopped or silent, dwell, last identity) and ends at the next row outside it, at a
silence longer than ``max_gap_h``, or when the feed ends (then with no exit seen).

`PortCallStream.push` also says, for the voyages, where visits began and which calls
ended (`VisitMarks`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, BoolArray, IntArray, to_utc
from vesselscreen.events.config import PortCallConfig
from vesselscreen.events.stream._base import NEVER, Chunk, Slots, State, choose, ffill_from, group_last, none
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import PORT, PORT_CALL, PORT_CALL_DTYPES, conform

__all__ = ["PortCallStream", "VisitMarks"]

_IDENTITY = ("imo", "name")


@dataclass
class VisitMarks:
    """Where a chunk's visits began, and the calls that ended: what voyages need.

    ``visit_start`` per row; ``call_at_row`` per row: for the row just after a call's
    departure (whose arrival shows that the call ended), the call's row in ``calls``
    (a `PORT_CALL` frame), else -1.
    """

    visit_start: BoolArray
    call_at_row: IntArray
    calls: pd.DataFrame


class PortCallStream:
    """Port calls as they end (see the module)."""

    def __init__(self, slots: Slots, ports: PortIndex, config: PortCallConfig) -> None:
        self.slots = slots
        self.ports = ports
        self.config = config
        self.state = State(
            {
                "current": (np.float64, np.nan),
                "signal": (np.float64, np.nan),
                "last_pos": (np.int64, -1),
                "last_inside": (bool, False),
                "stop": (np.float64, np.nan),
                "last_stopped": (bool, False),
                "open": (bool, False),
                "first_ts": (np.int64, NEVER),
                "last_ts": (np.int64, NEVER),
                "entry_seen": (bool, False),
                "n": (np.int64, 0),
                "stopped_any": (bool, False),
                "gap_any": (bool, False),
                "dwell": (np.int64, 0),
                "port": (np.int64, -1),
                **{f"rep_{c}": (object, None) for c in _IDENTITY},
            }
        )
        self._no_calls: pd.DataFrame | None = None

    def push(self, chunk: Chunk) -> tuple[pd.DataFrame, VisitMarks]:
        """The calls that ended with this chunk, and the marks voyages need."""
        config, state, index = self.config, self.state, self.ports
        state.grow(len(self.slots))
        n = len(chunk)
        slot, first, last = chunk.slot, chunk.first, chunk.last
        no_calls = VisitMarks(np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64), none(PORT_CALL_DTYPES))
        if n == 0 or len(index) == 0:
            return none(PORT_CALL_DTYPES), no_calls
        reset = chunk.start | (chunk.dt_prev > config.max_gap_h * HOUR_NS)
        segment = np.cumsum(reset | first, dtype=np.int64)
        continues = first & ~reset

        entry_port = chunk.port_within
        current = ffill_from(
            np.where(entry_port >= 0, entry_port, np.nan), segment, continues, state["current"][slot]
        )
        current_pos = np.where(np.isnan(current), -1, current).astype(np.int64)
        # beyond the current port's exit distance, or no current port (-1 is never within)
        exit_m = index.radius_m + config.exit_margin_m
        outside = ~index.within_limit(chunk.lat, chunk.lon, current_pos, exit_m)
        signal = np.where(entry_port >= 0, 1.0, np.where(outside, 0.0, np.nan))
        filled = ffill_from(signal, segment, continues, state["signal"][slot])
        inside = np.nan_to_num(filled, nan=0.0) > 0.5

        prev_inside = np.zeros(n, dtype=bool)
        prev_inside[1:] = inside[:-1]
        prev_inside[first] = continues[first] & state["last_inside"][slot[first]]
        port_changed = np.ones(n, dtype=bool)
        port_changed[1:] = current_pos[1:] != current_pos[:-1]
        port_changed[first] = ~continues[first] | (current_pos[first] != state["last_pos"][slot[first]])
        visit_start = inside & (reset | ~prev_inside | port_changed)
        carries = continues & inside & ~visit_start  # the chunk's first row carries on an open visit
        visit = np.where(inside, np.cumsum(visit_start | carries, dtype=np.int64), 0)
        count = int(visit.max())

        stop_signal = np.where(
            chunk.sog <= config.stop_speed_kn, 1.0, np.where(chunk.sog >= config.resume_speed_kn, 0.0, np.nan)
        )
        stop_state = ffill_from(stop_signal, visit, carries, state["stop"][slot])
        stopped = inside & (np.nan_to_num(stop_state, nan=0.0) > 0.5)

        # dwell, counted at the row after: the step from a row stopped (or a port gap) counts
        in_same = inside & ~visit_start & ~first
        prev_stopped = np.zeros(n, dtype=bool)
        prev_stopped[1:] = stopped[:-1]
        prev_stopped[first] = state["last_stopped"][slot[first]]
        step_counts = in_same | carries
        port_gap = step_counts & (chunk.dt_prev >= config.port_gap_h * HOUR_NS)
        dwell = np.where(step_counts & (prev_stopped | port_gap), chunk.dt_prev, 0)

        rows = np.flatnonzero(visit > 0)
        numbers = np.arange(1, count + 1)
        first_row = rows[np.searchsorted(visit[rows], numbers, side="left")]
        last_row = rows[np.searchsorted(visit[rows], numbers, side="right") - 1]
        carried = carries[first_row]
        vslot = slot[first_row]
        n_rows = np.bincount(visit[rows], minlength=count + 1)[1:]
        stopped_any = np.bincount(visit[rows], weights=stopped[rows], minlength=count + 1)[1:] > 0
        gap_any = np.bincount(visit[rows], weights=port_gap[rows], minlength=count + 1)[1:] > 0
        dwell_sum = np.zeros(count + 1, dtype=np.int64)
        np.add.at(dwell_sum, visit[rows], dwell[rows])
        reported = {}
        for column in _IDENTITY:
            value, found = group_last(chunk.values(column), chunk.present(column), visit, count)
            reported[column] = choose(found, value, choose(carried, state[f"rep_{column}"][vslot], None))
        aggregates = {
            "first_ts": np.where(carried, state["first_ts"][vslot], chunk.ts[first_row]),
            "entry_seen": np.where(carried, state["entry_seen"][vslot], ~reset[first_row]),
            "n": n_rows + np.where(carried, state["n"][vslot], 0),
            "stopped_any": stopped_any | (carried & state["stopped_any"][vslot]),
            "gap_any": gap_any | (carried & state["gap_any"][vslot]),
            "dwell": dwell_sum[1:] + np.where(carried, state["dwell"][vslot], 0),
            "last_ts": chunk.ts[last_row],
            "port": current_pos[first_row],
        }
        ends_open = last[last_row]
        exit_seen = np.zeros(count, dtype=bool)
        closing = ~ends_open
        exit_seen[closing] = ~reset[last_row[closing] + 1]

        # visits carried in that the chunk's first row did not carry on ended before it
        ended_before = first & state["open"][slot] & ~carries
        before = self._carried_calls(slot[ended_before], exit_seen=~reset[ended_before])
        before_rows = np.flatnonzero(ended_before)

        calls = self._calls(
            vslot[closing],
            {key: value[closing] for key, value in aggregates.items()},
            {c: reported[c][closing] for c in _IDENTITY},
            exit_seen[closing],
        )
        call_at_row = np.full(n, -1, dtype=np.int64)
        frames = []
        if len(before):
            call_at_row[before_rows[before["_kept"].to_numpy()]] = np.arange(int(before["_kept"].sum()))
            frames.append(before[before["_kept"]])
        if len(calls):
            is_call = calls["_kept"].to_numpy()
            offset = sum(len(f) for f in frames)
            call_at_row[last_row[closing][is_call] + 1] = offset + np.arange(int(is_call.sum()))
            frames.append(calls[is_call])
        ended = (
            pd.concat(frames, ignore_index=True).drop(columns="_kept") if frames else none(PORT_CALL_DTYPES)
        )

        # carry every vessel's last row, and its open visit
        ends = slot[last]
        state["current"][ends] = current[last]
        state["signal"][ends] = filled[last]
        state["last_pos"][ends] = current_pos[last]
        state["last_inside"][ends] = inside[last]
        state["stop"][ends] = stop_state[last]
        state["last_stopped"][ends] = stopped[last]
        state["open"][ends] = False
        still = ends_open
        keep = vslot[still]
        state["open"][keep] = True
        for key, value in aggregates.items():
            state[key][keep] = value[still]
        for column in _IDENTITY:
            state[f"rep_{column}"][keep] = reported[column][still]
        marks = VisitMarks(visit_start=visit_start, call_at_row=call_at_row, calls=ended)
        return ended, marks

    def _carried_calls(self, slots: IntArray, *, exit_seen: BoolArray) -> pd.DataFrame:
        state = self.state
        aggregates = {
            key: state[key][slots].copy()
            for key in ("first_ts", "entry_seen", "n", "stopped_any", "gap_any", "dwell", "last_ts", "port")
        }
        reported = {c: state[f"rep_{c}"][slots].copy() for c in _IDENTITY}
        state["open"][slots] = False
        return self._calls(slots, aggregates, reported, exit_seen)

    def close(self, horizon: IntArray | None) -> pd.DataFrame:
        """Calls whose vessel has been silent longer than ``max_gap_h`` (all open ones when
        ``horizon`` is None, the end of the feed): no exit seen."""
        state = self.state
        state.grow(len(self.slots))
        slots = np.flatnonzero(state["open"][: state.size])
        if horizon is not None:
            slots = slots[horizon[slots] > state["last_ts"][slots] + self.config.max_gap_h * HOUR_NS]
        if len(slots) == 0:
            return none(PORT_CALL_DTYPES)
        calls = self._carried_calls(slots, exit_seen=np.zeros(len(slots), dtype=bool))
        return calls[calls["_kept"]].drop(columns="_kept").reset_index(drop=True)

    def _calls(
        self,
        slots: IntArray,
        aggregates: dict[str, np.ndarray],
        reported: dict[str, np.ndarray],
        exit_seen: BoolArray,
    ) -> pd.DataFrame:
        """Visits as rows of `PORT_CALL_DTYPES` plus ``_kept`` (whether the visit is a call)."""
        if len(slots) == 0:
            if self._no_calls is None:  # built once: most feeds end no visit
                self._no_calls = none(PORT_CALL_DTYPES).assign(_kept=np.empty(0, dtype=bool))
            return self._no_calls
        config = self.config
        is_call = (aggregates["stopped_any"] | aggregates["gap_any"]) & (
            aggregates["dwell"] >= config.min_duration_h * HOUR_NS
        )
        gazetteer = self.ports.ports
        port = np.maximum(aggregates["port"], 0)
        calls = pd.DataFrame(
            {
                PORT_CALL.MMSI: self.slots.mmsi[slots],
                PORT_CALL.IMO: reported["imo"],
                PORT_CALL.NAME: reported["name"],
                PORT_CALL.PORT_ID: gazetteer[PORT.PORT_ID].array.take(port),
                PORT_CALL.PORT_NAME: gazetteer[PORT.PORT_NAME].array.take(port),
                PORT_CALL.COUNTRY: gazetteer[PORT.COUNTRY].array.take(port),
                PORT_CALL.ARRIVAL: to_utc(aggregates["first_ts"]),
                PORT_CALL.DEPARTURE: to_utc(aggregates["last_ts"]),
                PORT_CALL.CONFIDENCE: 2 + aggregates["entry_seen"].astype(int) + exit_seen.astype(int),
                PORT_CALL.N_POSITIONS: aggregates["n"],
            }
        )
        calls[PORT_CALL.DURATION] = calls[PORT_CALL.DEPARTURE] - calls[PORT_CALL.ARRIVAL]
        out = conform(calls, PORT_CALL_DTYPES)
        out["_kept"] = is_call
        return out
