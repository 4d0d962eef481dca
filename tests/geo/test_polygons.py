"""Port polygons: loading GeoJSON and shapely areas, and PortIndex lookups with them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from vesselscreen.errors import SchemaError, SourceNotFoundError
from vesselscreen.geo import PortIndex, haversine_m, load_port_polygons

# Bandar Amirabad's point (IRAMD) and a 8 x 3.3 km basin east of it
BASIN = box(53.34, 36.77, 53.42, 36.80)


def feature(port_id: str | None, geometry: dict | None, **props: str) -> dict:
    properties = dict(props)
    if port_id is not None:
        properties["port_id"] = port_id
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def test_geojson_file_and_mapping(tmp_path: Path) -> None:
    data = collection(feature("IRAMD", shapely.geometry.mapping(BASIN), port_name="Amirabad basin"))
    path = tmp_path / "ports.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    for source in (data, path, str(path)):
        areas = load_port_polygons(source)
        assert list(areas) == ["IRAMD"]
        assert areas["IRAMD"].geometry.equals(BASIN)
        assert areas["IRAMD"].port_name == "Amirabad basin"
    assert load_port_polygons({"IRAMD": BASIN})["IRAMD"].geometry.equals(BASIN)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (collection(feature(None, shapely.geometry.mapping(BASIN))), "feature 0: no port_id"),
        (
            collection(
                feature("A", shapely.geometry.mapping(BASIN)), feature("A", shapely.geometry.mapping(BASIN))
            ),
            "feature 1: port_id A repeated",
        ),
        (collection(feature("P", {"type": "Point", "coordinates": [53.3, 36.7]})), "must be a Polygon"),
        (
            {"BOWTIE": Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])},
            "BOWTIE: invalid polygon",
        ),
        ({"SWAPPED": box(36.7, 153.3, 36.8, 153.4)}, "out of range"),
        ({"X": "not a geometry"}, "expected a shapely geometry"),
        ({"type": "Polygon", "coordinates": []}, "expected a FeatureCollection"),
        (collection(feature("B", {"type": "Polygon"})), "not a GeoJSON geometry"),
    ],
)
def test_bad_polygons_name_the_feature(source: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        load_port_polygons(source)  # type: ignore[arg-type]  # bad input on purpose


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="no such file"):
        load_port_polygons(tmp_path / "nothing.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"broken\.geojson: not JSON"):
        load_port_polygons(broken)


def test_polygon_replaces_the_circle_in_lookups() -> None:
    ports = pd.DataFrame({"port_id": ["IRAMD", "FAR"], "lat": [36.78333, 37.5], "lon": [53.35, 52.0]})
    index = PortIndex(ports, polygons={"IRAMD": BASIN})
    assert index.polygon_ports.tolist() == [0]
    assert index.radius_m.tolist() == [0.0, 3000.0]
    inside = (36.79, 53.41)  # in the basin, 5.4 km from the port point
    north = (36.83, 53.38)  # 3.3 km north of the basin's edge
    pos, dist = index.within([inside[0], north[0]], [inside[1], north[1]])
    assert pos.tolist() == [0, -1]
    assert dist[0] == 0.0
    assert float(haversine_m(*inside, 36.78333, 53.35)) > 5_000  # the circle would have missed it
    # distance to the polygon is the distance to its nearest edge
    expected = float(haversine_m(north[0], north[1], 36.80, north[1]))
    assert index.distance_to([north[0]], [north[1]], [0])[0] == pytest.approx(expected, rel=1e-3)
    pos, dist = index.within([north[0]], [north[1]], margin_m=4_000)
    assert pos.tolist() == [0]
    pos, dist = index.nearest([north[0]], [north[1]])
    assert pos.tolist() == [0]
    assert dist[0] == pytest.approx(expected, rel=1e-3)


def test_polygon_for_a_new_port_adds_it() -> None:
    area = collection(
        feature(
            "XXSTS", shapely.geometry.mapping(box(55.0, 25.0, 55.2, 25.1)), port_name="STS area", country="AE"
        )
    )
    index = PortIndex(polygons=area)
    row = index.ports.set_index("port_id").loc["XXSTS"]
    assert (row["port_name"], row["country"], row["source"]) == ("STS area", "AE", "polygon")
    assert shapely.contains_xy(box(55.0, 25.0, 55.2, 25.1), row["lon"], row["lat"])
    pos, _ = index.within([25.05], [55.1])
    assert index.ports.at[int(pos[0]), "port_id"] == "XXSTS"


def test_within_matches_shapely_containment() -> None:
    rng = np.random.default_rng(3)
    lat = rng.uniform(36.70, 36.87, 400)
    lon = rng.uniform(53.25, 53.50, 400)
    ports = pd.DataFrame({"port_id": ["IRAMD"], "lat": [36.78333], "lon": [53.35]})
    index = PortIndex(ports, polygons={"IRAMD": BASIN})
    pos, _ = index.within(lat, lon)
    contained = np.array([BASIN.covers(Point(x, y)) for x, y in zip(lon, lat, strict=True)])
    np.testing.assert_array_equal(pos == 0, contained)
