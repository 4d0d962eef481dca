"""Identity conflicts: contradictions between AIS and a list, never a silent match or miss.

Two rules, both ``identity_conflict`` findings:

- ``mmsi_imo_conflict``: a listed MMSI broadcasts an IMO other than the listed one (a
  re-used or spoofed MMSI, or an error in the list);
- ``imo_on_two_mmsis``: a listed IMO is broadcast by two MMSIs over overlapping intervals
  (one ship cannot be in two places: one of them is not what it claims).
"""

from __future__ import annotations

import pandas as pd

from vesselscreen.models import Evidence, Finding, FindingKind, Severity
from vesselscreen.schema import MATCH, POSITION, WATCHLIST
from vesselscreen.screening.evidence import PositionLookup, opt_int, opt_str
from vesselscreen.screening.identities import IDENTITY
from vesselscreen.screening.matching import CONFLICT, LISTED_IMO

__all__ = ["identity_conflict_findings"]


def _mmsi_imo_conflicts(
    matches: pd.DataFrame, lookup: PositionLookup, snapshot_id: str, n: int
) -> list[Finding]:
    rows = matches[matches[CONFLICT].notna()]
    return [
        Finding(
            kind=FindingKind.IDENTITY_CONFLICT,
            severity=Severity.HIGH,
            mmsi=int(r[MATCH.MMSI]),
            imo=opt_int(r[MATCH.IMO]),
            vessel_name=opt_str(r[MATCH.NAME]),
            start=r[MATCH.FIRST_SEEN].to_pydatetime(),
            end=r[MATCH.LAST_SEEN].to_pydatetime(),
            entry_ids=(str(r[MATCH.ENTRY_ID]),),
            score=1.0,
            evidence=Evidence(
                rule="mmsi_imo_conflict",
                explanation=f"{r[CONFLICT]} ({r[MATCH.ENTRY_ID]})",
                parameters={"ais_imo": opt_int(r[MATCH.IMO]), "listed_imo": opt_int(r[LISTED_IMO])},
                positions=tuple(
                    lookup.between(int(r[MATCH.MMSI]), r[MATCH.FIRST_SEEN], r[MATCH.LAST_SEEN], n)
                ),
                snapshot_id=snapshot_id,
            ),
        )
        for r in rows.to_dict("records")
    ]


def _imo_on_two_mmsis(
    identities: pd.DataFrame, vessels: pd.DataFrame, lookup: PositionLookup, snapshot_id: str, n: int
) -> list[Finding]:
    listed = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.IMO]].dropna()
    cols = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, IDENTITY.FIRST_SEEN, IDENTITY.LAST_SEEN]
    spans = identities.dropna(subset=[POSITION.IMO])[cols]
    spans = spans[spans[POSITION.IMO].isin(listed[WATCHLIST.IMO])]
    spans = spans.groupby([POSITION.IMO, POSITION.MMSI], as_index=False).agg(
        name=(POSITION.NAME, "last"),
        first_seen=(IDENTITY.FIRST_SEEN, "min"),
        last_seen=(IDENTITY.LAST_SEEN, "max"),
    )
    pairs = spans.merge(spans, on=POSITION.IMO, suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["mmsi_a"] < pairs["mmsi_b"])
        & (pairs["first_seen_a"] <= pairs["last_seen_b"])
        & (pairs["first_seen_b"] <= pairs["last_seen_a"])
    ]
    pairs = pairs.merge(listed, left_on=POSITION.IMO, right_on=WATCHLIST.IMO)
    findings = []
    for r in pairs.to_dict("records"):
        start = max(r["first_seen_a"], r["first_seen_b"])
        end = min(r["last_seen_a"], r["last_seen_b"])
        a, b, imo = int(r["mmsi_a"]), int(r["mmsi_b"]), int(r[POSITION.IMO])
        findings.append(
            Finding(
                kind=FindingKind.IDENTITY_CONFLICT,
                severity=Severity.HIGH,
                mmsi=a,
                imo=imo,
                vessel_name=opt_str(r["name_a"]),
                start=start.to_pydatetime(),
                end=end.to_pydatetime(),
                counterpart_mmsi=b,
                entry_ids=(str(r[WATCHLIST.ENTRY_ID]),),
                score=1.0,
                evidence=Evidence(
                    rule="imo_on_two_mmsis",
                    explanation=f"listed IMO {imo} ({r[WATCHLIST.ENTRY_ID]}) was broadcast by "
                    f"MMSI {a} and MMSI {b} over the same period",
                    parameters={"mmsi_a": a, "mmsi_b": b},
                    positions=(*lookup.between(a, start, end, n), *lookup.between(b, start, end, n)),
                    snapshot_id=snapshot_id,
                ),
            )
        )
    return findings


def identity_conflict_findings(
    matches: pd.DataFrame,
    identities: pd.DataFrame,
    vessels: pd.DataFrame,
    lookup: PositionLookup,
    *,
    snapshot_id: str,
    evidence: int,
) -> list[Finding]:
    """Every identity conflict between the AIS identities and the listed vessels."""
    return [
        *_mmsi_imo_conflicts(matches, lookup, snapshot_id, evidence),
        *_imo_on_two_mmsis(identities, vessels, lookup, snapshot_id, evidence),
    ]
