"""The outcome of a screening: findings, the frames behind them, and an audit trail.

``ScreeningResult`` holds DataFrames for analysts and typed :class:`Finding` records for
software; ``to_json`` writes a :class:`ScreeningReport` that validates back into the
same models, so a screening can be archived and re-read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict

from vesselscreen.ais.cleaning import CleaningReport
from vesselscreen.ingest import IngestReport
from vesselscreen.lists.watchlist import Watchlist, WatchlistSnapshot
from vesselscreen.models import Finding, RuleRecord
from vesselscreen.schema import (
    CHANGE_DTYPES,
    ENCOUNTER_DTYPES,
    FINDING,
    FINDING_COLUMNS,
    FINDING_TABLE_DTYPES,
    GAP_DTYPES,
    LOITERING_DTYPES,
    POSITION,
    RISK,
    RISK_DTYPES,
    SPOOFING_DTYPES,
    VOYAGE_DTYPES,
    conform,
    empty_frame,
)
from vesselscreen.screening.config import ScreeningConfig

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

    from vesselscreen.report.story import VesselStory

__all__ = [
    "FINDING_COLUMNS",
    "OWNER_MATCH_DTYPES",
    "RISK_BREAKDOWN_DTYPES",
    "ScreeningMetadata",
    "ScreeningReport",
    "ScreeningResult",
    "findings_frame",
]


OWNER_MATCH_DTYPES: Mapping[str, str] = {
    "imo": "Int64", "role": "string", "party": "string", "party_imo": "Int64", "entry_id": "string",
    "listed_on": "datetime64[ns, UTC]", "method": "string", "score": "float64", "explanation": "string",
}  # fmt: skip
"""Columns of ``ScreeningResult.owner_matches`` (registry parties found on the watchlist)."""

RISK_BREAKDOWN_DTYPES: Mapping[str, str] = {
    "mmsi": "Int64", "kind": "string", "findings": "int64", "points": "float64",
}  # fmt: skip
"""Columns of ``ScreeningResult.risk_breakdown``: points per vessel and finding kind."""


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame, one row each (columns ``schema.FINDING_COLUMNS``)."""
    rows = [
        {
            FINDING.KIND: str(f.kind),
            FINDING.SEVERITY: f.severity.value,
            FINDING.MMSI: f.mmsi,
            FINDING.IMO: f.imo,
            FINDING.VESSEL_NAME: f.vessel_name,
            FINDING.START: f.start,
            FINDING.END: f.end,
            FINDING.PORT_ID: f.port_id,
            FINDING.COUNTERPART_MMSI: f.counterpart_mmsi,
            FINDING.ENTRY_IDS: list(f.entry_ids),
            FINDING.DESIGNATION_STATUS: f.designation_status.value if f.designation_status else None,
            FINDING.MATCH_TIER: f.match_tier.value if f.match_tier else None,
            FINDING.SCORE: f.score,
            FINDING.RULE: f.evidence.rule,
            FINDING.EXPLANATION: f.evidence.explanation,
        }
        for f in findings
    ]
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype(FINDING_TABLE_DTYPES)
    for col in (FINDING.START, FINDING.END):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


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
        owner_matches: registry parties (owner, operator, manager) found on the watchlist
            (``OWNER_MATCH_DTYPES``).
        risk: one row per vessel with findings (``schema.RISK``): ``mmsi``, ``vessel_name``,
            ``risk`` (0-100), ``findings``, ``top_kind``.
        risk_breakdown: the points behind each risk, per vessel and finding kind.
        metadata: the audit trail.
        positions: the screened AIS positions (sorted by vessel and time): tracks on maps and
            in GeoJSON. Given as ``positions_of``, a function that makes them, they are made
            when first read (`vesselscreen.screen` does so: a result whose positions are never
            read does not pay for a copy of every row).
        watchlist: the watchlist screened against: listing dates in stories.

    Every frame has its columns even when it has no row.
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
        positions: pd.DataFrame | None = None,
        watchlist: Watchlist | None = None,
        positions_of: Callable[[], pd.DataFrame] | None = None,
    ) -> None:
        self.findings = findings
        self.matches = matches
        self.port_calls = port_calls
        self.identities = identities
        self.metadata = metadata
        self.owner_matches = _with_schema(owner_matches, OWNER_MATCH_DTYPES)
        self.risk = _name_vessels(_with_schema(risk, RISK_DTYPES), findings, identities)
        self.risk_breakdown = _with_schema(risk_breakdown, RISK_BREAKDOWN_DTYPES)
        self.voyages = voyages if voyages is not None else empty_frame(VOYAGE_DTYPES)
        self.gaps = gaps if gaps is not None else empty_frame(GAP_DTYPES)
        self.encounters = encounters if encounters is not None else empty_frame(ENCOUNTER_DTYPES)
        self.loitering = loitering if loitering is not None else empty_frame(LOITERING_DTYPES)
        self.spoofing = spoofing if spoofing is not None else empty_frame(SPOOFING_DTYPES)
        self.identity_changes = _with_schema(identity_changes, CHANGE_DTYPES)
        self._positions = positions
        self._positions_of = None if positions is not None else positions_of
        self.watchlist = watchlist

    @property
    def positions(self) -> pd.DataFrame | None:
        """The screened positions (see the class docs), made on first read when given as ``positions_of``."""
        if self._positions is None and self._positions_of is not None:
            self._positions, self._positions_of = self._positions_of(), None
        return self._positions

    @positions.setter
    def positions(self, value: pd.DataFrame | None) -> None:
        self._positions, self._positions_of = value, None

    def __setstate__(self, state: dict[str, object]) -> None:
        # a result pickled before `positions` became a property holds it as a plain attribute
        state = dict(state)
        if "positions" in state:
            state["_positions"], state["_positions_of"] = state.pop("positions"), None
        self.__dict__.update(state)

    def to_frame(self) -> pd.DataFrame:
        """The findings as a DataFrame, one row each (columns ``schema.FINDING_COLUMNS``)."""
        return findings_frame(self.findings)

    def report(self) -> ScreeningReport:
        """The findings and metadata as one serialisable :class:`ScreeningReport`."""
        return ScreeningReport(metadata=self.metadata, findings=tuple(self.findings))

    def to_json(self, *, indent: int | None = 2) -> str:
        """The screening as JSON (a :class:`ScreeningReport`).

        ``ScreeningReport.model_validate_json`` reads it back into the same models.
        """
        return self.report().model_dump_json(indent=indent)

    def vessel_name(self, mmsi: int) -> str:
        """The name ``mmsi`` last broadcast (or its findings' name), else ``"MMSI <mmsi>"``."""
        names: dict[int, str] | None = self.__dict__.get("_names")
        if names is None:
            names = {}
            if {POSITION.MMSI, POSITION.NAME} <= set(self.identities.columns):
                ids = self.identities[[POSITION.MMSI, POSITION.NAME]].dropna()
                names.update((int(m), str(n)) for m, n in ids.itertuples(index=False))
            for f in self.findings:
                if f.mmsi is not None and f.vessel_name and f.mmsi not in names:
                    names[f.mmsi] = f.vessel_name
            self.__dict__["_names"] = names
        return names.get(mmsi, f"MMSI {mmsi}")

    def vessel(self, vessel: int | str) -> VesselStory:
        """One vessel's story: identities, list entries with listing dates, every event, in time order.

        ``vessel`` is an MMSI or a name the vessel broadcast. See
        :mod:`vesselscreen.report.story`; ``print(result.vessel(mmsi))`` shows it as text.
        """
        from vesselscreen.report.story import vessel_story

        return vessel_story(self, vessel)

    def text(self, *, group_by: Literal["vessel", "kind"] = "vessel", explain: bool = True) -> str:
        """The findings as text: per vessel (a story, riskiest first) or per kind (``findings_table``)."""
        from vesselscreen.report.table import findings_table, story_table

        if group_by == "kind":
            return findings_table(self.findings, explain=explain)
        return story_table(self, explain=explain)

    def plot_vessel(self, vessel: int | str) -> Figure:
        """A matplotlib figure of one vessel: its track and its timeline, with listing dates as lines.

        Needs the ``maps`` extra (``pip install 'vesselscreen[maps]'``).
        """
        from vesselscreen.report.plots import plot_vessel

        return plot_vessel(self, vessel)

    def map(
        self,
        vessel: int | str | None = None,
        *,
        tiles: str | None = None,
        vessels: Literal["auto", "all", "flagged"] = "auto",
    ) -> folium.Map:
        """An interactive folium map: tracks, port calls, meetings, dark gaps, spoofed positions.

        ``vessel`` focuses one ship (MMSI or name). ``tiles=None`` (the default) draws the
        bundled coastline and needs no network; pass ``tiles="OpenStreetMap"`` for a street
        basemap when online. See :func:`vesselscreen.report.maps.result_map`; needs the
        ``maps`` extra.
        """
        from vesselscreen.report.maps import result_map

        return result_map(self, vessel, tiles=tiles, vessels=vessels)

    def to_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """The self-contained HTML audit report; written to ``path`` when given, and returned.

        One file with no external resource: summary, a map, per-vessel stories with every
        finding and its evidence, the list snapshots and the configuration used.
        """
        from vesselscreen.report.html import report_html

        text = report_html(self)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _repr_html_(self) -> str:
        from vesselscreen.report.html import result_summary_html

        return result_summary_html(self)

    def to_geojson(self, *, indent: int | None = None, tolerance_deg: float | None = None) -> str:
        """The findings as a GeoJSON FeatureCollection (RFC 7946, lon/lat order).

        Each finding is a Feature whose properties are the finding's fields plus its rule
        and explanation. Its geometry is the vessel's track over the finding's time span
        (a LineString, or a MultiLineString when AIS gaps cut it), simplified to
        ``tolerance_deg`` (default ``report.tracks.TRACK_TOLERANCE_DEG``, ~500 m), when the
        result knows its positions (`vs.screen` gives them); a dark gap is the line across the
        gap. Otherwise, and for findings without a time span, the geometry is the evidence
        positions (a Point or a LineString; ``null`` when there is none).
        ``properties.geometry`` says which: ``"track"`` or ``"evidence"``.
        """
        from vesselscreen.report.tracks import TRACK_TOLERANCE_DEG, tracks

        tolerance = TRACK_TOLERANCE_DEG if tolerance_deg is None else tolerance_deg
        sorted_positions = _sorted_positions(self.positions)
        features = []
        for finding in self.findings:
            geometry: dict[str, object] | None = None
            source = "evidence"
            if sorted_positions is not None and str(finding.kind) != "dark_gap":
                span = _span(sorted_positions, finding)
                if span is not None and len(span):
                    segments = tracks(span, tolerance_deg=tolerance).get(int(finding.mmsi or 0), [])
                    geometry, source = _lines(segments), "track"
            if geometry is None:
                source = "evidence"
                geometry = _lines([np.array([[p.lon, p.lat] for p in finding.evidence.positions])])
            properties = finding.model_dump(mode="json", exclude={"evidence"})
            properties["rule"] = finding.evidence.rule
            properties["explanation"] = finding.evidence.explanation
            properties["geometry"] = source
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


def _with_schema(frame: pd.DataFrame | None, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``frame``, or an empty frame with the schema's columns when it has none or no rows."""
    if frame is None or len(frame.columns) == 0:
        return empty_frame(dtypes)
    if frame.empty:
        return conform(frame, dtypes)
    return frame


def _name_vessels(risk: pd.DataFrame, findings: list[Finding], identities: pd.DataFrame) -> pd.DataFrame:
    """The risk frame with ``vessel_name`` after ``mmsi`` (the findings' name, else the AIS one)."""
    if RISK.VESSEL_NAME in risk.columns or RISK.MMSI not in risk.columns:
        return risk
    names: dict[int, str] = {}
    if {POSITION.MMSI, POSITION.NAME} <= set(identities.columns):
        named = identities[[POSITION.MMSI, POSITION.NAME]].dropna()
        named = named[named[POSITION.MMSI].isin(risk[RISK.MMSI].dropna()).to_numpy(dtype=bool)]  # scored ones
        for mmsi, name in named.itertuples(index=False):
            names[int(mmsi)] = str(name)
    for f in reversed(findings):  # the first finding's name wins
        if f.mmsi is not None and f.vessel_name:
            names[f.mmsi] = f.vessel_name
    out = risk.copy()
    column = pd.Series(
        [names.get(int(m)) if not pd.isna(m) else None for m in out[RISK.MMSI]],
        index=out.index,
        dtype="string",
    )
    out.insert(list(out.columns).index(RISK.MMSI) + 1, RISK.VESSEL_NAME, column)
    return out


def _sorted_positions(positions: pd.DataFrame | None) -> pd.DataFrame | None:
    if positions is None or positions.empty:
        return None
    return positions.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)


def _span(positions: pd.DataFrame, finding: Finding) -> pd.DataFrame | None:
    """The positions of the finding's vessel within its [start, end] (``positions`` sorted)."""
    if finding.mmsi is None or finding.start is None or finding.end is None:
        return None
    mmsi = positions[POSITION.MMSI].to_numpy(dtype="int64", na_value=-1)
    lo, hi = np.searchsorted(mmsi, finding.mmsi, "left"), np.searchsorted(mmsi, finding.mmsi, "right")
    times = positions[POSITION.TIMESTAMP].iloc[lo:hi]
    a = lo + int(times.searchsorted(pd.Timestamp(finding.start), "left"))
    b = lo + int(times.searchsorted(pd.Timestamp(finding.end), "right"))
    return positions.iloc[a:b]


def _lines(segments: list[np.ndarray]) -> dict[str, object] | None:
    """GeoJSON geometry of track segments: Point, LineString or MultiLineString (``None`` if empty)."""
    parts = [[[float(x), float(y)] for x, y in seg] for seg in segments if len(seg)]
    if not parts:
        return None
    if len(parts) == 1:
        if len(parts[0]) == 1:
            return {"type": "Point", "coordinates": parts[0][0]}
        return {"type": "LineString", "coordinates": parts[0]}
    lines = [part if len(part) > 1 else part * 2 for part in parts]  # a lone fix is a zero-length line
    return {"type": "MultiLineString", "coordinates": lines}
