"""Readable plain-text tables of findings, for terminals and logs.

:func:`findings_table` lists findings grouped by kind (most important kinds first);
:func:`story_table` tells the same findings vessel by vessel, riskiest first, with the
risk score, the list entries and their listing dates, and each event once (a
``sanctioned_port_call`` on the row of its port call).

>>> print(findings_table([]))
No findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from vesselscreen.models import Finding
from vesselscreen.report._common import cell, list_name, records, when
from vesselscreen.schema import STORY

if TYPE_CHECKING:
    from vesselscreen.report.story import VesselStory
    from vesselscreen.screening.result import ScreeningResult

__all__ = ["findings_table", "story_table", "story_text"]

_COLUMNS = ("severity", "kind", "vessel", "mmsi", "port", "from", "to", "status", "lists")
_STORY_COLUMNS = ("from", "to", "event", "port", "status", "severity", "findings")


def _row(f: Finding) -> tuple[str, ...]:
    return (
        f.severity.value.upper(),
        str(f.kind),
        f.vessel_name or "",
        "" if f.mmsi is None else str(f.mmsi),
        f.port_id or "",
        f.start.strftime("%Y-%m-%d %H:%M") if f.start else "",
        f.end.strftime("%Y-%m-%d %H:%M") if f.end else "",
        f.designation_status.value if f.designation_status else "",
        ", ".join(f.entry_ids),
    )


def _aligned(header: Sequence[str], rows: Sequence[tuple[str, ...]], indent: str = "") -> list[str]:
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(header)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [indent + line.format(*(c.upper() for c in header)).rstrip()]
    out.append(indent + line.format(*("-" * w for w in widths)))
    out.extend(indent + line.format(*r).rstrip() for r in rows)
    return out


def findings_table(findings: Sequence[Finding], *, explain: bool = True) -> str:
    """Findings as an aligned text table; with ``explain``, each row's reason below it."""
    if not findings:
        return "No findings."
    rows = [_row(f) for f in findings]
    lines = _aligned(_COLUMNS, rows)
    out = lines[:2]
    for f, text in zip(findings, lines[2:], strict=True):
        out.append(text)
        if explain:
            out.append(f"    why: {f.evidence.explanation}")
    return "\n".join(out)


def _entry_line(r: dict[str, Any]) -> str:
    listed = (
        f"listed {when(r['listed_on'])[:10]}"
        if not pd.isna(r["listed_on"])
        else "no listing date on the list"
    )
    as_name = f" as {r['listed_name']}" if not pd.isna(r["listed_name"]) else ""
    return (
        f"{r['list']}{as_name} ({r['entry_id']}), {listed}; "
        f"matched by {r['method']} (score {cell(r['score'])})"
    )


def story_text(story: VesselStory, *, explain: bool = True) -> str:
    """One vessel's story as text: a header (name, MMSI, risk, list entries) and its timeline."""
    risk = f"  risk {cell(story.risk)}/100" if story.risk is not None else ""
    out = [f"{story.name or 'unnamed vessel'}  MMSI {story.mmsi}{risk}"]
    for entry in records(story.entries):
        out.append(f"  on list: {_entry_line(entry)}")
    if story.entries.empty:
        out.append("  on no list")
    rows = [
        (
            when(r[STORY.START]),
            when(r[STORY.END]) if r[STORY.END] != r[STORY.START] else "",
            str(r[STORY.EVENT]).upper() if r[STORY.EVENT] in ("listed", "delisted") else str(r[STORY.EVENT]),
            cell(r[STORY.PORT_ID]),
            cell(r[STORY.DESIGNATION_STATUS]),
            cell(r[STORY.SEVERITY]).upper(),
            cell(r[STORY.FINDINGS]),
        )
        for r in records(story.timeline)
    ]
    lines = _aligned(_STORY_COLUMNS, rows, indent="  ")
    out += lines[:2]
    for r, text in zip(records(story.timeline), lines[2:], strict=True):
        out.append(text)
        if explain:
            out.append(f"      {'why' if r[STORY.FINDINGS] else 'what'}: {r[STORY.EXPLANATION]}")
    return "\n".join(out)


def story_table(result: ScreeningResult, *, explain: bool = True) -> str:
    """Every vessel with findings, riskiest first, each as its story (:func:`story_text`).

    Findings that name no vessel follow, as a :func:`findings_table`.
    """
    if not result.findings:
        return "No findings."
    order = [int(m) for m in result.risk["mmsi"].dropna()]
    order += [f.mmsi for f in result.findings if f.mmsi is not None and f.mmsi not in order]
    sections = [story_text(result.vessel(mmsi), explain=explain) for mmsi in dict.fromkeys(order)]
    orphans = [f for f in result.findings if f.mmsi is None]
    if orphans:
        sections.append("Findings about no single vessel:\n" + findings_table(orphans, explain=explain))
    return "\n\n".join(sections)


def lists_of(finding: Finding) -> str:
    """The lists a finding's entries are on (``ofac_sdn``), for narrow columns."""
    return ", ".join(dict.fromkeys(list_name(e) for e in finding.entry_ids))
