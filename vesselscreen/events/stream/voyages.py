"""Voyages of a feed: port-to-port legs, as `vesselscreen.events.voyages` defines them.

A leg runs from a call's departure to the next call's arrival. Its steps are a stretch of
consecutive rows, so each vessel carries a running total (distance as a compensated sum,
in row order, as the batch detector sums it; longest silence; steps) since its last call
ended, and notes that total at the first row of each visit (a possible arrival). When a
visit ends as a call, the leg is that note; the next leg starts from the call's departure.
Port-less stops that ended within a leg are kept for it.

Only complete legs (an origin and a destination call) are yielded: a track's first leg
and its last (open) one are not voyages a finding can be about.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.events._common import IntArray, to_utc
from vesselscreen.events.stream._base import NEVER, Chunk, Slots, State, kahan_running, none
from vesselscreen.events.stream.port_calls import VisitMarks
from vesselscreen.schema import PORT_CALL, POSITION, STOP, VOYAGE, VOYAGE_DTYPES, conform

__all__ = ["VoyageStream"]

_TOTALS = ("sum", "comp", "longest", "n")
_ORIGIN = (PORT_CALL.PORT_ID, PORT_CALL.PORT_NAME, PORT_CALL.COUNTRY)


class VoyageStream:
    """Complete voyages as their destination call ends."""

    def __init__(self, slots: Slots) -> None:
        self.slots = slots
        self.state = State(
            {
                "leg": (bool, False),
                "leg_start": (np.int64, NEVER),
                **{f"origin_{c}": (object, None) for c in _ORIGIN},
                "sum": (np.float64, 0.0),
                "comp": (np.float64, 0.0),
                "longest": (np.int64, 0),
                "n": (np.int64, 0),
                **{f"snap_{t}": (np.float64 if t in ("sum", "comp") else np.int64, 0) for t in _TOTALS},
                "snap_imo": (object, None),
                "snap_name": (object, None),
            }
        )
        self.stops = pd.DataFrame(
            {"slot": np.empty(0, np.int64), "s0": np.empty(0, np.int64), "s1": np.empty(0, np.int64),
             "dur": np.empty(0, np.int64)}
        )  # fmt: skip

    def add_stops(self, stops: pd.DataFrame) -> None:
        """Stops that ended: the port-less ones are kept for the leg they may lie in."""
        sea = stops[stops[STOP.PORT_ID].isna()]
        if sea.empty:
            return
        found = pd.DataFrame(
            {
                "slot": self.slots.known(sea[STOP.MMSI].to_numpy(dtype=np.int64)),
                "s0": sea[STOP.START].to_numpy(dtype="datetime64[ns]").view(np.int64),
                "s1": sea[STOP.END].to_numpy(dtype="datetime64[ns]").view(np.int64),
                "dur": sea[STOP.DURATION].to_numpy(dtype="timedelta64[ns]").view(np.int64),
            }
        )
        self.stops = pd.concat([self.stops, found], ignore_index=True)

    def _prune(self) -> None:
        """Keep only stops that can lie in a vessel's open leg (a later leg starts later than any)."""
        slot = self.stops["slot"].to_numpy()
        keep = self.state["leg"][slot] & (self.stops["s0"].to_numpy() >= self.state["leg_start"][slot])
        self.stops = self.stops[keep].reset_index(drop=True)

    def push(self, chunk: Chunk, marks: VisitMarks) -> pd.DataFrame:
        """The legs whose destination call ended within this chunk's rows."""
        state = self.state
        state.grow(len(self.slots))
        n = len(chunk)
        if n == 0:
            return none(VOYAGE_DTYPES)
        slot, first = chunk.slot, chunk.first
        closes = marks.call_at_row >= 0  # a call ended just before this row: a new leg begins
        segment = np.cumsum(first | closes, dtype=np.int64)
        carried_segment = first & ~closes  # the vessel's running total carries on here
        seg_first = np.flatnonzero(first | closes)
        seg_carried = carried_segment[seg_first]
        seg_slot = slot[seg_first]
        count = len(seg_first)
        step = ~chunk.start
        ids = np.where(step, segment, 0)
        start_sum = np.where(seg_carried, state["sum"][seg_slot], 0.0)
        start_comp = np.where(seg_carried, state["comp"][seg_slot], 0.0)
        _total, _comp, row_sum, row_comp = kahan_running(chunk.dist_prev, ids, count, start_sum, start_comp)
        seg_of_row = segment - 1
        longest = (
            pd.Series(np.where(step, chunk.dt_prev, 0)).groupby(segment).cummax().to_numpy(dtype=np.int64)
        )
        longest = np.maximum(longest, np.where(seg_carried, state["longest"][seg_slot], 0)[seg_of_row])
        steps = pd.Series(step.astype(np.int64)).groupby(segment).cumsum().to_numpy(dtype=np.int64)
        steps = steps + np.where(seg_carried, state["n"][seg_slot], 0)[seg_of_row]
        # rows with no step (a vessel's start) keep the running sum of the row before
        filled_sum = pd.Series(row_sum).groupby(segment).ffill().to_numpy(dtype=np.float64)
        filled_comp = pd.Series(row_comp).groupby(segment).ffill().to_numpy(dtype=np.float64)
        row_sum = np.where(np.isnan(filled_sum), start_sum[seg_of_row], filled_sum).astype(np.float64)
        row_comp = np.where(np.isnan(filled_comp), start_comp[seg_of_row], filled_comp).astype(np.float64)

        # the note at each visit start; the note that each closing call's leg ends with
        snap = {
            "sum": row_sum, "comp": row_comp, "longest": longest, "n": steps,
            "imo": chunk.carried[POSITION.IMO], "name": chunk.carried[POSITION.NAME],
        }  # fmt: skip
        starts = np.flatnonzero(marks.visit_start)
        legs = []
        calls = marks.calls
        for row in np.flatnonzero(closes):  # one step per call that ended in this chunk
            legs.append(
                self._leg(
                    int(row), int(slot[row]), calls.iloc[int(marks.call_at_row[row])], starts, snap, chunk
                )
            )
        # carry: totals at each vessel's last row, the latest visit start's note
        last = chunk.last
        ends = slot[last]
        state["sum"][ends] = row_sum[last]
        state["comp"][ends] = row_comp[last]
        state["longest"][ends] = longest[last]
        state["n"][ends] = steps[last]
        if len(starts):
            latest = starts[np.r_[chunk.group[starts][1:] != chunk.group[starts][:-1], True]]
            s = slot[latest]
            for key in ("sum", "comp", "longest", "n"):
                state[f"snap_{key}"][s] = snap[key][latest]
            state["snap_imo"][s] = snap["imo"][latest]
            state["snap_name"][s] = snap["name"][latest]
        self._prune()
        found = [leg for leg in legs if leg is not None]
        return conform(pd.DataFrame(found), VOYAGE_DTYPES) if found else none(VOYAGE_DTYPES)

    def _leg(
        self,
        row: int,
        slot: int,
        call: pd.Series,
        starts: IntArray,
        snap: dict[str, np.ndarray],
        chunk: Chunk,
    ) -> dict[str, object] | None:
        """The call ending before ``row`` closes the vessel's leg (if one is open) and starts the next."""
        state = self.state
        arrival = int(pd.Timestamp(call[PORT_CALL.ARRIVAL]).value)
        # the visit began at the vessel's latest visit start before this row (in the chunk or earlier)
        mine = starts[(starts < row) & (chunk.slot[starts] == slot)]
        if len(mine):
            at = int(mine[-1])
            note = {k: snap[k][at] for k in snap}
        else:
            note = {k: state[f"snap_{k}"][slot] for k in ("sum", "comp", "longest", "n", "imo", "name")}
        leg = self._emit(slot, arrival, call, note) if state["leg"][slot] else None
        self._begin(slot, call)
        return leg

    def _emit(
        self, slot: int, arrival: int, call: pd.Series, note: dict[str, object]
    ) -> dict[str, object] | None:
        state = self.state
        start = int(state["leg_start"][slot])
        if arrival <= start:
            return None
        mine = self.stops[self.stops["slot"].to_numpy() == slot]
        inside = mine[(mine["s0"] >= start) & (mine["s1"] <= arrival)]
        n = int(note["n"])  # type: ignore[call-overload]  # a numpy integer from the note
        return {
            VOYAGE.MMSI: int(self.slots.mmsi[slot]),
            VOYAGE.IMO: note["imo"],
            VOYAGE.NAME: note["name"],
            VOYAGE.ORIGIN_PORT_ID: state[f"origin_{PORT_CALL.PORT_ID}"][slot],
            VOYAGE.ORIGIN_PORT_NAME: state[f"origin_{PORT_CALL.PORT_NAME}"][slot],
            VOYAGE.ORIGIN_COUNTRY: state[f"origin_{PORT_CALL.COUNTRY}"][slot],
            VOYAGE.DESTINATION_PORT_ID: call[PORT_CALL.PORT_ID],
            VOYAGE.DESTINATION_PORT_NAME: call[PORT_CALL.PORT_NAME],
            VOYAGE.DESTINATION_COUNTRY: call[PORT_CALL.COUNTRY],
            VOYAGE.DEPARTURE: to_utc(np.array([start]))[0],
            VOYAGE.ARRIVAL: to_utc(np.array([arrival]))[0],
            VOYAGE.DISTANCE_M: float(note["sum"]),  # type: ignore[arg-type]  # a numpy float from the note
            VOYAGE.LONGEST_GAP: pd.Timedelta(int(note["longest"]), unit="ns"),  # type: ignore[call-overload]
            VOYAGE.N_STOPS: len(inside),
            VOYAGE.STOP_DURATION: pd.Timedelta(int(inside["dur"].sum()), unit="ns"),
            VOYAGE.N_POSITIONS: n + 1 if n > 0 else 0,
            VOYAGE.DURATION: pd.Timedelta(arrival - start, unit="ns"),
        }

    def _begin(self, slot: int, call: pd.Series) -> None:
        """A leg starts at ``call``'s departure, with nothing sailed yet."""
        state = self.state
        departure = int(pd.Timestamp(call[PORT_CALL.DEPARTURE]).value)
        state["leg"][slot] = True
        state["leg_start"][slot] = departure
        for column in _ORIGIN:
            state[f"origin_{column}"][slot] = call[column]
        for key in ("sum", "comp", "longest", "n"):
            state[key][slot] = 0
        stops = self.stops
        self.stops = stops[(stops["slot"].to_numpy() != slot) | (stops["s0"].to_numpy() >= departure)]

    def calls_ended(self, calls: pd.DataFrame) -> pd.DataFrame:
        """Calls that ended between chunks (their vessel silent long enough, or the feed over)."""
        self.state.grow(len(self.slots))
        legs = []
        for _, call in calls.iterrows():  # one step per call
            slot = int(self.slots.known(np.array([int(call[PORT_CALL.MMSI])]))[0])
            note = {k: self.state[f"snap_{k}"][slot] for k in ("sum", "comp", "longest", "n", "imo", "name")}
            arrival = int(pd.Timestamp(call[PORT_CALL.ARRIVAL]).value)
            if self.state["leg"][slot]:
                legs.append(self._emit(slot, arrival, call, note))
            self._begin(slot, call)
        self._prune()
        found = [leg for leg in legs if leg is not None]
        return conform(pd.DataFrame(found), VOYAGE_DTYPES) if found else none(VOYAGE_DTYPES)
