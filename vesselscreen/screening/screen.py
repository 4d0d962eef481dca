"""``vs.screen``: positions + watchlist (+ ports) -> :class:`ScreeningResult`."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from vesselscreen._version import __version__
from vesselscreen.ais.read import validate_positions
from vesselscreen.events.port_calls import port_calls as detect_port_calls
from vesselscreen.ingest import ingest_report
from vesselscreen.lists.watchlist import Watchlist
from vesselscreen.models import Finding, FindingKind, MatchMethod
from vesselscreen.schema import POSITION
from vesselscreen.screening.config import ScreeningConfig
from vesselscreen.screening.findings import PositionLookup, designated_vessel_findings, port_call_findings
from vesselscreen.screening.identities import ais_identities
from vesselscreen.screening.matching import match_identities
from vesselscreen.screening.result import ScreeningMetadata, ScreeningResult

__all__ = ["screen"]

_KIND_ORDER = {kind: i for i, kind in enumerate(FindingKind)}


def screen(
    ais: pd.DataFrame,
    watchlist: Watchlist,
    *,
    ports: pd.DataFrame | None = None,
    config: ScreeningConfig | None = None,
) -> ScreeningResult:
    """Screen AIS positions against a watchlist.

    Args:
        ais: positions in the canonical POSITION schema (as :func:`vesselscreen.read_ais`
            returns); timestamps must be timezone-aware UTC.
        watchlist: the lists to screen against (:func:`vesselscreen.load_watchlist`).
        ports: a port gazetteer (``schema.PORT`` columns); the bundled one by default.
        config: thresholds and switches; :class:`ScreeningConfig` defaults otherwise.

    Returns:
        A :class:`ScreeningResult` with ``designated_vessel`` and ``port_call`` findings,
        the matches and port calls behind them, and the audit metadata.

    Example:
        >>> import vesselscreen as vs
        >>> result = vs.screen(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
        >>> sorted({f.vessel_name for f in result.findings})
        ['MUSA JALIL', 'PORT OLYA 3', 'PORT OLYA-4']
    """
    config = config or ScreeningConfig()
    validate_positions(ais)
    vessels = watchlist.vessels
    identities = ais_identities(ais)
    matches = match_identities(identities, vessels)
    if not config.match_by_name_and_flag and not matches.empty:
        matches = matches[matches["method"] != MatchMethod.NAME_FLAG.value].reset_index(drop=True)
    calls = detect_port_calls(ais, ports, config.port_calls)

    lookup = PositionLookup(ais)
    snapshot_id = watchlist.snapshot.id
    n = config.evidence_positions
    findings: list[Finding] = [
        *designated_vessel_findings(matches, vessels, lookup, snapshot_id=snapshot_id, evidence=n),
        *port_call_findings(calls, matches, vessels, lookup, snapshot_id=snapshot_id, evidence=n),
    ]
    findings.sort(
        key=lambda f: (_KIND_ORDER[f.kind], f.mmsi or 0, f.start or datetime.min.replace(tzinfo=UTC))
    )

    report = ingest_report(ais)
    metadata = ScreeningMetadata(
        library_version=__version__,
        screened_at=datetime.now(UTC),
        config=config,
        watchlist=watchlist.snapshot,
        ingest_reports=(report,) if report is not None else (),
        positions=len(ais),
        vessels=int(ais[POSITION.MMSI].nunique()),
        list_vessels=len(vessels),
    )
    return ScreeningResult(
        findings=findings, matches=matches, port_calls=calls, identities=identities, metadata=metadata
    )
