"""Build ``vesselscreen/data/land.json``: simplified world land polygons for offline maps.

Source: Natural Earth 1:50m land (public domain), as TopoJSON in the npm package
``world-atlas`` 2.0.2 (ISC licence, by Mike Bostock). To rebuild::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/build_land.py package/land-50m.json

The output is a GeoJSON-like ``{"type": "MultiPolygon", "coordinates": ...}`` with
coordinates rounded to 0.01 degree, simplified with a tolerance of 0.05 degree (about
5 km: the maps show tracks hundreds of km long, and the file stays small enough to ship,
about 250 kB).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

TOLERANCE_DEG = 0.05
DECIMALS = 2
MIN_AREA_DEG2 = 0.05  # islands smaller than ~500 km2 are dropped: invisible at report scale
OUT = Path(__file__).resolve().parents[1] / "vesselscreen" / "data" / "land.json"


def decode_arcs(topology: dict[str, object]) -> list[list[tuple[float, float]]]:
    """TopoJSON quantised, delta-encoded arcs -> absolute lon/lat coordinates."""
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = []
    for arc in topology["arcs"]:  # type: ignore[attr-defined]
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    polygons = []
    for geometry in topology["objects"]["land"]["geometries"]:
        parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for part in parts:
            shell, *holes = (ring(r, arcs) for r in part)
            polygon = Polygon(shell, holes).buffer(0)
            polygons.append(polygon)
    land = unary_union(polygons).simplify(TOLERANCE_DEG, preserve_topology=True)
    kept = [p for p in getattr(land, "geoms", [land]) if p.area >= MIN_AREA_DEG2]
    geojson = mapping(MultiPolygon(kept))
    rounded = [
        [[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r] for r in polygon]
        for polygon in geojson["coordinates"]
    ]
    OUT.write_text(json.dumps({"type": "MultiPolygon", "coordinates": rounded}, separators=(",", ":")))
    print(f"{OUT}: {len(rounded)} polygons, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
