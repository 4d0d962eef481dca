"""One vessel's story: who it said it was, which lists name it and since when, what it did.

:func:`vessel_story` (``result.vessel(mmsi)``) puts a vessel's identities, list entries
with their listing dates, and every event of the screening (port calls, voyages, gaps,
meetings, identity changes, spoofing...) on one timeline, each with its designation status
as of the event. Events that are findings carry the finding kinds, severity and
explanation; a ``sanctioned_port_call`` is shown on the row of the port call it is about.

>>> import vesselscreen as vs
>>> ais = vs.read_ais(vs.demo.ais_path())
>>> watchlist = vs.load_watchlist(vs.demo.watchlist_path())
>>> story = vs.screen(ais, watchlist).vessel(273999301)
>>> story.name, story.risk, [e.date().isoformat() for e in story.listing_dates()]
('PORT OLYA 3', 100.0, ['2024-09-10'])
>>> story.timeline.query("event == 'listed'")["explanation"].iloc[0]
'listed on demo as PORT OLYA-3 (demo:1)'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from vesselscreen.errors import ConfigError
from vesselscreen.identifiers import normalize_name
from vesselscreen.models import Finding, FindingKind, Severity
from vesselscreen.report._common import cell, list_name, when
from vesselscreen.report._common import rows as each_row
from vesselscreen.schema import STORY, STORY_DTYPES, WATCHLIST, conform, empty_frame
from vesselscreen.screening.status import designation_status

if TYPE_CHECKING:
    from vesselscreen.screening.result import ScreeningResult

__all__ = ["ENTRY_COLUMNS", "VesselStory", "resolve_vessel", "vessel_story"]

ENTRY_COLUMNS = (
    "entry_id",
    "list",
    "listed_name",
    "listed_on",
    "listed_not_before",
    "delisted_on",
    "delisted_not_before",
    "programs",
    "method",
    "tier",
    "score",
)
"""Columns of ``VesselStory.entries``: the list entries a vessel matched, strongest first."""

_SEVERITY_RANK = {s.value: i for i, s in enumerate(Severity)}
# finding kinds that are about the same event as a row of another kind
_SAME_EVENT = {FindingKind.SANCTIONED_PORT_CALL.value: FindingKind.PORT_CALL.value}


@dataclass(frozen=True)
class VesselStory:
    """A vessel's timeline. ``timeline`` has the ``schema.STORY`` columns, sorted by time.

    Attributes:
        mmsi: the vessel's MMSI.
        name: the last name it broadcast (or the findings' name).
        risk: its risk score (0-100), ``None`` when it has no finding.
        entries: the list entries it matched (``ENTRY_COLUMNS``), strongest first.
        identities: the AIS identities it broadcast (rows of ``ScreeningResult.identities``).
        timeline: identities, listings and events, one row each (``schema.STORY``).
        findings: the findings about it, in the result's order.
    """

    mmsi: int
    name: str | None
    risk: float | None
    entries: pd.DataFrame
    identities: pd.DataFrame
    timeline: pd.DataFrame
    findings: tuple[Finding, ...] = field(default=())

    def listing_dates(self) -> list[pd.Timestamp]:
        """The dates its list entries were listed on (those the lists give), earliest first."""
        dates = pd.to_datetime(self.entries["listed_on"], utc=True).dropna()
        return sorted(pd.Timestamp(d) for d in dates.unique())

    def __str__(self) -> str:
        from vesselscreen.report.table import story_text

        return story_text(self)

    def __repr__(self) -> str:
        return (
            f"<VesselStory {self.name or 'unnamed'} (MMSI {self.mmsi}): {len(self.timeline)} events, "
            f"{len(self.findings)} findings, risk {cell(self.risk) or 'none'}>"
        )

    def _repr_html_(self) -> str:
        from vesselscreen.report.html import story_html

        return story_html(self)


def resolve_vessel(result: ScreeningResult, vessel: int | str) -> int:
    """The MMSI of ``vessel``: an MMSI, or a name one screened vessel broadcast (normalised).

    Raises :class:`~vesselscreen.errors.ConfigError` for a name no vessel or several vessels used.
    """
    if isinstance(vessel, int) and not isinstance(vessel, bool):
        return vessel
    if isinstance(vessel, str) and vessel.strip().isdigit():
        return int(vessel.strip())
    key = normalize_name(str(vessel))
    ids = result.identities
    names = ids["name"].astype("string").fillna("").map(normalize_name)
    mmsis = sorted({int(m) for m in ids.loc[names == key, "mmsi"].dropna()})
    mmsis += sorted(
        {
            f.mmsi
            for f in result.findings
            if f.mmsi is not None and f.mmsi not in mmsis and normalize_name(f.vessel_name or "") == key
        }
    )
    if len(mmsis) == 1:
        return mmsis[0]
    if not mmsis:
        raise ConfigError(f"no screened vessel broadcast the name {vessel!r}; pass its MMSI")
    raise ConfigError(f"several vessels broadcast the name {vessel!r} (MMSI {mmsis}); pass one MMSI")


def _entries(result: ScreeningResult, mmsi: int) -> pd.DataFrame:
    matches = result.matches
    if matches.empty or "mmsi" not in matches.columns:
        return pd.DataFrame(columns=list(ENTRY_COLUMNS))
    mine = matches[matches["mmsi"] == mmsi].sort_values("score", ascending=False, kind="stable")
    mine = mine.drop_duplicates("entry_id")
    out = pd.DataFrame(
        {
            "entry_id": mine["entry_id"].astype("string"),
            "list": mine["entry_id"].astype("string").map(list_name),
            "method": mine["method"].astype("string"),
            "tier": mine["tier"].astype("string") if "tier" in mine else pd.NA,
            "score": mine["score"].astype("float64"),
        }
    ).reset_index(drop=True)
    listed = result.watchlist.vessels if result.watchlist is not None else None
    if listed is not None and not listed.empty:
        info = listed.drop_duplicates(WATCHLIST.ENTRY_ID).set_index(WATCHLIST.ENTRY_ID)
        ids = out["entry_id"]
        out["list"] = ids.map(info[WATCHLIST.SOURCE]).astype("string").fillna(out["list"])
        out["listed_name"] = ids.map(info[WATCHLIST.NAME]).astype("string")
        for col in ("listed_on", "listed_not_before", "delisted_on", "delisted_not_before"):
            out[col] = ids.map(info[col]) if col in info.columns else pd.NaT
        out["programs"] = ids.map(info[WATCHLIST.PROGRAMS])
    else:
        out["listed_name"] = pd.Series(pd.NA, index=out.index, dtype="string")
        for col in ("listed_on", "listed_not_before", "delisted_on", "delisted_not_before"):
            out[col] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
        out["programs"] = pd.Series([[] for _ in range(len(out))], index=out.index, dtype=object)
    for col in ("listed_on", "listed_not_before", "delisted_on", "delisted_not_before"):
        out[col] = pd.to_datetime(out[col], utc=True)
    return out[list(ENTRY_COLUMNS)]


def _finding_rows(findings: Iterable[Finding]) -> list[dict[str, object]]:
    rows: dict[tuple[str, str, str], dict[str, object]] = {}
    for f in findings:
        event = _SAME_EVENT.get(str(f.kind), str(f.kind))
        key = (event, when(f.start), f.port_id or "")
        row = rows.get(key)
        status = f.designation_status.value if f.designation_status else None
        if row is None:
            rows[key] = {
                STORY.START: f.start,
                STORY.END: f.end,
                STORY.EVENT: event,
                STORY.PORT_ID: f.port_id,
                STORY.DESIGNATION_STATUS: status,
                STORY.SEVERITY: f.severity.value,
                STORY.FINDINGS: str(f.kind),
                STORY.EXPLANATION: f.evidence.explanation,
            }
            continue
        # a second finding about the same event (a sanctioned port call on a port call row)
        row[STORY.FINDINGS] = f"{row[STORY.FINDINGS]}, {f.kind!s}"
        row[STORY.EXPLANATION] = f"{row[STORY.EXPLANATION]}; {f.evidence.explanation}"
        row[STORY.DESIGNATION_STATUS] = row[STORY.DESIGNATION_STATUS] or status
        if _SEVERITY_RANK[f.severity.value] > _SEVERITY_RANK[str(row[STORY.SEVERITY])]:
            row[STORY.SEVERITY] = f.severity.value
    return list(rows.values())


def _hours(value: object) -> str:
    return f"{pd.Timedelta(value).total_seconds() / 3600:.1f} h"  # type: ignore[arg-type]  # timedelta scalar


def _event_rows(result: ScreeningResult, mmsi: int) -> list[dict[str, object]]:
    """Events of the screening's frames, whether or not a rule made a finding of them."""
    rows: list[dict[str, object]] = []

    def add(start: object, end: object, event: str, port: object, text: str) -> None:
        port_id = None if port is None or pd.isna(port) else str(port)  # type: ignore[call-overload]  # any scalar
        rows.append(
            {
                STORY.START: start,
                STORY.END: end,
                STORY.EVENT: event,
                STORY.PORT_ID: port_id,
                STORY.EXPLANATION: text,
            }
        )

    calls = result.port_calls
    for r in each_row(calls[calls["mmsi"] == mmsi]):
        add(
            r.arrival,
            r.departure,
            "port_call",
            r.port_id,
            f"called at {r.port_name} ({r.port_id}, {cell(r.country)}) for {_hours(r.departure - r.arrival)}",
        )
    voyages = result.voyages
    for r in each_row(voyages[voyages["mmsi"] == mmsi]):
        add(
            r.departure,
            r.arrival,
            "voyage",
            r.destination_port_id,
            f"sailed from {cell(r.origin_port_name)} ({cell(r.origin_port_id)}) to "
            f"{cell(r.destination_port_name)} ({cell(r.destination_port_id)}), {r.distance_m / 1000:.0f} km",
        )
    gaps = result.gaps
    for r in each_row(gaps[gaps["mmsi"] == mmsi]):
        kind = "dark_gap" if bool(r.dark) else "ais_gap"
        add(
            r.start,
            r.end,
            kind,
            None,
            f"no AIS for {_hours(r.end - r.start)}, reappeared {r.distance_m / 1000:.0f} km away",
        )
    meetings = result.encounters
    if not meetings.empty:
        for r in each_row(meetings[(meetings["mmsi_1"] == mmsi) | (meetings["mmsi_2"] == mmsi)]):
            other = r.mmsi_2 if r.mmsi_1 == mmsi else r.mmsi_1
            add(
                r.start,
                r.end,
                "sts_encounter",
                None,
                f"met MMSI {other} for {_hours(r.end - r.start)} at {r.lat:.3f}, {r.lon:.3f} "
                f"(closest {r.min_distance_m:.0f} m)",
            )
    loitering = result.loitering
    for r in each_row(loitering[loitering["mmsi"] == mmsi]):
        add(
            r.start,
            r.end,
            "loitering",
            None,
            f"loitered for {_hours(r.end - r.start)} at {r.lat:.3f}, {r.lon:.3f}",
        )
    spoofing = result.spoofing
    for r in each_row(spoofing[spoofing["mmsi"] == mmsi]):
        add(r.start, r.end, "spoofing", None, f"{r.kind}: {cell(r.detail)}")
    changes = result.identity_changes
    if not changes.empty and "mmsi" in changes.columns:
        for r in each_row(changes[changes["mmsi"] == mmsi]):
            add(
                r.time,
                r.time,
                "identity_change",
                None,
                f"{r.field} changed from {cell(r.before) or 'nothing'} to {cell(r.after) or 'nothing'}",
            )
    return rows


def _identity_rows(identities: pd.DataFrame) -> list[dict[str, object]]:
    rows = []
    for r in each_row(identities):
        parts = [f"IMO {r.imo}" if not pd.isna(r.imo) else "no IMO"]
        if "call_sign" in identities.columns and not pd.isna(r.call_sign):
            parts.append(f"call sign {r.call_sign}")
        if "flag" in identities.columns and not pd.isna(r.flag):
            parts.append(f"MMSI flag {r.flag}")
        name = "no name" if pd.isna(r.name) else r.name
        rows.append(
            {
                STORY.START: r.first_seen,
                STORY.END: r.last_seen,
                STORY.EVENT: "identity",
                STORY.EXPLANATION: f"broadcast as {name} ({', '.join(parts)})",
            }
        )
    return rows


def _listing_rows(entries: pd.DataFrame) -> list[dict[str, object]]:
    rows = []
    for r in each_row(entries):
        named = f" as {r.listed_name}" if not pd.isna(r.listed_name) else ""
        if not pd.isna(r.listed_on):
            rows.append(
                {
                    STORY.START: r.listed_on,
                    STORY.EVENT: "listed",
                    STORY.DESIGNATION_STATUS: "designated",
                    STORY.EXPLANATION: f"listed on {r.list}{named} ({r.entry_id})",
                }
            )
        if not pd.isna(r.delisted_on):
            rows.append(
                {
                    STORY.START: r.delisted_on,
                    STORY.EVENT: "delisted",
                    STORY.DESIGNATION_STATUS: "delisted",
                    STORY.EXPLANATION: f"delisted from {r.list}{named} ({r.entry_id})",
                }
            )
    return rows


def vessel_story(result: ScreeningResult, vessel: int | str) -> VesselStory:
    """The story of one vessel of ``result`` (by MMSI, or by a name it broadcast)."""
    mmsi = resolve_vessel(result, vessel)
    findings = tuple(f for f in result.findings if f.mmsi == mmsi)
    identities = result.identities[result.identities["mmsi"] == mmsi].reset_index(drop=True)
    if identities.empty and not findings and not (result.matches["mmsi"] == mmsi).any():
        raise ConfigError(f"MMSI {mmsi} is not among the screened vessels")
    entries = _entries(result, mmsi)
    rows = _finding_rows(findings)
    covered = {(r[STORY.EVENT], when(r[STORY.START]), r[STORY.PORT_ID] or "") for r in rows}
    for r in _event_rows(result, mmsi):
        if (r[STORY.EVENT], when(r[STORY.START]), r[STORY.PORT_ID] or "") not in covered:
            rows.append(r)
    rows += _identity_rows(identities) + _listing_rows(entries)
    frame = pd.DataFrame(rows) if rows else empty_frame(STORY_DTYPES)
    for col in (STORY.START, STORY.END):
        frame[col] = pd.to_datetime(frame[col], utc=True) if col in frame.columns else pd.NaT
    timeline = conform(frame, STORY_DTYPES)
    if not entries.empty:  # events that are no finding get the status of the strongest entry
        first = entries.iloc[[0] * len(timeline)]
        status = designation_status(
            timeline[STORY.START],
            first["listed_on"].set_axis(timeline.index),
            first["delisted_on"].set_axis(timeline.index),
            listed_not_before=first["listed_not_before"].set_axis(timeline.index),
            delisted_not_before=first["delisted_not_before"].set_axis(timeline.index),
        )
        missing = (
            timeline[STORY.DESIGNATION_STATUS].isna()
            & timeline[STORY.START].notna()
            & (timeline[STORY.EVENT] != "identity")  # an identity spans the listing date: no one status
        )
        timeline.loc[missing, STORY.DESIGNATION_STATUS] = status[missing]
    timeline[STORY.FINDINGS] = timeline[STORY.FINDINGS].fillna("")
    order = timeline[STORY.EVENT].map({"identity": 0, "listed": 1, "delisted": 1}).fillna(2)
    timeline = (
        timeline.assign(_order=order)
        .sort_values([STORY.START, "_order"], kind="stable", na_position="first")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    risk_rows = result.risk[result.risk["mmsi"] == mmsi]
    names = identities["name"].dropna()
    name = (
        str(names.iloc[-1]) if len(names) else next((f.vessel_name for f in findings if f.vessel_name), None)
    )
    return VesselStory(
        mmsi=mmsi,
        name=name,
        risk=float(risk_rows["risk"].iloc[0]) if len(risk_rows) else None,
        entries=entries,
        identities=identities,
        timeline=timeline,
        findings=findings,
    )
