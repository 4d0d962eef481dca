"""Stops and loitering of a feed, as `vesselscreen.events.stops` and `loitering` define them.

Both are runs (`RunTracker`): a stop of stopped rows (GFW's hysteresis, carried across
chunks), a loitering spell of slow rows away from ports; both end at a silence longer than
their ``max_gap_h``, so a run whose vessel stays silent that long is closed then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.events._common import HOUR_NS, BoolArray, IntArray, to_utc
from vesselscreen.events.config import LoiteringConfig, StopConfig
from vesselscreen.events.stream._base import Chunk, Slots, State, ffill_from, none
from vesselscreen.events.stream._runs import ClosedRuns, RunTracker
from vesselscreen.geo.ports import PortIndex
from vesselscreen.schema import LOITERING, LOITERING_DTYPES, PORT, STOP, STOP_DTYPES, conform

__all__ = ["LoiteringStream", "StopStream"]


def _silent(tracker: RunTracker, horizon: IntArray | None, max_gap_ns: float) -> IntArray:
    """Open runs whose vessel can no longer continue them (``horizon`` per slot; None: all)."""
    slots = tracker.open_slots()
    if horizon is None:
        return slots
    return slots[horizon[slots] > tracker.state["last_ts"][slots] + max_gap_ns]


class _SpellStream:
    """What stops and loitering share: spells of a vessel's rows, kept when long enough,
    closed when the vessel has been silent longer than the config's ``max_gap_h``."""

    config: StopConfig | LoiteringConfig
    runs: RunTracker

    def close(self, horizon: IntArray | None) -> pd.DataFrame:
        """Spells whose vessel has been silent longer than ``max_gap_h`` (all when ``horizon`` is None)."""
        return self._frame(self.runs.close(_silent(self.runs, horizon, self.config.max_gap_h * HOUR_NS)))

    def _frame(self, runs: ClosedRuns) -> pd.DataFrame:
        raise NotImplementedError

    def _long_enough(self, runs: ClosedRuns) -> tuple[BoolArray, IntArray]:
        """(keep, duration in ns) of closed spells: kept when they last ``min_duration_h``."""
        duration = runs.last_ts - runs.first_ts
        return duration >= self.config.min_duration_h * HOUR_NS, duration


class StopStream(_SpellStream):
    """Stops, closed as they end."""

    config: StopConfig

    def __init__(self, slots: Slots, ports: PortIndex, config: StopConfig) -> None:
        self.ports = ports
        self.config = config
        self.slots = slots
        self.runs = RunTracker(slots, medians=("lat", "lon"))
        self.state = State({"signal": (np.float64, np.nan)})

    def push(self, chunk: Chunk) -> pd.DataFrame:
        config = self.config
        self.state.grow(len(self.slots))
        breaks = chunk.start | (chunk.dt_prev > config.max_gap_h * HOUR_NS)
        segment = np.cumsum(breaks | chunk.first, dtype=np.int64)
        sog = chunk.sog
        signal = np.where(
            sog <= config.stop_speed_kn, 1.0, np.where(sog >= config.resume_speed_kn, 0.0, np.nan)
        )
        continues = chunk.first & ~breaks
        filled = ffill_from(signal, segment, continues, self.state["signal"][chunk.slot])
        self.state["signal"][chunk.slot[chunk.last]] = filled[chunk.last]
        stopped = np.nan_to_num(filled, nan=0.0) > 0.5
        closed = self.runs.push(chunk, stopped, breaks, {"lat": chunk.lat, "lon": chunk.lon}, {})
        return self._frame(closed)

    def _frame(self, runs: ClosedRuns) -> pd.DataFrame:
        keep, duration = self._long_enough(runs)
        if not keep.any():
            return none(STOP_DTYPES)
        lat, lon = runs.medians["lat"][keep], runs.medians["lon"][keep]
        inside, _ = self.ports.within(lat, lon)
        out = pd.DataFrame(
            {
                STOP.MMSI: self.slots.mmsi[runs.slot[keep]],
                STOP.IMO: runs.reported["imo"][keep],
                STOP.NAME: runs.reported["name"][keep],
                STOP.START: to_utc(runs.first_ts[keep]),
                STOP.END: to_utc(runs.last_ts[keep]),
                STOP.DURATION: pd.to_timedelta(duration[keep], unit="ns"),
                STOP.LAT: lat,
                STOP.LON: lon,
                STOP.PORT_ID: self.ports.ports[PORT.PORT_ID].array.take(inside, allow_fill=True),  # -1: NA
                STOP.N_POSITIONS: runs.count[keep],
            }
        )
        return conform(out, STOP_DTYPES)


class LoiteringStream(_SpellStream):
    """Loitering spells, closed as they end."""

    config: LoiteringConfig

    def __init__(self, slots: Slots, config: LoiteringConfig) -> None:
        self.config = config
        self.slots = slots
        self.runs = RunTracker(slots, medians=("lat", "lon", "speed"), sums=("step",))

    def push(self, chunk: Chunk) -> pd.DataFrame:
        config = self.config
        speed = np.where(np.isfinite(chunk.sog), chunk.sog, chunk.implied_speed)
        with np.errstate(invalid="ignore"):
            slow = speed < config.max_sog_kn  # NaN is not slow
        if config.min_port_distance_m > 0 and slow.any():
            slow &= ~chunk.near_port(config.min_port_distance_m)
        breaks = chunk.start | (chunk.dt_prev > config.max_gap_h * HOUR_NS)
        # the step into a spell's first position is travel before the spell
        starts = self.runs.starts(chunk, slow, breaks)
        step = np.where(starts, 0.0, chunk.dist_prev)
        closed = self.runs.push(
            chunk, slow, breaks, {"lat": chunk.lat, "lon": chunk.lon, "speed": speed}, {"step": step}
        )
        return self._frame(closed)

    def _frame(self, runs: ClosedRuns) -> pd.DataFrame:
        keep, duration = self._long_enough(runs)
        if not keep.any():
            return none(LOITERING_DTYPES)
        out = pd.DataFrame(
            {
                LOITERING.MMSI: self.slots.mmsi[runs.slot[keep]],
                LOITERING.IMO: runs.reported["imo"][keep],
                LOITERING.NAME: runs.reported["name"][keep],
                LOITERING.START: to_utc(runs.first_ts[keep]),
                LOITERING.END: to_utc(runs.last_ts[keep]),
                LOITERING.DURATION: pd.to_timedelta(duration[keep], unit="ns"),
                LOITERING.LAT: runs.medians["lat"][keep],
                LOITERING.LON: runs.medians["lon"][keep],
                LOITERING.MEDIAN_SOG: runs.medians["speed"][keep],
                LOITERING.DISTANCE_M: runs.sums["step"][keep],
                LOITERING.N_POSITIONS: runs.count[keep],
            }
        )
        return conform(out, LOITERING_DTYPES)
