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

__all__ = [
    "SEVERITY_BY_STATUS",
    "designated_vessel_findings",
    "events_of_listed",
    "listed_vessels",
    "port_call_findings",
]

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


def listed_vessels(matches: pd.DataFrame, vessels: pd.DataFrame) -> pd.DataFrame:
    """Every match with its entry's listed name and dates, ready to join to events on MMSI.

    Columns: mmsi, entry_id, method, methods, match_score, match_first, match_last,
    listed_name, listed_on, delisted_on.
    """
    cols = [MATCH.MMSI, MATCH.ENTRY_ID, MATCH.METHOD, METHODS, MATCH.SCORE, MATCH.FIRST_SEEN, MATCH.LAST_SEEN]
    rows = _with_entries(matches[cols], vessels)
    return rows.rename(
        columns={MATCH.SCORE: "match_score", MATCH.FIRST_SEEN: "match_first", MATCH.LAST_SEEN: "match_last"}
    )


def events_of_listed(
    events: pd.DataFrame, listed: pd.DataFrame, start: str, end: str, *, mmsi: str = MATCH.MMSI
) -> pd.DataFrame:
    """Events of matched vessels while they carried a matching identity.

    One row per event and entry (the strongest match wins), with ``status``: the
    designation status at the event's ``start``.
    """
    rows = events.merge(listed, left_on=mmsi, right_on=MATCH.MMSI, how="inner", suffixes=("", "_listed"))
    rows = rows[(rows[start] <= rows["match_last"]) & (rows[end] >= rows["match_first"])]
    rows = rows.sort_values("match_score", ascending=False, kind="stable")
    rows = rows.drop_duplicates([mmsi, start, MATCH.ENTRY_ID]).sort_values([start, mmsi], kind="stable")
    rows["status"] = designation_status(rows[start], rows[WATCHLIST.LISTED_ON], rows[WATCHLIST.DELISTED_ON])
    return rows


def port_call_findings(
    port_calls: pd.DataFrame,
    listed: pd.DataFrame,
    lookup: PositionLookup,
    *,
    snapshot_id: str,
    evidence: int,
) -> list[Finding]:
    """A ``port_call`` finding for each call a matched vessel made while carrying the matching identity."""
    rows = events_of_listed(port_calls, listed, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE)
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
                score=float(record["match_score"]),
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
