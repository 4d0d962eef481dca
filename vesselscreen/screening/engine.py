"""``vs.screen``: positions + watchlist (+ ports, + ownership registry) -> :class:`ScreeningResult`.

The engine builds one `ScreeningContext` (sort, locate ports, identity timeline and
matches, once), runs every rule over it, and gathers their findings, a risk score per
vessel and the audit trail.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from vesselscreen._version import __version__
from vesselscreen.ais.cleaning import CleaningReport, cleaning_report
from vesselscreen.errors import ConfigError
from vesselscreen.events.track import Track
from vesselscreen.geo.ports import PortIndex
from vesselscreen.ingest import IngestReport, ingest_report
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Finding, FindingKind, RuleRecord
from vesselscreen.schema import POSITION
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.context import ScreeningContext
from vesselscreen.screening.result import ScreeningMetadata, ScreeningResult
from vesselscreen.screening.risk import risk_scores
from vesselscreen.screening.rules import DEFAULT_RULES, DEFAULT_USER_RULE_WEIGHT, Rule

__all__ = ["result_of", "run_rules", "screen", "sort_findings"]

MAX_DEFAULT_THREADS = 4
"""Threads `screen` uses by default, at most: seven detectors, two of them long (port calls,
encounters), gain little from more."""
_KIND_ORDER = {str(kind): i for i, kind in enumerate(FindingKind)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system says; a container's
    CPU set, not the host's cores)."""
    if hasattr(os, "sched_getaffinity"):
        return max(len(os.sched_getaffinity(0)), 1)
    return os.cpu_count() or 1


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Built-in kinds in `FindingKind` order, then users' kinds by name; then by vessel and time."""
    return sorted(
        findings,
        key=lambda f: (
            _KIND_ORDER.get(str(f.kind), len(_KIND_ORDER)),
            str(f.kind),
            f.mmsi or 0,
            f.start or _EPOCH,
            f.port_id or "",
        ),
    )


def _record(rule: Rule) -> RuleRecord:
    dump = getattr(rule, "model_dump", None)
    settings = dump(mode="json") if callable(dump) else {}
    weight = getattr(rule, "weight", None)
    return RuleRecord(
        name=rule.name,
        kind=str(getattr(rule, "kind", "")) or None,
        weight=float(weight) if isinstance(weight, int | float) else None,
        settings=settings,
    )


Progress = Callable[[str], None]
"""Told what the screening is doing, a line per stage (``progress=`` of `screen`)."""


def stderr_progress() -> Progress:
    """A `Progress` that prints each message on stderr after the seconds elapsed since it was made."""
    start = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - start:6.1f} s] {message}", file=sys.stderr, flush=True)

    return say


def run_rules(
    context: ScreeningContext, rules: Sequence[Rule], progress: Progress | None = None
) -> tuple[list[Finding], dict[str, float]]:
    """Every rule's findings (sorted) and the risk weight of each finding kind they produced."""
    findings: list[Finding] = []
    weights: dict[str, float] = {}
    names: set[str] = set()
    for rule in rules:
        if progress is not None:
            progress(f"rule {getattr(rule, 'name', type(rule).__name__)}")
        if not isinstance(rule, Rule):
            raise ConfigError(f"a rule needs a name and apply(context), got {type(rule).__name__}")
        if rule.name in names:
            raise ConfigError(f"two rules are named {rule.name!r}: rule names identify findings' rules")
        names.add(rule.name)
        produced: Iterable[Finding] = rule.apply(context)
        weight = getattr(rule, "weight", DEFAULT_USER_RULE_WEIGHT)
        for finding in produced:
            if not isinstance(finding, Finding):
                raise ConfigError(f"rule {rule.name!r} produced a {type(finding).__name__}, not a Finding")
            findings.append(finding)
            weights.setdefault(str(finding.kind), float(weight))
    return sort_findings(findings), weights


def screen(
    ais: pd.DataFrame | Track,
    watchlist: Watchlist,
    *,
    ports: pd.DataFrame | PortIndex | None = None,
    config: ScreeningConfig | None = None,
    registry: pd.DataFrame | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
    progress: bool | Progress = False,
    threads: int | None = None,
) -> ScreeningResult:
    """Screen AIS positions against a watchlist.

    Args:
        ais: positions in the canonical POSITION schema (as :func:`vesselscreen.read_ais`
            returns; timestamps timezone-aware UTC), or a `vesselscreen.events.Track` of them.
        watchlist: the lists to screen against (:func:`vesselscreen.load_watchlist`).
        ports: a port gazetteer (``schema.PORT`` columns) or a `vesselscreen.geo.PortIndex`
            (with its port polygons); the bundled gazetteer by default.
        config: thresholds and policy; :class:`ScreeningConfig` defaults otherwise.
        registry: an ownership table (ship IMO -> owner, operator, manager, with IMO
            company numbers), screened against the watchlist's parties; see
            :mod:`vesselscreen.screening.ownership`.
        rules: the finding rules to run (`vesselscreen.DEFAULT_RULES`); add your own with
            ``rules=(*vs.DEFAULT_RULES, MyRule())``.
        progress: ``True`` to print each stage on stderr with the elapsed time (a real day
            takes minutes), or a callable given each stage's message.
        threads: how many threads the detectors may run on side by side (``None``: one per
            CPU core, at most four; ``1``: one after the other). Inputs of fewer than
            ``MIN_ROWS_FOR_THREADS`` (50,000) positions always run on one. The result does not
            depend on it.

    Returns:
        A :class:`ScreeningResult`: findings with evidence, the frames behind them, a
        per-vessel risk score, and the audit metadata.

    Raises:
        ConfigError: an argument of the wrong kind (or ``watchlist`` and ``ais`` swapped),
            two rules with one name, or a rule that returns something other than findings.
        SchemaError: positions without the canonical columns, or with naive timestamps.

    Example:
        >>> import vesselscreen as vs
        >>> result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
        >>> sorted({f.vessel_name for f in result.findings if f.kind == "designated_vessel"})
        ['MUSA JALIL', 'PORT OLYA 3', 'PORT OLYA-4']
    """
    say = stderr_progress() if progress is True else (progress or None)
    if say is not None:
        say(f"sorting, cleaning and locating {len(ais):,} positions; identities and matches")
    if threads is None:
        threads = min(_usable_cores(), MAX_DEFAULT_THREADS)
    context = ScreeningContext.build(
        ais, watchlist, ports=ports, config=config, registry=registry, threads=threads
    )
    frame = ais.all_rows if isinstance(ais, Track) else ais
    report = ingest_report(frame)
    return result_of(
        context,
        rules,
        ingest_reports=(report,) if report is not None else (),
        cleaning=context.track.cleaning or cleaning_report(frame),
        positions=len(frame),
        vessels=_vessel_count(context, frame),
        progress=say,
    )


def _vessel_count(context: ScreeningContext, frame: pd.DataFrame) -> int:
    """The input's distinct MMSIs: the identity timeline's when every row with an MMSI has a time
    as well (it holds them all), instead of a count over every row."""
    if int(frame[POSITION.MMSI].notna().sum()) == context.track.timed_rows:
        return int(context.identities[POSITION.MMSI].nunique())
    return int(frame[POSITION.MMSI].nunique())


def result_of(
    context: ScreeningContext,
    rules: Sequence[Rule],
    *,
    ingest_reports: tuple[IngestReport, ...],
    cleaning: CleaningReport | None,
    positions: int,
    vessels: int,
    progress: Progress | None = None,
) -> ScreeningResult:
    """Run ``rules`` over ``context`` and gather the result (findings, risk, frames, audit trail).

    ``positions`` and ``vessels`` count the screened input; the result's ``positions``
    frame is the context's track. ``progress`` is given each stage's message.
    """
    findings, weights = run_rules(context, rules, progress)
    if progress is not None:
        progress(f"{len(findings)} findings")
    risk, breakdown = risk_scores(findings, weights)
    metadata = ScreeningMetadata(
        library_version=__version__,
        screened_at=datetime.now(UTC),
        config=context.config,
        rules=tuple(_record(rule) for rule in rules),
        watchlist=context.watchlist.snapshot,
        ingest_reports=ingest_reports,
        cleaning_report=cleaning,
        positions=positions,
        vessels=vessels,
        list_vessels=len(context.watchlist.vessels),
    )
    return ScreeningResult(
        findings=findings,
        matches=context.matches,
        port_calls=context.port_calls,
        voyages=context.voyages,
        gaps=context.gaps,
        encounters=context.encounters,
        loitering=context.loitering,
        spoofing=context.spoofing,
        identity_changes=context.timeline.changes,
        identities=context.identities,
        metadata=metadata,
        owner_matches=context.owner_matches,
        risk=risk,
        risk_breakdown=breakdown,
        positions_of=context.track.frame_later(),
        watchlist=context.watchlist,
    )
