"""HTML: notebook displays (``_repr_html_``) and the self-contained audit report.

Everything here is plain HTML with inline CSS and inline SVG: no script, no font, no
image or stylesheet from elsewhere, so a report opens offline, years later, in any
browser, and can be archived with the screening. Findings are rendered generically
(every field of :class:`~vesselscreen.models.Finding`, every evidence parameter), so
fields and rules added later show up without a change here.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd

from vesselscreen.models import EvidencePosition, Finding
from vesselscreen.report._common import (
    SEVERITY_COLOURS,
    cell,
    esc,
    finding_fields,
    frame_html,
    records,
    rows_html,
    when,
)
from vesselscreen.report.svg import legend_html, map_layers, svg_map
from vesselscreen.schema import STORY

if TYPE_CHECKING:
    from vesselscreen.lists.watchlist import Watchlist
    from vesselscreen.report.story import VesselStory
    from vesselscreen.screening.result import ScreeningResult

__all__ = [
    "CSS",
    "finding_html",
    "report_html",
    "result_summary_html",
    "story_html",
    "watchlist_html",
]

CSS = """
.vs { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 13px;
  color: #212121; }
.vs table { border-collapse: collapse; margin: 4px 0 10px 0; }
.vs th, .vs td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: left; vertical-align: top; }
.vs th { background: #f3f5f7; }
.vs table.kv th { width: 14em; }
.vs .sev { color: #fff; border-radius: 3px; padding: 0 5px; font-size: 11px; font-weight: 600; }
.vs .why { margin: 4px 0; }
.vs details { margin: 2px 0 6px 0; }
.vs summary { cursor: pointer; }
.vs tr.listed td { background: #fff3e0; font-weight: 600; }
.vs table.timeline td:nth-child(-n+2) { white-space: nowrap; }
.vs .muted { color: #607d8b; }
.vs section.vessel { border-top: 3px solid #c62828; margin-top: 24px; padding-top: 6px; }
.vs .legend { font-size: 11px; color: #455a64; }
.vs svg.map { max-width: 100%; height: auto; border: 1px solid #cfd8dc; }
"""
"""The report's stylesheet (inlined; also wrapped around each notebook display)."""

_MAX_ROWS = 10


def _sev(severity: object) -> str:
    value = cell(severity)
    colour = SEVERITY_COLOURS.get(value, "#546e7a")
    return f'<span class="sev" style="background:{colour}">{html.escape(value.upper())}</span>'


def _wrap(body: str) -> str:
    return f'<div class="vs"><style>{CSS}</style>{body}</div>'


def _positions_html(positions: Sequence[EvidencePosition]) -> str:
    if not positions:
        return '<p class="muted">no AIS positions quoted</p>'
    frame = pd.DataFrame([p.model_dump() for p in positions])
    return frame_html(frame, cls="positions")


def finding_body(finding: Finding) -> str:
    """The why, the finding's fields and its evidence (rule, parameters, positions), as HTML."""
    ev = finding.evidence
    fields = [(k, v) for k, v in finding_fields(finding).items() if v not in (None, ())]
    evidence = [
        (name, getattr(ev, name))
        for name in type(ev).model_fields
        if name not in ("parameters", "positions", "explanation")
    ]
    params = rows_html(sorted(ev.parameters.items()), cls="kv params") if ev.parameters else ""
    return (
        f'<p class="why">{_sev(finding.severity)} <b>{esc(finding.kind)}</b>: {esc(ev.explanation)}</p>'
        f"{rows_html(fields)}"
        f"<details open><summary>evidence: rule <code>{esc(ev.rule)}</code>, "
        f"{len(ev.parameters)} parameters, "
        f"{len(ev.positions)} positions</summary>{rows_html(evidence)}{params}{_positions_html(ev.positions)}"
        "</details>"
    )


def finding_html(finding: Finding) -> str:
    """A finding for a notebook: the why, then the evidence table."""
    return _wrap(finding_body(finding))


def watchlist_html(watchlist: Watchlist) -> str:
    """A watchlist for a notebook: snapshot, sources, counts and the first rows."""
    sources = pd.DataFrame([s.model_dump() for s in watchlist.snapshot.sources])
    if not sources.empty:
        sources["sha256"] = sources["sha256"].str.slice(0, 16) + "…"
    vessels = watchlist.vessels
    shown = [
        c
        for c in ("entry_id", "source", "name", "imo", "mmsi", "flag", "listed_on", "programs")
        if c in vessels.columns
    ]
    listed = vessels["listed_on"].notna().sum() if "listed_on" in vessels.columns else 0
    body = (
        f"<p><b>Watchlist</b> snapshot <code>{esc(watchlist.snapshot.id)}</code>: {len(vessels)} vessels "
        f"({listed} with a listing date), {len(watchlist.entities)} other parties</p>"
        f"{frame_html(sources) if not sources.empty else '<p class=muted>no source</p>'}"
        f"{frame_html(vessels, columns=shown, max_rows=_MAX_ROWS)}"
    )
    return _wrap(body)


def _by_severity(result: ScreeningResult) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "severity": [f.severity.value for f in result.findings],
            "kind": [str(f.kind) for f in result.findings],
        }
    )
    if frame.empty:
        return frame
    table = frame.groupby(["kind", "severity"]).size().unstack(fill_value=0)
    order = [s for s in ("critical", "high", "medium", "low") if s in table.columns]
    return table[order].reset_index()


def _snapshot_table(result: ScreeningResult) -> str:
    snap = result.metadata.watchlist
    frame = pd.DataFrame([s.model_dump() for s in snap.sources])
    return f"<p>list snapshot <code>{esc(snap.id)}</code></p>" + (
        frame_html(frame) if not frame.empty else ""
    )


def result_summary_html(result: ScreeningResult) -> str:
    """A screening for a notebook: counts, findings by kind and severity, top risks, the snapshot."""
    meta = result.metadata
    severity = _by_severity(result)
    risk = result.risk.head(_MAX_ROWS)
    body = (
        f"<p><b>Screening</b> of {meta.positions} positions of {meta.vessels} vessels against "
        f"{meta.list_vessels} listed vessels: <b>{len(result.findings)} findings</b> about "
        f"{len(result.risk)} vessels (vesselscreen {esc(meta.library_version)}, "
        f"{when(meta.screened_at)} UTC)</p>"
        + (frame_html(severity) if not severity.empty else "<p>No findings.</p>")
        + ("<p>Top risks (0-100):</p>" + frame_html(risk) if not risk.empty else "")
        + _snapshot_table(result)
        + '<p class="muted">result.vessel(mmsi) tells one ship\'s story; result.to_html("report.html") '
        "writes the audit report; result.map() draws it (maps extra).</p>"
    )
    return _wrap(body)


def _timeline_html(story: VesselStory) -> str:
    rows = []
    for r in records(story.timeline):
        listed = r[STORY.EVENT] in ("listed", "delisted")
        sev = _sev(r[STORY.SEVERITY]) if not pd.isna(r[STORY.SEVERITY]) else ""
        end = when(r[STORY.END]) if r[STORY.END] != r[STORY.START] else ""
        rows.append(
            f'<tr class="{"listed" if listed else "event"}" data-event="{esc(r[STORY.EVENT])}">'
            f"<td>{when(r[STORY.START])}</td><td>{end}</td><td>{esc(r[STORY.EVENT])}</td>"
            f"<td>{esc(r[STORY.PORT_ID])}</td><td>{esc(r[STORY.DESIGNATION_STATUS])}</td><td>{sev}</td>"
            f"<td>{esc(r[STORY.FINDINGS])}</td><td>{esc(r[STORY.EXPLANATION])}</td></tr>"
        )
    head = "".join(
        f"<th>{c}</th>"
        for c in ("from (UTC)", "to", "event", "port", "status", "severity", "findings", "what and why")
    )
    return f'<table class="timeline"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _entries_html(story: VesselStory) -> str:
    if story.entries.empty:
        return "<p>On no list; flagged by behaviour.</p>"
    return frame_html(story.entries)


def story_html(story: VesselStory) -> str:
    """A vessel's story for a notebook: entries, then the timeline."""
    risk = f", risk {cell(story.risk)}/100" if story.risk is not None else ""
    body = (
        f"<p><b>{esc(story.name or 'unnamed vessel')}</b> (MMSI {story.mmsi}){risk}</p>"
        f"{_entries_html(story)}{_timeline_html(story)}"
    )
    return _wrap(body)


def _vessel_section(result: ScreeningResult, mmsi: int, numbers: dict[int, int]) -> str:
    story = result.vessel(mmsi)
    layers = map_layers(result, [mmsi])
    risk = f" risk {cell(story.risk)}/100" if story.risk is not None else ""
    findings = "".join(
        f'<div class="finding" id="finding-{numbers[id(f)]}" data-kind="{esc(f.kind)}" data-mmsi="{mmsi}">'
        f"<h4>Finding {numbers[id(f)]}: {esc(f.kind)} {when(f.start)}</h4>{finding_body(f)}</div>"
        for f in story.findings
    )
    breakdown = result.risk_breakdown[result.risk_breakdown["mmsi"] == mmsi]
    return (
        f'<section class="vessel" id="vessel-{mmsi}" data-mmsi="{mmsi}">'
        f"<h2>{esc(story.name or 'unnamed vessel')} <span class='muted'>MMSI {mmsi}</span>{risk}</h2>"
        f"<h3>List entries</h3>{_entries_html(story)}"
        + (f"<h3>Risk breakdown</h3>{frame_html(breakdown)}" if not breakdown.empty else "")
        + f"<h3>Map</h3>{svg_map(layers, width=760, title=story.name or str(mmsi))}"
        f"<h3>Story</h3>{_timeline_html(story)}"
        f"<h3>Findings ({len(story.findings)})</h3>{findings}</section>"
    )


def report_html(result: ScreeningResult, *, title: str = "vesselscreen screening report") -> str:
    """The whole audit report as one HTML document (see ``ScreeningResult.to_html``)."""
    meta = result.metadata
    numbers = {id(f): i for i, f in enumerate(result.findings, start=1)}
    order = [int(m) for m in result.risk["mmsi"].dropna()]
    order += [f.mmsi for f in result.findings if f.mmsi is not None and f.mmsi not in order]
    vessels = list(dict.fromkeys(order))
    overview = map_layers(result)
    contents = "".join(
        f'<li><a href="#vessel-{m}">{esc(result.vessel_name(m))}</a> (MMSI {m})</li>' for m in vessels
    )
    orphans = [f for f in result.findings if f.mmsi is None]
    orphan_html = "".join(
        f'<div class="finding" id="finding-{numbers[id(f)]}" data-kind="{esc(f.kind)}">'
        f"<h4>Finding {numbers[id(f)]}: {esc(f.kind)}</h4>{finding_body(f)}</div>"
        for f in orphans
    )
    reports = [r.summary() for r in meta.ingest_reports]
    if meta.cleaning_report is not None:
        reports.append("cleaning: " + meta.cleaning_report.summary())
    config = json.dumps(meta.config.model_dump(mode="json"), indent=2, sort_keys=True)
    severity = _by_severity(result)
    body = (
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="muted">vesselscreen {esc(meta.library_version)}; '
        f"screened {when(meta.screened_at, seconds=True)} "
        f"UTC; report written {when(datetime.now(UTC), seconds=True)} UTC</p>"
        f"<p>{meta.positions} AIS positions of {meta.vessels} vessels screened against "
        f"{meta.list_vessels} listed vessels (snapshot <code>{esc(meta.watchlist.id)}</code>): "
        f"<b>{len(result.findings)} findings</b> about "
        f"{len(vessels)} vessels.</p>"
        + (frame_html(severity) if not severity.empty else "<p>No findings.</p>")
        + (f"<h2>Risk</h2>{frame_html(result.risk)}" if not result.risk.empty else "")
        + f"<h2>Map</h2>{svg_map(overview, title='all flagged vessels')}{legend_html()}"
        + (f"<h2>Vessels</h2><ol>{contents}</ol>" if vessels else "")
        + "".join(_vessel_section(result, m, numbers) for m in vessels)
        + (f"<h2>Findings about no single vessel</h2>{orphan_html}" if orphans else "")
        + f'<section id="lists"><h2>List snapshots</h2>{_snapshot_table(result)}</section>'
        + '<section id="inputs"><h2>AIS input</h2>'
        + ("".join(f"<p>{html.escape(r)}</p>" for r in reports) or "<p class=muted>no ingest report</p>")
        + "</section>"
        + f'<section id="config"><h2>Configuration</h2><p>The <code>ScreeningConfig</code> used; '
        "<code>ScreeningConfig.model_validate_json</code> reads it back to reproduce the screening.</p>"
        f"<pre>{html.escape(config)}</pre></section>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f"<style>{CSS} body {{ margin: 24px; max-width: 1100px; }}</style></head>"
        f'<body class="vs">{body}</body></html>'
    )
