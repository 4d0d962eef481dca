"""Cleaning a positions frame by documented rules: :func:`clean_ais` and its :class:`CleaningReport`.

The rules, in the order they apply:

1. **Sentinels to missing.** AIS "not available" values become NaN: ``lat`` 91,
   ``lon`` 181, ``sog`` 102.3, ``cog`` 360, ``heading`` 511 (and ``sog`` < 0,
   ``cog`` / ``heading`` outside [0, 360)). Counted per column in ``nulled``.
2. **Unusable rows rejected:** ``invalid MMSI`` (missing, or not 7 to 9 significant
   digits), ``missing timestamp``, ``no position`` (``lat`` or ``lon`` missing, which
   includes the 91 / 181 sentinels, unless ``keep_missing_position``), ``invalid
   latitude`` / ``invalid longitude`` (outside [-90, 90] / [-180, 180]).
3. **Out-of-order rows sorted.** Rows are sorted by ``mmsi``, ``timestamp`` and then
   content (so nothing depends on input order); rows that came earlier in time than the
   previous row of the same MMSI are counted in ``reordered`` (kept).
4. **Duplicates rejected.** Reports of one MMSI with the same timestamp and the same
   position (rounded to ``duplicate_decimals``), as several receivers deliver them:
   one is kept, the others rejected (``duplicate report``); and the same position again
   within ``near_duplicate_s`` seconds, one message stamped by two stations
   (``near-duplicate reception``).
5a. **Midnight carry-over rejected.** Daily files carry a vessel's stale positions into the
   first seconds of the day: its first rows of a UTC day stamped within
   ``midnight_window_s`` of midnight, from which the step to the vessel's next report is
   impossible, are rejected (``midnight carry-over``).
5b. **Impossible jumps rejected.** Between consecutive reports of one MMSI, a jump is
   *fast* when it is physically impossible by `vesselscreen.MotionLimits` (the implied
   speed, over at least ``min_interval_s``, exceeds ``max_speed_kn`` and the distance
   exceeds ``min_jump_m``: the same limits as gaps and spoofing). A report is the outlier
   (``impossible jump``) when the jumps into and out of it are both fast while going
   straight from its predecessor to its successor is not (a lone spike); the first
   report of a track when the jump out of it is fast and its successor continues
   plausibly; the last when the jump into it is fast and its predecessor was reached
   plausibly. A track of two far-apart reports cannot say which is wrong: both are
   kept; so is a report consistent with the report two before or two after it (one of two
   interleaved streams, as from two transmitters sharing an MMSI: that is for spoofing to
   judge, not an artefact). The rule runs again on what is left, up to ``max_passes``
   times, so short runs of bad fixes go too.

Every input row is counted once: ``kept + sum(rejected.values()) == rows``.

>>> frame = pd.DataFrame({
...     "mmsi": [366999001] * 4,
...     "timestamp": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 00:10",
...                                  "2024-01-01 00:20", "2024-01-01 00:30"], utc=True),
...     "lat": [40.00, 40.03, 45.00, 40.09], "lon": [-70.0, -70.0, -70.0, -70.0],
...     "sog": [10.0, 102.3, 10.0, 10.0]})
>>> cleaned, rejected = clean_ais(frame, return_rejected=True)
>>> cleaned["lat"].tolist(), rejected["reason"].tolist()
([40.0, 40.03, 40.09], ['impossible jump'])
>>> cleaning_report(cleaned).summary()
'4 rows: 3 kept, 1 rejected (impossible jump: 1); set missing: sog 1'
"""

from __future__ import annotations

from typing import Final, Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from vesselscreen._runs import vessel_slices
from vesselscreen._sorting import vessel_time_order
from vesselscreen.ais._common import clean_motion, valid_lat, valid_lon, valid_mmsi
from vesselscreen.errors import ReferenceTimeError
from vesselscreen.geo.distance import haversine_m, haversine_steps
from vesselscreen.limits import KNOT_M_PER_S, MotionLimits
from vesselscreen.schema import POSITION, POSITION_DTYPES, conform

__all__ = ["CLEANING_REPORT_ATTR", "CleaningConfig", "CleaningReport", "clean_ais", "cleaning_report"]

CLEANING_REPORT_ATTR: Final = "vesselscreen_cleaning_report"
"""Key under which :func:`clean_ais` stores its report in ``DataFrame.attrs``."""
REASON: Final = "reason"
ROW: Final = "row"
LAT_NOT_AVAILABLE: Final = 91.0
LON_NOT_AVAILABLE: Final = 181.0
_DAY_S: Final = 86_400.0

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


class CleaningConfig(BaseModel):
    """Thresholds of :func:`clean_ais`; each says where its default comes from.

    What counts as an impossible jump is not here: it is `vesselscreen.MotionLimits`,
    shared with gaps and spoofing (``clean_ais(frame, limits=...)``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    duplicate_decimals: int = Field(
        default=6,
        ge=0,
        le=9,
        description="Positions are the same report when equal to this many decimals of a degree "
        "(6: ~0.1 m; receivers decode the same message to the same 1/10000 minute).",
    )
    max_passes: int = Field(
        default=3, ge=1, description="How many times the jump rule runs on what is left (runs of bad fixes)."
    )
    keep_missing_position: bool = Field(
        default=False,
        description="Keep rows whose lat or lon is missing (sentinel 91 / 181) instead of rejecting "
        "them as 'no position'; they then never take part in the jump rule.",
    )
    near_duplicate_s: float = Field(
        default=2.0,
        ge=0,
        description="Reports of one MMSI at the same position (to ``duplicate_decimals``) at most this "
        "many seconds apart are one message received twice: stations stamp their own reception time, "
        "a second or two apart. A moored ship repeats its position only every 3 minutes (ITU-R "
        "M.1371 reporting intervals), so genuine reports are never this close at one position.",
    )
    midnight_window_s: float = Field(
        default=60.0,
        ge=0,
        description="The first seconds of a UTC day in which daily files (NOAA MarineCadastre) carry a "
        "vessel's stale last positions forward: its first rows of the day stamped 00:00:00, 00:00:01, "
        "... tens of kilometres apart before its real track. Such a row is dropped when the step from "
        "it to the vessel's next report is impossible.",
    )


class CleaningReport(BaseModel):
    """What :func:`clean_ais` did: every input row kept or rejected with a reason.

    ``kept + sum(rejected.values()) == rows`` always. ``nulled`` counts values set
    missing per column (over all input rows); ``reordered`` counts kept rows that arrived out of
    time order for their MMSI.
    """

    model_config = ConfigDict(frozen=True)

    rows: int
    kept: int
    rejected: dict[str, int] = Field(default_factory=dict)
    nulled: dict[str, int] = Field(default_factory=dict)
    reordered: int = 0
    config: CleaningConfig = Field(default_factory=lambda: CleaningConfig())
    limits: MotionLimits = Field(default_factory=lambda: MotionLimits())

    def summary(self) -> str:
        """One line for logs and the CLI."""
        text = f"{self.rows} rows: {self.kept} kept, {sum(self.rejected.values())} rejected"
        if self.rejected:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(self.rejected.items())) + ")"
        if self.nulled:
            text += "; set missing: " + ", ".join(f"{k} {v}" for k, v in sorted(self.nulled.items()))
        if self.reordered:
            text += f"; {self.reordered} out of order"
        return text


def cleaning_report(frame: pd.DataFrame) -> CleaningReport | None:
    """The report :func:`clean_ais` attached to ``frame`` (``None`` if it has none)."""
    report = frame.attrs.get(CLEANING_REPORT_ATTR)
    return report if isinstance(report, CleaningReport) else None


def _nullify(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    before = frame[[POSITION.SOG, POSITION.COG, POSITION.HEADING, POSITION.LAT, POSITION.LON]].notna()
    out = clean_motion(frame)
    out[POSITION.LAT] = out[POSITION.LAT].mask(np.isclose(out[POSITION.LAT], LAT_NOT_AVAILABLE))
    out[POSITION.LON] = out[POSITION.LON].mask(np.isclose(out[POSITION.LON], LON_NOT_AVAILABLE))
    after = out[before.columns].notna()
    lost = (before & ~after).sum()
    return out, {str(column): int(count) for column, count in lost.items() if count}


def _row_reasons(frame: pd.DataFrame, config: CleaningConfig) -> npt.NDArray[np.object_]:
    """Rule 2: the first reason each row is unusable ("" if it is usable)."""
    reason = np.full(len(frame), "", dtype=object)
    lat = frame[POSITION.LAT].to_numpy(dtype="float64", na_value=np.nan)
    lon = frame[POSITION.LON].to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(lat) | np.isnan(lon)
    checks: list[tuple[BoolArray, str]] = [
        (~missing & ~valid_lon(lon), "invalid longitude"),
        (~missing & ~valid_lat(lat), "invalid latitude"),
    ]
    if not config.keep_missing_position:
        checks.append((missing, "no position"))
    checks += [
        (frame[POSITION.TIMESTAMP].isna().to_numpy(), "missing timestamp"),
        (~valid_mmsi(frame[POSITION.MMSI].to_numpy(dtype="float64", na_value=np.nan)), "invalid MMSI"),
    ]
    for failed, label in checks:  # last assignment wins: MMSI first, then time, position
        reason[failed] = label
    return reason


def impossible_steps(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    gap: int,
    limits: MotionLimits,
    distance: FloatArray | None = None,
) -> BoolArray:
    """``fast[i]``: the jump from row ``i - gap`` to row ``i`` (same MMSI) is impossible.

    ``distance``: the metres of those jumps (``distance[k]`` from row ``k`` to ``k + gap``)
    when the caller has them already.
    """
    fast = np.zeros(len(mmsi), dtype=bool)
    if len(mmsi) <= gap:
        return fast
    same = mmsi[gap:] == mmsi[:-gap]
    if distance is None:
        distance = (
            haversine_steps(lat, lon)
            if gap == 1
            else haversine_m(lat[:-gap], lon[:-gap], lat[gap:], lon[gap:])
        )
    interval = np.maximum(seconds[gap:] - seconds[:-gap], limits.min_interval_s)
    with np.errstate(invalid="ignore"):
        too_fast = (distance / interval > limits.max_speed_kn * KNOT_M_PER_S) & (distance > limits.min_jump_m)
    fast[gap:] = same & too_fast
    return fast


def _jump_outliers(
    mmsi_all: npt.NDArray[np.int64],
    seconds_all: FloatArray,
    lat_all: FloatArray,
    lon_all: FloatArray,
    skip: BoolArray,
    config: CleaningConfig,
    limits: MotionLimits,
) -> BoolArray:
    """Rule 5 on rows sorted by mmsi and time (``skip``: already rejected): mask of outlier rows."""
    outlier = np.zeros(len(mmsi_all), dtype=bool)
    candidates = ~(np.isnan(lat_all) | np.isnan(lon_all)) & ~skip
    for _ in range(config.max_passes):
        rows = np.flatnonzero(candidates & ~outlier)
        if len(rows) < 2:
            break
        mmsi, seconds, lat, lon = mmsi_all[rows], seconds_all[rows], lat_all[rows], lon_all[rows]
        fast_in = impossible_steps(mmsi, seconds, lat, lon, 1, limits)
        fast_out = np.append(fast_in[1:], False)
        fast_two = impossible_steps(mmsi, seconds, lat, lon, 2, limits)  # fast_two[k]: row k-2 -> k
        fast_skip = np.append(fast_two[1:], False)  # row i-1 -> i+1
        # a row consistent with the row two before or two after it belongs to a stream of its
        # own (two transmitters on one MMSI): no lone outlier, and spoofing's to judge
        with_two_before = np.concatenate([[False, False], mmsi[2:] == mmsi[:-2]]) & ~fast_two
        with_two_after = np.append(with_two_before[2:], [False, False])
        has_prev = np.concatenate([[False], mmsi[1:] == mmsi[:-1]])
        has_next = np.append(mmsi[:-1] == mmsi[1:], False)
        prev_has_prev = np.concatenate([[False], has_prev[:-1]])
        next_has_next = np.append(has_next[1:], False)
        next_fast_out = np.append(fast_out[1:], False)
        prev_fast_in = np.concatenate([[False], fast_in[:-1]])
        spike = has_prev & has_next & fast_in & fast_out & ~fast_skip & ~with_two_before & ~with_two_after
        first = ~has_prev & has_next & fast_out & next_has_next & ~next_fast_out
        last = has_prev & ~has_next & fast_in & prev_has_prev & ~prev_fast_in
        found = spike | first | last
        if not found.any():
            break
        outlier[rows[found]] = True
    return outlier


def _days_and_early(seconds: FloatArray, window_s: float) -> tuple[FloatArray, BoolArray]:
    """Each time's UTC day (days since the epoch) and whether it lies in the day's first
    ``window_s`` seconds (a float remainder, ``seconds % 86400``, costs four times as much).

    >>> _days_and_early(np.array([86_399.0, 86_430.0]), 60.0)[1].tolist()
    [False, True]
    """
    day = np.floor(seconds / _DAY_S)
    return day, seconds - day * _DAY_S < window_s


def _midnight_carry_over(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    skip: BoolArray,
    config: CleaningConfig,
    limits: MotionLimits,
) -> BoolArray:
    """Rule 5a: a vessel's first rows of a UTC day, stamped within the midnight window, from
    which the step to its next report is impossible (stale positions carried into a daily file)."""
    found = np.zeros(len(mmsi), dtype=bool)
    if config.midnight_window_s <= 0:
        return found
    for _ in range(config.max_passes):
        rows = np.flatnonzero(~skip & ~found & ~np.isnan(lat) & ~np.isnan(lon))
        if len(rows) < 2:
            break
        m, t = mmsi[rows], seconds[rows]
        day, early = _days_and_early(t, config.midnight_window_s)
        first_of_day = np.concatenate([[True], (m[1:] != m[:-1]) | (day[1:] != day[:-1])])
        # the leading rows of each vessel-day that are all in the window
        run = np.cumsum(first_of_day)
        late = np.where(~early, np.arange(len(rows)), len(rows))
        first_late = pd.Series(late).groupby(run).transform("min").to_numpy()
        leading = early & (np.arange(len(rows)) < first_late)
        fast_out = np.append(impossible_steps(m, t, lat[rows], lon[rows], 1, limits)[1:], False)
        stale = leading & fast_out
        if not stale.any():
            break
        found[rows[stale]] = True
    return found


ARTEFACT_REASONS: Final = (
    "", "duplicate report", "near-duplicate reception", "midnight carry-over", "impossible jump"
)  # fmt: skip
"""The reasons `flag_artefacts` gives, by code (`artefact_codes`): 0 keeps the row."""
_DUPLICATE, _NEAR, _STALE, _JUMP = 1, 2, 3, 4
_SLICE_ROWS: Final = 1 << 16
"""Rows per slice of `artefact_codes` (whole vessels): its temporaries stay about 0.5 MB."""


def _reasons(codes: npt.NDArray[np.int8]) -> npt.NDArray[np.object_]:
    """Artefact codes as their reasons (``""``: keep), the public functions' strings."""
    return np.asarray(np.array(ARTEFACT_REASONS, dtype=object)[codes], dtype=object)


def flag_artefacts(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    config: CleaningConfig,
    limits: MotionLimits,
    step_m: FloatArray | None = None,
) -> npt.NDArray[np.object_]:
    """Rules 4 and 5 on rows sorted by mmsi, time (and content): the reason each row is an artefact.

    ``""`` for a row to keep; otherwise ``duplicate report``, ``near-duplicate reception``,
    ``midnight carry-over`` or ``impossible jump``. The screening context and
    :func:`clean_ais` both call this, so a row is an artefact by one definition.
    ``step_m``: metres from each row to the row before it (any vessel; row 0 unused), when
    the caller has them already (a track measures every step anyway).
    """
    codes = artefact_codes(mmsi, seconds, lat, lon, config, limits, step_m)
    return _reasons(codes)


def artefact_codes(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    config: CleaningConfig,
    limits: MotionLimits,
    step_m: FloatArray | None = None,
) -> npt.NDArray[np.int8]:
    """`flag_artefacts` as codes into `ARTEFACT_REASONS` (0: keep): no string per row.

    Every rule compares a vessel's rows with each other only, so a long input (sorted by
    vessel) is worked a slice of whole vessels at a time (`vesselscreen._runs.vessel_slices`):
    the same codes, without a fresh full-length array per step (a 1M-row day: 50 -> 26 ms).
    The window of rows the motion rules look at round an impossible step (`_suspects`) may
    reach into the next vessel in one pass over everything; those rows are cut off into
    stretches of their own vessel before any rule reads them, so a slice that ends with its
    vessel loses nothing (tested against one pass with slices of one row up).
    """
    slices = vessel_slices(mmsi, _SLICE_ROWS) if len(mmsi) > _SLICE_ROWS else None
    code = np.zeros(len(mmsi), dtype=np.int8)
    for start, stop in slices or [(0, len(mmsi))]:
        part = slice(start, stop)
        rows = (mmsi[part], seconds[part], lat[part], lon[part])
        here = _reception_codes(*rows, config)
        kept = here == 0
        motion = _motion_codes(*rows, config, limits, kept, None if step_m is None else step_m[part])
        here[kept] = motion[kept]
        code[part] = here
    return code


def _reception_codes(
    mmsi: npt.NDArray[np.int64], seconds: FloatArray, lat: FloatArray, lon: FloatArray, config: CleaningConfig
) -> npt.NDArray[np.int8]:
    """Rule 4 on rows sorted by mmsi and time: `_DUPLICATE`, `_NEAR` or 0 for each row."""
    n = len(mmsi)
    code = np.zeros(n, dtype=np.int8)
    if n == 0:
        return code
    scale = 10.0**config.duplicate_decimals
    qlat, qlon = np.round(lat * scale), np.round(lon * scale)
    same_place = np.zeros(n, dtype=bool)
    same_place[1:] = (mmsi[1:] == mmsi[:-1]) & (qlat[1:] == qlat[:-1]) & (qlon[1:] == qlon[:-1])
    # a run of one position: compare with the first report of the run (rows sorted by time)
    run_start = np.maximum.accumulate(np.where(~same_place, np.arange(n), 0))
    since_first = seconds - seconds[run_start]
    duplicate = same_place & (since_first == 0)
    near = same_place & ~duplicate & (since_first <= config.near_duplicate_s)
    code[duplicate] = _DUPLICATE
    code[near] = _NEAR
    return code


def steps_between(
    lat: FloatArray, lon: FloatArray, rows: npt.NDArray[np.int64], step_m: FloatArray
) -> FloatArray:
    """Metres from each of ``rows`` (ascending) to the one before it in ``rows`` (element 0: from
    itself, 0), reusing ``step_m`` (metres from each row to the row before it) where the two
    rows are next to each other and measuring only the other pairs.

    >>> lat, lon = np.array([0.0, 0.0, 0.0]), np.array([0.0, 1.0, 2.0])
    >>> step = np.array([0.0, 111_195.0, 111_195.0])
    >>> steps_between(lat, lon, np.array([0, 2]), step).round().tolist()
    [0.0, 222390.0]
    """
    out = np.zeros(len(rows), dtype=np.float64)
    if len(rows) < 2:
        return out
    before, after = rows[:-1], rows[1:]
    out[1:] = step_m[after]
    apart = np.flatnonzero(after - before != 1)
    if len(apart):
        out[1 + apart] = haversine_m(
            lat[before[apart]], lon[before[apart]], lat[after[apart]], lon[after[apart]]
        )
    return out


def flag_motion_artefacts(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    config: CleaningConfig,
    limits: MotionLimits,
    candidate: BoolArray | None = None,
    step_m: FloatArray | None = None,
) -> npt.NDArray[np.object_]:
    """Rules 5a and 5b alone (midnight carry-over, impossible jumps) on the ``candidate`` rows
    (default: all; the others are skipped): ``""`` or the reason, per row. ``step_m`` as for
    `flag_artefacts`."""
    codes = _motion_codes(mmsi, seconds, lat, lon, config, limits, candidate, step_m)
    return _reasons(codes)


def _motion_codes(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    config: CleaningConfig,
    limits: MotionLimits,
    candidate: BoolArray | None = None,
    step_m: FloatArray | None = None,
) -> npt.NDArray[np.int8]:
    code = np.zeros(len(mmsi), dtype=np.int8)
    usable = np.ones(len(mmsi), dtype=bool) if candidate is None else candidate
    # the midnight and jump rules only ever touch rows near an impossible step or in the
    # first seconds of a day: run them on those stretches alone (a few rows in a million)
    rows, nth = _suspects(mmsi, seconds, lat, lon, usable, config, limits, step_m)
    if len(rows) == 0:
        return code
    # a stretch: rows next to each other among the usable ones, of one vessel
    cut = np.concatenate([[True], (np.diff(nth) != 1) | (mmsi[rows][1:] != mmsi[rows][:-1])])
    stretch = np.cumsum(cut).astype(np.int64)
    args = (seconds[rows], lat[rows], lon[rows])
    stale = _midnight_carry_over(stretch, *args, np.zeros(len(rows), dtype=bool), config, limits)
    code[rows[stale]] = _STALE
    jumps = _jump_outliers(stretch, *args, stale, config, limits)
    code[rows[jumps]] = _JUMP
    return code


def _suspects(
    mmsi: npt.NDArray[np.int64],
    seconds: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    usable: BoolArray,
    config: CleaningConfig,
    limits: MotionLimits,
    step_m: FloatArray | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The usable rows within reach of an impossible step, or of the first seconds of a day,
    and the rank of each among the usable rows (so the caller sees where a skipped row lies).

    Every rule below looks at most two rows away per pass: rows farther than that times the
    passes (plus a margin) from any impossible step cannot change, whatever the rules find.
    """
    rows = np.flatnonzero(usable & ~np.isnan(lat) & ~np.isnan(lon))
    if len(rows) < 2:
        return rows, np.arange(len(rows), dtype=np.int64)
    known = None if step_m is None else steps_between(lat, lon, rows, step_m)[1:]
    if len(rows) == len(mmsi):  # every row (the usual case): no copies of the columns
        at_rows = (mmsi, seconds, lat, lon)
    else:
        at_rows = (mmsi[rows], seconds[rows], lat[rows], lon[rows])
    fast = impossible_steps(*at_rows, 1, limits, known)
    early = _days_and_early(at_rows[1], config.midnight_window_s)[1]  # as the midnight rule judges it
    seeds = np.flatnonzero(fast | early)
    if len(seeds) == 0:
        return rows[:0], np.empty(0, dtype=np.int64)
    reach = 2 * config.max_passes + 2
    near = (seeds[:, None] + np.arange(-reach, reach + 1)[None, :]).ravel()
    near = np.unique(near[(near >= 0) & (near < len(rows))])
    return np.asarray(rows[near], dtype=np.int64), near.astype(np.int64)


@overload
def clean_ais(
    frame: pd.DataFrame,
    *,
    config: CleaningConfig | None = ...,
    limits: MotionLimits | None = ...,
    return_rejected: Literal[False] = ...,
) -> pd.DataFrame: ...


@overload
def clean_ais(
    frame: pd.DataFrame,
    *,
    config: CleaningConfig | None = ...,
    limits: MotionLimits | None = ...,
    return_rejected: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def clean_ais(
    frame: pd.DataFrame,
    *,
    config: CleaningConfig | None = None,
    limits: MotionLimits | None = None,
    return_rejected: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """A cleaned copy of a positions frame, by the rules in this module's docstring.

    The result is sorted by ``mmsi`` then ``timestamp`` and carries a
    :class:`CleaningReport` in ``attrs`` (see :func:`cleaning_report`); an ingest report
    already there is kept. With ``return_rejected=True`` also returns the rejected rows
    (same columns, plus ``reason`` and ``row``, the 0-based position in the input).

    Naive timestamps raise :class:`ReferenceTimeError`; columns are cast to the POSITION
    dtypes (missing optional ones added as NA; ``mmsi``, ``timestamp``, ``lat`` and
    ``lon`` are needed).
    """
    config = config or CleaningConfig()
    limits = limits or MotionLimits()
    dtype = frame[POSITION.TIMESTAMP].dtype if POSITION.TIMESTAMP in frame.columns else None
    if (
        dtype is not None
        and pd.api.types.is_datetime64_dtype(dtype)
        and not isinstance(dtype, pd.DatetimeTZDtype)
    ):
        raise ReferenceTimeError("positions frame", "timestamps are naive; AIS times must be UTC")
    data = conform(frame.reset_index(drop=True), POSITION_DTYPES)
    data[ROW] = np.arange(len(data), dtype="int64")
    original = data
    data, nulled = _nullify(data)

    reason = _row_reasons(data, config)
    usable = reason == ""
    in_order = data[usable]
    backwards = in_order[POSITION.TIMESTAMP].groupby(in_order[POSITION.MMSI]).diff() < pd.Timedelta(0)

    ordered = in_order.take(vessel_time_order(in_order, POSITION.MMSI, POSITION.TIMESTAMP))
    artefact = flag_artefacts(
        ordered[POSITION.MMSI].to_numpy(dtype="int64"),
        ordered[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").astype("int64") / 1e9,
        ordered[POSITION.LAT].to_numpy(dtype="float64", na_value=np.nan),
        ordered[POSITION.LON].to_numpy(dtype="float64", na_value=np.nan),
        config,
        limits,
    )
    reason[ordered[ROW].to_numpy()] = artefact  # every ordered row was usable: no reason yet
    kept = ordered[artefact == ""]
    reordered = int(backwards.reindex(kept.index, fill_value=False).sum())
    rejected_mask = reason != ""
    labels, counts = np.unique(reason[rejected_mask].astype(str), return_counts=True)
    report = CleaningReport(
        rows=len(data),
        kept=len(kept),
        rejected={str(label): int(count) for label, count in zip(labels, counts, strict=True)},
        nulled=nulled,
        reordered=reordered,
        config=config,
        limits=limits,
    )
    out = kept.drop(columns=[ROW]).reset_index(drop=True)
    out.attrs = {**frame.attrs, CLEANING_REPORT_ATTR: report}
    if not return_rejected:
        return out  # type: ignore[no-any-return]  # pandas-stubs: drop() returns Any here
    rejected = original[rejected_mask].copy()  # as given, sentinels included
    rejected[REASON] = pd.Series(reason[rejected_mask], index=rejected.index, dtype="string")
    rejected = rejected[[*(c for c in rejected.columns if c not in (REASON, ROW)), REASON, ROW]]
    return out, rejected.reset_index(drop=True)
