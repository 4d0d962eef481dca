"""AIS gaps of a feed, as `vesselscreen.events.gaps` defines them, found when the vessel reappears.

A gap is known, whole, at the first row after it, except its ``draught_end`` (the first
draught reported at or after that row): when that row reports none, the gap waits for the
vessel's next draught (or the end of the feed) before it goes to the draught check of
spoofing. Dark-gap findings do not wait for it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, to_utc
from vesselscreen.events.config import GapConfig
from vesselscreen.events.stream._base import Chunk, Slots, none
from vesselscreen.limits import M_PER_NM
from vesselscreen.schema import GAP, GAP_DTYPES, PORT, POSITION, conform

__all__ = ["GapStream"]


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(
        pd.Series(values, dtype=object).astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    )


class GapStream:
    """Gaps as the rows after them arrive; ``waiting`` holds those whose draught after is unknown."""

    def __init__(self, slots: Slots, config: GapConfig) -> None:
        self.slots = slots
        self.config = config
        self.waiting = none(GAP_DTYPES)

    def push(self, chunk: Chunk) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(the gaps this chunk ends, the gaps whose draught after is now known)."""
        config = self.config
        draught = chunk.frame[POSITION.DRAUGHT].to_numpy(dtype=np.float64, na_value=np.nan)
        # the first draught at or after each row of a vessel (within the chunk)
        later = pd.Series(draught).groupby(chunk.group).bfill().to_numpy(dtype=np.float64)
        ready = self._resolve(chunk, later)
        after = np.flatnonzero(~chunk.start & (chunk.dt_prev >= config.min_gap_h * HOUR_NS))
        if len(after) == 0:
            return none(GAP_DTYPES), ready
        index = chunk.ports
        lat = np.concatenate([chunk.prev_lat[after], chunk.lat[after]])
        lon = np.concatenate([chunk.prev_lon[after], chunk.lon[after]])
        near, _ = index.nearest(lat, lon, max_distance_m=config.dark_min_port_distance_m)
        port_id = index.ports[PORT.PORT_ID].array.take(near, allow_fill=True)  # -1: NA
        k = len(after)
        duration = chunk.dt_prev[after]
        distance = chunk.dist_prev[after]
        speed = distance / M_PER_NM / (duration / HOUR_NS)
        found = pd.DataFrame(
            {
                GAP.MMSI: chunk.mmsi[after],
                GAP.IMO: chunk.prev_carried[POSITION.IMO][after],
                GAP.NAME: chunk.prev_carried[POSITION.NAME][after],
                GAP.START: to_utc(chunk.prev_ts[after]),
                GAP.END: to_utc(chunk.ts[after]),
                GAP.DURATION: pd.to_timedelta(duration, unit="ns"),
                GAP.START_LAT: chunk.prev_lat[after],
                GAP.START_LON: chunk.prev_lon[after],
                GAP.END_LAT: chunk.lat[after],
                GAP.END_LON: chunk.lon[after],
                GAP.DISTANCE_M: distance,
                GAP.IMPLIED_SPEED_KN: speed,
                GAP.START_PORT_ID: port_id[:k],
                GAP.END_PORT_ID: port_id[k:],
                GAP.DRAUGHT_START: _floats(chunk.prev_carried[POSITION.DRAUGHT][after]),
                GAP.DRAUGHT_END: later[after],
                GAP.DARK: (duration >= config.dark_gap_h * HOUR_NS) & (near[:k] < 0),
                GAP.IMPOSSIBLE_SPEED: speed > chunk.limits.max_speed_kn,
            }
        )
        found = conform(found, GAP_DTYPES)
        # the draught check of spoofing names the vessel as it was after the gap
        found["_after_imo"] = chunk.carried[POSITION.IMO][after]
        found["_after_name"] = chunk.carried[POSITION.NAME][after]
        known = found[GAP.DRAUGHT_END].notna().to_numpy()
        # a gap at the end of a vessel's rows in this chunk may still learn its draught after
        unknown = ~known
        self.waiting = (
            pd.concat([self.waiting, found[unknown]], ignore_index=True) if unknown.any() else self.waiting
        )
        ready = pd.concat([ready, found[known]], ignore_index=True) if known.any() else ready
        return found.drop(columns=["_after_imo", "_after_name"]), ready

    def _resolve(self, chunk: Chunk, later: np.ndarray) -> pd.DataFrame:
        """Waiting gaps of the chunk's vessels that this chunk gives a draught after."""
        if self.waiting.empty:
            return none(GAP_DTYPES)
        first_rows = np.flatnonzero(chunk.first)
        first_draught = pd.Series(later[first_rows], index=chunk.mmsi[first_rows])
        value = first_draught.reindex(self.waiting[GAP.MMSI].to_numpy(dtype=np.int64)).to_numpy(
            dtype=np.float64
        )
        resolved = ~np.isnan(value)
        if not resolved.any():
            return none(GAP_DTYPES)
        done = self.waiting[resolved].copy()
        done[GAP.DRAUGHT_END] = value[resolved]
        self.waiting = self.waiting[~resolved].reset_index(drop=True)
        out: pd.DataFrame = done.reset_index(drop=True)
        return out

    def flush(self) -> pd.DataFrame:
        """The gaps still waiting: the feed ended with no draught after them."""
        done, self.waiting = self.waiting, none(GAP_DTYPES)
        return done
