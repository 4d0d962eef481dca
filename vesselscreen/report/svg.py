"""A static map as inline SVG: no JavaScript, no tiles, no network; for the HTML report.

Equirectangular projection fitted to the area of the tracks (x scaled by the cosine of
the middle latitude, so shapes are right near that latitude), over the bundled
simplified land (Natural Earth). Drawn: each vessel's track (listed vessels in red,
vessels flagged by behaviour only in orange, others grey), dark gaps as dashed lines,
port calls as circles (red in sanctioned jurisdictions), meetings as diamonds, spoofed
positions as crosses. Every mark has a ``<title>`` (a tooltip in browsers) and a class
that tests and stylesheets can select (``track``, ``gap``, ``port-call``, ``meeting``,
``spoofing``, ``land``).
"""

from __future__ import annotations

import html
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from vesselscreen.report._common import cell, land, when
from vesselscreen.report._common import rows as each_row
from vesselscreen.report.tracks import tracks
from vesselscreen.schema import POSITION

if TYPE_CHECKING:
    from vesselscreen.screening.result import ScreeningResult

__all__ = ["MapLayers", "map_layers", "svg_map"]

LISTED_COLOUR = "#c62828"
FLAGGED_COLOUR = "#ef6c00"
OTHER_COLOUR = "#78909c"
MIN_SPAN_DEG = 1.0  # a map narrower than ~100 km shows no context
PAD = 0.08  # share of the span added around the tracks
MAX_CONTEXT_VESSELS = 50
"""An overview map draws every vessel (others in grey) when there are at most this many; else the flagged."""


@dataclass(frozen=True)
class MapLayers:
    """What a map of a result shows, in lon/lat: shared by the SVG and the folium maps."""

    tracks: dict[int, list[np.ndarray]]
    names: dict[int, str]
    listed: frozenset[int]
    flagged: frozenset[int]
    ports: pd.DataFrame  # port_id, port_name, country, lat, lon, calls, sanctioned, mmsis, text
    gaps: pd.DataFrame  # mmsi, start, end, start_lat, start_lon, end_lat, end_lon, text
    meetings: pd.DataFrame  # mmsi_1, mmsi_2, start, end, lat, lon, text
    spoofing: pd.DataFrame  # mmsi, start, lat, lon, text

    def colour(self, mmsi: int) -> str:
        if mmsi in self.listed:
            return LISTED_COLOUR
        return FLAGGED_COLOUR if mmsi in self.flagged else OTHER_COLOUR

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of everything drawn, padded, at least ``MIN_SPAN_DEG`` wide."""
        lons: list[float] = []
        lats: list[float] = []
        for segments in self.tracks.values():
            for seg in segments:
                lons.extend(seg[:, 0])
                lats.extend(seg[:, 1])
        for frame, lat, lon in (
            (self.ports, "lat", "lon"),
            (self.meetings, "lat", "lon"),
            (self.spoofing, "lat", "lon"),
            (self.gaps, "start_lat", "start_lon"),
            (self.gaps, "end_lat", "end_lon"),
        ):
            lats.extend(frame[lat].dropna())
            lons.extend(frame[lon].dropna())
        if not lons:
            return (-180.0, -60.0, 180.0, 75.0)
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        cx, cy = (west + east) / 2, (south + north) / 2
        half_x = max(east - west, MIN_SPAN_DEG) * (0.5 + PAD)
        half_y = max(north - south, MIN_SPAN_DEG) * (0.5 + PAD)
        return (cx - half_x, max(cy - half_y, -85.0), cx + half_x, min(cy + half_y, 85.0))


def _port_points(result: ScreeningResult, mmsis: Collection[int]) -> pd.DataFrame:
    calls = result.port_calls[result.port_calls["mmsi"].isin(list(mmsis))]
    columns = ["port_id", "port_name", "country", "lat", "lon", "calls", "sanctioned", "text"]
    if calls.empty:
        return pd.DataFrame(columns=columns)
    from vesselscreen.geo.ports import load_ports

    ports = load_ports().drop_duplicates("port_id")
    gazetteer = dict(
        zip(
            ports["port_id"],
            zip(ports["lat"].astype(float), ports["lon"].astype(float), strict=True),
            strict=True,
        )
    )
    sanctioned = {f.port_id for f in result.findings if str(f.kind) == "sanctioned_port_call"}
    mine = None
    if result.positions is not None:
        mine = result.positions[result.positions[POSITION.MMSI].isin(calls["mmsi"].unique())]
    rows = []
    for port_id, group in calls.groupby("port_id", sort=True):
        lat = lon = np.nan
        if mine is not None:  # where the ships actually lay (works with any gazetteer)
            pos = mine
            inside = pd.Series(False, index=pos.index)
            for r in each_row(group):
                inside |= (pos[POSITION.MMSI] == r.mmsi) & pos[POSITION.TIMESTAMP].between(
                    r.arrival, r.departure
                )
            if inside.any():
                lat, lon = (
                    float(pos.loc[inside, POSITION.LAT].median()),
                    float(pos.loc[inside, POSITION.LON].median()),
                )
        if np.isnan(lat) and port_id in gazetteer:
            lat, lon = gazetteer[str(port_id)]
        if np.isnan(lat):
            continue
        name = str(group["port_name"].iloc[0])
        visits = "; ".join(
            f"{result.vessel_name(int(r.mmsi))} {when(r.arrival)} to {when(r.departure)}"
            for r in each_row(group)
        )
        text = f"{name} ({port_id}, {cell(group['country'].iloc[0])}): {len(group)} calls: {visits}"
        if port_id in sanctioned:
            text += " [sanctioned jurisdiction]"
        rows.append(
            (port_id, name, cell(group["country"].iloc[0]), lat, lon, len(group), port_id in sanctioned, text)
        )
    return pd.DataFrame(rows, columns=columns)


def map_layers(result: ScreeningResult, mmsis: Collection[int] | None = None) -> MapLayers:
    """The layers of a map of ``mmsis`` (default: every vessel with a finding, or all positions').

    Tracks need ``result.positions`` (set by `vesselscreen.screen`); without them
    each vessel is drawn through its findings' evidence positions.
    """
    flagged = {f.mmsi for f in result.findings if f.mmsi is not None}
    listed = {f.mmsi for f in result.findings if f.mmsi is not None and f.entry_ids}
    if mmsis is None:
        everyone = (
            set() if result.positions is None else set(result.positions[POSITION.MMSI].dropna().unique())
        )
        mmsis = flagged | {int(m) for m in everyone} if len(everyone) <= MAX_CONTEXT_VESSELS else flagged
    wanted = set(mmsis)
    if result.positions is not None:
        drawn = tracks(result.positions, wanted)
    else:
        drawn = {}
        for f in sorted(
            result.findings,
            key=lambda f: (
                f.evidence.positions[0].timestamp
                if f.evidence.positions
                else pd.Timestamp.min.tz_localize("UTC")
            ),
        ):
            if f.mmsi in wanted and f.evidence.positions:
                points = np.array([[p.lon, p.lat] for p in f.evidence.positions])
                drawn.setdefault(f.mmsi, []).append(points)
    gaps = result.gaps[
        result.gaps["mmsi"].isin(list(wanted)) & result.gaps["dark"].fillna(False).astype(bool)
    ]
    gaps = gaps.assign(
        text=[
            f"{result.vessel_name(int(r.mmsi))}: no AIS from {when(r.start)} to {when(r.end)} "
            f"({(r.end - r.start).total_seconds() / 3600:.1f} h), {r.distance_m / 1000:.0f} km apart"
            for r in each_row(gaps)
        ]
    )
    enc = result.encounters
    meetings = enc[enc["mmsi_1"].isin(list(wanted)) | enc["mmsi_2"].isin(list(wanted))]
    meetings = meetings.assign(
        text=[
            f"{result.vessel_name(int(r.mmsi_1))} met {result.vessel_name(int(r.mmsi_2))} "
            f"{when(r.start)} to {when(r.end)}, closest {r.min_distance_m:.0f} m"
            for r in each_row(meetings)
        ]
    )
    spoof = result.spoofing[result.spoofing["mmsi"].isin(list(wanted))].dropna(subset=["lat", "lon"])
    spoof = spoof.assign(
        text=[
            f"{result.vessel_name(int(r.mmsi))}: {r.kind} at {when(r.start)}: {cell(r.detail)}"
            for r in each_row(spoof)
        ]
    )
    return MapLayers(
        tracks=drawn,
        names={m: result.vessel_name(m) for m in wanted},
        listed=frozenset(listed & wanted),
        flagged=frozenset(flagged & wanted),
        ports=_port_points(result, wanted),
        gaps=gaps,
        meetings=meetings,
        spoofing=spoof,
    )


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: float) -> None:
        self.west, self.south, self.east, self.north = bounds
        self.cos = float(np.cos(np.radians((self.south + self.north) / 2)))
        self.scale = width / ((self.east - self.west) * self.cos)
        self.width = width
        self.height = (self.north - self.south) * self.scale

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        x = (lonlat[:, 0] - self.west) * self.cos * self.scale
        y = (self.north - lonlat[:, 1]) * self.scale
        return np.column_stack([x, y])

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.xy(np.array([[lon, lat]]))[0]
        return float(x), float(y)


def _points(xy: np.ndarray) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)


def svg_map(layers: MapLayers, *, width: int = 860, title: str = "") -> str:
    """The layers as one ``<svg>`` element (inline, self-contained)."""
    west, south, east, north = layers.bounds()
    # keep the picture between 0.45 and 1.1 times as tall as wide by widening the narrow side
    proj = _Projection((west, south, east, north), width)
    if proj.height > 1.1 * width:
        extra = (proj.height / (1.1 * width) - 1) * (east - west) / 2
        proj = _Projection((west - extra, south, east + extra, north), width)
    elif proj.height < 0.45 * width:
        extra = (0.45 * width / proj.height - 1) * (north - south) / 2
        proj = _Projection((west, max(south - extra, -85.0), east, min(north + extra, 85.0)), width)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {width} {proj.height:.0f}" '
        f'width="{width}" height="{proj.height:.0f}" role="img" aria-label="{html.escape(title or "map")}">',
        f'<rect class="sea" width="{width}" height="{proj.height:.0f}" fill="#e3f2fd"/>',
    ]
    rings = land(proj.west, proj.south, proj.east, proj.north)
    if rings:
        d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in proj.xy(r)) + " Z" for r in rings)
        parts.append(
            f'<path class="land" d="{d}" fill="#f1efe4" stroke="#b0a990" stroke-width="0.6" '
            'fill-rule="evenodd"/>'
        )
    labels: list[tuple[float, float]] = []  # placed vessel labels, so two ships in one port do not overprint
    for mmsi, segments in layers.tracks.items():
        colour = layers.colour(mmsi)
        kind = "listed" if mmsi in layers.listed else "flagged" if mmsi in layers.flagged else "other"
        name = html.escape(f"{layers.names.get(mmsi, '')} (MMSI {mmsi})")
        for seg in segments:
            xy = proj.xy(seg)
            if len(seg) == 1:
                x, y = xy[0]
                parts.append(
                    f'<circle class="track {kind}" data-mmsi="{mmsi}" cx="{x:.1f}" cy="{y:.1f}" r="2" '
                    f'fill="{colour}"><title>{name}</title></circle>'
                )
                continue
            parts.append(
                f'<polyline class="track {kind}" data-mmsi="{mmsi}" points="{_points(xy)}" fill="none" '
                f'stroke="{colour}" stroke-width="{2.2 if kind == "listed" else 1.4}" '
                f'stroke-linejoin="round"><title>{name}</title></polyline>'
            )
        last = segments[-1][-1]
        x, y = proj.point(float(last[0]), float(last[1]))
        while any(abs(x - lx) < 60 and abs(y - ly) < 11 for lx, ly in labels):
            y -= 12
        labels.append((x, y))
        label = html.escape(layers.names.get(mmsi, "") or str(mmsi))
        parts.append(
            f'<text class="vessel-label" x="{x + 4:.1f}" y="{y - 4:.1f}" font-size="11" '
            f'fill="{colour}">{label}</text>'
        )
    for r in each_row(layers.gaps):
        (x1, y1), (x2, y2) = proj.point(r.start_lon, r.start_lat), proj.point(r.end_lon, r.end_lat)
        parts.append(
            f'<line class="gap" data-mmsi="{r.mmsi}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{layers.colour(int(r.mmsi))}" stroke-width="1.6" '
            f'stroke-dasharray="6 4"><title>{html.escape(r.text)}</title></line>'
        )
    for r in each_row(layers.ports):
        x, y = proj.point(r.lon, r.lat)
        colour = LISTED_COLOUR if r.sanctioned else "#37474f"
        parts.append(
            f'<circle class="port-call" data-port="{html.escape(r.port_id)}" cx="{x:.1f}" '
            f'cy="{y:.1f}" r="6" fill="#ffffff" stroke="{colour}" stroke-width="2.5">'
            f"<title>{html.escape(r.text)}</title></circle>"
        )
        parts.append(
            f'<text class="port-label" x="{x + 8:.1f}" y="{y + 14:.1f}" font-size="11" '
            f'fill="#263238">{html.escape(r.port_name)} ({html.escape(r.port_id)})</text>'
        )
    for r in each_row(layers.meetings):
        x, y = proj.point(r.lon, r.lat)
        parts.append(
            f'<path class="meeting" d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} '
            f'L{x - 7:.1f},{y:.1f} Z" fill="#6a1b9a" stroke="#ffffff">'
            f"<title>{html.escape(r.text)}</title></path>"
        )
    for r in each_row(layers.spoofing):
        x, y = proj.point(r.lon, r.lat)
        parts.append(
            f'<path class="spoofing" d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} '
            f'M{x - 5:.1f},{y + 5:.1f} L{x + 5:.1f},{y - 5:.1f}" stroke="#000000" stroke-width="2.2">'
            f"<title>{html.escape(r.text)}</title></path>"
        )
    parts.append(
        f'<text x="{width - 6}" y="{proj.height - 6:.0f}" font-size="9" text-anchor="end" fill="#607d8b">'
        f"{proj.west:.1f}..{proj.east:.1f} E, {proj.south:.1f}..{proj.north:.1f} N; "
        "land: Natural Earth</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def legend_html() -> str:
    """The key to the marks of :func:`svg_map`."""
    items = [
        (f'<span style="color:{LISTED_COLOUR}">━━</span>', "track of a listed vessel"),
        (f'<span style="color:{FLAGGED_COLOUR}">━━</span>', "track of a vessel flagged by behaviour"),
        (f'<span style="color:{OTHER_COLOUR}">━━</span>', "other traffic"),
        ("╌╌", "dark gap (no AIS), drawn straight: the real path is unknown"),
        ("◯", "port call (red ring: sanctioned jurisdiction)"),
        ('<span style="color:#6a1b9a">◆</span>', "ship-to-ship meeting"),
        ("✕", "spoofed position"),
    ]
    return '<p class="legend">' + " &nbsp; ".join(f"{mark} {text}" for mark, text in items) + "</p>"
