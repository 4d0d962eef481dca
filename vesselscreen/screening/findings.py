"""Rules that turn matches and events into findings, each with its evidence.

Rule names are stable identifiers (they appear in every finding's evidence):

- ``designated_vessel``: an AIS identity matches a list entry.
- ``port_call_of_listed_vessel``: a matched vessel made a port call while it carried the
  matching identity; its status is judged as of the arrival time.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from vesselscreen.models import (
    DesignationStatus,
    Evidence,
    Finding,
    FindingKind,
    MatchMethod,
    Severity,
)
from vesselscreen.schema import MATCH, PORT_CALL, WATCHLIST
from vesselscreen.screening.evidence import PositionLookup, opt_int, opt_str
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.status import designation_status

__all__ = ["SEVERITY_BY_STATUS", "designated_vessel_findings", "port_call_findings"]

SEVERITY_BY_STATUS: dict[DesignationStatus, Severity] = {
    DesignationStatus.DESIGNATED: Severity.HIGH,
    # conservative: a listed vessel whose listing date we cannot place is treated as listed
    DesignationStatus.LISTING_DATE_UNKNOWN: Severity.HIGH,
    DesignationStatus.PRE_DESIGNATION: Severity.MEDIUM,
    DesignationStatus.DELISTED: Severity.LOW,
}


def _when(value: pd.Timestamp) -> datetime:
    return value.to_pydatetime()


def _with_entries(matches: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    entries = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.NAME, WATCHLIST.LISTED_ON, WATCHLIST.DELISTED_ON]]
    return matches.merge(
        entries.rename(columns={WATCHLIST.NAME: "listed_name"}), on=MATCH.ENTRY_ID, how="left"
    )


def designated_vessel_findings(
    matches: pd.DataFrame, vessels: pd.DataFrame, lookup: PositionLookup, *, snapshot_id: str, evidence: int
) -> list[Finding]:
    """One ``designated_vessel`` finding per matched (AIS identity, entry), status as of last seen."""
    rows = _with_entries(matches, vessels)
    rows["status"] = designation_status(
        rows[MATCH.LAST_SEEN], rows[WATCHLIST.LISTED_ON], rows[WATCHLIST.DELISTED_ON]
    )
    findings = []
    for record in rows.to_dict("records"):
        status = DesignationStatus(record["status"])
        mmsi = int(record[MATCH.MMSI])
        first, last = record[MATCH.FIRST_SEEN], record[MATCH.LAST_SEEN]
        findings.append(
            Finding(
                kind=FindingKind.DESIGNATED_VESSEL,
                severity=SEVERITY_BY_STATUS[status],
                mmsi=mmsi,
                imo=opt_int(record[MATCH.IMO]),
                vessel_name=opt_str(record[MATCH.NAME]),
                start=_when(first),
                end=_when(last),
                entry_ids=(record[MATCH.ENTRY_ID],),
                designation_status=status,
                score=float(record[MATCH.SCORE]),
                evidence=Evidence(
                    rule="designated_vessel",
                    explanation=f"{record[MATCH.EXPLANATION]} ({record[MATCH.ENTRY_ID]}, "
                    f"listed as {record['listed_name']})",
                    parameters={"method": record[MATCH.METHOD]},
                    match_methods=tuple(MatchMethod(m) for m in record[METHODS]),
                    positions=tuple(lookup.between(mmsi, first, last, evidence)),
                    snapshot_id=snapshot_id,
                ),
            )
        )
    return findings


def port_call_findings(
    port_calls: pd.DataFrame,
    matches: pd.DataFrame,
    vessels: pd.DataFrame,
    lookup: PositionLookup,
    *,
    snapshot_id: str,
    evidence: int,
) -> list[Finding]:
    """A ``port_call`` finding for each call a matched vessel made while carrying the matching identity."""
    if port_calls.empty or matches.empty:
        return []
    match_cols = [MATCH.MMSI, MATCH.ENTRY_ID, MATCH.SCORE, MATCH.METHOD, METHODS, MATCH.EXPLANATION,
                  MATCH.FIRST_SEEN, MATCH.LAST_SEEN]  # fmt: skip
    rows = port_calls.merge(matches[match_cols], on=MATCH.MMSI, how="inner")
    overlaps = (rows[PORT_CALL.ARRIVAL] <= rows[MATCH.LAST_SEEN]) & (
        rows[PORT_CALL.DEPARTURE] >= rows[MATCH.FIRST_SEEN]
    )
    rows = rows[overlaps]
    # one finding per call and entry: the strongest match wins
    rows = rows.sort_values(MATCH.SCORE, ascending=False, kind="stable").drop_duplicates(
        [PORT_CALL.MMSI, PORT_CALL.ARRIVAL, PORT_CALL.PORT_ID, MATCH.ENTRY_ID]
    )
    rows = _with_entries(rows, vessels).sort_values([PORT_CALL.ARRIVAL, PORT_CALL.MMSI], kind="stable")
    rows["status"] = designation_status(
        rows[PORT_CALL.ARRIVAL], rows[WATCHLIST.LISTED_ON], rows[WATCHLIST.DELISTED_ON]
    )
    findings = []
    for record in rows.to_dict("records"):
        status = DesignationStatus(record["status"])
        mmsi = int(record[PORT_CALL.MMSI])
        arrival, departure = record[PORT_CALL.ARRIVAL], record[PORT_CALL.DEPARTURE]
        hours = (departure - arrival).total_seconds() / 3600
        port = f"{record[PORT_CALL.PORT_NAME]} ({record[PORT_CALL.PORT_ID]})"
        findings.append(
            Finding(
                kind=FindingKind.PORT_CALL,
                severity=SEVERITY_BY_STATUS[status],
                mmsi=mmsi,
                imo=opt_int(record[PORT_CALL.IMO]),
                vessel_name=opt_str(record[PORT_CALL.NAME]),
                start=_when(arrival),
                end=_when(departure),
                port_id=str(record[PORT_CALL.PORT_ID]),
                entry_ids=(record[MATCH.ENTRY_ID],),
                designation_status=status,
                score=float(record[MATCH.SCORE]),
                evidence=Evidence(
                    rule="port_call_of_listed_vessel",
                    explanation=f"listed vessel ({record[MATCH.ENTRY_ID]}, listed as "
                    f"{record['listed_name']}) called at {port} for {hours:.1f} h; "
                    f"{status.value.replace('_', ' ')} at arrival",
                    parameters={
                        "port_id": str(record[PORT_CALL.PORT_ID]),
                        "confidence": int(record[PORT_CALL.CONFIDENCE]),
                        "duration_h": round(hours, 2),
                        "method": record[MATCH.METHOD],
                    },
                    match_methods=tuple(MatchMethod(m) for m in record[METHODS]),
                    positions=tuple(lookup.between(mmsi, arrival, departure, evidence)),
                    snapshot_id=snapshot_id,
                ),
            )
        )
    return findings
