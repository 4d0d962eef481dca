"""The track: positions sorted once by vessel and time, with what every detector needs.

Every detector reads the same `Track`, built once: the canonical columns cast, rows that
cannot be placed (no MMSI, time or valid position) left out, sorted by vessel and time
(ties broken by content, so row order never matters), with each row's step from the
previous report of its vessel (time, great-circle distance, implied speed) and its
proximity to the ports. "Previous row of the same vessel" is ``i - 1`` where
``new_vessel[i]`` is false, so per-vessel quantities are plain array arithmetic.

Detectors accept a positions frame or a `Track`; handing them one `Track` is how
`vesselscreen.screen` sorts once and locates ports once for all of them:

>>> import pandas as pd
>>> from vesselscreen import events
>>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
>>> ais = pd.DataFrame({"mmsi": [2, 1, 1], "lat": [0.0, 40.0, 40.1], "lon": [0.0, 51.0, 51.0],
...                     "timestamp": [t0, t0, t0 + pd.Timedelta("8h")]})
>>> track = events.Track.build(ais)
>>> track.mmsi.tolist(), round(float(track.dist_prev[1]))
([1, 1, 2], 11120)
>>> len(events.gaps(track))
1
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen._sorting import CONTENT_COLUMNS, vessel_time_order
from vesselscreen.ais.cleaning import (
    ARTEFACT_REASONS,
    CleaningConfig,
    CleaningReport,
    artefact_codes,
    steps_between,
)
from vesselscreen.errors import ConfigError, SchemaError
from vesselscreen.events._common import HOUR_NS, BoolArray, FloatArray, IntArray, port_index
from vesselscreen.geo.distance import haversine_steps
from vesselscreen.geo.ports import DEFAULT_RADIUS_M, PortIndex, PortProximity
from vesselscreen.limits import M_PER_NM, MotionLimits
from vesselscreen.schema import POSITION, POSITION_DTYPES, POSITION_OPTIONAL_DTYPES, conform

__all__ = [
    "BASE_COLUMNS",
    "TRACK_COLUMNS",
    "SortedPositions",
    "Track",
    "implied_speed_kn",
    "impossible_steps_between",
]

BASE_COLUMNS: Final = (POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON)
"""What every detector needs."""
TRACK_COLUMNS: Final = CONTENT_COLUMNS
"""The columns a track keeps (absent ones become all-missing), which also order the rows that
share a vessel and a time."""
IDENTITY_COLUMNS: Final = (
    POSITION.MMSI, POSITION.TIMESTAMP, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, POSITION.SHIP_TYPE
)  # fmt: skip
"""What the identity timeline reads (`vesselscreen.identity_timeline`)."""
_DTYPES: Final = {**POSITION_DTYPES, **POSITION_OPTIONAL_DTYPES}
_SECOND_NS: Final = 1_000_000_000


def implied_speed_kn(dt_prev_ns: IntArray, dist_prev_m: FloatArray, start: BoolArray) -> FloatArray:
    """Speed (kn) over the step into each row; inf for a jump in no time, NaN at a vessel's ``start``.

    >>> implied_speed_kn(np.array([0, 3_600_000_000_000, 0]), np.array([0.0, 1852.0, 5.0]),
    ...                  np.array([True, False, False])).tolist()
    [nan, 1.0, inf]
    """
    hours = dt_prev_ns / HOUR_NS
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = dist_prev_m / M_PER_NM / hours
    speed = np.where(hours > 0, speed, np.where(dist_prev_m > 0, np.inf, 0.0))
    return np.asarray(np.where(start, np.nan, speed), dtype=np.float64)


def impossible_steps_between(
    dt_prev_ns: IntArray, dist_prev_m: FloatArray, start: BoolArray, limits: MotionLimits
) -> BoolArray:
    """Whether the step into each row is physically impossible (see `vesselscreen.MotionLimits`);
    never at a vessel's ``start``.

    >>> impossible_steps_between(np.array([0, 60_000_000_000]), np.array([0.0, 50_000.0]),
    ...                          np.array([True, False]), MotionLimits()).tolist()
    [False, True]
    """
    seconds = np.maximum(dt_prev_ns / _SECOND_NS, limits.min_interval_s)
    fast = dist_prev_m / seconds > limits.max_speed_kn * M_PER_NM / 3600.0
    return np.asarray(~start & fast & (dist_prev_m > limits.min_jump_m), dtype=np.bool_)


def _check_frame(positions: object, required: Sequence[str]) -> pd.DataFrame:
    if not isinstance(positions, pd.DataFrame):
        raise SchemaError(f"positions must be a pandas DataFrame or a Track, got {type(positions).__name__}")
    missing = [name for name in required if name not in positions.columns]
    if missing:
        raise SchemaError(f"positions: missing columns {missing}")
    if POSITION.TIMESTAMP in positions.columns and not isinstance(
        positions[POSITION.TIMESTAMP].dtype, pd.DatetimeTZDtype
    ):
        raise SchemaError(
            f"positions: column 'timestamp' has dtype {positions[POSITION.TIMESTAMP].dtype}, "
            "expected timezone-aware datetimes (UTC)"
        )
    return positions


def _artefacts(
    mmsi: IntArray,
    ts: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    rows: int,
    timed: int,
    config: CleaningConfig,
    limits: MotionLimits,
    step_m: FloatArray,
) -> tuple[BoolArray, CleaningReport]:
    """Which of the placed rows (sorted; ``mmsi``, ``ts`` in ns, at ``lat``/``lon``) are artefacts
    of real feeds, and the report that accounts for every row."""
    code = artefact_codes(mmsi, ts / _SECOND_NS, lat, lon, config, limits, step_m)
    artefact = code != 0
    counts = np.bincount(code, minlength=len(ARTEFACT_REASONS))
    rejected = {reason: int(counts[i]) for i, reason in enumerate(ARTEFACT_REASONS) if i and counts[i]}
    rejected = dict(sorted(rejected.items()))  # by name, as every cleaning report lists them
    if rows > timed:
        rejected["missing MMSI or timestamp"] = rows - timed
    if timed > len(mmsi):
        rejected["no position"] = timed - len(mmsi)
    kept = len(mmsi) - int(artefact.sum())
    return artefact, CleaningReport(rows=rows, kept=kept, rejected=rejected, config=config, limits=limits)


def _ints(frame: pd.DataFrame, name: str, rows: IntArray) -> IntArray:
    """A column's values at ``rows`` as int64 (timestamps: ns since the epoch)."""
    series = frame[name].take(rows)
    if series.dtype.kind == "M":
        return np.asarray(series.to_numpy(dtype="datetime64[ns]").view(np.int64), dtype=np.int64)
    return np.asarray(series.to_numpy(dtype=np.int64), dtype=np.int64)


def _floats(frame: pd.DataFrame, name: str, rows: IntArray) -> FloatArray:
    """A column's values at ``rows`` as float64 (NaN where missing)."""
    return np.asarray(frame[name].take(rows).to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def _as_given(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _rows(frame: pd.DataFrame, rows: IntArray) -> pd.DataFrame:
    """``frame``'s rows at positions ``rows``, indexed 0..n-1 (no copy when that is all of them in order)."""
    if len(rows) == len(frame) and bool((rows == np.arange(len(rows))).all()):
        return frame.reset_index(drop=True)  # readers usually hand over frames sorted already
    return frame.take(rows).reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class SortedPositions:
    """Positions in the canonical dtypes with their (vessel, time) order: the first step of
    `Track.build`, which the identity timeline shares (one sort for both).

    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
    >>> ais = pd.DataFrame({"mmsi": [2, 1], "lat": [0.0, 40.0], "lon": [0.0, 51.0], "timestamp": [t0, t0]})
    >>> SortedPositions.of(ais).identity_rows()["mmsi"].tolist()
    [1, 2]
    """

    frame: pd.DataFrame
    """The input's canonical columns (`TRACK_COLUMNS` present), cast, in input order (not copied)."""
    order: IntArray
    """Positions in ``frame`` of the rows with an MMSI and a time, by vessel, time and content."""
    rows: int
    """Rows in the input."""
    columns: frozenset[str]
    """The columns the input carried."""

    @classmethod
    def of(cls, positions: pd.DataFrame) -> SortedPositions:
        """Cast and order ``positions`` (`SchemaError` as for `Track.build`)."""
        positions = _check_frame(positions, BASE_COLUMNS)
        present = [name for name in TRACK_COLUMNS if name in positions.columns]
        # the input's columns, not copied (copy-on-write): the track copies only the rows it keeps
        frame = pd.DataFrame({name: positions[name] for name in present}, copy=False)
        frame[POSITION.TIMESTAMP] = frame[POSITION.TIMESTAMP].dt.tz_convert("UTC").dt.as_unit("ns")
        frame = conform(frame, {name: _DTYPES[name] for name in TRACK_COLUMNS})
        timed = (frame[POSITION.MMSI].notna() & frame[POSITION.TIMESTAMP].notna()).to_numpy(dtype=bool)
        if timed.all():
            order = vessel_time_order(frame, POSITION.MMSI, POSITION.TIMESTAMP)
        else:
            timed_rows = np.flatnonzero(timed)
            order = timed_rows[vessel_time_order(frame.take(timed_rows), POSITION.MMSI, POSITION.TIMESTAMP)]
        return cls(frame, np.asarray(order, dtype=np.int64), len(positions), frozenset(positions.columns))

    def identity_rows(self) -> pd.DataFrame:
        """The sorted rows in the columns the identity timeline reads (a copy of those alone)."""
        return _rows(self.frame[list(IDENTITY_COLUMNS)], self.order)


@dataclass(frozen=True, eq=False)
class Track:
    """Positions of many vessels sorted by (mmsi, timestamp), with per-row steps and port proximity.

    Build with `Track.build`. ``frame`` holds the `TRACK_COLUMNS` in the canonical dtypes
    (index 0..n-1) for the rows that can be placed; ``all_rows`` also holds the rows with
    an MMSI and a time but no valid position (static reports), for the identity timeline.
    Arrays: ``mmsi`` (int64), ``ts`` (ns since the epoch, UTC), ``lat``/``lon`` (WGS84
    degrees), ``sog`` (knots, NaN when not reported), ``new_vessel`` (a vessel's first
    row), ``dt_prev`` (ns since the previous row of the vessel, 0 on its first row) and
    ``dist_prev`` (metres from it, 0 on its first row). ``ports`` is the gazetteer every
    port question is asked of, ``limits`` what is physically possible.
    """

    ports: PortIndex
    limits: MotionLimits
    columns: frozenset[str]
    """The columns the input carried (a detector that needs one the input lacked says so)."""
    cleaning: CleaningReport | None
    mmsi: IntArray = field(repr=False)
    ts: IntArray = field(repr=False)
    lat: FloatArray = field(repr=False)
    lon: FloatArray = field(repr=False)
    sog: FloatArray = field(repr=False)
    new_vessel: BoolArray = field(repr=False)
    dt_prev: IntArray = field(repr=False)
    dist_prev: FloatArray = field(repr=False)
    _source: pd.DataFrame = field(repr=False)
    """The input's canonical columns, unsorted (shared with the input, not copied)."""
    _order: IntArray = field(repr=False)
    """Positions in ``_source`` of the rows with an MMSI and a time, sorted: ``all_rows``."""
    _kept: IntArray | None = field(repr=False)
    """Positions in ``_source`` of the track's rows (``frame``), or None when ``frame`` was given."""
    _given: pd.DataFrame | None = field(repr=False)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The track's rows in the `TRACK_COLUMNS` (canonical dtypes, index 0..n-1), taken on first
        use: detectors read the arrays and a few rows' values (`column_at`), not every column."""
        if self._given is not None:
            return self._given
        return _rows(self._source, self._rows_in_source())

    def frame_later(self) -> Callable[[], pd.DataFrame]:
        """A function that gives `frame` (the same rows) and holds only what it needs, not the
        track: how a screening result makes its positions when, and only if, they are read."""
        frame, at = self.value_source()  # a partial of module functions pickles, a lambda not
        return partial(_as_given, frame) if at is None else partial(_rows, frame, at)

    def column_at(self, column: str, rows: IntArray) -> pd.Series:
        """``column``'s values at the track rows ``rows`` (index 0..len(rows)-1), without taking the
        whole `frame`.

        >>> t0 = pd.Timestamp("2024-03-01", tz="UTC")
        >>> ais = pd.DataFrame({"mmsi": [2, 1], "lat": [0.0, 40.0], "lon": [0.0, 51.0],
        ...                     "timestamp": [t0, t0], "name": ["B", "A"]})
        >>> Track.build(ais).column_at("name", np.array([1])).tolist()
        ['B']
        """
        frame, at = self.value_source()
        return frame[column].take(rows if at is None else at[rows]).reset_index(drop=True)

    def floats(self, column: str) -> FloatArray:
        """A numeric column on every row as float64, NaN where not reported (``draught``...)."""
        frame, at = self.value_source()
        values = frame[column] if at is None else frame[column].take(at)
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)

    def _reported(self, column: str) -> BoolArray:
        """Whether each row reports ``column``."""
        frame, at = self.value_source()
        present = frame[column].notna().to_numpy(dtype=bool)
        return np.asarray(present if at is None else present[at], dtype=bool)

    def value_source(self) -> tuple[pd.DataFrame, IntArray | None]:
        """Where the rows' column values are read: ``(frame, None)`` once `frame` is taken (or was
        given), else the input's canonical columns and each track row's position in them."""
        if self._given is not None or "frame" in self.__dict__:
            return self.frame, None
        return self._source, self._rows_in_source()

    def _rows_in_source(self) -> IntArray:
        if self._kept is None:
            raise AssertionError("a track without its frame knows its rows in the source")
        return self._kept

    @property
    def timed_rows(self) -> int:
        """How many rows have an MMSI and a time: the length of `all_rows`, known without taking them."""
        return len(self._order)

    @cached_property
    def all_rows(self) -> pd.DataFrame:
        """Every row with an MMSI and a time, sorted as ``frame``, also those without a valid position
        or left out as artefacts (taken on first use: screening needs only `identity_rows`)."""
        return _rows(self._source, self._order)

    def identity_rows(self) -> pd.DataFrame:
        """The `all_rows` in the columns the identity timeline reads (a copy of those alone)."""
        if "all_rows" in self.__dict__:
            return self.all_rows[list(IDENTITY_COLUMNS)]
        return _rows(self._source[list(IDENTITY_COLUMNS)], self._order)

    @classmethod
    def build(
        cls,
        positions: pd.DataFrame | SortedPositions,
        ports: pd.DataFrame | PortIndex | None = None,
        *,
        limits: MotionLimits | None = None,
        default_radius_m: float = DEFAULT_RADIUS_M,
        cleaning: CleaningConfig | None = None,
    ) -> Track:
        """Sort and derive once; ``ports`` as for the detectors (``None``: the bundled gazetteer).

        With ``cleaning``, the artefacts of real feeds (duplicate and near-duplicate
        receptions, midnight carry-over rows, lone impossible fixes: see
        `vesselscreen.clean_ais`) are left out of ``frame`` and counted in ``cleaning``, a
        `vesselscreen.CleaningReport` that accounts for every input row. ``positions`` may
        be sorted already (`SortedPositions`: the identity timeline reads them too).

        Raises `SchemaError` when ``mmsi``, ``timestamp``, ``lat`` or ``lon`` is missing, the
        timestamps are naive, or a column cannot be cast to its canonical dtype.
        """
        if limits is not None and not isinstance(limits, MotionLimits):
            raise ConfigError(f"limits must be a MotionLimits, got {type(limits).__name__}")
        given = positions if isinstance(positions, SortedPositions) else SortedPositions.of(positions)
        frame, order = given.frame, given.order
        lat = _floats(frame, POSITION.LAT, order)
        lon = _floats(frame, POSITION.LON, order)
        with np.errstate(invalid="ignore"):  # NaN is not placed
            placed = (lat >= -90.0) & (lat <= 90.0) & (lon >= -180.0) & (lon <= 180.0)
        everywhere = bool(placed.all())
        kept = order if everywhere else order[placed]
        lat_kept = lat if everywhere else lat[placed]
        lon_kept = lon if everywhere else lon[placed]
        del lat, lon
        # every step from one placed row to the next, measured once: cleaning and the track share it
        step = np.zeros(len(kept), dtype=np.float64)
        if len(kept) > 1:
            step[1:] = haversine_steps(lat_kept, lon_kept)
        limits = limits or MotionLimits()
        mmsi = _ints(frame, POSITION.MMSI, kept)
        ts = _ints(frame, POSITION.TIMESTAMP, kept)
        report = None
        if cleaning is not None:
            artefact, report = _artefacts(
                mmsi, ts, lat_kept, lon_kept, given.rows, len(order), cleaning, limits, step
            )
            if artefact.any():
                left = np.flatnonzero(~artefact)
                step = steps_between(lat_kept, lon_kept, left, step)
                kept, mmsi, ts = kept[left], mmsi[left], ts[left]
                lat_kept, lon_kept = lat_kept[left], lon_kept[left]
        kept = np.asarray(kept, dtype=np.int64)
        return cls._assemble(
            port_index(ports, default_radius_m),
            limits,
            given.columns,
            report,
            (mmsi, ts, lat_kept, lon_kept, _floats(frame, POSITION.SOG, kept)),
            step,
            source=frame,
            order=order,
            kept=kept,
        )

    @classmethod
    def of_sorted(
        cls,
        frame: pd.DataFrame,
        ports: PortIndex,
        limits: MotionLimits,
        columns: frozenset[str],
        cleaning: CleaningReport | None = None,
        *,
        source: pd.DataFrame,
        order: IntArray,
        steps: FloatArray | None = None,
    ) -> Track:
        """A track from a frame already cast and sorted (as `build` makes them); ``all_rows`` is
        ``source``'s rows at positions ``order``, taken when first asked for. ``steps``: metres
        from each row to the row before it, if measured already."""
        arrays = (
            frame[POSITION.MMSI].to_numpy(dtype=np.int64),
            frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64),
            frame[POSITION.LAT].to_numpy(dtype=np.float64),
            frame[POSITION.LON].to_numpy(dtype=np.float64),
            frame[POSITION.SOG].to_numpy(dtype=np.float64, na_value=np.nan),
        )
        return cls._assemble(
            ports, limits, columns, cleaning, arrays, steps, source=source, order=order, given=frame
        )

    @classmethod
    def _assemble(
        cls,
        ports: PortIndex,
        limits: MotionLimits,
        columns: frozenset[str],
        cleaning: CleaningReport | None,
        arrays: tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray],
        steps: FloatArray | None,
        *,
        source: pd.DataFrame,
        order: IntArray,
        kept: IntArray | None = None,
        given: pd.DataFrame | None = None,
    ) -> Track:
        """The track of sorted rows' ``(mmsi, ts, lat, lon, sog)``, with each row's step from the last."""
        mmsi, ts, lat, lon, sog = arrays
        n = len(mmsi)
        new_vessel = np.ones(n, dtype=bool)
        new_vessel[1:] = mmsi[1:] != mmsi[:-1]
        dt_prev = np.zeros(n, dtype=np.int64)
        dist_prev = np.zeros(n, dtype=np.float64)
        if n > 1:
            dt_prev[1:] = np.diff(ts)
            dist_prev[1:] = haversine_steps(lat, lon) if steps is None else steps[1:]
        dt_prev[new_vessel] = 0
        dist_prev[new_vessel] = 0.0
        return cls(
            ports, limits, columns, cleaning, mmsi, ts, lat, lon, sog, new_vessel, dt_prev, dist_prev,
            source, order, kept, given,
        )  # fmt: skip

    @classmethod
    def of(
        cls,
        positions: pd.DataFrame | Track,
        ports: pd.DataFrame | PortIndex | None = None,
        *,
        required: Sequence[str] = BASE_COLUMNS,
        default_radius_m: float = DEFAULT_RADIUS_M,
    ) -> Track:
        """``positions`` as a track: a `Track` as it is, a frame built into one.

        ``required`` columns must be in the input (`SchemaError` naming the missing ones).
        A `Track` carries its ports: giving ``ports`` with one is a `ConfigError`.
        """
        if isinstance(positions, Track):
            if ports is not None and ports is not positions.ports:
                raise ConfigError("a Track carries its ports: give them to Track.build, not to the detector")
            positions.require(required)
            return positions
        return cls.build(_check_frame(positions, required), ports, default_radius_m=default_radius_m)

    def require(self, columns: Sequence[str]) -> None:
        """Raise `SchemaError` naming the ``columns`` the input did not carry."""
        missing = [name for name in columns if name not in self.columns]
        if missing:
            raise SchemaError(f"positions: missing columns {missing}")

    def __len__(self) -> int:
        return len(self.mmsi)

    @property
    def empty(self) -> bool:
        """Whether no row could be placed."""
        return len(self.mmsi) == 0

    @cached_property
    def vessel(self) -> IntArray:
        """A number per vessel (1, 2, ...), constant over its rows."""
        return np.asarray(np.cumsum(self.new_vessel, dtype=np.int64), dtype=np.int64)

    @cached_property
    def vessel_start(self) -> IntArray:
        """Each row's vessel's first row."""
        first = np.flatnonzero(self.new_vessel)
        return np.asarray(first[self.vessel - 1], dtype=np.int64)

    @cached_property
    def next_same(self) -> BoolArray:
        """Whether the next row belongs to the same vessel."""
        out = np.zeros(len(self), dtype=bool)
        out[:-1] = ~self.new_vessel[1:]
        return out

    def implied_speed_kn(self) -> FloatArray:
        """Speed (kn) needed to cover the step from the previous row; inf for a jump in no time."""
        return self._implied_speed

    @cached_property
    def _implied_speed(self) -> FloatArray:
        return implied_speed_kn(self.dt_prev, self.dist_prev, self.new_vessel)

    @cached_property
    def impossible_step(self) -> BoolArray:
        """Whether the step into each row is physically impossible (see `vesselscreen.MotionLimits`)."""
        return impossible_steps_between(self.dt_prev, self.dist_prev, self.new_vessel, self.limits)

    def last_reported(self, column: str) -> IntArray:
        """For each row, the row at or before it (same vessel) that last reported ``column``; -1 if none.

        Static fields are broadcast every few minutes, positions every few seconds: this is
        how a detector knows the name or IMO a vessel carried at any row.
        """
        return self._last_reported(column)

    def _last_reported(self, column: str) -> IntArray:
        cache: dict[str, IntArray] = self.__dict__.setdefault("_reported_cache", {})
        if column not in cache:
            present = self._reported(column)
            idx = np.where(present, np.arange(len(self)), -1)
            last = np.maximum.accumulate(idx) if len(idx) else idx
            cache[column] = np.asarray(np.where(last >= self.vessel_start, last, -1), dtype=np.int64)
        return cache[column]

    def _reported_at(self, column: str, rows: IntArray) -> IntArray:
        """`last_reported` at ``rows`` alone: a search per row, not a pass over the whole track."""
        cache: dict[str, IntArray] = self.__dict__.setdefault("_present_cache", {})
        if column not in cache:
            cache[column] = np.flatnonzero(self._reported(column))
        present = cache[column]
        if len(present) == 0:  # never reported
            return np.full(len(rows), -1, dtype=np.int64)
        rows = np.where(rows < 0, rows + len(self), rows)  # as indexing a full-length array would
        pos = np.searchsorted(present, rows, side="right") - 1
        source = np.where(pos >= 0, present[np.maximum(pos, 0)], -1)
        starts = self._vessel_first_rows
        vessel_start = starts[np.searchsorted(starts, rows, side="right") - 1]
        return np.asarray(np.where(source >= vessel_start, source, -1), dtype=np.int64)

    @cached_property
    def _vessel_first_rows(self) -> IntArray:
        return np.asarray(np.flatnonzero(self.new_vessel), dtype=np.int64)

    def carried(self, column: str, rows: npt.ArrayLike) -> pd.Series:
        """The last value of ``column`` each of ``rows``' vessel reported at or before it (NA if none)."""
        source = self._reported_at(column, np.asarray(rows, dtype=np.int64))
        values = self.column_at(column, np.maximum(source, 0))
        return values.where(pd.Series(source >= 0))

    def reported_between(
        self, column: str, first: npt.ArrayLike, last: npt.ArrayLike
    ) -> npt.NDArray[np.object_]:
        """The last value of ``column`` reported in each span of rows ``first``..``last`` (NA if none)."""
        last_rows = np.asarray(last, dtype=np.int64)
        source = self._reported_at(column, last_rows)
        values = self.column_at(column, np.maximum(source, 0))
        inside = pd.Series(source >= np.asarray(first, dtype=np.int64))
        return np.asarray(values.where(inside).to_numpy(), dtype=object)

    @cached_property
    def proximity(self) -> PortProximity:
        """Port proximity of every row (bounds for all, exact answers on demand)."""
        return PortProximity(self.ports, self.lat, self.lon)

    def near_port(self, max_distance_m: float, rows: BoolArray | None = None) -> BoolArray:
        """Whether some port lies within ``max_distance_m`` of each row.

        With ``rows``, only those rows are measured (the others are False): a detector that
        asks about a few rows (the slow ones, for loitering) does not pay for all.
        """
        if rows is not None:
            out = np.zeros(len(self), dtype=bool)
            picked = np.flatnonzero(rows)
            if len(picked):
                near = PortProximity(self.ports, self.lat[picked], self.lon[picked])
                out[picked] = near.any_within(max_distance_m)
            return out
        cache: dict[float, BoolArray] = self.__dict__.setdefault("_near_cache", {})
        if max_distance_m not in cache:
            cache[max_distance_m] = self.proximity.any_within(max_distance_m)
        return cache[max_distance_m]

    @cached_property
    def port_within(self) -> IntArray:
        """For each row, the nearest port whose circle contains it (`PortIndex.within`), -1 outside."""
        return self.proximity.ports_within()
