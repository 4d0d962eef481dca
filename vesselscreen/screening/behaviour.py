"""Rules that turn detected behaviour into findings: voyages, dark gaps, ship-to-ship
encounters, spoofing and identity changes.

Rule names (in every finding's evidence):

- ``voyage_of_listed_vessel``: a port-to-port voyage of a matched vessel; status as of departure.
- ``dark_gap_of_listed_vessel`` / ``dark_gap_in_risk_area``: an AIS gap marked dark (12 h or
  more, starting away from port) of a matched vessel, or of any vessel in a configured risk area.
- ``encounter_with_listed_vessel``: two vessels side by side at sea, at least one matched; the
  finding names both (``mmsi`` is the listed one, ``counterpart_mmsi`` the other).
- ``spoofing``: a track that cannot be one honest ship's (two places at once, a position off
  the track, an impossible jump, on land, a draught change while dark).
- ``identity_change``: a vessel's broadcast identity changed (re-flagged, new MMSI for an IMO,
  IMO, name or call-sign change); high severity when the vessel is listed.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pandas as pd
import shapely
from pydantic import BaseModel, ConfigDict

from vesselscreen.ais.identity import CHANGE
from vesselscreen.models import DesignationStatus, Evidence, Finding, FindingKind, MatchMethod, Severity
from vesselscreen.schema import ENCOUNTER, GAP, MATCH, SPOOFING, VOYAGE
from vesselscreen.screening.evidence import PositionLookup, opt_int, opt_str
from vesselscreen.screening.findings import SEVERITY_BY_STATUS, events_of_listed
from vesselscreen.screening.matching import METHODS

__all__ = [
    "RiskArea",
    "dark_gap_findings",
    "encounter_findings",
    "identity_change_findings",
    "spoofing_findings",
    "voyage_findings",
]


class RiskArea(BaseModel):
    """A named sea area where any dark gap is a finding; ``polygon`` is (lon, lat) pairs.

    >>> box = ((55.8, 25.8), (57.2, 25.8), (57.2, 27.0), (55.8, 27.0))
    >>> hormuz = RiskArea(name="Strait of Hormuz", polygon=box)
    >>> hormuz.contains(pd.Series([26.5, 20.0]), pd.Series([56.6, 56.6])).tolist()
    [True, False]
    """

    model_config = ConfigDict(frozen=True)

    name: str
    polygon: tuple[tuple[float, float], ...]

    def contains(self, lat: pd.Series, lon: pd.Series) -> pd.Series:
        shape = shapely.Polygon(self.polygon)
        inside = shapely.contains_xy(shape, lon.to_numpy(dtype=float), lat.to_numpy(dtype=float))
        return pd.Series(inside, index=lat.index)


def _methods(value: object) -> tuple[MatchMethod, ...]:
    return tuple(MatchMethod(m) for m in value) if isinstance(value, list) else ()


def voyage_findings(
    voyages: pd.DataFrame, listed: pd.DataFrame, lookup: PositionLookup, *, snapshot_id: str, evidence: int
) -> list[Finding]:
    """Port-to-port voyages (both ends known) of listed vessels."""
    complete = voyages.dropna(subset=[VOYAGE.ORIGIN_PORT_ID, VOYAGE.DESTINATION_PORT_ID])
    rows = events_of_listed(complete, listed, VOYAGE.DEPARTURE, VOYAGE.ARRIVAL)
    findings = []
    for r in rows.to_dict("records"):
        status = DesignationStatus(r["status"])
        mmsi = int(r[VOYAGE.MMSI])
        origin = f"{r[VOYAGE.ORIGIN_PORT_NAME]} ({r[VOYAGE.ORIGIN_PORT_ID]})"
        destination = f"{r[VOYAGE.DESTINATION_PORT_NAME]} ({r[VOYAGE.DESTINATION_PORT_ID]})"
        km = float(r[VOYAGE.DISTANCE_M]) / 1000
        longest_gap_h = pd.Timedelta(r[VOYAGE.LONGEST_GAP]).total_seconds() / 3600
        findings.append(
            Finding(
                kind=FindingKind.VOYAGE,
                severity=SEVERITY_BY_STATUS[status],
                mmsi=mmsi,
                imo=opt_int(r[VOYAGE.IMO]),
                vessel_name=opt_str(r[VOYAGE.NAME]),
                start=r[VOYAGE.DEPARTURE].to_pydatetime(),
                end=r[VOYAGE.ARRIVAL].to_pydatetime(),
                port_id=str(r[VOYAGE.DESTINATION_PORT_ID]),
                entry_ids=(str(r[MATCH.ENTRY_ID]),),
                designation_status=status,
                score=float(r["match_score"]),
                evidence=Evidence(
                    rule="voyage_of_listed_vessel",
                    explanation=f"listed vessel ({r[MATCH.ENTRY_ID]}, listed as {r['listed_name']}) "
                    f"sailed from {origin} to {destination}, {km:.0f} km, "
                    f"longest AIS gap {longest_gap_h:.1f} h; "
                    f"{status.value.replace('_', ' ')} at departure",
                    parameters={
                        "origin_port_id": str(r[VOYAGE.ORIGIN_PORT_ID]),
                        "destination_port_id": str(r[VOYAGE.DESTINATION_PORT_ID]),
                        "distance_km": round(km, 1),
                        "longest_gap_h": round(longest_gap_h, 2),
                        "stops_on_the_way": int(r[VOYAGE.N_STOPS]),
                    },
                    match_methods=_methods(r[METHODS]),
                    positions=tuple(lookup.between(mmsi, r[VOYAGE.DEPARTURE], r[VOYAGE.ARRIVAL], evidence)),
                    snapshot_id=snapshot_id,
                ),
            )
        )
    return findings


def dark_gap_findings(
    gaps: pd.DataFrame,
    listed: pd.DataFrame,
    areas: tuple[RiskArea, ...],
    lookup: PositionLookup,
    *,
    snapshot_id: str,
    evidence: int,
) -> list[Finding]:
    """Dark gaps of listed vessels, and of any vessel that goes dark in a risk area."""
    dark = gaps[gaps[GAP.DARK]]
    of_listed = events_of_listed(dark, listed, GAP.START, GAP.END)
    in_area = []
    for area in areas:  # a few named areas, each tested over all gaps at once
        inside = area.contains(dark[GAP.START_LAT], dark[GAP.START_LON]) | area.contains(
            dark[GAP.END_LAT], dark[GAP.END_LON]
        )
        in_area.append(dark[inside].assign(area=area.name))
    area_rows = pd.concat(in_area, ignore_index=True) if in_area else dark.iloc[0:0].assign(area="")
    findings = []
    listed_keys = set(zip(of_listed[GAP.MMSI], of_listed[GAP.START], strict=True))
    for r in of_listed.to_dict("records"):
        status = DesignationStatus(r["status"])
        findings.append(
            _gap_finding(
                r,
                "dark_gap_of_listed_vessel",
                SEVERITY_BY_STATUS[status],
                status,
                (str(r[MATCH.ENTRY_ID]),),
                float(r["match_score"]),
                f"listed vessel ({r[MATCH.ENTRY_ID]}, listed as {r['listed_name']})",
                lookup,
                snapshot_id,
                evidence,
            )
        )
    for r in area_rows.to_dict("records"):
        if (r[GAP.MMSI], r[GAP.START]) in listed_keys:
            continue
        findings.append(
            _gap_finding(
                r,
                "dark_gap_in_risk_area",
                Severity.MEDIUM,
                None,
                (),
                1.0,
                f"vessel in risk area {r['area']}",
                lookup,
                snapshot_id,
                evidence,
            )
        )
    return findings


def _gap_finding(
    r: dict[Hashable, Any],
    rule: str,
    severity: Severity,
    status: DesignationStatus | None,
    entry_ids: tuple[str, ...],
    score: float,
    who: str,
    lookup: PositionLookup,
    snapshot_id: str,
    evidence: int,
) -> Finding:
    start, end = pd.Timestamp(r[GAP.START]), pd.Timestamp(r[GAP.END])
    hours = (end - start).total_seconds() / 3600
    km = float(r[GAP.DISTANCE_M]) / 1000
    mmsi = int(r[GAP.MMSI])
    return Finding(
        kind=FindingKind.DARK_GAP,
        severity=severity,
        mmsi=mmsi,
        imo=opt_int(r[GAP.IMO]),
        vessel_name=opt_str(r[GAP.NAME]),
        start=start.to_pydatetime(),
        end=end.to_pydatetime(),
        entry_ids=entry_ids,
        designation_status=status,
        score=score,
        evidence=Evidence(
            rule=rule,
            explanation=f"{who} sent no AIS for {hours:.1f} h at sea and reappeared {km:.0f} km away "
            f"(implied {float(r[GAP.IMPLIED_SPEED_KN]):.1f} kn)",
            parameters={
                "duration_h": round(hours, 2),
                "distance_km": round(km, 1),
                "impossible_speed": bool(r[GAP.IMPOSSIBLE_SPEED]),
            },
            positions=tuple(lookup.between(mmsi, start, end, evidence)),
            snapshot_id=snapshot_id,
        ),
    )


def encounter_findings(
    encounters: pd.DataFrame,
    listed: pd.DataFrame,
    names: pd.Series,
    lookup: PositionLookup,
    *,
    snapshot_id: str,
    evidence: int,
) -> list[Finding]:
    """Encounters in which at least one vessel is listed, named from the listed side."""
    sides = []
    for own_column, other_column in (
        (ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2),
        (ENCOUNTER.MMSI_2, ENCOUNTER.MMSI_1),
    ):
        side = encounters.assign(own=encounters[own_column], other=encounters[other_column])
        sides.append(events_of_listed(side, listed, ENCOUNTER.START, ENCOUNTER.END, mmsi="own"))
    rows = pd.concat(sides, ignore_index=True)
    # a meeting of two listed vessels is one finding, told from the lower MMSI's side
    rows = rows.sort_values("own", kind="stable").drop_duplicates(
        [ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2, ENCOUNTER.START]
    )
    findings = []
    for r in rows.to_dict("records"):
        status = DesignationStatus(r["status"])
        own, other = int(r["own"]), int(r["other"])
        start, end = r[ENCOUNTER.START], r[ENCOUNTER.END]
        hours = (end - start).total_seconds() / 3600
        own_name, other_name = names.get(own, f"MMSI {own}"), names.get(other, f"MMSI {other}")
        findings.append(
            Finding(
                kind=FindingKind.STS_ENCOUNTER,
                severity=SEVERITY_BY_STATUS[status],
                mmsi=own,
                vessel_name=str(own_name),
                start=start.to_pydatetime(),
                end=end.to_pydatetime(),
                counterpart_mmsi=other,
                entry_ids=(str(r[MATCH.ENTRY_ID]),),
                designation_status=status,
                score=float(r["match_score"]),
                evidence=Evidence(
                    rule="encounter_with_listed_vessel",
                    explanation=f"listed vessel {own_name} (MMSI {own}, {r[MATCH.ENTRY_ID]}) and "
                    f"{other_name} (MMSI {other}) were within {float(r[ENCOUNTER.MEDIAN_DISTANCE_M]):.0f} m "
                    f"of each other for {hours:.1f} h at "
                    f"{float(r[ENCOUNTER.LAT]):.3f}, {float(r[ENCOUNTER.LON]):.3f}",
                    parameters={
                        "counterpart_name": str(other_name),
                        "duration_h": round(hours, 2),
                        "median_distance_m": round(float(r[ENCOUNTER.MEDIAN_DISTANCE_M]), 1),
                        "lat": round(float(r[ENCOUNTER.LAT]), 5),
                        "lon": round(float(r[ENCOUNTER.LON]), 5),
                    },
                    match_methods=_methods(r[METHODS]),
                    positions=(
                        *lookup.between(own, start, end, evidence),
                        *lookup.between(other, start, end, evidence),
                    ),
                    snapshot_id=snapshot_id,
                ),
            )
        )
    return findings


_SPOOFING_SEVERITY = {
    "two_places": Severity.HIGH,
    "off_track": Severity.MEDIUM,
    "on_land": Severity.MEDIUM,
    "draught_change": Severity.MEDIUM,
    "jump": Severity.LOW,
}


def spoofing_findings(events: pd.DataFrame, lookup: PositionLookup, *, evidence: int) -> list[Finding]:
    """One finding per spoofing event, of any vessel."""
    findings = []
    for r in events.to_dict("records"):
        mmsi, kind = int(r[SPOOFING.MMSI]), str(r[SPOOFING.KIND])
        start, end = r[SPOOFING.START], r[SPOOFING.END]
        findings.append(
            Finding(
                kind=FindingKind.SPOOFING,
                severity=_SPOOFING_SEVERITY.get(kind, Severity.LOW),
                mmsi=mmsi,
                imo=opt_int(r[SPOOFING.IMO]),
                vessel_name=opt_str(r[SPOOFING.NAME]),
                start=start.to_pydatetime(),
                end=end.to_pydatetime(),
                score=1.0,
                evidence=Evidence(
                    rule="spoofing",
                    explanation=f"{kind.replace('_', ' ')}: {r[SPOOFING.DETAIL]}",
                    parameters={"kind": kind, "value": float(r[SPOOFING.VALUE])},
                    positions=tuple(lookup.between(mmsi, start, end, max(evidence, 4))),
                ),
            )
        )
    return findings


def identity_change_findings(
    changes: pd.DataFrame, listed: pd.DataFrame, *, snapshot_id: str
) -> list[Finding]:
    """One finding per identity change; high severity for listed vessels."""
    listed_mmsis: dict[int, tuple[str, ...]] = {}
    for mmsi, entry_id in zip(listed[MATCH.MMSI], listed[MATCH.ENTRY_ID], strict=True):
        listed_mmsis[int(mmsi)] = tuple(sorted({*listed_mmsis.get(int(mmsi), ()), str(entry_id)}))
    findings = []
    for r in changes.to_dict("records"):
        mmsi = int(r[CHANGE.MMSI])
        entries = listed_mmsis.get(mmsi, ())
        time = r[CHANGE.TIME].to_pydatetime()
        findings.append(
            Finding(
                kind=FindingKind.IDENTITY_CHANGE,
                severity=Severity.HIGH if entries else Severity.LOW,
                mmsi=mmsi,
                imo=opt_int(r[CHANGE.IMO]),
                start=time,
                end=time,
                entry_ids=entries,
                score=1.0,
                evidence=Evidence(
                    rule="identity_change",
                    explanation=f"{str(r[CHANGE.KIND]).replace('_', ' ')}: {r[CHANGE.FIELD]} "
                    f"{r[CHANGE.BEFORE]} -> {r[CHANGE.AFTER]}"
                    + (f" ({r[CHANGE.DETAIL]})" if opt_str(r[CHANGE.DETAIL]) else ""),
                    parameters={
                        "change": str(r[CHANGE.KIND]),
                        "field": str(r[CHANGE.FIELD]),
                        "before": opt_str(r[CHANGE.BEFORE]),
                        "after": opt_str(r[CHANGE.AFTER]),
                    },
                    snapshot_id=snapshot_id if entries else None,
                ),
            )
        )
    return findings
