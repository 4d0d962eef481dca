"""Cleaning a feed as it arrives: the artefact rules of `vesselscreen.clean_ais`, settled row by row.

Duplicate and near-duplicate receptions depend on earlier rows only: the stream decides
them at once from each vessel's last position and the start of its run of one position.
The midnight and jump rules also look ahead (a lone fix is only an outlier if the next
report disagrees with it), so a vessel's newest rows wait, unsettled, until their status
can no longer change:

* at once, when the track ends in a *quiet* stretch: the newest two rows or more, none
  in the midnight window and none reached by an impossible step (no rule can then remove
  them, whatever comes next, and the rules look at most two rows ahead);
* otherwise once ``LAG_ROWS`` later rows have come (the rules' reach is a few rows);
* or when the feed is flushed. A vessel that falls silent right after an impossible jump
  keeps its last rows unsettled until it reports again: whether that last fix was an
  outlier depends on where it reappears.

The rules run on the unsettled rows with ``CONTEXT_ROWS`` settled rows before them, so a
window edge never changes a decision: the result equals `clean_ais` on the whole feed.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen._runs import positions_in_runs
from vesselscreen.ais.cleaning import CleaningConfig, flag_motion_artefacts, impossible_steps
from vesselscreen.events._common import BoolArray, IntArray, ffill
from vesselscreen.events.stream._base import Slots, State, last_marked
from vesselscreen.limits import MotionLimits
from vesselscreen.schema import POSITION

__all__ = ["CONTEXT_ROWS", "LAG_ROWS", "CleaningStream"]

CONTEXT_ROWS: Final = 10
"""Settled rows kept per vessel as the window's left context: the rules reach two rows each
way in each of their three passes."""
LAG_ROWS: Final = 12
"""A row is settled once this many later rows of its vessel have come, quiet or not."""
_DUPLICATE: Final = "duplicate report"
_NEAR: Final = "near-duplicate reception"


class CleaningStream:
    """Artefacts of a feed, decided as soon as they are certain (see the module)."""

    def __init__(self, slots: Slots, config: CleaningConfig | None, limits: MotionLimits) -> None:
        self.slots = slots
        self.config = config
        self.limits = limits
        self.state = State(
            {
                "qlat": (np.float64, np.nan),
                "qlon": (np.float64, np.nan),
                "run_start": (np.float64, np.nan),
            }
        )
        self.pending: pd.DataFrame | None = None
        self.pending_sec = np.empty(0, dtype=np.float64)
        """The pending rows' times in seconds (kept beside the frame: no column to add and drop)."""
        # each vessel's last settled rows (seconds, lat, lon), oldest first: the window's left context
        self.context_sec = np.empty((0, CONTEXT_ROWS))
        self.context_lat = np.empty((0, CONTEXT_ROWS))
        self.context_lon = np.empty((0, CONTEXT_ROWS))
        self.context_n = np.empty(0, dtype=np.int64)
        self.rejected: dict[str, int] = {}

    def first_unsettled(self) -> pd.Series:
        """Per MMSI with unsettled rows, the time (ns) of the first one."""
        if self.pending is None or self.pending.empty:
            return pd.Series(dtype=np.int64)
        ts = self.pending[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        mmsi = self.pending[POSITION.MMSI].to_numpy(dtype=np.int64)
        # pending rows are in vessel-time order: a vessel's first row is its earliest
        first = np.ones(len(mmsi), dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        return pd.Series(ts[first], index=pd.Index(mmsi[first]))

    def _count(self, reasons: np.ndarray) -> dict[str, int]:
        labels, counts = np.unique(reasons[reasons != ""].astype(str), return_counts=True)
        found = {str(label): int(count) for label, count in zip(labels, counts, strict=True)}
        for label, count in found.items():
            self.rejected[label] = self.rejected.get(label, 0) + count
        return found

    def push(self, placed: pd.DataFrame, clock: int, *, flush: bool = False) -> pd.DataFrame:
        """New placed rows (sorted by vessel and time, none older than its vessel's last row):
        the rows settled now and kept, sorted by vessel and time."""
        if self.config is None:  # no cleaning: every row is settled as it comes
            return placed
        mmsi = placed[POSITION.MMSI].to_numpy(dtype=np.int64)
        ns = placed[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        frame, seconds = placed, ns / 1e9
        if len(frame):
            slot = self.slots.of(mmsi)
            self.state.grow(len(self.slots))
            duplicate = self._duplicates(frame, seconds, slot)
            self._count(np.where(duplicate, np.where(self._was_exact, _DUPLICATE, _NEAR), ""))
            if duplicate.any():
                frame, seconds = frame[~duplicate], seconds[~duplicate]
        return self._settle(frame, seconds, clock, flush=flush)

    _was_exact: BoolArray

    def _duplicates(self, frame: pd.DataFrame, seconds: np.ndarray, slot: IntArray) -> BoolArray:
        """Rule 4 with each vessel's last position and run start carried in."""
        config, state = self.config, self.state
        assert config is not None
        n = len(frame)
        mmsi = frame[POSITION.MMSI].to_numpy(dtype=np.int64)
        scale = 10.0**config.duplicate_decimals
        qlat = np.round(frame[POSITION.LAT].to_numpy(dtype=np.float64) * scale)
        qlon = np.round(frame[POSITION.LON].to_numpy(dtype=np.float64) * scale)
        first = np.ones(n, dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        prev_lat = np.empty(n)
        prev_lon = np.empty(n)
        prev_lat[1:], prev_lon[1:] = qlat[:-1], qlon[:-1]
        prev_lat[first], prev_lon[first] = state["qlat"][slot[first]], state["qlon"][slot[first]]
        same_place = (qlat == prev_lat) & (qlon == prev_lon)  # never at a vessel's first row ever (NaN)
        start = np.where(~same_place, seconds, np.nan)
        start[first & same_place] = state["run_start"][slot[first & same_place]]
        start = ffill(start, np.cumsum(first))
        since_first = seconds - start
        exact = same_place & (since_first == 0)
        near = same_place & ~exact & (since_first <= config.near_duplicate_s)
        last = np.ones(n, dtype=bool)
        last[:-1] = first[1:]
        state["qlat"][slot[last]] = qlat[last]
        state["qlon"][slot[last]] = qlon[last]
        state["run_start"][slot[last]] = start[last]
        self._was_exact = exact
        return np.asarray(exact | near, dtype=np.bool_)

    def _settle(self, new: pd.DataFrame, new_sec: np.ndarray, clock: int, *, flush: bool) -> pd.DataFrame:
        config = self.config
        assert config is not None
        pending = new if self.pending is None else pd.concat([self.pending, new], ignore_index=True)
        pending_sec = np.concatenate((self.pending_sec, new_sec))
        if pending.empty:
            self.pending, self.pending_sec = pending, pending_sec
            return pending
        if not new.empty and self.pending is not None and not self.pending.empty:
            # each part is in vessel-time order and a vessel's new rows come after its old ones
            order = np.argsort(pending[POSITION.MMSI].to_numpy(dtype=np.int64), kind="stable")
            pending = pending.take(order).reset_index(drop=True)
            pending_sec = pending_sec[order]
        p_mmsi = pending[POSITION.MMSI].to_numpy(dtype=np.int64)
        p_slot = self.slots.of(p_mmsi)
        self._grow_context(len(self.slots))
        # the window: each vessel's context rows (settled, oldest first), then its pending rows
        first = np.ones(len(pending), dtype=bool)
        first[1:] = p_mmsi[1:] != p_mmsi[:-1]
        vessels = p_slot[first]
        held = self.context_n[vessels]
        ctx_vessel = np.repeat(vessels, held)
        ctx_k = positions_in_runs(held)
        counts = np.diff(np.append(np.flatnonzero(first), len(pending)))
        # per vessel: held context rows, then its pending rows
        block = np.repeat(np.arange(len(vessels)), held + counts)
        in_block = positions_in_runs(held + counts)
        is_ctx = in_block < held[block]
        n = len(block)
        w_mmsi = self.slots.mmsi[vessels][block]
        w_sec, w_lat, w_lon = np.empty(n), np.empty(n), np.empty(n)
        w_sec[is_ctx] = self.context_sec[ctx_vessel, ctx_k]
        w_lat[is_ctx] = self.context_lat[ctx_vessel, ctx_k]
        w_lon[is_ctx] = self.context_lon[ctx_vessel, ctx_k]
        w_sec[~is_ctx] = pending_sec
        w_lat[~is_ctx] = pending[POSITION.LAT].to_numpy(dtype=np.float64)
        w_lon[~is_ctx] = pending[POSITION.LON].to_numpy(dtype=np.float64)
        reasons = flag_motion_artefacts(w_mmsi, w_sec, w_lat, w_lon, config, self.limits)
        settled = self._settled(w_mmsi, w_sec, w_lat, w_lon, clock, flush=flush)

        row = np.full(n, -1, dtype=np.int64)
        row[~is_ctx] = np.arange(len(pending))
        done = settled & ~is_ctx
        done_rows = row[done]
        done_reasons = reasons[done]
        self._count(done_reasons)
        kept: pd.DataFrame = pending.take(done_rows[done_reasons == ""]).reset_index(drop=True)
        # the new context: each vessel's last settled rows (a prefix of its window), whatever their status
        prefix = settled | is_ctx
        # running count of prefix rows within each vessel's block (blocks are contiguous)
        running = np.cumsum(prefix, dtype=np.int64)
        block_first = np.ones(n, dtype=bool)
        block_first[1:] = block[1:] != block[:-1]
        before_block = (running - prefix)[block_first]
        rank = running - before_block[block]
        total = np.bincount(block, weights=prefix, minlength=len(vessels)).astype(np.int64)
        keep = prefix & (rank > total[block] - CONTEXT_ROWS)
        slot_of_row = vessels[block]
        position = rank - np.maximum(total[block] - CONTEXT_ROWS, 0) - 1
        self.context_sec[slot_of_row[keep], position[keep]] = w_sec[keep]
        self.context_lat[slot_of_row[keep], position[keep]] = w_lat[keep]
        self.context_lon[slot_of_row[keep], position[keep]] = w_lon[keep]
        self.context_n[vessels] = np.minimum(total, CONTEXT_ROWS)
        left = np.ones(len(pending), dtype=bool)
        left[done_rows] = False
        self.pending = pending[left].reset_index(drop=True)
        self.pending_sec = pending_sec[left]
        return kept

    def _grow_context(self, size: int) -> None:
        capacity = len(self.context_n)
        if size <= capacity:
            return
        new = max(size, 2 * capacity, 64)
        for name in ("context_sec", "context_lat", "context_lon"):
            grown = np.full((new, CONTEXT_ROWS), np.nan)
            grown[:capacity] = getattr(self, name)
            setattr(self, name, grown)
        counts = np.zeros(new, dtype=np.int64)
        counts[:capacity] = self.context_n
        self.context_n = counts

    def _settled(
        self,
        mmsi: IntArray,
        seconds: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        clock: int,
        *,
        flush: bool,
    ) -> BoolArray:
        """Which window rows are settled: a prefix of each vessel's unsettled rows."""
        n = len(mmsi)
        if flush:
            return np.ones(n, dtype=bool)
        config = self.config
        assert config is not None
        first = np.ones(n, dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        last = np.ones(n, dtype=bool)
        last[:-1] = first[1:]
        group = np.cumsum(first)
        day = np.floor(seconds / 86_400.0)
        early = seconds - day * 86_400.0 < config.midnight_window_s
        fast_in = impossible_steps(mmsi, seconds, lat, lon, 1, self.limits)
        quiet = ~early & ~fast_in
        # the quiet stretch that ends each vessel's window
        last_break = last_marked(~quiet, first)
        ends = np.flatnonzero(last)
        begins = np.flatnonzero(first)
        stretch_start = np.maximum(last_break[ends] + 1, begins)  # first row of the final quiet stretch
        # q = stretch_start works when the stretch holds two rows or more; q = stretch_start - 1
        # when that row is in the window and not in the midnight window (only its step in is fast)
        before = stretch_start - 1
        ok = (ends - stretch_start >= 1) | (
            (ends - stretch_start == 0) & (before >= begins) & ~early[np.maximum(before, 0)]
        )
        settle_all = ok[group - 1]
        lagged = ends[group - 1] - np.arange(n) >= LAG_ROWS
        return np.asarray(settle_all | lagged, dtype=np.bool_)
