"""Screening beyond one in-memory frame: an archive or a Dask DataFrame, partition by partition.

`screen_archive` gives the same findings as `vesselscreen.screen` on the same positions
(``to_frame()`` is equal), computed in pieces that each fit in memory:

1. **Per vessel, per partition.** Every detector but encounters (port calls, stops,
   voyages, gaps, loitering, spoofing, the cleaning of artefacts, identity intervals) is a
   function of one vessel's time-sorted rows. A partition that holds whole tracks (a piece
   of an `vesselscreen.Archive`, whose buckets keep each vessel's rows together, or a Dask
   partition after a shuffle by MMSI) gives the same events as the whole frame. Each
   partition also puts its vessels on the encounter time grid.
2. **Encounters per space-time cell, with a halo.** Grid points go to cells of about
   100 km and one day; a point within one encounter distance of a cell's border is also
   copied to the neighbouring cells (the halo). Each cell pairs its own points with its own
   and halo points and keeps the pairs whose first vessel's point is its own, so a meeting
   across a border is found once. Runs of pairs become encounters on the client (pairs are
   few).
3. **Global, on the client.** The small per-partition frames are joined; identity changes
   (an IMO moving between MMSIs), matching, the rules and the risk scores run on the
   client, as `screen` runs them. Evidence positions are read back for the vessels with
   findings only.

The work runs on whatever Dask scheduler is given: a ``distributed.Client`` (a cluster, or
a ``LocalCluster``), or a local one (``scheduler="threads"``, ``"processes"``,
``"synchronous"``). Memory: each task holds one partition (``rows_per_piece`` rows of an
archive) with its track; see ``docs/scale.md`` for measured figures.

Needs the ``dask`` extra: ``pip install 'vesselscreen[dask]'``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from vesselscreen.ais.cleaning import CleaningReport
from vesselscreen.ais.identity import identity_intervals, timeline_of_intervals
from vesselscreen.ais.read import validate_positions
from vesselscreen.archive import Archive, BBox, TimeBound, hash_bucket
from vesselscreen.errors import ConfigError
from vesselscreen.events._common import port_index
from vesselscreen.events._encounters import (
    GRID_COLUMNS,
    close_pairs,
    encounters_of_pairs,
    grid_points,
    space_cells,
)
from vesselscreen.events._gaps import detect_gaps
from vesselscreen.events._loitering import detect_loitering
from vesselscreen.events._port_calls import detect_port_calls
from vesselscreen.events._spoofing import detect_spoofing
from vesselscreen.events._stops import detect_stops
from vesselscreen.events._voyages import detect_voyages
from vesselscreen.events.config import EncounterConfig
from vesselscreen.events.track import Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import EvidencePosition
from vesselscreen.schema import (
    ENCOUNTER_DTYPES,
    GAP_DTYPES,
    INTERVAL,
    INTERVAL_DTYPES,
    LOITERING_DTYPES,
    PORT_CALL_DTYPES,
    POSITION,
    POSITION_DTYPES,
    SPOOFING_DTYPES,
    STOP_DTYPES,
    VOYAGE_DTYPES,
    conform,
)
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.context import EventFrames, ScreeningContext, particulars
from vesselscreen.screening.engine import Progress, result_of, run_rules, stderr_progress
from vesselscreen.screening.result import ScreeningResult
from vesselscreen.screening.rules import DEFAULT_RULES, Rule

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

__all__ = ["COARSE_CELLS", "PartitionEvents", "partition_events", "require_dask", "screen_archive"]

COARSE_CELLS: Final = 200
"""A space cell of the encounter step spans this many encounter distances along each axis
of the unit-sphere grid (200 x 500 m = 100 km): big enough that few points sit in a halo,
small enough that a busy day splits into many cells."""
_SLOTS_PER_DAY_MINUTES: Final = 24 * 60
_EVENT_KINDS: Final = {
    "port_calls": PORT_CALL_DTYPES,
    "stops": STOP_DTYPES,
    "voyages": VOYAGE_DTYPES,
    "gaps": GAP_DTYPES,
    "loitering": LOITERING_DTYPES,
    "spoofing": SPOOFING_DTYPES,
}
_OWN: Final = "own"
_GROUP: Final = "group"


def require_dask() -> ModuleType:
    """``dask.dataframe``, or a `ConfigError` saying how to install it."""
    try:
        return importlib.import_module("dask.dataframe")
    except ImportError as exc:
        raise ConfigError(
            "screening an archive or a Dask frame needs Dask: pip install 'vesselscreen[dask]'"
        ) from exc


@dataclass(frozen=True)
class PartitionEvents:
    """What one partition of whole tracks yields: its vessels' events, identity intervals,
    cleaning report and counts (small frames, sent back to the client)."""

    frames: dict[str, pd.DataFrame]
    intervals: pd.DataFrame
    particulars: pd.DataFrame
    cleaning: CleaningReport | None
    rows: int
    vessels: int


def partition_events(
    positions: pd.DataFrame, ports: pd.DataFrame | PortIndex | None, config: ScreeningConfig
) -> tuple[PartitionEvents, pd.DataFrame]:
    """The per-vessel events of a partition holding whole tracks, and its encounter grid points."""
    validate_positions(positions)
    track = Track.build(
        positions,
        port_index(ports, config.port_calls.default_radius_m),
        limits=config.limits,
        cleaning=config.cleaning if config.clean else None,
    )
    calls = detect_port_calls(track, config.port_calls)
    stops = detect_stops(track, config.stops)
    gaps = detect_gaps(track, config.gaps)
    frames = {
        "port_calls": calls,
        "stops": stops,
        "voyages": detect_voyages(track, calls, stops),
        "gaps": gaps,
        "loitering": detect_loitering(track, config.loitering),
        "spoofing": detect_spoofing(track, config.spoofing, gaps),
    }
    events = PartitionEvents(
        frames=frames,
        intervals=identity_intervals(track.all_rows),
        particulars=particulars(positions),
        cleaning=track.cleaning,
        rows=len(positions),
        vessels=int(positions[POSITION.MMSI].nunique()),
    )
    return events, grid_points(track, config.encounters)


def _cell_keys(coarse: np.ndarray, day: np.ndarray) -> np.ndarray:
    """One int64 per (coarse cell, day): cells span at most +-64 per axis at 500 m."""
    shifted = coarse + 1024
    return np.asarray(((shifted[:, 0] * 2048 + shifted[:, 1]) * 2048 + shifted[:, 2]) * 2**24 + day)


def route_points(points: pd.DataFrame, config: EncounterConfig, groups: int) -> list[pd.DataFrame]:
    """Grid points split over ``groups`` pair tasks by space-time cell, with the halo copies.

    Each point goes to its own cell's group (``own`` true) and, when it lies within one
    fine cell of its cell's border, to each neighbouring cell's group (``own`` false).
    """
    if points.empty:
        return [points.assign(**{_OWN: np.empty(0, bool)}) for _ in range(groups)]
    fine = space_cells(
        points["lat"].to_numpy(dtype=np.float64),
        points["lon"].to_numpy(dtype=np.float64),
        config.max_distance_m,
    )
    coarse = fine // COARSE_CELLS
    day = points["slot"].to_numpy(dtype=np.int64) // (_SLOTS_PER_DAY_MINUTES // config.grid_minutes)
    own_group = hash_bucket(_cell_keys(coarse, day), groups)
    rows = [np.arange(len(points))]
    to_group = [own_group]
    is_own = [np.ones(len(points), dtype=bool)]
    edge = fine % COARSE_CELLS
    border = np.flatnonzero(((edge == 0) | (edge == COARSE_CELLS - 1)).any(axis=1))
    if len(border):
        halo_rows, halo_keys = [], []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    other = (fine[border] + np.array([dx, dy, dz])) // COARSE_CELLS
                    moved = (other != coarse[border]).any(axis=1)
                    halo_rows.append(border[moved])
                    halo_keys.append(_cell_keys(other[moved], day[border[moved]]))
        pairs = pd.DataFrame({"row": np.concatenate(halo_rows), "key": np.concatenate(halo_keys)})
        pairs = pairs.drop_duplicates()
        rows.append(pairs["row"].to_numpy())
        to_group.append(hash_bucket(pairs["key"].to_numpy(), groups))
        is_own.append(np.zeros(len(pairs), dtype=bool))
    picked = points.iloc[np.concatenate(rows)].reset_index(drop=True)
    picked[_OWN] = np.concatenate(is_own)
    group = np.concatenate(to_group)
    return [picked[group == g].reset_index(drop=True) for g in range(groups)]


def group_pairs(parts: Sequence[pd.DataFrame], max_distance_m: float) -> pd.DataFrame:
    """The close pairs of one group of cells (a task): each pair whose first point is owned here."""
    points = pd.concat(parts, ignore_index=True)
    # a point may arrive as its cell's own and as a halo copy for another cell of this group
    points = points.sort_values(_OWN, ascending=False, kind="stable").drop_duplicates(["mmsi", "slot"])
    return close_pairs(
        points[list(GRID_COLUMNS)].reset_index(drop=True),
        max_distance_m,
        owned=points[_OWN].to_numpy(dtype=bool),
    )


def _joined(frames: Iterable[pd.DataFrame], dtypes: dict[str, str] | Any, by: str) -> pd.DataFrame:
    """Per-partition frames as the whole frame's detector returns them: vessels in order."""
    parts = [frame for frame in frames if len(frame)]
    if not parts:
        return conform(pd.DataFrame(), dtypes)
    joined = pd.concat(parts, ignore_index=True)
    joined = joined.sort_values(by, kind="stable").reset_index(drop=True)
    return conform(joined, dtypes)


def _summed(reports: list[CleaningReport | None]) -> CleaningReport | None:
    present = [report for report in reports if report is not None]
    if not present:
        return None
    rejected: dict[str, int] = {}
    for report in present:
        for reason, count in report.rejected.items():
            rejected[reason] = rejected.get(reason, 0) + count
    return CleaningReport(
        rows=sum(r.rows for r in present),
        kept=sum(r.kept for r in present),
        rejected=dict(sorted(rejected.items())),
        config=present[0].config,
        limits=present[0].limits,
    )


class _Requests:
    """A position source that quotes nothing and notes which vessels were asked for."""

    def __init__(self) -> None:
        self.mmsi: set[int] = set()

    def between(
        self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int
    ) -> list[EvidencePosition]:
        self.mmsi.add(int(mmsi))
        return []


def _is_dask_frame(value: object) -> bool:
    module = type(value).__module__
    return module.startswith(("dask.", "dask_expr")) and hasattr(value, "to_delayed")


def screen_archive(
    source: Archive | str | os.PathLike[str] | dd.DataFrame,
    watchlist: Watchlist,
    *,
    start: TimeBound = None,
    end: TimeBound = None,
    bbox: BBox | None = None,
    client: Client | None = None,
    scheduler: str | None = None,
    rows_per_piece: int = 2_000_000,
    ports: pd.DataFrame | PortIndex | None = None,
    config: ScreeningConfig | None = None,
    registry: pd.DataFrame | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    progress: bool | Progress = False,
) -> ScreeningResult:
    """Screen an AIS archive or a Dask DataFrame of positions, a partition at a time.

    The findings equal those of `vesselscreen.screen` on the same positions (see the
    module docs for how); ``result.positions`` holds only the tracks of the vessels with
    findings (what maps and reports draw).

    Args:
        source: a `vesselscreen.Archive` (or its path), screened from ``start`` to ``end``
            (and within ``bbox``: lat_min, lat_max, lon_min, lon_max) in pieces of about
            ``rows_per_piece`` rows of whole tracks; or a ``dask.dataframe.DataFrame`` of
            positions (canonical columns), shuffled by MMSI first.
        watchlist, ports, config, registry, rules: as for `vesselscreen.screen`.
        client: a ``distributed.Client`` to run on (a cluster or a ``LocalCluster``).
        scheduler: without a client, a Dask scheduler name: ``"threads"`` (the default for
            local work), ``"processes"`` or ``"synchronous"`` (one task at a time: the
            smallest memory).
        progress: ``True`` to print each stage on stderr with the elapsed time, or a
            callable given each stage's message (as for `vesselscreen.screen`).

    Raises:
        ConfigError: Dask is not installed, or an argument is of the wrong kind.
    """
    require_dask()
    from dask.base import compute
    from dask.delayed import delayed

    if not isinstance(watchlist, Watchlist):
        raise ConfigError(
            f"watchlist must be a Watchlist (vs.load_watchlist), got {type(watchlist).__name__}"
        )
    config = config or ScreeningConfig()
    if not isinstance(config, ScreeningConfig):
        raise ConfigError(f"config must be a ScreeningConfig, got {type(config).__name__}")
    if client is not None and scheduler is not None:
        raise ConfigError("give a client or a scheduler, not both")
    run_on: Any = client if client is not None else (scheduler or "threads")
    index = port_index(ports, config.port_calls.default_radius_m)  # a bad table fails here, not in a task

    archive: Archive | None = None
    if isinstance(source, str | os.PathLike):
        archive = Archive.open(source)
    elif isinstance(source, Archive):
        archive = source
    elif not _is_dask_frame(source):
        raise ConfigError(
            f"source must be an Archive, an archive path or a dask DataFrame, got {type(source).__name__}"
        )

    task = delayed(partition_events, nout=2, pure=True)
    if archive is not None:
        from vesselscreen.archive import _read_piece

        read = delayed(_read_piece, pure=True)
        pieces = archive.pieces(start, end, rows_per_piece=rows_per_piece)
        outputs = [
            task(read(piece, path=str(archive.path), start=start, end=end, bbox=bbox), ports, config)
            for piece in pieces
        ]
    else:
        frame: Any = source
        shuffled = frame.shuffle(on=POSITION.MMSI)  # every row of a vessel in one partition
        outputs = [task(part, ports, config) for part in shuffled.to_delayed()]

    groups = max(1, len(outputs))
    route = delayed(route_points, nout=groups, pure=True)
    routed = [route(points, config.encounters, groups) for _, points in outputs]
    pair_task = delayed(group_pairs, pure=True)
    pairs = [
        pair_task([parts[g] for parts in routed], config.encounters.max_distance_m) for g in range(groups)
    ]
    say = stderr_progress() if progress is True else (progress or None)
    if say is not None:
        say(f"{len(outputs)} partitions of whole tracks: events by vessel, meetings by cell ({groups} tasks)")
    partition_results, pair_frames = compute(  # type: ignore[no-untyped-call]  # dask.base.compute is untyped
        [events for events, _ in outputs], pairs, scheduler=run_on
    )

    results: list[PartitionEvents] = list(partition_results)
    events = EventFrames(
        **{
            kind: _joined((r.frames[kind] for r in results), dtypes, POSITION.MMSI)
            for kind, dtypes in _EVENT_KINDS.items()
        },
        encounters=encounters_of_pairs(pd.concat(list(pair_frames), ignore_index=True), config.encounters)
        if pair_frames
        else conform(pd.DataFrame(), ENCOUNTER_DTYPES),
    )
    intervals = _joined((r.intervals for r in results), INTERVAL_DTYPES, INTERVAL.MMSI)
    timeline = timeline_of_intervals(intervals)
    particular = pd.concat([r.particulars for r in results], ignore_index=True) if results else None

    # pass 1: which vessels' positions the findings quote; pass 2: with those positions
    if say is not None:
        say(f"{sum(r.rows for r in results):,} positions done; identities, matches and rules")
    requests = _Requests()
    empty = Track.build(conform(pd.DataFrame(), POSITION_DTYPES), index, limits=config.limits)
    probe = ScreeningContext.of_events(
        events,
        watchlist,
        timeline,
        empty,
        config=config,
        registry=registry,
        positions=requests,
        particulars=particular,
    )
    run_rules(probe, rules)
    wanted = sorted(requests.mmsi)
    if say is not None:
        say(f"reading back the positions of {len(wanted)} vessels the findings quote")
    if archive is not None:
        quoted = archive.read(start, end, bbox=bbox, mmsi=wanted)
    elif wanted:
        frame = source
        quoted = conform(frame[frame[POSITION.MMSI].isin(wanted)].compute(scheduler=run_on), POSITION_DTYPES)
    else:
        quoted = conform(pd.DataFrame(), POSITION_DTYPES)
    track = Track.build(
        quoted, index, limits=config.limits, cleaning=config.cleaning if config.clean else None
    )
    context = ScreeningContext.of_events(
        events, watchlist, timeline, track, config=config, registry=registry, matches=probe.matches
    )
    return result_of(
        context,
        rules,
        ingest_reports=tuple(archive.reports(start, end)) if archive is not None else (),
        cleaning=_summed([r.cleaning for r in results]),
        positions=sum(r.rows for r in results),
        vessels=sum(r.vessels for r in results),
        progress=say,
    )
