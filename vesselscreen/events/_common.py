"""Shared machinery of the per-vessel detectors: input preparation, per-vessel steps, runs.

Every detector starts from the same frame: the columns it needs, cast to the canonical
dtypes, rows that cannot be placed (no MMSI, time or valid position) left out, sorted by
vessel and time (ties broken by content, so row order never matters). On that frame,
per-vessel quantities are plain array arithmetic: "previous row of the same vessel" is
``i - 1`` where ``mmsi[i] == mmsi[i - 1]``.

>>> import pandas as pd
>>> frame = pd.DataFrame({"mmsi": [2, 1, 1], "lat": [0.0, 0.0, 95.0], "lon": [0.0, 0.0, 0.0],
...                       "timestamp": pd.to_datetime(["2024-01-01"] * 3, utc=True)})
>>> prepare(frame, (POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON))["mmsi"].tolist()
[1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.errors import ConfigError, SchemaError
from vesselscreen.geo.distance import haversine_m
from vesselscreen.geo.ports import DEFAULT_RADIUS_M, PortIndex
from vesselscreen.schema import POSITION, POSITION_DTYPES, conform

HOUR_NS: Final = 3_600_000_000_000
M_PER_NM: Final = 1852.0
"""Metres per international nautical mile."""

C = TypeVar("C")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

BASE_COLUMNS: Final = (POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON)
IDENTITY_COLUMNS: Final = (POSITION.IMO, POSITION.NAME)


def prepare(positions: pd.DataFrame, required: Sequence[str], optional: Sequence[str] = ()) -> pd.DataFrame:
    """The columns a detector needs, cast, without unplaceable rows, sorted by vessel and time.

    ``required`` columns must be present (`SchemaError` otherwise); ``optional`` ones are
    added as all-missing when absent. Index 0..n-1.
    """
    if not isinstance(positions, pd.DataFrame):
        raise SchemaError(f"positions must be a pandas DataFrame, got {type(positions).__name__}")
    missing = [name for name in required if name not in positions.columns]
    if missing:
        raise SchemaError(f"positions: missing columns {missing}")
    times = positions[POSITION.TIMESTAMP]
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            f"positions: column 'timestamp' has dtype {times.dtype}, expected timezone-aware datetimes (UTC)"
        )
    columns = list(dict.fromkeys([*required, *optional]))
    frame = pd.DataFrame({name: positions[name] for name in columns if name in positions.columns})
    frame[POSITION.TIMESTAMP] = times.dt.tz_convert("UTC").dt.as_unit("ns")
    frame = conform(frame, {name: POSITION_DTYPES[name] for name in columns})
    usable = (
        frame[POSITION.MMSI].notna()
        & frame[POSITION.TIMESTAMP].notna()
        & frame[POSITION.LAT].between(-90.0, 90.0)
        & frame[POSITION.LON].between(-180.0, 180.0)
    )
    frame = frame.loc[usable]
    mmsi = frame[POSITION.MMSI].to_numpy(dtype=np.int64)
    ts = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((ts, mmsi))
    if ((np.diff(mmsi[order]) == 0) & (np.diff(ts[order]) == 0)).any():
        # rows sharing a vessel and time: order them by content, so input order never matters
        return frame.sort_values(columns, kind="mergesort").reset_index(drop=True)
    return frame.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class Track:
    """Numpy views of a prepared frame, with each row's link to the previous row of its vessel."""

    mmsi: IntArray
    ts: IntArray
    lat: FloatArray
    lon: FloatArray
    new_vessel: BoolArray
    dt_prev: IntArray
    """ns since the previous row of the same vessel (0 on a vessel's first row)."""
    dist_prev: FloatArray
    """metres from the previous row of the same vessel (0 on a vessel's first row)."""

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Track:
        mmsi = frame[POSITION.MMSI].to_numpy(dtype=np.int64)
        ts = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64)
        lat = frame[POSITION.LAT].to_numpy(dtype=np.float64)
        lon = frame[POSITION.LON].to_numpy(dtype=np.float64)
        n = len(frame)
        new_vessel = np.ones(n, dtype=bool)
        new_vessel[1:] = mmsi[1:] != mmsi[:-1]
        dt_prev = np.zeros(n, dtype=np.int64)
        dist_prev = np.zeros(n, dtype=np.float64)
        if n > 1:
            dt_prev[1:] = np.diff(ts)
            dist_prev[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        dt_prev[new_vessel] = 0
        dist_prev[new_vessel] = 0.0
        return cls(mmsi, ts, lat, lon, new_vessel, dt_prev, dist_prev)

    def __len__(self) -> int:
        return len(self.mmsi)

    def implied_speed_kn(self) -> FloatArray:
        """Speed (kn) needed to cover the step from the previous row; inf for a jump in no time."""
        hours = self.dt_prev / HOUR_NS
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = self.dist_prev / M_PER_NM / hours
        speed = np.where(hours > 0, speed, np.where(self.dist_prev > 0, np.inf, 0.0))
        return np.asarray(np.where(self.new_vessel, np.nan, speed), dtype=np.float64)


def ffill(values: FloatArray, groups: npt.NDArray[np.integer]) -> FloatArray:
    """Forward-fill NaN within runs of equal ``groups`` (vectorised through pandas)."""
    filled = pd.Series(values).groupby(groups).ffill()
    return np.asarray(filled.to_numpy(dtype=np.float64), dtype=np.float64)


def bfill(values: FloatArray, groups: npt.NDArray[np.integer]) -> FloatArray:
    """Backward-fill NaN within runs of equal ``groups``."""
    filled = pd.Series(values).groupby(groups).bfill()
    return np.asarray(filled.to_numpy(dtype=np.float64), dtype=np.float64)


def hysteresis(on: BoolArray, off: BoolArray, groups: IntArray) -> BoolArray:
    """State that switches on where ``on``, off where ``off``, and holds in between (per group).

    Starts off at each group's first row.

    >>> hysteresis(np.array([1, 0, 0, 0], bool), np.array([0, 0, 1, 0], bool), np.zeros(4, np.int64))
    array([ True,  True, False, False])
    """
    signal = np.where(on, 1.0, np.where(off, 0.0, np.nan))
    return np.asarray(np.nan_to_num(ffill(signal, groups), nan=0.0) > 0.5, dtype=np.bool_)


def runs(active: BoolArray, breaks: BoolArray) -> IntArray:
    """Number the runs of consecutive ``active`` rows (1, 2, ...; 0 where inactive).

    A run also ends where ``breaks`` is set (a new vessel or a long silence starts a new run).

    >>> runs(np.array([1, 1, 0, 1, 1], bool), np.array([1, 0, 0, 0, 1], bool)).tolist()
    [1, 1, 0, 2, 3]
    """
    prev = np.zeros(len(active), dtype=bool)
    prev[1:] = active[:-1]
    start = active & (breaks | ~prev)
    return np.asarray(np.where(active, np.cumsum(start, dtype=np.int64), 0), dtype=np.int64)


def identity(frame: pd.DataFrame, run: IntArray) -> pd.DataFrame:
    """Per run (index: run number), the last non-null IMO and name broadcast during it."""
    active = run > 0
    cols = [c for c in IDENTITY_COLUMNS if c in frame.columns]
    return frame.loc[active, cols].groupby(run[active], sort=True).last()


@cache
def _bundled_index(default_radius_m: float) -> PortIndex:
    return PortIndex(None, default_radius_m=default_radius_m)


def port_index(
    ports: pd.DataFrame | PortIndex | None, default_radius_m: float = DEFAULT_RADIUS_M
) -> PortIndex:
    """A PortIndex from a table, an index, or ``None`` (the bundled gazetteer, built once)."""
    if isinstance(ports, PortIndex):
        return ports
    if ports is None:
        return _bundled_index(default_radius_m)
    if not isinstance(ports, pd.DataFrame):
        raise ConfigError(f"ports must be a DataFrame, a PortIndex or None, got {type(ports).__name__}")
    return PortIndex(ports, default_radius_m=default_radius_m)


def check_config(config: C | None, kind: type[C]) -> C:
    """``config`` or the default ``kind()``; a `ConfigError` for anything else."""
    if config is None:
        return kind()
    if not isinstance(config, kind):
        raise ConfigError(f"config must be a {kind.__name__}, got {type(config).__name__}")
    return config


def to_utc(ns: IntArray) -> pd.DatetimeIndex:
    """ns since the epoch as UTC timestamps."""
    return pd.to_datetime(ns, unit="ns", utc=True)
