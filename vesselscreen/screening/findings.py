"""Rules that turn matches and events into findings, each with its evidence.

Rule names are stable identifiers (they appear in every finding's evidence):

- ``designated_vessel``: an AIS identity matches a list entry.
- ``port_call_of_listed_vessel``: a matched vessel made a port call while it carried the
  matching identity; its status is judged as of the arrival time.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from vesselscreen.models import (
    DesignationStatus,
    Evidence,
    EvidencePosition,
    Finding,
    FindingKind,
    MatchMethod,
    Severity,
)
from vesselscreen.schema import MATCH, PORT_CALL, POSITION, WATCHLIST
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


class PositionLookup:
    """Fast slicing of a positions frame sorted by (mmsi, timestamp), for evidence."""

    def __init__(self, positions: pd.DataFrame) -> None:
        self._frame = positions.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable")
        self._mmsi = self._frame[POSITION.MMSI].to_numpy(dtype="int64", na_value=-1)
        self._time = self._frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]")

    def between(
        self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int
    ) -> list[EvidencePosition]:
        """Up to ``limit`` positions of ``mmsi`` in [start, end]: first, last, evenly spaced between."""
        if limit <= 0:
            return []
        lo, hi = np.searchsorted(self._mmsi, mmsi, "left"), np.searchsorted(self._mmsi, mmsi, "right")
        times = self._time[lo:hi]
        t0 = np.datetime64(start.tz_convert(None).as_unit("ns"))
        t1 = np.datetime64(end.tz_convert(None).as_unit("ns"))
        a = int(lo + np.searchsorted(times, t0, "left"))
        b = int(lo + np.searchsorted(times, t1, "right"))
        if b <= a:
            return []
        picks = np.unique(np.linspace(a, b - 1, num=min(limit, b - a)).round().astype(int))
        rows = self._frame.iloc[picks]
        return [
            EvidencePosition(
                mmsi=int(r[POSITION.MMSI]),
                timestamp=r[POSITION.TIMESTAMP].to_pydatetime(),
                lat=float(r[POSITION.LAT]),
                lon=float(r[POSITION.LON]),
                sog=None if pd.isna(r[POSITION.SOG]) else float(r[POSITION.SOG]),
                name=None if pd.isna(r[POSITION.NAME]) else str(r[POSITION.NAME]),
                imo=None if pd.isna(r[POSITION.IMO]) else int(r[POSITION.IMO]),
            )
            for _, r in rows.iterrows()
        ]


def _opt_int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]  # pandas scalar, NA checked


def _opt_str(value: object) -> str | None:
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]  # pandas scalar, NA checked


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
                imo=_opt_int(record[MATCH.IMO]),
                vessel_name=_opt_str(record[MATCH.NAME]),
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
                imo=_opt_int(record[PORT_CALL.IMO]),
                vessel_name=_opt_str(record[PORT_CALL.NAME]),
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
