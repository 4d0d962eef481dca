"""A vessel at a glance with matplotlib (``pip install 'vesselscreen[maps]'``).

``result.plot_vessel(mmsi)`` draws two panels: the track over the bundled land (left) and
the story as a timeline (right): one row per kind of event, a bar per event coloured by
the severity of its finding (grey when no rule made a finding of it), and each listing
date as a vertical line, so "before or after designation" is seen at once.
The figure is built without pyplot (no global state, no GUI backend needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vesselscreen.report._common import SEVERITY_COLOURS, land, records
from vesselscreen.report._common import rows as each_row
from vesselscreen.report.svg import map_layers
from vesselscreen.schema import STORY

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from vesselscreen.screening.result import ScreeningResult

__all__ = ["plot_vessel"]

_NO_FINDING = "#b0bec5"


def plot_vessel(result: ScreeningResult, vessel: int | str) -> Figure:
    """Track and timeline of one vessel of ``result`` (MMSI or name)."""
    try:
        from matplotlib.dates import DateFormatter
        from matplotlib.figure import Figure
    except ImportError as exc:  # the maps extra is optional
        raise ImportError("result.plot_vessel() needs matplotlib: pip install 'vesselscreen[maps]'") from exc
    story = result.vessel(vessel)
    layers = map_layers(result, [story.mmsi])
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    track_ax, time_ax = fig.subplots(1, 2, width_ratios=[1, 1.6])

    west, south, east, north = layers.bounds()
    for ring in land(west, south, east, north):
        track_ax.fill(ring[:, 0], ring[:, 1], facecolor="#f1efe4", edgecolor="#b0a990", linewidth=0.6)
    track_ax.set_facecolor("#e3f2fd")
    colour = layers.colour(story.mmsi)
    for seg in layers.tracks.get(story.mmsi, []):
        track_ax.plot(
            seg[:, 0], seg[:, 1], color=colour, linewidth=1.8, marker="." if len(seg) == 1 else None
        )
    for r in each_row(layers.gaps):
        track_ax.plot(
            [r.start_lon, r.end_lon], [r.start_lat, r.end_lat], color=colour, linestyle="--", linewidth=1.4
        )
    for r in each_row(layers.ports):
        track_ax.plot(
            r.lon,
            r.lat,
            marker="o",
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="#c62828" if r.sanctioned else "#37474f",
            markeredgewidth=2,
        )
        track_ax.annotate(r.port_id, (r.lon, r.lat), xytext=(6, -10), textcoords="offset points", fontsize=8)
    for r in each_row(layers.meetings):
        track_ax.plot(r.lon, r.lat, marker="D", color="#6a1b9a")
    for r in each_row(layers.spoofing):
        track_ax.plot(r.lon, r.lat, marker="x", color="black", markersize=8)
    track_ax.set_xlim(west, east)
    track_ax.set_ylim(south, north)
    track_ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
    track_ax.set_title(f"{story.name or 'unnamed'} (MMSI {story.mmsi})", fontsize=10)
    track_ax.tick_params(labelsize=7)

    timeline = story.timeline[~story.timeline[STORY.EVENT].isin(["listed", "delisted"])]
    events = list(dict.fromkeys(timeline[STORY.EVENT]))
    for r in records(timeline):
        start = r[STORY.START]
        end = r[STORY.END] if not pd.isna(r[STORY.END]) else start
        sev = r[STORY.SEVERITY]
        face = SEVERITY_COLOURS.get(str(sev), _NO_FINDING) if not pd.isna(sev) else _NO_FINDING
        width = max((end - start).total_seconds() / 86400, 0.05)
        time_ax.barh(
            events.index(r[STORY.EVENT]), width, left=start, height=0.6, color=face, edgecolor="white"
        )
    for when_listed in story.listing_dates():
        time_ax.axvline(when_listed, color="#c62828", linewidth=2)
        time_ax.annotate(
            f"listed {when_listed:%Y-%m-%d}",
            (when_listed, 0.98),
            xycoords=("data", "axes fraction"),
            xytext=(4, 0),
            textcoords="offset points",
            color="#c62828",
            fontsize=8,
            va="top",
        )
    time_ax.set_yticks(range(len(events)), events, fontsize=8)
    time_ax.invert_yaxis()
    time_ax.xaxis.set_major_formatter(DateFormatter("%d %b"))  # type: ignore[no-untyped-call]  # untyped in matplotlib
    time_ax.tick_params(axis="x", labelsize=8)
    risk = f", risk {story.risk:g}/100" if story.risk is not None else ""
    time_ax.set_title(f"story (UTC){risk}; bar colour: severity of the finding, grey: no finding", fontsize=9)
    time_ax.grid(axis="x", color="#eceff1")
    return fig
