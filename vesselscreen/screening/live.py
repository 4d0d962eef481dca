"""``Screener``: screen a live feed incrementally; each finding is reported once.

Feed it position chunks as they arrive (from a websocket, a file tail, a queue), in time
order. It keeps, per vessel, only what a still-open event needs (the streaming detectors
of `vesselscreen.events.stream`: a port call in progress, the last position before a
silence, a meeting under way, the current identity), so a feed costs time in proportion
to its new rows, however long the feed has run.

* A finding about an **event** (port call, voyage, dark gap, meeting, loitering) is
  reported once the event is over: the vessel left, reappeared, or has been silent longer
  than the event's own limit; it is then exactly the finding `vesselscreen.screen` gives
  on the whole feed. `flush` ends the feed (the events still open end where they stand).
* A finding about a **state that lasts** (a vessel matching a listed entry, an identity
  conflict, a listed owner, a spoofing episode whose jumps are all in) is reported when
  it is first certain; its end and description keep growing in `findings`.

After `flush`, `findings` equals ``vs.screen(all the chunks fed).findings``.

>>> import vesselscreen as vs
>>> ais = vs.read_ais(vs.demo.ais_path())
>>> screener = vs.Screener(vs.load_watchlist(vs.demo.watchlist_path()))
>>> halves = [ais.iloc[: len(ais) // 2], ais.iloc[len(ais) // 2 :]]
>>> new = [len(screener.feed(chunk)) for chunk in halves] + [len(screener.flush())]
>>> sum(new) == len(screener.reported) > 0
True
>>> len(screener.findings) == len(vs.screen(ais, screener.watchlist).findings)
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from vesselscreen.ais.cleaning import CleaningReport
from vesselscreen.ais.identity import IdentityTimeline
from vesselscreen.errors import ConfigError
from vesselscreen.events._common import port_index
from vesselscreen.events.stream.feed import EVENT_KINDS, Feed, FeedConfig, FeedOutput
from vesselscreen.events.track import Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import EvidencePosition, Finding
from vesselscreen.schema import (
    CHANGE,
    ENCOUNTER,
    GAP,
    IDENTITY,
    INTERVAL_DTYPES,
    LOITERING,
    MATCH,
    PORT_CALL,
    POSITION,
    POSITION_DTYPES,
    SPOOFING,
    STOP,
    VOYAGE,
    conform,
    empty_frame,
)
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.context import EventFrames, ScreeningContext, with_particulars
from vesselscreen.screening.engine import run_rules, sort_findings
from vesselscreen.screening.evidence import opt_int, opt_str
from vesselscreen.screening.matching import match_identities
from vesselscreen.screening.result import findings_frame
from vesselscreen.screening.rules import DEFAULT_RULES, Rule

__all__ = ["ParticularsTally", "RecentPositions", "Screener", "finding_key"]

_START_COLUMN: Final = {
    "port_calls": PORT_CALL.ARRIVAL,
    "stops": STOP.START,
    "voyages": VOYAGE.DEPARTURE,
    "gaps": GAP.START,
    "loitering": LOITERING.START,
    "spoofing": SPOOFING.START,
    "encounters": ENCOUNTER.START,
}
"""The start of each kind of event (what a match span must reach for the event to count)."""
_UNSEEN: Final = object()
FindingKey = tuple[str, str, int | None, int | None, str | None, object, tuple[str, ...]]
_BLOCK_ROWS: Final = 1_000_000
"""Evidence rows merged into one block at most (see `RecentPositions`)."""
_PARTS: Final = 32
_NEVER: Final = np.iinfo(np.int64).min
"""Event frames kept per kind before they are joined into one."""


def finding_key(finding: Finding) -> FindingKey:
    """What a finding is about: kind, rule, vessel, counterpart, port, start, entries.

    Two versions of one finding (a listed vessel seen for longer) share the key.
    """
    return (
        str(finding.kind),
        finding.evidence.rule,
        finding.mmsi,
        finding.counterpart_mmsi,
        finding.port_id,
        finding.start,
        finding.entry_ids,
    )


class RecentPositions:
    """The settled positions of at least the last ``window``, to quote as evidence (a `PositionSource`).

    Kept in chunks sorted by vessel and time, small ones merged into blocks (so a lookup
    searches few); a chunk is dropped when all its rows are older than the window.
    """

    def __init__(self, window_ns: int) -> None:
        self.window_ns = window_ns
        # each chunk: its columns as arrays (mmsi, ns, lat, lon, sog, name, imo), sorted by vessel
        self._chunks: list[tuple[Any, ...]] = []

    def add(self, rows: pd.DataFrame, clock: int) -> None:
        """Rows sorted by vessel and time (later than every row added before, per vessel)."""
        if len(rows):
            self._chunks.append(self._columns(rows))
            # merge small chunks as a binary counter carries (the newest two while the newer is as
            # large), up to blocks of _BLOCK_ROWS: a row is copied a few times at most, a lookup
            # searches few chunks, and no feed pays for re-sorting a large block
            while (
                len(self._chunks) > 1
                and len(self._chunks[-1][0]) >= len(self._chunks[-2][0])
                and len(self._chunks[-1][0]) + len(self._chunks[-2][0]) <= _BLOCK_ROWS
            ):
                newer, older = self._chunks.pop(), self._chunks.pop()
                order = np.argsort(np.concatenate((older[0], newer[0])), kind="stable")
                self._chunks.append(
                    tuple(_joined(old, new).take(order) for old, new in zip(older, newer, strict=True))
                )
        # a chunk goes when its newest row is older than the window
        self._chunks = [c for c in self._chunks if len(c[1]) and int(c[1].max()) >= clock - self.window_ns]

    @staticmethod
    def _columns(frame: pd.DataFrame) -> tuple[Any, ...]:
        # name and IMO stay pandas arrays (compact, missing values as NA)
        return (
            frame[POSITION.MMSI].to_numpy(dtype=np.int64),
            frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view(np.int64),
            frame[POSITION.LAT].to_numpy(dtype=np.float64),
            frame[POSITION.LON].to_numpy(dtype=np.float64),
            frame[POSITION.SOG].to_numpy(dtype=np.float64, na_value=np.nan),
            frame[POSITION.NAME].array,
            frame[POSITION.IMO].array,
        )

    def __len__(self) -> int:
        return sum(len(c[0]) for c in self._chunks)

    def between(
        self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int
    ) -> list[EvidencePosition]:
        """Up to ``limit`` positions of ``mmsi`` in [start, end]: first, last, evenly spaced between."""
        if limit <= 0:
            return []
        t0, t1 = int(start.as_unit("ns").value), int(end.as_unit("ns").value)
        parts = []
        for chunk in self._chunks:
            vessel, ts = chunk[0], chunk[1]
            lo, hi = np.searchsorted(vessel, mmsi, "left"), np.searchsorted(vessel, mmsi, "right")
            a = int(lo + np.searchsorted(ts[lo:hi], t0, "left"))
            b = int(lo + np.searchsorted(ts[lo:hi], t1, "right"))
            if b > a:
                parts.append((chunk, a, b))
        if not parts:
            return []
        sizes = np.array([b - a for _, a, b in parts])
        n = int(sizes.sum())
        picks = np.unique(np.linspace(0, n - 1, num=min(limit, n)).round().astype(int))
        ends = np.cumsum(sizes)
        found = []
        for pick in picks.tolist():
            k = int(np.searchsorted(ends, pick, "right"))  # the part holding the pick
            chunk, a, _ = parts[k]
            row = a + pick - int(ends[k] - sizes[k])
            sog = float(chunk[4][row])
            found.append(
                EvidencePosition(
                    mmsi=int(mmsi),
                    timestamp=pd.Timestamp(int(chunk[1][row]), tz="UTC").to_pydatetime(),
                    lat=float(chunk[2][row]),
                    lon=float(chunk[3][row]),
                    sog=None if np.isnan(sog) else sog,
                    name=opt_str(chunk[5][row]),
                    imo=opt_int(chunk[6][row]),
                )
            )
        return found


def _joined(older: Any, newer: Any) -> Any:
    """Two columns of evidence, one after the other (NumPy or pandas arrays)."""
    if isinstance(older, np.ndarray):
        return np.concatenate((older, newer))
    return pd.concat([pd.Series(older), pd.Series(newer)], ignore_index=True).array


class ParticularsTally:
    """Per MMSI, counts of the transceiver classes and lengths fed so far: the running form of
    `vesselscreen.screening.context.particulars` (the same most frequent class and median length).

    >>> tally = ParticularsTally()
    >>> sorted(tally.add(pd.DataFrame({"mmsi": [1, 1, 2], "transceiver": ["B", "A", "A"]})).tolist())
    [1, 2]
    >>> tally.frame(np.array([1, 2]))["transceiver"].tolist()
    ['A', 'A']
    """

    def __init__(self) -> None:
        self._classes: dict[int, Counter[str]] = {}
        self._lengths: dict[int, Counter[float]] = {}
        # most vessels give one value all along: those are kept as (value, count) Series, so a
        # feed updates them in bulk; a vessel's Counter is made when a second value appears
        self._same: dict[str, pd.Series] = {}
        self._same_n: dict[str, pd.Series] = {}
        self._now: dict[int, tuple[str | None, float | None]] = {}

    def add(self, chunk: pd.DataFrame) -> npt.NDArray[np.int64]:
        """Count ``chunk``'s rows; the MMSIs whose class or median length changed."""
        touched: set[int] = set()
        for column, store in ((POSITION.TRANSCEIVER, self._classes), (POSITION.LENGTH, self._lengths)):
            if column not in chunk.columns:
                continue
            said = pd.DataFrame(
                {
                    POSITION.MMSI: pd.to_numeric(chunk[POSITION.MMSI], errors="coerce"),
                    column: chunk[column]
                    if column == POSITION.TRANSCEIVER
                    else pd.to_numeric(chunk[column], errors="coerce"),
                }
            ).dropna()
            if said.empty:
                continue
            values = said[column].astype(str if column == POSITION.TRANSCEIVER else float)
            mmsi = said[POSITION.MMSI].astype(np.int64).to_numpy()
            by = values.groupby(mmsi)
            first, size = by.first(), by.size()
            one = (by.nunique() == 1).to_numpy()
            same = self._same.get(column, pd.Series(dtype=first.dtype))
            same_n = self._same_n.get(column, pd.Series(dtype=np.int64))
            known = same.reindex(first.index)
            again = one & (known == first).fillna(False).to_numpy(dtype=bool)  # nothing changes
            new = one & known.isna().to_numpy() & ~first.index.isin(list(store))
            same_n = same_n.add(size[again | new], fill_value=0).astype(np.int64)
            same = pd.concat([same, first[new]]) if new.any() else same
            touched.update(first.index[new].tolist())
            rest = first.index[~(again | new)]
            if len(rest):
                for vessel in rest[rest.isin(same.index)].tolist():  # a second value: count each
                    store[int(vessel)] = Counter({same[vessel]: int(same_n[vessel])})
                gone = same.index.isin(rest)
                same, same_n = same[~gone], same_n[~same_n.index.isin(rest)]
                mine = np.isin(mmsi, rest.to_numpy())
                counts = values[mine].groupby(mmsi[mine]).value_counts()
                levels = counts.index
                for vessel, value, n in zip(
                    levels.get_level_values(0).tolist(),
                    levels.get_level_values(1).tolist(),
                    counts.tolist(),
                    strict=True,
                ):
                    store.setdefault(int(vessel), Counter())[value] += int(n)
                touched.update(int(v) for v in rest)
            self._same[column], self._same_n[column] = same, same_n
        changed = []
        for vessel in touched:
            now = (self._class(vessel), self._median(vessel))
            if self._now.get(vessel) != now:
                self._now[vessel] = now
                changed.append(vessel)
        return np.array(sorted(changed), dtype=np.int64)

    def _class(self, mmsi: int) -> str | None:
        counts = self._classes.get(mmsi)
        if not counts:
            same = self._same.get(POSITION.TRANSCEIVER)
            return str(same[mmsi]) if same is not None and mmsi in same.index else None
        return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]

    def _median(self, mmsi: int) -> float | None:
        counts = self._lengths.get(mmsi)
        if not counts:
            same = self._same.get(POSITION.LENGTH)
            return float(same[mmsi]) if same is not None and mmsi in same.index else None
        values = sorted(counts.items())
        total = sum(n for _, n in values)
        middle = [(total - 1) // 2, total // 2]
        found: list[float] = []
        seen = 0
        for value, n in values:
            while len(found) < 2 and middle[len(found)] < seen + n:
                found.append(value)
            seen += n
        return (found[0] + found[1]) / 2

    def frame(self, mmsi: npt.NDArray[np.int64]) -> pd.DataFrame:
        """`particulars` of these MMSIs (NA where none was fed)."""
        now = [self._now.get(int(m), (None, None)) for m in mmsi]
        return pd.DataFrame(
            {
                POSITION.MMSI: pd.array(mmsi, dtype="Int64"),
                IDENTITY.TRANSCEIVER: pd.array([c for c, _ in now], dtype="string"),
                IDENTITY.LENGTH: np.array([np.nan if n is None else n for _, n in now], dtype="float64"),
            }
        )


class Screener:
    """Incremental screening over a stream of position chunks (see the module).

    ``reported`` lists every finding reported so far, in order; ``findings`` is the current
    version of each (a listed vessel's ``end`` is its latest sighting).

    Args:
        watchlist: the lists to screen against.
        window: how far back evidence positions are quoted from (default 3 days): a
            finding about an event longer than this quotes its latest positions.
        max_delay: how late a report may arrive after its time (default 1 hour): an event
            that only a later report could extend is closed once the feed's clock is this
            much past the event's own limit. Reports older than one already fed for their
            vessel are left out and counted in ``late``.
        ports, config, registry, rules: as for :func:`vesselscreen.screen`.
    """

    def __init__(
        self,
        watchlist: Watchlist,
        *,
        window: timedelta = timedelta(days=3),
        max_delay: timedelta = timedelta(hours=1),
        ports: pd.DataFrame | PortIndex | None = None,
        config: ScreeningConfig | None = None,
        registry: pd.DataFrame | None = None,
        rules: Sequence[Rule] = DEFAULT_RULES,
    ) -> None:
        if not isinstance(watchlist, Watchlist):
            raise ConfigError(f"Screener(watchlist): expected a Watchlist, got {type(watchlist).__name__}")
        config = config or ScreeningConfig()
        if not isinstance(config, ScreeningConfig):
            raise ConfigError(f"config must be a ScreeningConfig, got {type(config).__name__}")
        if registry is not None and not isinstance(registry, pd.DataFrame):
            raise ConfigError(f"registry must be a DataFrame, got {type(registry).__name__}")
        if window <= timedelta(0) or max_delay < timedelta(0):
            raise ConfigError("window must be positive and max_delay not negative")
        self.watchlist = watchlist
        self.window = window
        self.config = config
        self.registry = registry
        self.rules = tuple(rules)
        self.ports = port_index(ports, config.port_calls.default_radius_m)
        self._feed = Feed(
            self.ports,
            FeedConfig(
                limits=config.limits,
                cleaning=config.cleaning if config.clean else None,
                port_calls=config.port_calls,
                stops=config.stops,
                gaps=config.gaps,
                loitering=config.loitering,
                spoofing=config.spoofing,
                encounters=config.encounters,
                max_delay_ns=int(max_delay.total_seconds() * 1e9),
            ),
        )
        self.reported: list[Finding] = []
        self._view: dict[FindingKey, Finding] = {}
        self._events: dict[str, list[pd.DataFrame]] = {kind: [] for kind in EVENT_KINDS}
        self._event_vessels: dict[str, list[npt.NDArray[np.int64]]] = {kind: [] for kind in EVENT_KINDS}
        """Per kind and part, the vessels of each event (both of a meeting: two columns)."""
        self._matches = match_identities(self._feed.identity.identities, watchlist.vessels, config.matching)
        self._listed, self._match_keys = self._keys_of_matches()
        self._spans: dict[int, int] = {}
        """Per listed MMSI, the latest time its match span reached when last looked at (ns)."""
        self._start_mmsi = np.empty(0, dtype=np.int64)
        self._start_ns = np.empty(0, dtype=np.int64)
        """(mmsi, start) of every final event, both vessels of a meeting: what a growing match
        span may reach."""
        self._names: dict[int, str] = {}
        self._matched: dict[tuple[object, ...], object] = {}
        """Each identity matched so far, with the ship type, class and length it had (the tier
        depends on them)."""
        self._particulars = ParticularsTally()
        self._provisional_seen: set[tuple[int, str, int]] = set()
        self._stale = False
        self._evidence = RecentPositions(int(window.total_seconds() * 1e9))
        self._no_intervals = empty_frame(INTERVAL_DTYPES)
        self._empty_track = Track.build(
            conform(pd.DataFrame(), POSITION_DTYPES), self.ports, limits=config.limits
        )
        self._closed = False

    # -- what it knows -------------------------------------------------------------------------

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far, each in its latest version, in the order `vesselscreen.screen` uses."""
        self._refresh()
        return sort_findings(list(self._view.values()))

    def to_frame(self) -> pd.DataFrame:
        """`findings` as a DataFrame (as ``ScreeningResult.to_frame``)."""
        return findings_frame(self.findings)

    @property
    def late(self) -> int:
        """Reports left out: older than a report already fed for their vessel."""
        return self._feed.late

    @property
    def cleaning_report(self) -> CleaningReport | None:
        """The artefacts left out so far (rows still waiting to be settled count as kept)."""
        cleaning = self._feed.config.cleaning
        if cleaning is None:
            return None
        rejected = dict(self._feed.cleaning.rejected)
        for reason, count in self._feed.unplaced.items():
            rejected[reason] = rejected.get(reason, 0) + count
        return CleaningReport(
            rows=self._feed.rows - self._feed.late,
            kept=self._feed.rows - self._feed.late - sum(rejected.values()),
            rejected=dict(sorted(rejected.items())),
            config=cleaning,
            limits=self.config.limits,
        )

    # -- feeding -----------------------------------------------------------------------------

    def feed(self, chunk: pd.DataFrame) -> list[Finding]:
        """Screen a chunk of positions; return the findings it made certain, not reported before."""
        if self._closed:
            raise ConfigError("this Screener was flushed: its feed is over")
        if not isinstance(chunk, pd.DataFrame):
            raise ConfigError(f"feed() takes a positions DataFrame, got {type(chunk).__name__}")
        if chunk.empty:
            return []
        out = self._feed.push(chunk)  # checks the chunk first
        return self._take(out, particulars_changed=self._particulars.add(chunk))

    def flush(self) -> list[Finding]:
        """End the feed: every open event ends where it stands; return the findings that makes."""
        if self._closed:
            return []
        self._closed = True
        return self._take(self._feed.flush(), final=True)

    def _take(
        self,
        out: FeedOutput,
        *,
        final: bool = False,
        particulars_changed: npt.NDArray[np.int64] | None = None,
    ) -> list[Finding]:
        """Store what the feed made final; run the rules for the vessels it concerns."""
        feed = self._feed
        self._stale = True
        self._evidence.add(out.settled if out.settled is not None else pd.DataFrame(), feed.clock)
        new_events = {kind: frame for kind, frame in out.events.items() if len(frame)}
        for kind, frame in new_events.items():
            parts, vessels = self._events[kind], self._event_vessels[kind]
            parts.append(frame)
            columns = [ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2] if kind == "encounters" else [POSITION.MMSI]
            vessels.append(np.column_stack([frame[c].to_numpy(dtype=np.int64) for c in columns]))
            if len(parts) > _PARTS:  # keep few parts: each evaluation filters every one
                self._events[kind] = [pd.concat(parts, ignore_index=True)]
                self._event_vessels[kind] = [np.concatenate(vessels)]
        dirty = set(self._mmsi_of(new_events))
        if out.changes is not None and len(out.changes):
            dirty |= {int(m) for m in out.changes[CHANGE.MMSI]}
        changed = out.identity_recomputed
        if particulars_changed is not None:  # a class or median length changed: match again
            changed = np.union1d(changed, particulars_changed)
        dirty |= self._match(changed)
        dirty |= self._overlapping_now(out.identity_touched)
        if new_events:
            mmsi, start = self._starts_of(new_events)
            self._start_mmsi = np.concatenate((self._start_mmsi, mmsi))
            self._start_ns = np.concatenate((self._start_ns, start))
        horizon = None if final else feed.horizon(np.arange(len(feed.slots), dtype=np.int64))
        provisional = feed.spoofing.provisional(horizon)
        fresh = {
            (int(m), str(k), int(pd.Timestamp(t).value))
            for m, k, t in zip(
                provisional[POSITION.MMSI], provisional["kind"], provisional["start"], strict=True
            )
        }
        dirty |= {m for m, _, _ in fresh - self._provisional_seen}
        self._provisional_seen |= fresh
        if not dirty and not final:
            return []
        return self._evaluate(dirty, provisional, full=final)

    def _evaluate(self, dirty: set[int], provisional: pd.DataFrame, *, full: bool = False) -> list[Finding]:
        """Run the rules over the events of ``dirty`` vessels; update the view, return what is new."""
        context = self._context(dirty, self._current_matches(), provisional, full=full)
        findings, _ = run_rules(context, self.rules)
        new = []
        for finding in findings:
            key = finding_key(finding)
            if key not in self._view:
                new.append(finding)
            self._view[key] = finding
        self.reported.extend(new)
        return new

    def _refresh(self) -> None:
        """Bring the findings that grow (listed vessels seen for longer, open spoofing) up to date."""
        if not self._stale:
            return
        horizon = (
            None if self._closed else self._feed.horizon(np.arange(len(self._feed.slots), dtype=np.int64))
        )
        provisional = self._feed.spoofing.provisional(horizon)
        self._evaluate({int(m) for m in provisional[POSITION.MMSI]}, provisional, full=True)
        self._stale = False

    @staticmethod
    def _starts_of(events: dict[str, pd.DataFrame]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(mmsi, start) of events, both vessels of a meeting: what a growing match span may reach."""
        mmsi, start = [], []
        for kind, frame in events.items():
            at = frame[_START_COLUMN[kind]].to_numpy(dtype="datetime64[ns]").view(np.int64)
            vessels = (ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2) if kind == "encounters" else (POSITION.MMSI,)
            for vessel in vessels:
                mmsi.append(frame[vessel].to_numpy(dtype=np.int64))
                start.append(at)
        return np.concatenate(mmsi), np.concatenate(start)

    def _overlapping_now(self, touched: np.ndarray) -> set[int]:
        """Listed vessels seen again whose match now reaches an event it did not reach before."""
        if not len(self._listed) or not np.isin(touched, self._listed).any():  # no span grew
            return set()
        spans = self._spans
        current = self._span_ends()
        self._spans = current
        seen = np.array(sorted(int(m) for m in np.unique(touched) if int(m) in current), dtype=np.int64)
        if not len(seen) or not len(self._start_mmsi):
            return set()
        mine = np.isin(self._start_mmsi, seen)
        mmsi, start = self._start_mmsi[mine], self._start_ns[mine]
        at = np.searchsorted(seen, mmsi)
        low = np.array([spans.get(int(m), _NEVER) for m in seen], dtype=np.int64)[at]
        high = np.array([current[int(m)] for m in seen], dtype=np.int64)[at]
        reached = (start > low) & (start <= high)
        return {int(m) for m in mmsi[reached]}

    def _keys_of_matches(self) -> tuple[npt.NDArray[np.int64], list[tuple[int, tuple[object, ...]]]]:
        """The listed MMSIs, and each match row's (MMSI, identity key)."""
        keys = _identity_keys(self._matches)
        mmsi = self._matches[MATCH.MMSI].to_numpy(dtype=np.int64)
        return np.unique(mmsi), [(int(m), key) for m, key in zip(mmsi, keys, strict=True)]

    def _last_seen_of(self, identities: pd.DataFrame) -> dict[tuple[object, ...], int]:
        """The latest sighting (ns) of each identity of a listed MMSI, by identity key."""
        mine = identities.iloc[
            np.flatnonzero(np.isin(identities[POSITION.MMSI].to_numpy(dtype=np.int64), self._listed))
        ]
        last = mine[IDENTITY.LAST_SEEN].to_numpy(dtype="datetime64[ns]").view(np.int64)
        seen: dict[tuple[object, ...], int] = {}
        for key, at in zip(_identity_keys(mine), last.tolist(), strict=True):
            seen.setdefault(key, at)  # as a merge with the first of duplicate identities
        return seen

    def _span_ends(self) -> dict[int, int]:
        """Per listed MMSI, the latest time any of its matching identities was seen (ns; `_NEVER`
        when none was)."""
        seen = self._last_seen_of(self._feed.identity.identities)
        ends: dict[int, int] = {}
        for mmsi, key in self._match_keys:
            ends[mmsi] = max(ends.get(mmsi, _NEVER), seen.get(key, _NEVER))
        return ends

    def _current_matches(self) -> pd.DataFrame:
        """The matches with each identity's latest sighting (identities seen again are not re-matched)."""
        if self._matches.empty:
            return self._matches
        identities = self._feed.identity.identities
        seen = self._last_seen_of(identities)
        last = np.array([seen.get(key, _NEVER) for _, key in self._match_keys], dtype=np.int64)
        out = self._matches.copy()
        out[MATCH.LAST_SEEN] = pd.Series(pd.to_datetime(last, unit="ns", utc=True), index=out.index).astype(
            identities[IDENTITY.LAST_SEEN].dtype
        )
        return out

    @staticmethod
    def _mmsi_of(events: dict[str, pd.DataFrame]) -> list[int]:
        found: list[int] = []
        for kind, frame in events.items():
            if kind == "encounters":
                found += (
                    frame[ENCOUNTER.MMSI_1].astype(int).tolist()
                    + frame[ENCOUNTER.MMSI_2].astype(int).tolist()
                )
            else:
                found += frame[POSITION.MMSI].astype(int).tolist()
        return found

    def _match(self, recomputed: np.ndarray) -> set[int]:
        """Match the identities that are new or changed (a new ship type) among the vessels whose
        identities changed; the vessels whose matches (or last broadcast name, which meetings
        quote) changed."""
        if len(recomputed) == 0:
            return set()
        identities = self._feed.identity.identities
        mine = identities[identities[POSITION.MMSI].isin(recomputed)]
        mine = with_particulars(mine, self._particulars.frame(np.unique(recomputed).astype(np.int64)))
        keys = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN]
        said = [IDENTITY.SHIP_TYPE, IDENTITY.TRANSCEIVER, IDENTITY.LENGTH]
        stamped = mine[[*keys, *said]].astype(object)
        # None for every missing value: NaN != NaN would make a known identity look new
        stamp = list(stamped.where(stamped.notna(), None).itertuples(index=False, name=None))
        fresh_rows = np.array([self._matched.get(key[:4], _UNSEEN) != key[4:] for key in stamp], dtype=bool)
        todo = mine[fresh_rows]
        changed: set[int] = set()
        if len(todo):
            for key, fresh_row in zip(stamp, fresh_rows, strict=True):
                if fresh_row:
                    self._matched[key[:4]] = key[4:]
            fresh = match_identities(todo, self.watchlist.vessels, self.config.matching)
            old = self._matches
            # an identity's match rows are known by its MMSI, IMO, name and first sighting
            ident = [MATCH.MMSI, MATCH.IMO, MATCH.NAME, MATCH.FIRST_SEEN]
            redone = pd.MultiIndex.from_frame(
                todo[[POSITION.MMSI, POSITION.IMO, POSITION.NAME, IDENTITY.FIRST_SEEN]]
            )
            replaced = pd.MultiIndex.from_frame(old[ident]).isin(redone)
            before = old[replaced]
            kept = old[~replaced]
            matches = pd.concat([kept, fresh], ignore_index=True) if len(fresh) else kept
            order = [MATCH.ENTRY_ID, MATCH.MMSI, MATCH.IMO, MATCH.NAME]
            self._matches = matches.sort_values(order, kind="stable", na_position="last").reset_index(
                drop=True
            )
            self._listed, self._match_keys = self._keys_of_matches()
            compare = [c for c in fresh.columns if c != MATCH.LAST_SEEN]
            signature: dict[str, dict[int, list[str]]] = {"before": {}, "after": {}}
            for which, frame in (("before", before), ("after", fresh)):  # match rows: few
                for mmsi, row in zip(
                    frame[MATCH.MMSI].astype(int), frame[compare].itertuples(index=False), strict=True
                ):
                    signature[which].setdefault(int(mmsi), []).append(repr(tuple(row)))
            for mmsi in set(signature["before"]) | set(signature["after"]):
                if sorted(signature["before"].get(mmsi, [])) != sorted(signature["after"].get(mmsi, [])):
                    changed.add(int(mmsi))
        names = mine.dropna(subset=[POSITION.NAME]).sort_values(IDENTITY.LAST_SEEN, kind="stable")
        latest = names.groupby(POSITION.MMSI)[POSITION.NAME].last()
        for vessel, name in zip(latest.index.astype(int), latest.astype(str), strict=True):
            if self._names.get(vessel) != name:
                self._names[vessel] = name
                changed.add(vessel)
        return changed

    def _context(
        self, dirty: set[int], matches: pd.DataFrame, provisional: pd.DataFrame, *, full: bool
    ) -> ScreeningContext:
        """A context of the final events of ``dirty`` vessels (and open spoofing episodes whose
        events are certain). Unless ``full``, only the matches of vessels those events concern:
        the findings of other listed vessels are brought up to date by `_refresh`."""
        wanted = np.array(sorted(dirty), dtype=np.int64)
        frames: dict[str, pd.DataFrame] = {}
        for kind, parts in self._events.items():
            dtypes = EVENT_KINDS[kind][0]
            mine = []
            for frame, vessels in zip(parts, self._event_vessels[kind], strict=True):
                keep = np.isin(vessels, wanted).any(axis=1)
                if keep.any():
                    mine.append(frame.iloc[np.flatnonzero(keep)])
            frames[kind] = pd.concat(mine, ignore_index=True) if mine else empty_frame(dtypes)
        if len(provisional):
            frames["spoofing"] = pd.concat([frames["spoofing"], provisional], ignore_index=True)
        if not full:
            # the listed vessels these events can concern: the dirty ones and whom they met
            met = frames["encounters"]
            concerned = np.union1d(
                wanted, met[[ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2]].to_numpy(dtype=np.int64).ravel()
            )
            matches = matches[matches[MATCH.MMSI].isin(concerned).to_numpy(dtype=bool)]
        identity = self._feed.identity
        # the rules read the timeline's changes and identities, not its intervals
        timeline = IdentityTimeline(
            self._no_intervals,
            identity.changes[identity.changes[CHANGE.MMSI].isin(wanted)].reset_index(drop=True),
        )
        timeline.__dict__["identities"] = identity.identities  # kept up to date by the stream
        return ScreeningContext.of_events(
            EventFrames(**frames),
            self.watchlist,
            timeline,
            self._empty_track,
            config=self.config,
            registry=self.registry,
            positions=self._evidence,
            matches=matches,
        )


def _identity_keys(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Each row's identity key (MMSI, IMO, name, first sighting in ns), missing values as ``None``:
    how a match row knows its identity."""
    return list(
        zip(
            frame[MATCH.MMSI].to_numpy(dtype=np.int64).tolist(),
            frame[MATCH.IMO].array.to_numpy(dtype=object, na_value=None).tolist(),
            frame[MATCH.NAME].array.to_numpy(dtype=object, na_value=None).tolist(),
            frame[MATCH.FIRST_SEEN].to_numpy(dtype="datetime64[ns]").view(np.int64).tolist(),
            strict=True,
        )
    )
