"""The identity timeline of a feed, kept up to date as it arrives.

Each vessel's open interval (the identity it broadcasts now) is carried as one row
standing for it, placed just before the new rows: `vesselscreen.identity_intervals`
then continues it or ends it exactly as on the whole feed. Changes between intervals of
one MMSI are found as the new interval starts; an IMO moving to another MMSI is judged
against the latest interval that carried the IMO (kept per IMO).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vesselscreen._runs import concatenated_ranges
from vesselscreen.ais.identity import (
    IdentityTimeline,
    identity_intervals,
    imo_changes,
    mmsi_changes,
)
from vesselscreen.schema import CHANGE, CHANGE_DTYPES, INTERVAL, INTERVAL_DTYPES, POSITION, conform

__all__ = ["IDENTITY_COLUMNS", "IdentityStream"]

IDENTITY_COLUMNS: Final = (
    POSITION.MMSI,
    POSITION.TIMESTAMP,
    POSITION.IMO,
    POSITION.NAME,
    POSITION.CALL_SIGN,
    POSITION.SHIP_TYPE,
)
"""The columns the identity timeline reads."""
_TRACKED: Final = (INTERVAL.IMO, INTERVAL.NAME, INTERVAL.CALL_SIGN, INTERVAL.SHIP_TYPE)


def _empty_intervals() -> pd.DataFrame:
    return conform(pd.DataFrame(), INTERVAL_DTYPES)


class IdentityStream:
    """Identity intervals, identities and changes of everything fed so far."""

    def __init__(self) -> None:
        self.closed = _empty_intervals()
        self.open = _empty_intervals().set_index(INTERVAL.MMSI, drop=False)
        self.by_imo = _empty_intervals().set_index(INTERVAL.IMO, drop=False)
        self.changes = conform(pd.DataFrame(), CHANGE_DTYPES)
        self.identities = IdentityTimeline(_empty_intervals(), self.changes).identities
        self.recomputed = np.empty(0, dtype=np.int64)
        """The vessels whose identities the last push recomputed (new or changed identities)."""

    def intervals(self) -> pd.DataFrame:
        """Every interval so far (the open ones last of their vessel), by MMSI then time."""
        both = pd.concat([self.closed, self.open.reset_index(drop=True)], ignore_index=True)
        order = np.argsort(both[INTERVAL.MMSI].to_numpy(dtype=np.int64), kind="stable")
        return both.take(order).reset_index(drop=True)

    def push(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Rows with an MMSI and a time, in vessel-time order: the identity changes they reveal."""
        self.recomputed = np.empty(0, dtype=np.int64)
        if rows.empty:
            return self.changes.iloc[:0]
        mmsi = rows[POSITION.MMSI].to_numpy(dtype=np.int64)
        same = self._continuing(rows, mmsi)
        if same.any():
            self._extend(rows[same], mmsi[same])
            if same.all():
                return self.changes.iloc[:0]
            rows, mmsi = rows[~same], mmsi[~same]
        carried = self.open[self.open[INTERVAL.MMSI].isin(pd.unique(mmsi))]
        stand_in = pd.DataFrame(
            {
                POSITION.MMSI: carried[INTERVAL.MMSI].to_numpy(),
                # just before the vessel's new rows, which are no older than its last row
                POSITION.TIMESTAMP: carried[INTERVAL.LAST_SEEN] - pd.Timedelta(1, "ns"),
                **{column: carried[column].to_numpy() for column in _TRACKED},
            }
        )
        frame = pd.concat([stand_in, rows[list(IDENTITY_COLUMNS)]], ignore_index=True)
        frame = frame.iloc[np.argsort(frame[POSITION.MMSI].to_numpy(dtype=np.int64), kind="stable")]
        found = identity_intervals(frame.reset_index(drop=True))
        first = np.ones(len(found), dtype=bool)
        found_mmsi = found[INTERVAL.MMSI].to_numpy(dtype=np.int64)
        first[1:] = found_mmsi[1:] != found_mmsi[:-1]
        continues = first & np.isin(found_mmsi, carried[INTERVAL.MMSI].to_numpy(dtype=np.int64))
        # the stand-in's interval is the open one: its start, count and end carry on
        before = carried.loc[found_mmsi[continues]]
        merged = found.copy()
        merged.loc[continues, INTERVAL.FIRST_SEEN] = before[INTERVAL.FIRST_SEEN].to_numpy()
        extra = found.loc[continues, INTERVAL.N_POSITIONS].to_numpy(dtype=np.int64) - 1
        merged.loc[continues, INTERVAL.N_POSITIONS] = before[INTERVAL.N_POSITIONS].to_numpy() + extra
        merged.loc[continues, INTERVAL.LAST_SEEN] = np.where(
            extra > 0,
            found.loc[continues, INTERVAL.LAST_SEEN].to_numpy(),
            before[INTERVAL.LAST_SEEN].to_numpy(),
        )
        last = np.ones(len(found), dtype=bool)
        last[:-1] = first[1:]
        changes = mmsi_changes(merged)
        started = merged[~continues]
        if len(started):
            with_imo = started[started[INTERVAL.IMO].notna()]
            earlier = self.by_imo[self.by_imo[INTERVAL.IMO].isin(with_imo[INTERVAL.IMO])]
            candidates = pd.concat([earlier.reset_index(drop=True), with_imo], ignore_index=True)
            changes += imo_changes(candidates)
            latest = with_imo.sort_values(INTERVAL.FIRST_SEEN, kind="stable").drop_duplicates(
                INTERVAL.IMO, keep="last"
            )
            kept = self.by_imo[~self.by_imo[INTERVAL.IMO].isin(latest[INTERVAL.IMO])]
            self.by_imo = pd.concat([kept, latest.set_index(INTERVAL.IMO, drop=False)])
        self.closed = pd.concat([self.closed, merged[~last]], ignore_index=True)
        still = self.open[~self.open[INTERVAL.MMSI].isin(found_mmsi)]
        self.open = pd.concat([still, merged[last].set_index(INTERVAL.MMSI, drop=False)])
        new = (
            pd.concat(changes, ignore_index=True).astype(CHANGE_DTYPES)
            if changes
            else conform(pd.DataFrame(), CHANGE_DTYPES)
        )
        new = new.sort_values([CHANGE.TIME, CHANGE.MMSI, CHANGE.KIND], kind="stable").reset_index(drop=True)
        self.changes = pd.concat([self.changes, new], ignore_index=True) if len(new) else self.changes
        self.recomputed = np.asarray(pd.unique(found_mmsi), dtype=np.int64)
        self._update_identities(self.recomputed)
        return new

    def _continuing(self, rows: pd.DataFrame, mmsi: np.ndarray) -> np.ndarray:
        """Which rows belong to vessels all of whose rows only carry on their open interval
        (the usual case: static data repeats what the vessel broadcast before)."""
        n = len(rows)
        if not len(self.open):
            return np.zeros(n, dtype=bool)
        where = self.open.index.get_indexer(pd.Index(mmsi))
        ok = where >= 0
        at = np.maximum(where, 0)
        for column in _TRACKED:
            value = rows[column].array.to_numpy(dtype=object, na_value=None)
            present = np.asarray(pd.notna(value), dtype=bool)
            held = self.open[column].array.take(at).to_numpy(dtype=object, na_value=None)
            held_missing = np.asarray(pd.isna(held), dtype=bool)
            both = np.flatnonzero(present & ~held_missing)
            differs = held_missing.copy()
            differs[both] = value[both] != held[both]
            ok &= ~(present & differs)
        first = np.ones(n, dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        starts = np.flatnonzero(first)
        whole = np.minimum.reduceat(ok.astype(np.int8), starts) > 0 if n else np.zeros(0, dtype=bool)
        return np.asarray(np.repeat(whole, np.diff(np.append(starts, n))), dtype=bool)

    def _extend(self, rows: pd.DataFrame, mmsi: np.ndarray) -> None:
        """Rows that carry on open intervals: the intervals and their identities grow."""
        ns = rows[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        # rows are in vessel-time order: one run of rows per vessel
        first = np.ones(len(mmsi), dtype=bool)
        first[1:] = mmsi[1:] != mmsi[:-1]
        starts = np.flatnonzero(first)
        rows_at = np.asarray(self.open.index.get_indexer(pd.Index(mmsi[starts])), dtype=np.int64)
        latest = pd.to_datetime(np.maximum.reduceat(ns, starts), unit="ns", utc=True)
        grew = np.diff(np.append(starts, len(mmsi))).astype(np.int64)
        _grow(self.open, rows_at, latest, grew)
        # each open interval's identity row grows the same way; the identities are in MMSI order,
        # so only the rows of these vessels are looked at
        wanted = _identity_keys(self.open, rows_at)
        known = self.identities[INTERVAL.MMSI].to_numpy(dtype=np.int64)
        vessels = np.array([key[0] for key in wanted], dtype=np.int64)
        lo, hi = np.searchsorted(known, vessels, "left"), np.searchsorted(known, vessels, "right")
        count = hi - lo
        candidates = concatenated_ranges(lo, count)
        row_of = dict(zip(_identity_keys(self.identities, candidates), candidates.tolist(), strict=True))
        at = np.array([row_of.get(key, -1) for key in wanted], dtype=np.int64)
        _grow(self.identities, at, latest, grew)

    def _update_identities(self, touched: np.ndarray) -> None:
        """Recompute the identities (one row per MMSI, IMO, name, call sign) of ``touched`` vessels."""
        mine = pd.concat(
            [
                self.closed[self.closed[INTERVAL.MMSI].isin(touched)],
                self.open[self.open[INTERVAL.MMSI].isin(touched)].reset_index(drop=True),
            ],
            ignore_index=True,
        )
        mine = mine.iloc[np.argsort(mine[INTERVAL.MMSI].to_numpy(dtype=np.int64), kind="stable")]
        fresh = IdentityTimeline(mine.reset_index(drop=True), self.changes.iloc[:0]).identities
        others = self.identities[~self.identities[POSITION.MMSI].isin(touched)]
        keys = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN]
        fresh = fresh.sort_values(keys, kind="stable", na_position="last")
        both = pd.concat([others, fresh], ignore_index=True)
        # the others are in key order already and no MMSI is in both parts: ordering by MMSI
        # alone (stable) gives the order of sorting by every key
        order = np.argsort(both[POSITION.MMSI].to_numpy(dtype=np.int64), kind="stable")
        self.identities = both.take(order).reset_index(drop=True)

    def timeline(self) -> IdentityTimeline:
        """The timeline of everything fed so far (identities and changes as kept here)."""
        timeline = IdentityTimeline(self.intervals(), self.changes)
        timeline.__dict__["identities"] = self.identities  # kept up to date incrementally
        return timeline


def _grow(frame: pd.DataFrame, rows: np.ndarray, last_seen: pd.DatetimeIndex, more: np.ndarray) -> None:
    """Rows of an intervals or identities frame seen again: a later last sighting, more positions."""
    last = frame[INTERVAL.LAST_SEEN].copy()
    last.iloc[rows] = last_seen
    frame[INTERVAL.LAST_SEEN] = last
    count = frame[INTERVAL.N_POSITIONS].to_numpy(dtype=np.int64, copy=True)
    count[rows] = count[rows] + more
    frame[INTERVAL.N_POSITIONS] = pd.Series(count, index=frame.index).astype(
        frame[INTERVAL.N_POSITIONS].dtype
    )


def _identity_keys(frame: pd.DataFrame, rows: np.ndarray) -> list[tuple[object, ...]]:
    """The (MMSI, IMO, name, call sign) of these rows, missing values as ``None`` (an identity's key)."""
    columns = [frame[INTERVAL.MMSI].to_numpy(dtype=np.int64)[rows].tolist()]
    for column in (INTERVAL.IMO, INTERVAL.NAME, INTERVAL.CALL_SIGN):
        columns.append(frame[column].array.take(rows).to_numpy(dtype=object, na_value=None).tolist())
    return list(zip(*columns, strict=True))
