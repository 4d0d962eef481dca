"""Interactive maps of a screening with folium (``pip install 'vesselscreen[maps]'``).

``result.map()`` draws each vessel's track (listed vessels in red and thicker), dark gaps
as dashed lines, port calls, ship-to-ship meetings and spoofed positions, and one marker
per finding whose popup carries the finding's explanation and evidence table.

Saved maps open offline: Leaflet 1.9.4 and jQuery 3.7.1 (folium's popups use it) are
bundled with vesselscreen (``data/js``, with their licences) and inlined as ``data:``
URIs instead of folium's CDN links. Without tiles (``tiles=None``, the default) the
bundled Natural Earth land is drawn for context and the map needs no network at all;
``tiles="OpenStreetMap"`` (or any folium tile name or URL) adds a basemap, which loads
only when the browser is online.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from vesselscreen.report._common import SEVERITY_COLOURS, land, when
from vesselscreen.report._common import rows as each_row
from vesselscreen.report.html import CSS, finding_body
from vesselscreen.report.story import resolve_vessel
from vesselscreen.report.svg import LISTED_COLOUR, map_layers

if TYPE_CHECKING:
    import folium

    from vesselscreen.screening.result import ScreeningResult

__all__ = ["MAX_MAP_VESSELS", "offline_assets", "result_map"]

MAX_MAP_VESSELS = 200
"""``vessels="auto"`` draws every vessel up to this many, else only vessels with findings.

Each track is an SVG path in the browser; a few hundred keep a map responsive.
"""

_SEA = "#e3f2fd"
_LAND_MARGIN = 40.0  # degrees of land drawn around the tracks, so zooming out shows no edge


def _import_folium() -> object:
    try:
        import folium
    except ImportError as exc:  # the maps extra is optional
        raise ImportError("result.map() needs folium: pip install 'vesselscreen[maps]'") from exc
    return folium


@cache
def _data_uri(name: str, mime: str) -> str:
    data = resources.files("vesselscreen.data").joinpath("js", name).read_bytes()
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def offline_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(scripts, stylesheets) for a folium map, as bundled ``data:`` URIs: no CDN needed.

    >>> scripts, styles = offline_assets()
    >>> [name for name, _ in scripts], [uri[:22] for _, uri in styles]
    (['leaflet', 'jquery'], ['data:text/css;base64,L'])
    """
    scripts = [
        ("leaflet", _data_uri("leaflet.js", "text/javascript")),
        ("jquery", _data_uri("jquery.min.js", "text/javascript")),
    ]
    return scripts, [("leaflet_css", _data_uri("leaflet.css", "text/css"))]


def result_map(
    result: ScreeningResult,
    vessel: int | str | None = None,
    *,
    tiles: str | None = None,
    vessels: Literal["auto", "all", "flagged"] = "auto",
) -> folium.Map:
    """A folium map of ``result`` (see the module docstring); ``vessel`` focuses one ship."""
    import folium  # imported for real here; the TYPE_CHECKING import names the type

    _import_folium()
    if vessel is not None:
        mmsis: set[int] | None = {resolve_vessel(result, vessel)}
    elif vessels == "flagged" or result.positions is None:
        mmsis = None
    else:
        everyone = {int(m) for m in result.positions["mmsi"].dropna().unique()}
        flagged = {f.mmsi for f in result.findings if f.mmsi is not None}
        mmsis = everyone if vessels == "all" or len(everyone) <= MAX_MAP_VESSELS else flagged
    layers = map_layers(result, mmsis)
    west, south, east, north = layers.bounds()
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        tiles=tiles,
        control_scale=True,
        zoom_start=6,
        prefer_canvas=False,
        zoom_snap=0.25,
    )
    scripts, styles = offline_assets()
    fmap.default_js = scripts
    fmap.default_css = styles
    fmap.get_root().header.add_child(  # type: ignore[attr-defined]  # branca Figure
        folium.Element(f"<style>.leaflet-container {{ background: {_SEA} !important; }} {CSS}</style>")
    )
    if tiles is None:
        rings = land(west - _LAND_MARGIN, south - _LAND_MARGIN, east + _LAND_MARGIN, north + _LAND_MARGIN)
        shapes = {"type": "MultiPolygon", "coordinates": [[r.tolist()] for r in rings]}
        folium.GeoJson(
            shapes,
            name="land (Natural Earth)",
            interactive=False,
            control=False,
            style_function=lambda _: {
                "fillColor": "#f1efe4",
                "color": "#b0a990",
                "weight": 0.6,
                "fillOpacity": 1.0,
                "fillRule": "evenodd",
            },
        ).add_to(fmap)
    groups = {
        name: folium.FeatureGroup(name=name).add_to(fmap)
        for name in ("tracks", "dark gaps", "port calls", "meetings", "spoofing", "findings")
    }
    for mmsi, segments in layers.tracks.items():
        listed = mmsi in layers.listed
        name = f"{layers.names.get(mmsi, '')} (MMSI {mmsi})"
        risk = result.risk.loc[result.risk["mmsi"] == mmsi, "risk"]
        summary = name + (f", risk {float(risk.iloc[0]):g}/100" if len(risk) else "")
        for seg in segments:
            locations = [(float(lat), float(lon)) for lon, lat in seg]
            if len(locations) == 1:
                folium.CircleMarker(
                    locations[0], radius=2, color=layers.colour(mmsi), tooltip=summary, class_name="vs-track"
                ).add_to(groups["tracks"])
                continue
            folium.PolyLine(  # type: ignore[no-untyped-call]  # folium leaves PolyLine untyped
                locations,
                color=layers.colour(mmsi),
                weight=3.5 if listed else 2,
                opacity=0.9,
                tooltip=summary,
                class_name="vs-track",
            ).add_to(groups["tracks"])
    for r in each_row(layers.gaps):
        folium.PolyLine(  # type: ignore[no-untyped-call]  # folium leaves PolyLine untyped
            [(r.start_lat, r.start_lon), (r.end_lat, r.end_lon)],
            color=layers.colour(int(r.mmsi)),
            weight=2.5,
            dash_array="8 6",
            tooltip=r.text,
            class_name="vs-gap",
        ).add_to(groups["dark gaps"])
    for r in each_row(layers.ports):
        folium.CircleMarker(
            (r.lat, r.lon),
            radius=8,
            color=LISTED_COLOUR if r.sanctioned else "#37474f",
            weight=3,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
            tooltip=f"{r.port_name} ({r.port_id})",
            popup=folium.Popup(r.text, max_width=400),
            class_name="vs-port",
        ).add_to(groups["port calls"])
    for r in each_row(layers.meetings):
        folium.RegularPolygonMarker(
            (r.lat, r.lon),
            number_of_sides=4,
            radius=8,
            color="#6a1b9a",
            fill=True,
            fill_opacity=0.9,
            tooltip=r.text,
            class_name="vs-meeting",
        ).add_to(groups["meetings"])
    for r in each_row(layers.spoofing):
        folium.CircleMarker(
            (r.lat, r.lon),
            radius=5,
            color="#000000",
            weight=3,
            fill=False,
            tooltip=r.text,
            class_name="vs-spoofing",
        ).add_to(groups["spoofing"])
    wanted = set(layers.names)
    for f in result.findings:
        if f.mmsi not in wanted or not f.evidence.positions:
            continue
        first = f.evidence.positions[0]
        colour = SEVERITY_COLOURS.get(f.severity.value, "#546e7a")
        folium.CircleMarker(
            (first.lat, first.lon),
            radius=5,
            color=colour,
            fill=True,
            fill_opacity=0.9,
            weight=1,
            tooltip=f"{f.kind!s}: {f.vessel_name or f.mmsi} {when(f.start)}",
            popup=folium.Popup(f'<div class="vs">{finding_body(f)}</div>', max_width=520),
            class_name=f"vs-finding vs-{f.kind!s}",
        ).add_to(groups["findings"])
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap
