"""The screening context: everything the finding rules read, built once per screening.

`ScreeningContext.build` does each piece of work once: it sorts the positions and
derives each row's step and port proximity (`vesselscreen.events.Track`), builds the
identity timeline (`vesselscreen.identity_timeline`: one model of who broadcast what,
when), matches its identities to the watchlist, and joins the matches to their entries'
listing dates. Each detector runs at most once, on first use, on the shared track; the
rules (`vesselscreen.screening.rules`) read the results from here and never re-derive.

>>> import vesselscreen as vs
>>> ais, watchlist = vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path())
>>> context = vs.ScreeningContext.build(ais, watchlist)
>>> sorted(context.port_calls["port_id"].unique())
['AZBAK', 'IRAMD', 'KZAAU', 'RUMCX', 'RUOYA', 'TMKRW']
>>> sorted(context.listed["entry_id"].unique())
['demo:1', 'demo:2', 'demo:3']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen._runs import concatenated_ranges
from vesselscreen.ais.identity import IdentityTimeline, identity_timeline
from vesselscreen.ais.read import validate_positions
from vesselscreen.errors import ConfigError, SchemaError
from vesselscreen.events._common import FloatArray, IntArray
from vesselscreen.events._encounters import detect_encounters
from vesselscreen.events._gaps import detect_gaps
from vesselscreen.events._loitering import detect_loitering
from vesselscreen.events._port_calls import detect_port_calls
from vesselscreen.events._spoofing import detect_spoofing
from vesselscreen.events._stops import detect_stops
from vesselscreen.events._voyages import detect_voyages
from vesselscreen.events.track import SortedPositions, Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import EvidencePosition, MatchTier
from vesselscreen.schema import IDENTITY, LISTED, MATCH, POSITION, WATCHLIST
from vesselscreen.screening._prepared import derived
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.evidence import PositionLookup
from vesselscreen.screening.matching import METHODS, match_identities
from vesselscreen.screening.ownership import match_registry
from vesselscreen.screening.status import status_during

__all__ = ["EventFrames", "PositionSource", "ScreeningContext", "particulars", "with_particulars"]


def _check_inputs(ais: object, watchlist: object) -> None:
    if isinstance(ais, Watchlist) and isinstance(watchlist, pd.DataFrame):
        raise ConfigError("arguments in the wrong order: screen(ais, watchlist), positions first")
    if type(ais).__module__.startswith(("dask", "vesselscreen.archive")):
        raise ConfigError(f"a {type(ais).__name__} is screened with vs.screen_archive(source, watchlist)")
    if not isinstance(ais, pd.DataFrame | Track):
        raise ConfigError(f"ais must be a positions DataFrame (vs.read_ais), got {type(ais).__name__}")
    if not isinstance(watchlist, Watchlist):
        raise ConfigError(
            f"watchlist must be a Watchlist (vs.load_watchlist), got {type(watchlist).__name__}"
        )


def _entries(vessels: pd.DataFrame) -> pd.DataFrame:
    """One row per entry (indexed 0, 1, ...): its name, identifiers and dates, under their
    `schema.LISTED` names."""
    entries = vessels[
        [
            WATCHLIST.ENTRY_ID, WATCHLIST.NAME, WATCHLIST.LISTED_ON, WATCHLIST.LISTED_NOT_BEFORE,
            WATCHLIST.DELISTED_ON, WATCHLIST.DELISTED_NOT_BEFORE, WATCHLIST.IMO, WATCHLIST.MMSI,
            WATCHLIST.CALL_SIGN,
        ]
    ].drop_duplicates(WATCHLIST.ENTRY_ID, ignore_index=True)  # fmt: skip
    return entries.rename(
        columns={
            WATCHLIST.NAME: LISTED.LISTED_NAME,
            WATCHLIST.IMO: LISTED.LISTED_IMO,
            WATCHLIST.MMSI: LISTED.LISTED_MMSI,
            WATCHLIST.CALL_SIGN: LISTED.LISTED_CALL_SIGN,
        }
    )


def listed_vessels(matches: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    """Every match with its entry's name, identifiers and dates (`schema.LISTED` columns)."""
    cols = [
        MATCH.MMSI, MATCH.ENTRY_ID, MATCH.METHOD, METHODS, MATCH.SCORE, MATCH.FIRST_SEEN, MATCH.LAST_SEEN,
        MATCH.TIER, MATCH.CONTRADICTIONS,
    ]  # fmt: skip
    entries = derived(vessels, "listed_entries", _entries)
    # a join by positions (a merge costs more on these few rows); -1, an entry not on the list: NA
    at = pd.Index(entries[WATCHLIST.ENTRY_ID]).get_indexer(matches[MATCH.ENTRY_ID])
    found = entries.drop(columns=[WATCHLIST.ENTRY_ID]).reindex(at).reset_index(drop=True)
    rows = pd.concat([matches[cols].reset_index(drop=True), found], axis=1)
    return rows.rename(
        columns={
            MATCH.SCORE: LISTED.MATCH_SCORE,
            MATCH.FIRST_SEEN: LISTED.MATCH_FIRST,
            MATCH.LAST_SEEN: LISTED.MATCH_LAST,
        }
    )


IDENTITY_MMSI = POSITION.MMSI


def with_particulars(identities: pd.DataFrame, particulars: pd.DataFrame | None) -> pd.DataFrame:
    """The identity timeline's rows with their MMSI's `particulars` (if any) joined."""
    if particulars is None:
        return identities
    return identities.merge(particulars, on=POSITION.MMSI, how="left")


def particulars(rows: pd.DataFrame) -> pd.DataFrame:
    """Per MMSI, the AIS class most of its reports came from (``A``/``B``) and its median length
    overall, where the source says (`schema.POSITION_OPTIONAL_DTYPES`)."""
    timed = rows[POSITION.MMSI].notna().to_numpy(dtype=bool)
    every = slice(None) if timed.all() else timed  # no copies of the usual frame, all of it timed
    vessel, mmsis = _numbered(rows[POSITION.MMSI].to_numpy(dtype=np.int64, na_value=-1)[every])
    out = pd.DataFrame({POSITION.MMSI: pd.array(mmsis, dtype="Int64")})
    if POSITION.TRANSCEIVER in rows.columns:
        # the most frequent class; a tie goes to the first in order ("A" before "B")
        counts, classes = _class_counts(rows[POSITION.TRANSCEIVER].array[every], vessel, len(mmsis))
        choice = np.full(len(mmsis), len(classes))  # the last name: no class reported
        if len(classes):
            choice = np.where(counts.any(axis=1), counts.argmax(axis=1), len(classes))
        names = np.array([*classes, None], dtype=object)
        out[IDENTITY.TRANSCEIVER] = pd.array(names[choice], dtype="string")
    if POSITION.LENGTH in rows.columns:
        lengths = rows[POSITION.LENGTH].to_numpy(dtype=np.float64, na_value=np.nan)[every]
        out[IDENTITY.LENGTH] = _medians(lengths, vessel, len(mmsis))
    return out


def _medians(values: FloatArray, vessel: IntArray, vessels: int) -> FloatArray:
    """Each vessel's median of ``values`` (NaN ignored; NaN if it has none). A length is static
    data, the same on every report of a vessel: when each vessel's rows are one run and say
    one value, that value is the median (1M rows: 2 ms instead of pandas' 8)."""
    negative_zero = bool(np.signbit(values[values == 0]).any())  # -0.0 == 0.0, but pandas averages
    if len(values) and not negative_zero and bool((vessel[1:] >= vessel[:-1]).all()):
        starts = np.flatnonzero(np.diff(vessel, prepend=-1))  # each vessel's first row
        low, high = np.fmin.reduceat(values, starts), np.fmax.reduceat(values, starts)  # NaN skipped
        if len(starts) == vessels and bool(((low == high) | np.isnan(low)).all()):
            return np.asarray(low, dtype=np.float64)
    by_vessel = pd.Series(values).groupby(vessel).median()
    return np.asarray(by_vessel.reindex(range(vessels)).to_numpy(), dtype=np.float64)


def _numbered(mmsi: IntArray) -> tuple[IntArray, IntArray]:
    """`pandas.factorize` of MMSIs (a number per MMSI, by first appearance), by runs when
    they come sorted (as readers hand them over): no hashing of a million values."""
    if len(mmsi) < 2 or not bool((mmsi[1:] >= mmsi[:-1]).all()):
        codes, uniques = pd.factorize(mmsi)
        return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=np.int64)
    first = np.ones(len(mmsi), dtype=bool)
    first[1:] = mmsi[1:] != mmsi[:-1]
    return np.cumsum(first, dtype=np.int64) - 1, mmsi[first]


def _class_counts(said: Any, vessel: IntArray, vessels: int) -> tuple[IntArray, Any]:
    """(reports per vessel and class, the classes sorted) of each row's class name (``said``, a
    pandas array; NA: none), counted per run of rows of one vessel saying one class: only
    the runs' first names are hashed (a vessel's class is the same on most of its rows)."""
    n = len(said)
    new = np.ones(n, dtype=bool)
    if n > 1:
        missing = np.asarray(pd.isna(said), dtype=bool)
        differs = said[1:] != said[:-1]  # NA where either is missing
        if not isinstance(differs, np.ndarray):  # a pandas array of booleans
            differs = differs.to_numpy(dtype=bool, na_value=False)
        new[1:] = differs | (missing[1:] != missing[:-1]) | (vessel[1:] != vessel[:-1])
    starts = np.flatnonzero(new)
    codes, classes = pd.factorize(said[starts], sort=True)
    runs = np.diff(np.append(starts, n))
    known = codes >= 0
    cell = vessel[starts][known] * len(classes) + codes[known]
    counts = np.bincount(cell, weights=runs[known], minlength=vessels * len(classes))
    return np.asarray(counts, dtype=np.int64).reshape(vessels, len(classes)), classes


def _instants(times: pd.Series) -> npt.NDArray[np.datetime64]:
    """Aware times as UTC ``datetime64[ns]`` (NaT where missing: it compares False)."""
    return np.asarray(times.to_numpy(dtype="datetime64[ns]"))


def _pairs(left: IntArray, right: IntArray) -> tuple[IntArray, IntArray]:
    """The row pairs of an inner join on ``left == right``, in the order `pandas.merge` gives
    them: by left row, then by right row.

    >>> [a.tolist() for a in _pairs(np.array([7, 5, 9]), np.array([5, 7, 7]))]
    [[0, 0, 1], [1, 2, 0]]
    """
    by_key = np.argsort(right, kind="stable")
    keys = right[by_key]
    low = np.searchsorted(keys, left, side="left")
    count = np.searchsorted(keys, left, side="right") - low
    event = np.repeat(np.arange(len(left), dtype=np.int64), count)
    return event, np.asarray(by_key[concatenated_ranges(low, count)], dtype=np.int64)


def _surest_per_event(mmsi: IntArray, start_ns: IntArray, entry: IntArray, listed: pd.DataFrame) -> IntArray:
    """Of joined (event, entry) pairs (by their event's ``mmsi`` and start, and the `listed`
    row ``entry``), the positions to keep, in their order: per event and entry the surest
    match (tier, then score; ties: the first), ordered by start, then MMSI."""
    rank_of = {tier.value: float(tier.rank) for tier in MatchTier}
    rank = np.array([rank_of.get(str(t), np.nan) for t in listed[LISTED.TIER].tolist()], dtype=np.float64)
    score = listed[LISTED.MATCH_SCORE].to_numpy(dtype=np.float64, na_value=np.nan)
    # descending, missing values last, as pandas sorts; np.lexsort is stable (its last key leads)
    surest = np.lexsort((_descending(score)[entry], _descending(rank)[entry]))
    codes = pd.factorize(listed[LISTED.ENTRY_ID])[0][entry]
    pairs = np.empty(len(entry), dtype=[("mmsi", np.int64), ("start", np.int64), ("entry", np.int64)])
    pairs["mmsi"], pairs["start"], pairs["entry"] = mmsi[surest], start_ns[surest], codes[surest]
    _, first = np.unique(pairs, return_index=True)  # the first of each, in the surest-first order
    kept = surest[np.sort(first)]
    never = np.iinfo(np.int64)
    when = np.where(start_ns[kept] == never.min, never.max, start_ns[kept])  # NaT sorts last
    return np.asarray(kept[np.lexsort((mmsi[kept], when))], dtype=np.int64)


def _descending(values: FloatArray) -> FloatArray:
    """Sort keys that put ``values`` in descending order, NaN last."""
    return np.where(np.isnan(values), np.inf, -values)


def _side_by_side(
    events: pd.DataFrame, listed: pd.DataFrame, event: IntArray, entry: IntArray, mmsi: str
) -> pd.DataFrame:
    """``events`` rows ``event`` beside ``listed`` rows ``entry``, in the columns of
    ``events.merge(listed, left_on=mmsi, right_on=LISTED.MMSI, suffixes=("", "_listed"))``."""
    right = [c for c in listed.columns if not (c == LISTED.MMSI and mmsi == LISTED.MMSI)]
    renamed = {c: f"{c}_listed" for c in right if c in events.columns}
    return pd.concat(
        [
            events.take(event).reset_index(drop=True),
            listed[right].take(entry).reset_index(drop=True).rename(columns=renamed),
        ],
        axis=1,
    )


class PositionSource(Protocol):
    """Where a context quotes evidence positions from (`vesselscreen.screening.evidence.PositionLookup`)."""

    def between(
        self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int
    ) -> list[EvidencePosition]:
        """Up to ``limit`` positions of ``mmsi`` in [start, end]: first, last, evenly spaced between."""
        ...


@dataclass(frozen=True)
class EventFrames:
    """Every event of a screening, detected elsewhere (per partition, or as a feed went by).

    Each frame in its `vesselscreen.schema` columns, sorted as the detector sorts it.
    """

    port_calls: pd.DataFrame
    stops: pd.DataFrame
    voyages: pd.DataFrame
    gaps: pd.DataFrame
    encounters: pd.DataFrame
    loitering: pd.DataFrame
    spoofing: pd.DataFrame


_Detector = Callable[..., pd.DataFrame]
_DETECTORS: Final[Mapping[str, tuple[tuple[str, ...], _Detector]]] = {
    # name: (the events it reads, detector(track, config, *those events)); in the order they are
    # started on threads, the longest first (port calls, encounters) so the others fill in around them
    "port_calls": ((), lambda track, config: detect_port_calls(track, config.port_calls)),
    "encounters": ((), lambda track, config: detect_encounters(track, config.encounters)),
    "stops": ((), lambda track, config: detect_stops(track, config.stops)),
    "loitering": ((), lambda track, config: detect_loitering(track, config.loitering)),
    "gaps": ((), lambda track, config: detect_gaps(track, config.gaps)),
    "spoofing": (("gaps",), lambda track, config, gaps: detect_spoofing(track, config.spoofing, gaps)),
    "voyages": (("port_calls", "stops"), lambda track, _, calls, stops: detect_voyages(track, calls, stops)),
}
"""Every event detector the context runs, each once: lazily on first use, or all at once on threads."""

MIN_ROWS_FOR_THREADS: Final = 50_000
"""Below this many positions `ScreeningContext.build` stays on one thread whatever it is given:
small screens spend their time in Python, which holds the interpreter lock. Measured on
generated days (2 cores, one of them busy): 10,000 positions 127 ms on one thread, 152 on
two; 25,000: 87 and 92; 50,000: 109 and 107; 100,000: 180 and 173; 200,000: 288 and 248."""


def _detect_all(track: Track, config: ScreeningConfig, pool: ThreadPoolExecutor) -> dict[str, pd.DataFrame]:
    """Every event frame, the detectors run side by side on ``pool`` (each reads the shared
    track and nothing else: NumPy and pandas release the interpreter lock in their loops)."""
    futures: dict[str, Future[pd.DataFrame]] = {}
    for name, (needs, detect) in _DETECTORS.items():
        inputs = [futures[need].result() for need in needs]  # waited for here, never on a worker
        futures[name] = pool.submit(detect, track, config, *inputs)
    return {name: future.result() for name, future in futures.items()}


_NO_EVENTS_KEPT = 64
_NO_EVENTS: dict[tuple[object, ...], pd.DataFrame] = {}
"""`ScreeningContext.events_of_listed` of no events, per column layout (a handful per process)."""


def _matched(
    identities: pd.DataFrame, watchlist: Watchlist, config: ScreeningConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matches, listed): every identity x entry match, and those the rules report on."""
    matches = match_identities(identities, watchlist.vessels, config.matching)
    return matches, _listed(matches, watchlist, config)


def _listed(matches: pd.DataFrame, watchlist: Watchlist, config: ScreeningConfig) -> pd.DataFrame:
    """The matches at or above the reported tier, with their entries (`schema.LISTED`)."""
    surest = matches[MATCH.TIER].map({t.value: t.rank for t in MatchTier})
    reported = matches[(surest >= config.matching.min_tier.rank).to_numpy(dtype=bool)]
    return listed_vessels(reported, watchlist.vessels)


def _identities(
    identity_rows: pd.DataFrame, rows: pd.DataFrame, watchlist: Watchlist, config: ScreeningConfig
) -> tuple[IdentityTimeline, pd.DataFrame, pd.DataFrame]:
    """(timeline, matches, listed) of the positions ``rows`` (``identity_rows``: them sorted)."""
    timeline = identity_timeline(identity_rows)
    matches, listed = _matched(with_particulars(timeline.identities, particulars(rows)), watchlist, config)
    return timeline, matches, listed


@dataclass(frozen=True, eq=False)
class ScreeningContext:
    """What a screening knows, built once (`build`); detectors run on first use, once.

    Attributes:
        config: the thresholds and policy of this screening.
        watchlist: the lists screened against.
        track: the positions, sorted by vessel and time, with per-row steps and port proximity.
        timeline: the identity timeline (intervals and changes) of every MMSI.
        matches: AIS identity x list entry (``schema.MATCH`` columns plus ``methods``).
        listed: the matches at or above ``config.matching.min_tier`` with their entries' names,
            identifiers and listing dates (``schema.LISTED``): what the rules report on.
        registry: the ownership table given to `vesselscreen.screen`, if any.
    """

    config: ScreeningConfig
    watchlist: Watchlist
    track: Track
    timeline: IdentityTimeline
    matches: pd.DataFrame
    listed: pd.DataFrame
    registry: pd.DataFrame | None = None

    @classmethod
    def build(
        cls,
        ais: pd.DataFrame | Track,
        watchlist: Watchlist,
        *,
        ports: pd.DataFrame | PortIndex | None = None,
        config: ScreeningConfig | None = None,
        registry: pd.DataFrame | None = None,
        threads: int = 1,
    ) -> ScreeningContext:
        """Sort, locate, build the identity timeline and match, once.

        With ``threads`` above 1 and a positions frame of at least `MIN_ROWS_FOR_THREADS`
        rows, the track and the identities are built side by side, then every detector is
        run at once on that many threads; otherwise (or given a `Track`) each detector runs
        on first use. The results are the same either way.

        Raises `ConfigError` for arguments of the wrong kind (or in the wrong order) and
        `SchemaError` for a positions frame without the canonical columns.
        """
        _check_inputs(ais, watchlist)
        config = config or ScreeningConfig()
        if not isinstance(config, ScreeningConfig):
            raise ConfigError(f"config must be a ScreeningConfig, got {type(config).__name__}")
        if registry is not None and not isinstance(registry, pd.DataFrame):
            raise ConfigError(f"registry must be a DataFrame, got {type(registry).__name__}")
        if isinstance(ais, pd.DataFrame):
            validate_positions(ais)
        if type(threads) is not int or threads < 1:  # an int of at least 1 (True is not a number here)
            raise ConfigError(f"threads must be a whole number of at least 1, got {threads!r}")
        if isinstance(ais, Track):
            if ports is not None:
                raise ConfigError("a Track carries its ports: give them to Track.build, not to screen")
            return cls._of_track(ais, ais.all_rows, watchlist, config, registry)
        given = SortedPositions.of(ais)

        def track_of() -> Track:
            return Track.build(
                given,
                ports,
                limits=config.limits,
                default_radius_m=config.port_calls.default_radius_m,
                cleaning=config.cleaning if config.clean else None,
            )

        if threads == 1 or len(ais) < MIN_ROWS_FOR_THREADS:
            return cls._of_track(track_of(), ais, watchlist, config, registry, given.identity_rows())
        with ThreadPoolExecutor(threads, thread_name_prefix="vesselscreen") as pool:
            known = pool.submit(lambda: _identities(given.identity_rows(), ais, watchlist, config))
            track = pool.submit(track_of).result()
            events = _detect_all(track, config, pool)
            context = cls(config, watchlist, track, *known.result(), registry)
        context.__dict__.update(events)  # the detectors' cached properties, filled in advance
        return context

    @classmethod
    def _of_track(
        cls,
        track: Track,
        rows: pd.DataFrame,
        watchlist: Watchlist,
        config: ScreeningConfig,
        registry: pd.DataFrame | None,
        identity_rows: pd.DataFrame | None = None,
    ) -> ScreeningContext:
        """The context of ``track`` (of the positions ``rows``), detectors run on first use."""
        rows_of_identities = track.identity_rows() if identity_rows is None else identity_rows
        known = _identities(rows_of_identities, rows, watchlist, config)
        return cls(config, watchlist, track, *known, registry)

    @classmethod
    def of_events(
        cls,
        events: EventFrames,
        watchlist: Watchlist,
        timeline: IdentityTimeline,
        track: Track,
        *,
        config: ScreeningConfig | None = None,
        registry: pd.DataFrame | None = None,
        positions: PositionSource | None = None,
        matches: pd.DataFrame | None = None,
        particulars: pd.DataFrame | None = None,
    ) -> ScreeningContext:
        """A context whose events were detected already (per partition of a Dask frame, or
        incrementally by `vesselscreen.Screener`): matching and the rules run as for `build`.

        ``track`` holds the positions the result shows (it may be only the vessels with
        findings); evidence is quoted from ``positions`` (default: ``track``). ``matches``:
        the timeline's identities matched already (as `match_identities` gives them);
        otherwise they are matched here, with ``particulars`` (see `particulars`) joined.
        """
        config = config or ScreeningConfig()
        if not isinstance(config, ScreeningConfig):
            raise ConfigError(f"config must be a ScreeningConfig, got {type(config).__name__}")
        if matches is None:
            identities = with_particulars(timeline.identities, particulars)
            matches, listed = _matched(identities, watchlist, config)
        else:
            listed = _listed(matches, watchlist, config)
        context = cls(config, watchlist, track, timeline, matches, listed, registry)
        computed = context.__dict__  # the detectors' cached properties, filled in advance
        for name in ("port_calls", "stops", "voyages", "gaps", "encounters", "loitering", "spoofing"):
            computed[name] = getattr(events, name)
        if positions is not None:
            computed["_lookup"] = positions
        return context

    @property
    def snapshot_id(self) -> str:
        """The id of the watchlist snapshot screened against (quoted in list-based evidence)."""
        return self.watchlist.snapshot.id

    @property
    def identities(self) -> pd.DataFrame:
        """The distinct AIS identities screened (``IdentityTimeline.identities``)."""
        return self.timeline.identities

    @cached_property
    def vessel_names(self) -> pd.Series:
        """The last name each MMSI broadcast (index: MMSI)."""
        named = self.identities.dropna(subset=[POSITION.NAME])
        last = named.sort_values(IDENTITY.LAST_SEEN, kind="stable")
        return last.groupby(POSITION.MMSI)[POSITION.NAME].last()

    @cached_property
    def port_calls(self) -> pd.DataFrame:
        """Every port call (``schema.PORT_CALL``)."""
        return self._detected("port_calls")

    @cached_property
    def stops(self) -> pd.DataFrame:
        """Every stop, in port or at sea (``schema.STOP``)."""
        return self._detected("stops")

    @cached_property
    def voyages(self) -> pd.DataFrame:
        """Every port-to-port leg (``schema.VOYAGE``), from the port calls and stops."""
        return self._detected("voyages")

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Every AIS gap (``schema.GAP``)."""
        return self._detected("gaps")

    @cached_property
    def encounters(self) -> pd.DataFrame:
        """Every encounter between two vessels (``schema.ENCOUNTER``)."""
        return self._detected("encounters")

    @cached_property
    def loitering(self) -> pd.DataFrame:
        """Every loitering spell (``schema.LOITERING``)."""
        return self._detected("loitering")

    @cached_property
    def spoofing(self) -> pd.DataFrame:
        """Every spoofing event (``schema.SPOOFING``), its draught check on `gaps`."""
        return self._detected("spoofing")

    def _detected(self, name: str) -> pd.DataFrame:
        needs, detect = _DETECTORS[name]
        return detect(self.track, self.config, *(getattr(self, need) for need in needs))

    @cached_property
    def owner_matches(self) -> pd.DataFrame:
        """Registry parties found on the watchlist (empty without a registry)."""
        if self.registry is None:
            return pd.DataFrame()
        return match_registry(self.registry, self.watchlist.entities)

    @cached_property
    def _listed_mmsis(self) -> frozenset[int]:
        return frozenset(int(m) for m in self.listed[LISTED.MMSI].dropna())

    @cached_property
    def _lookup(self) -> PositionSource:
        return PositionLookup(self.track)

    def quote(self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int) -> list[EvidencePosition]:
        """Up to ``limit`` positions of ``mmsi`` from ``start`` to ``end``: first, last, evenly between."""
        return self._lookup.between(mmsi, start, end, limit)

    def events_of_listed(
        self, events: pd.DataFrame, start: str, end: str, *, mmsi: str = MATCH.MMSI
    ) -> pd.DataFrame:
        """Events of matched vessels while they carried a matching identity.

        One row per event and entry (the surest match wins: tier, then score), with the
        `schema.LISTED` columns, ``status`` (the designation status during the event, judged
        by overlap: `status_during`) and ``status_changed``.
        """
        listed = self.listed
        if not all(isinstance(events[c].dtype, pd.DatetimeTZDtype) for c in (start, end)):
            raise SchemaError(f"events: {start!r} and {end!r} must be timezone-aware times (UTC)")
        # the rows are chosen on arrays of their keys; the wide frame (every event and entry
        # column) is taken once, for the chosen rows alone
        event_mmsi = events[mmsi].to_numpy(dtype=np.int64, na_value=0)
        named = np.flatnonzero(events[mmsi].notna().to_numpy(dtype=bool))  # a missing MMSI joins nothing
        listed_named = np.flatnonzero(listed[LISTED.MMSI].notna().to_numpy(dtype=bool))
        event, entry = _pairs(
            event_mmsi[named], listed[LISTED.MMSI].to_numpy(dtype=np.int64, na_value=0)[listed_named]
        )
        event, entry = named[event], listed_named[entry]
        event_start = _instants(events[start])
        first, last = _instants(listed[LISTED.MATCH_FIRST]), _instants(listed[LISTED.MATCH_LAST])
        during = (event_start[event] <= last[entry]) & (_instants(events[end])[event] >= first[entry])
        event, entry = event[during], entry[during]
        if not len(event):  # the usual case: the same columns as joining nothing, made once
            key = (tuple(events.dtypes.items()), tuple(listed.dtypes.items()), mmsi, start, end)
            known = _NO_EVENTS.get(key)  # read once: a screening on another thread may clear the cache
            if known is None:
                if len(_NO_EVENTS) >= _NO_EVENTS_KEPT:
                    _NO_EVENTS.clear()
                status = pd.Series(dtype="string")
                none = _side_by_side(events, listed, event, entry, mmsi)
                known = _NO_EVENTS[key] = none.assign(
                    **{LISTED.STATUS: status, LISTED.STATUS_CHANGED: status}
                )
            return known.copy()
        chosen = _surest_per_event(event_mmsi[event], event_start[event].view(np.int64), entry, listed)
        rows = _side_by_side(events, listed, event[chosen], entry[chosen], mmsi)
        rows[LISTED.STATUS], rows[LISTED.STATUS_CHANGED] = status_during(rows, start, end)
        return rows
