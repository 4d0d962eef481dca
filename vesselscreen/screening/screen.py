"""``vs.screen``: positions + watchlist (+ ports, + ownership registry) -> :class:`ScreeningResult`."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from vesselscreen import events
from vesselscreen._version import __version__
from vesselscreen.ais.cleaning import cleaning_report
from vesselscreen.ais.identity import identity_timeline
from vesselscreen.ais.read import validate_positions
from vesselscreen.events.config import VoyageConfig
from vesselscreen.geo.ports import PortIndex
from vesselscreen.ingest import ingest_report
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Finding, FindingKind
from vesselscreen.schema import POSITION
from vesselscreen.screening.behaviour import (
    dark_gap_findings,
    encounter_findings,
    identity_change_findings,
    spoofing_findings,
    voyage_findings,
)
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.conflicts import identity_conflict_findings
from vesselscreen.screening.evidence import PositionLookup
from vesselscreen.screening.findings import designated_vessel_findings, listed_vessels, port_call_findings
from vesselscreen.screening.identities import ais_identities
from vesselscreen.screening.jurisdictions import sanctioned_port_call_findings
from vesselscreen.screening.matching import match_identities
from vesselscreen.screening.ownership import match_registry, owner_designated_findings
from vesselscreen.screening.result import ScreeningMetadata, ScreeningResult
from vesselscreen.screening.risk import risk_scores

__all__ = ["screen"]

_KIND_ORDER = {kind: i for i, kind in enumerate(FindingKind)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most important kinds first, then by vessel and time."""
    return sorted(
        findings, key=lambda f: (_KIND_ORDER[f.kind], f.mmsi or 0, f.start or _EPOCH, f.port_id or "")
    )


def screen(
    ais: pd.DataFrame,
    watchlist: Watchlist,
    *,
    ports: pd.DataFrame | None = None,
    config: ScreeningConfig | None = None,
    registry: pd.DataFrame | None = None,
) -> ScreeningResult:
    """Screen AIS positions against a watchlist.

    Args:
        ais: positions in the canonical POSITION schema (as :func:`vesselscreen.read_ais`
            returns); timestamps must be timezone-aware UTC.
        watchlist: the lists to screen against (:func:`vesselscreen.load_watchlist`).
        ports: a port gazetteer (``schema.PORT`` columns); the bundled one by default.
        config: thresholds and switches; :class:`ScreeningConfig` defaults otherwise.
        registry: an ownership table (ship IMO -> owner, operator, manager, with IMO
            company numbers), screened against the watchlist's parties; see
            :mod:`vesselscreen.screening.ownership`.

    Returns:
        A :class:`ScreeningResult`: findings with evidence, the frames behind them, a
        per-vessel risk score, and the audit metadata.

    Example:
        >>> import vesselscreen as vs
        >>> result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
        >>> sorted({f.vessel_name for f in result.findings if f.kind == "designated_vessel"})
        ['MUSA JALIL', 'PORT OLYA 3', 'PORT OLYA-4']
    """
    config = config or ScreeningConfig()
    validate_positions(ais)
    vessels = watchlist.vessels
    identities = ais_identities(ais)
    matches = match_identities(
        identities, vessels, names=config.match_by_name_and_flag, fuzzy=config.fuzzy_names
    )
    index = PortIndex(ports, default_radius_m=config.port_calls.default_radius_m)
    calls = events.port_calls(ais, index, config.port_calls)
    voyage_config = VoyageConfig(port_calls=config.port_calls, stops=config.stops)
    voyages = events.voyages(ais, index, voyage_config, calls=calls)
    gaps = events.gaps(ais, index, config.gaps)
    encounters = events.encounters(ais, index, config.encounters)
    loitering = events.loitering(ais, index, config.loitering)
    spoofing = events.spoofing(ais, index, config.spoofing)
    timeline = identity_timeline(ais)
    owner_matches = match_registry(registry, watchlist.entities) if registry is not None else pd.DataFrame()

    lookup = PositionLookup(ais)
    snapshot_id, n = watchlist.snapshot.id, config.evidence_positions
    listed = listed_vessels(matches, vessels)
    names = identities.dropna(subset=[POSITION.NAME]).groupby(POSITION.MMSI)[POSITION.NAME].last()
    findings = sort_findings([
        *designated_vessel_findings(matches, vessels, lookup, snapshot_id=snapshot_id, evidence=n),
        *port_call_findings(calls, listed, lookup, snapshot_id=snapshot_id, evidence=n),
        *voyage_findings(voyages, listed, lookup, snapshot_id=snapshot_id, evidence=n),
        *encounter_findings(encounters, listed, names, lookup, snapshot_id=snapshot_id, evidence=n),
        *dark_gap_findings(gaps, listed, config.dark_gap_areas, lookup, snapshot_id=snapshot_id, evidence=n),
        *sanctioned_port_call_findings(calls, config.sanctioned_jurisdictions, lookup, evidence=n),
        *identity_change_findings(timeline.changes, listed, snapshot_id=snapshot_id),
        *spoofing_findings(spoofing, lookup, evidence=n),
        *identity_conflict_findings(matches, identities, vessels, lookup, snapshot_id=snapshot_id,
                                    evidence=n),
        *owner_designated_findings(owner_matches, identities, snapshot_id=snapshot_id),
    ])  # fmt: skip
    risk, breakdown = risk_scores(findings, config.risk_weights)

    report = ingest_report(ais)
    metadata = ScreeningMetadata(
        library_version=__version__,
        screened_at=datetime.now(UTC),
        config=config,
        watchlist=watchlist.snapshot,
        ingest_reports=(report,) if report is not None else (),
        cleaning_report=cleaning_report(ais),
        positions=len(ais),
        vessels=int(ais[POSITION.MMSI].nunique()),
        list_vessels=len(vessels),
    )
    return ScreeningResult(
        findings=findings,
        matches=matches,
        port_calls=calls,
        voyages=voyages,
        gaps=gaps,
        encounters=encounters,
        loitering=loitering,
        spoofing=spoofing,
        identity_changes=timeline.changes,
        identities=identities,
        metadata=metadata,
        owner_matches=owner_matches,
        risk=risk,
        risk_breakdown=breakdown,
    )
