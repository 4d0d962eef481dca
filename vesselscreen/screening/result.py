"""The outcome of a screening: findings, the frames behind them, and an audit trail.

``ScreeningResult`` holds DataFrames for analysts and typed :class:`Finding` records for
software; ``to_json`` writes a :class:`ScreeningReport` that validates back into the
same models, so a screening can be archived and re-read.
"""

from __future__ import annotations

import json

import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict

from vesselscreen.ais.cleaning import CleaningReport
from vesselscreen.ingest import IngestReport
from vesselscreen.lists.watchlist import WatchlistSnapshot
from vesselscreen.models import Finding, RuleRecord
from vesselscreen.schema import (
    ENCOUNTER_DTYPES,
    GAP_DTYPES,
    LOITERING_DTYPES,
    SPOOFING_DTYPES,
    VOYAGE_DTYPES,
    empty_frame,
)
from vesselscreen.screening.config import ScreeningConfig

__all__ = ["FINDING_COLUMNS", "ScreeningMetadata", "ScreeningReport", "ScreeningResult"]

FINDING_COLUMNS = (
    "kind", "severity", "mmsi", "imo", "vessel_name", "start", "end", "port_id",
    "counterpart_mmsi", "entry_ids", "designation_status", "score", "rule", "explanation",
)  # fmt: skip


class ScreeningMetadata(BaseModel):
    """What makes a screening reproducible: version, configuration, list snapshot, inputs."""

    model_config = ConfigDict(frozen=True)

    library_version: str
    screened_at: AwareDatetime
    config: ScreeningConfig
    rules: tuple[RuleRecord, ...] = ()
    watchlist: WatchlistSnapshot
    ingest_reports: tuple[IngestReport, ...] = ()
    cleaning_report: CleaningReport | None = None
    positions: int
    vessels: int
    list_vessels: int


class ScreeningReport(BaseModel):
    """The JSON form of a screening: metadata and findings."""

    model_config = ConfigDict(frozen=True)

    metadata: ScreeningMetadata
    findings: tuple[Finding, ...]


class ScreeningResult:
    """Findings and frames from :func:`vesselscreen.screen`.

    Attributes:
        findings: every finding, most severe first.
        matches: AIS identity x list entry (``schema.MATCH`` columns plus ``methods``).
        port_calls: every port call detected (``schema.PORT_CALL`` columns), of all vessels.
        voyages, gaps, encounters, loitering, spoofing: every event of every vessel, in the
            schemas of :mod:`vesselscreen.events` (``schema.VOYAGE``, ``GAP``, ...).
        identity_changes: every change in a vessel's broadcast identity (the identity timeline).
        identities: the distinct AIS identities that were screened.
        owner_matches: registry parties (owner, operator, manager) found on the watchlist.
        risk: one row per vessel with findings: ``risk`` (0-100), ``findings``, ``top_kind``.
        risk_breakdown: the points behind each risk, per vessel and finding kind.
        metadata: the audit trail.
    """

    def __init__(
        self,
        *,
        findings: list[Finding],
        matches: pd.DataFrame,
        port_calls: pd.DataFrame,
        identities: pd.DataFrame,
        metadata: ScreeningMetadata,
        owner_matches: pd.DataFrame | None = None,
        risk: pd.DataFrame | None = None,
        risk_breakdown: pd.DataFrame | None = None,
        voyages: pd.DataFrame | None = None,
        gaps: pd.DataFrame | None = None,
        encounters: pd.DataFrame | None = None,
        loitering: pd.DataFrame | None = None,
        spoofing: pd.DataFrame | None = None,
        identity_changes: pd.DataFrame | None = None,
    ) -> None:
        self.findings = findings
        self.matches = matches
        self.port_calls = port_calls
        self.identities = identities
        self.metadata = metadata
        self.owner_matches = owner_matches if owner_matches is not None else pd.DataFrame()
        self.risk = (
            risk if risk is not None else pd.DataFrame(columns=["mmsi", "risk", "findings", "top_kind"])
        )
        self.risk_breakdown = risk_breakdown if risk_breakdown is not None else pd.DataFrame()
        self.voyages = voyages if voyages is not None else empty_frame(VOYAGE_DTYPES)
        self.gaps = gaps if gaps is not None else empty_frame(GAP_DTYPES)
        self.encounters = encounters if encounters is not None else empty_frame(ENCOUNTER_DTYPES)
        self.loitering = loitering if loitering is not None else empty_frame(LOITERING_DTYPES)
        self.spoofing = spoofing if spoofing is not None else empty_frame(SPOOFING_DTYPES)
        self.identity_changes = identity_changes if identity_changes is not None else pd.DataFrame()

    def to_frame(self) -> pd.DataFrame:
        """The findings as a DataFrame, one row each (columns ``FINDING_COLUMNS``)."""
        rows = [
            {
                "kind": str(f.kind),
                "severity": f.severity.value,
                "mmsi": f.mmsi,
                "imo": f.imo,
                "vessel_name": f.vessel_name,
                "start": f.start,
                "end": f.end,
                "port_id": f.port_id,
                "counterpart_mmsi": f.counterpart_mmsi,
                "entry_ids": list(f.entry_ids),
                "designation_status": f.designation_status.value if f.designation_status else None,
                "score": f.score,
                "rule": f.evidence.rule,
                "explanation": f.evidence.explanation,
            }
            for f in self.findings
        ]
        frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
        dtypes = {"mmsi": "Int64", "imo": "Int64", "counterpart_mmsi": "Int64", "score": "float64"}
        for col in (
            "kind",
            "severity",
            "vessel_name",
            "port_id",
            "designation_status",
            "rule",
            "explanation",
        ):
            dtypes[col] = "string"
        frame = frame.astype(dtypes)
        for col in ("start", "end"):
            frame[col] = pd.to_datetime(frame[col], utc=True)
        return frame

    def report(self) -> ScreeningReport:
        """The findings and metadata as one serialisable :class:`ScreeningReport`."""
        return ScreeningReport(metadata=self.metadata, findings=tuple(self.findings))

    def to_json(self, *, indent: int | None = 2) -> str:
        """The screening as JSON (a :class:`ScreeningReport`).

        ``ScreeningReport.model_validate_json`` reads it back into the same models.
        """
        return self.report().model_dump_json(indent=indent)

    def to_geojson(self, *, indent: int | None = None) -> str:
        """The findings as a GeoJSON FeatureCollection (RFC 7946, lon/lat order).

        Each finding is a Feature whose geometry is its evidence positions (a Point, or
        a LineString through them; ``null`` when it quotes none) and whose properties are
        the finding's fields.
        """
        features = []
        for finding in self.findings:
            coords = [[p.lon, p.lat] for p in finding.evidence.positions]
            geometry: dict[str, object] | None
            if not coords:
                geometry = None
            elif len(coords) == 1:
                geometry = {"type": "Point", "coordinates": coords[0]}
            else:
                geometry = {"type": "LineString", "coordinates": coords}
            properties = finding.model_dump(mode="json", exclude={"evidence"})
            properties["rule"] = finding.evidence.rule
            properties["explanation"] = finding.evidence.explanation
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
        return json.dumps({"type": "FeatureCollection", "features": features}, indent=indent)

    def __repr__(self) -> str:
        kinds = pd.Series([str(f.kind) for f in self.findings], dtype="string").value_counts()
        counts = ", ".join(f"{k}: {v}" for k, v in kinds.items()) or "none"
        return (
            f"<ScreeningResult {len(self.findings)} findings ({counts}); "
            f"{self.metadata.positions} positions of {self.metadata.vessels} vessels "
            f"against {self.metadata.list_vessels} listed vessels>"
        )
