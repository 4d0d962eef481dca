"""Runs of rows that span chunks: at most one open run per vessel, with its aggregates.

Stops, loitering and positions on land are runs of consecutive rows of one vessel that
meet a condition, cut where the condition fails or at a break (a vessel's first row, a
long silence). A run ends where the next row is not in it; while it is open its start,
end, count, compensated sums, last reported identity and the values its medians need
are kept per vessel, so a closed run has exactly the aggregates of the batch detector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.events._common import BoolArray, IntArray
from vesselscreen.events.stream._base import NEVER, Chunk, Slots, State, choose, group_last, kahan_sums

__all__ = ["ClosedRuns", "RunTracker"]

_KEY: Final = "_run"
_IDENTITY: Final = ("imo", "name")


@dataclass
class ClosedRuns:
    """Runs that ended: one entry per run, in arrays (all of one length)."""

    slot: IntArray
    first_ts: IntArray
    last_ts: IntArray
    count: IntArray
    medians: dict[str, np.ndarray]
    sums: dict[str, np.ndarray]
    reported: dict[str, np.ndarray]
    """The last value of each identity column reported within the run (``pd.NA`` if none)."""
    lasts: dict[str, np.ndarray]
    """Values at each run's last row."""

    def __len__(self) -> int:
        return len(self.slot)


class RunTracker:
    """Open runs per vessel; `push` a chunk's active rows, get the runs that ended."""

    def __init__(
        self,
        slots: Slots,
        *,
        medians: tuple[str, ...] = (),
        sums: tuple[str, ...] = (),
        lasts: tuple[str, ...] = (),
    ) -> None:
        self.slots = slots
        self.median_names = medians
        self.sum_names = sums
        self.last_names = lasts
        self.state = State(
            {
                "open": (bool, False),
                "first_ts": (np.int64, NEVER),
                "last_ts": (np.int64, NEVER),
                "count": (np.int64, 0),
                **{f"sum_{s}": (np.float64, 0.0) for s in sums},
                **{f"comp_{s}": (np.float64, 0.0) for s in sums},
                **{f"rep_{c}": (object, None) for c in _IDENTITY},
                **{f"last_{c}": (object, None) for c in lasts},
            }
        )
        self.store = _Values(len(medians))

    def open_slots(self) -> IntArray:
        self.state.grow(len(self.slots))
        return np.asarray(np.flatnonzero(self.state["open"][: self.state.size]), dtype=np.int64)

    def starts(self, chunk: Chunk, active: BoolArray, breaks: BoolArray) -> BoolArray:
        """The rows that begin a run (not those that carry on a vessel's open run)."""
        self.state.grow(len(self.slots))
        prev_active = np.zeros(len(chunk), dtype=bool)
        prev_active[1:] = active[:-1]
        prev_active[chunk.first] = self.state["open"][chunk.slot[chunk.first]]
        return np.asarray(active & (breaks | ~prev_active), dtype=np.bool_)

    def push(
        self,
        chunk: Chunk,
        active: BoolArray,
        breaks: BoolArray,
        medians: dict[str, np.ndarray],
        sums: dict[str, np.ndarray],
        lasts: dict[str, np.ndarray] | None = None,
    ) -> ClosedRuns:
        """The runs of ``chunk`` (where ``active``, cut at ``breaks``) that ended, with the carried
        ones its rows ended. ``sums`` values are summed over each run's rows in order; ``lasts``
        are read at each run's last row."""
        lasts = lasts or {}
        state = self.state
        state.grow(len(self.slots))
        n = len(chunk)
        slot, first, last = chunk.slot, chunk.first, chunk.last
        was_open = state["open"][slot]
        starts = self.starts(chunk, active, breaks)
        continues = first & active & ~starts  # the chunk's first row carries on the vessel's open run
        ids = np.where(active, np.cumsum(starts | continues, dtype=np.int64), 0)
        count = int(ids.max()) if n else 0
        run_rows = np.flatnonzero(active)
        numbers = np.arange(1, count + 1)
        first_row = run_rows[np.searchsorted(ids[run_rows], numbers, side="left")]
        last_row = run_rows[np.searchsorted(ids[run_rows], numbers, side="right") - 1]
        run_slot = slot[first_row] if count else np.empty(0, dtype=np.int64)
        carried = continues[first_row] if count else np.empty(0, dtype=bool)
        ends_open = last[last_row] if count else np.empty(0, dtype=bool)

        # carried runs that this chunk's first row did not continue have ended
        ended_before = first & was_open & ~continues
        out_before = self._close_carried(slot[ended_before])

        # aggregates of the chunk's runs, continued from the carried parts
        start_sum = {s: np.where(carried, state[f"sum_{s}"][run_slot], 0.0) for s in self.sum_names}
        start_comp = {s: np.where(carried, state[f"comp_{s}"][run_slot], 0.0) for s in self.sum_names}
        totals = {
            s: kahan_sums(np.asarray(sums[s], dtype=np.float64), ids, count, start_sum[s], start_comp[s])
            for s in self.sum_names
        }
        reported: dict[str, np.ndarray] = {}
        for column in _IDENTITY:
            values = chunk.values(column)
            found_value, found = group_last(values, chunk.present(column), ids, count)
            before = choose(carried, state[f"rep_{column}"][run_slot], None)
            reported[column] = choose(found, found_value, before)
        first_ts = np.where(carried, state["first_ts"][run_slot], chunk.ts[first_row] if count else 0)
        counts = np.bincount(ids[run_rows], minlength=count + 1)[1:] + np.where(
            carried, state["count"][run_slot], 0
        )
        last_ts = chunk.ts[last_row] if count else np.empty(0, dtype=np.int64)

        closing = ~ends_open
        med = self._medians(chunk, ids, medians, run_slot, carried, closing, count)
        ended = ClosedRuns(
            slot=run_slot[closing],
            first_ts=first_ts[closing],
            last_ts=last_ts[closing],
            count=counts[closing],
            medians=med,
            sums={s: totals[s][0][closing] for s in self.sum_names},
            reported={c: reported[c][closing] for c in _IDENTITY},
            lasts={c: np.asarray(lasts[c], dtype=object)[last_row][closing] for c in self.last_names},
        )
        # runs still open: their state and values are carried to the next chunk
        still = ends_open
        state["open"][slot[first]] = False
        keep = run_slot[still]
        state["open"][keep] = True
        state["first_ts"][keep] = first_ts[still]
        state["last_ts"][keep] = last_ts[still]
        state["count"][keep] = counts[still]
        for s in self.sum_names:
            state[f"sum_{s}"][keep] = totals[s][0][still]
            state[f"comp_{s}"][keep] = totals[s][1][still]
        for column in _IDENTITY:
            state[f"rep_{column}"][keep] = reported[column][still]
        for column in self.last_names:
            state[f"last_{column}"][keep] = np.asarray(lasts[column], dtype=object)[last_row][still]
        if self.median_names:
            open_ids = np.flatnonzero(still) + 1
            rows = np.flatnonzero(np.isin(ids, open_ids))
            self.store.drop(run_slot[carried & closing])
            self.store.append(
                slot[rows], np.column_stack([np.asarray(medians[m])[rows] for m in self.median_names])
            )
        return _joined(out_before, ended)

    def _medians(
        self,
        chunk: Chunk,
        ids: IntArray,
        medians: dict[str, np.ndarray],
        run_slot: IntArray,
        carried: BoolArray,
        closing: BoolArray,
        count: int,
    ) -> dict[str, np.ndarray]:
        if not self.median_names:
            return {}
        if not closing.any():
            return {m: np.empty(0) for m in self.median_names}
        closing_ids = np.flatnonzero(closing) + 1
        rows = np.flatnonzero(np.isin(ids, closing_ids))
        parts = [
            pd.DataFrame({_KEY: ids[rows], **{m: np.asarray(medians[m])[rows] for m in self.median_names}})
        ]
        from_store = carried & closing
        if from_store.any():
            stored_slot, stored = self.store.take(run_slot[from_store])
            key_of_slot = pd.Series(np.flatnonzero(from_store) + 1, index=run_slot[from_store])
            parts.insert(
                0,
                pd.DataFrame(
                    {_KEY: key_of_slot.reindex(stored_slot).to_numpy(),
                     **{m: stored[:, k] for k, m in enumerate(self.median_names)}}
                ),
            )  # fmt: skip
        values = pd.concat(parts, ignore_index=True)
        result = values.groupby(_KEY, sort=True)[list(self.median_names)].median()
        result = result.reindex(closing_ids)
        return {m: result[m].to_numpy(dtype=np.float64) for m in self.median_names}

    def _close_carried(self, slots: IntArray) -> ClosedRuns:
        """End the open runs of ``slots`` where they stand (no row of this chunk continues them)."""
        state = self.state
        if len(slots) == 0:
            nothing = np.empty(0, dtype=np.int64)
            return ClosedRuns(
                slot=nothing, first_ts=nothing, last_ts=nothing, count=nothing,
                medians={m: np.empty(0) for m in self.median_names},
                sums={s: np.empty(0) for s in self.sum_names},
                reported={c: np.empty(0, dtype=object) for c in _IDENTITY},
                lasts={c: np.empty(0, dtype=object) for c in self.last_names},
            )  # fmt: skip
        medians: dict[str, np.ndarray] = {}
        if self.median_names:
            stored_slot, values = self.store.take(slots)
            stored = pd.DataFrame(
                {"slot": stored_slot, **{m: values[:, k] for k, m in enumerate(self.median_names)}}
            )
            result = stored.groupby("slot", sort=True)[list(self.median_names)].median().reindex(slots)
            medians = {m: result[m].to_numpy(dtype=np.float64) for m in self.median_names}
            self.store.drop(slots)
        out = ClosedRuns(
            slot=slots,
            first_ts=state["first_ts"][slots].copy(),
            last_ts=state["last_ts"][slots].copy(),
            count=state["count"][slots].copy(),
            medians=medians,
            sums={s: state[f"sum_{s}"][slots].copy() for s in self.sum_names},
            reported={c: state[f"rep_{c}"][slots].copy() for c in _IDENTITY},
            lasts={c: state[f"last_{c}"][slots].copy() for c in self.last_names},
        )
        state["open"][slots] = False
        return out

    def close(self, slots: IntArray) -> ClosedRuns:
        """End the open runs of ``slots`` (a silence long enough, or the end of the feed)."""
        self.state.grow(len(self.slots))
        return self._close_carried(slots[self.state["open"][slots]])


def _joined(a: ClosedRuns, b: ClosedRuns) -> ClosedRuns:
    if not len(a):
        return b
    if not len(b):
        return a
    return ClosedRuns(
        slot=np.concatenate((a.slot, b.slot)),
        first_ts=np.concatenate((a.first_ts, b.first_ts)),
        last_ts=np.concatenate((a.last_ts, b.last_ts)),
        count=np.concatenate((a.count, b.count)),
        medians={m: np.concatenate((a.medians[m], b.medians[m])) for m in a.medians},
        sums={s: np.concatenate((a.sums[s], b.sums[s])) for s in a.sums},
        reported={c: np.concatenate((a.reported[c], b.reported[c])) for c in a.reported},
        lasts={c: np.concatenate((a.lasts[c], b.lasts[c])) for c in a.lasts},
    )


class _Values:
    """The values each vessel's open run has taken so far (its medians need them all), by slot."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.parts: dict[int, list[np.ndarray]] = {}

    def append(self, slots: IntArray, values: np.ndarray) -> None:
        """Rows of values (``slots`` sorted, one per row)."""
        if len(slots) == 0:
            return
        starts = np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
        for begin, end in zip(starts, np.append(starts[1:], len(slots)), strict=True):  # one step per vessel
            self.parts.setdefault(int(slots[begin]), []).append(values[begin:end])

    def take(self, slots: IntArray) -> tuple[IntArray, np.ndarray]:
        """The values of ``slots`` (removed), oldest first: (slot per row, values)."""
        found = [(s, np.concatenate(self.parts.pop(int(s)))) for s in slots if int(s) in self.parts]
        if not found:
            return np.empty(0, dtype=np.int64), np.empty((0, self.width))
        return (
            np.concatenate([np.full(len(v), s, dtype=np.int64) for s, v in found]),
            np.concatenate([v for _, v in found]),
        )

    def drop(self, slots: IntArray) -> None:
        for s in slots:
            self.parts.pop(int(s), None)
