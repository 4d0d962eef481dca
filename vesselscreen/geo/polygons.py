"""Port polygons: user-drawn port areas (GeoJSON or shapely) that replace a port's circle.

A gazetteer port is a point with a radius. Where the real port area is known (a harbour
basin, an anchorage, an oil terminal's mooring area), a polygon is better: a vessel is in
port when it is inside the polygon, and (for port calls) leaves when it is farther than
the exit margin from it. `load_port_polygons` reads polygons from

* a GeoJSON ``FeatureCollection`` (a dict, or a path to a ``.geojson``/``.json`` file), each
  Feature with a ``port_id`` property (optional ``port_name`` and ``country``);
* a mapping ``{port_id: geometry}`` of shapely geometries or GeoJSON geometry dicts.

Geometries must be valid Polygons or MultiPolygons in WGS84 lon/lat (GeoJSON order).
Distances to a polygon are measured in metres on a local equirectangular projection
centred on the polygon, exact to well under 1 % within tens of kilometres.

>>> area = {"type": "Polygon", "coordinates": [[[53.30, 36.76], [53.40, 36.76], [53.40, 36.82],
...                                              [53.30, 36.82], [53.30, 36.76]]]}
>>> polygons = load_port_polygons({"IRAMD": area})
>>> polygons["IRAMD"].geometry.geom_type, polygons["IRAMD"].port_name
('Polygon', None)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely
import shapely.geometry

from vesselscreen.errors import SchemaError, SourceNotFoundError
from vesselscreen.geo.distance import EARTH_RADIUS_M

__all__ = ["PortPolygon", "PortPolygonsInput", "load_port_polygons"]

M_PER_DEG: Final = EARTH_RADIUS_M * np.pi / 180.0

GeoJSON = Mapping[str, object]
PortPolygonsInput = str | Path | GeoJSON | Mapping[str, "shapely.geometry.base.BaseGeometry | GeoJSON"]
"""What `load_port_polygons` accepts: a GeoJSON path or FeatureCollection, or {port_id: geometry}."""


@dataclass(frozen=True)
class PortPolygon:
    """One port's polygon, with the optional name and country a GeoJSON feature gave it."""

    port_id: str
    geometry: shapely.geometry.base.BaseGeometry
    port_name: str | None = None
    country: str | None = None

    @property
    def origin(self) -> tuple[float, float]:
        """(lat, lon) of a point inside the polygon: the centre of its local projection."""
        point = self.geometry.representative_point()
        return float(point.y), float(point.x)

    def projected(self) -> shapely.geometry.base.BaseGeometry:
        """The polygon in metres on its local equirectangular projection (see `project`)."""
        lat0, lon0 = self.origin

        def to_metres(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return project(coords[:, 1], coords[:, 0], lat0, lon0)

        return shapely.transform(self.geometry, to_metres)


def project(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: npt.ArrayLike, lon0: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """(x, y) metres of points on the equirectangular projection centred on (lat0, lon0).

    >>> project([0.0], [1.0], 0.0, 0.0).round()
    array([[111195.,      0.]])
    """
    lat_a = np.asarray(lat, dtype=np.float64)
    dlon = (np.asarray(lon, dtype=np.float64) - np.asarray(lon0, dtype=np.float64) + 180.0) % 360.0 - 180.0
    x = dlon * np.cos(np.radians(np.asarray(lat0, dtype=np.float64))) * M_PER_DEG
    y = (lat_a - np.asarray(lat0, dtype=np.float64)) * M_PER_DEG
    return np.asarray(np.stack([x, y], axis=-1), dtype=np.float64)


def _geometry(value: object, where: str) -> shapely.geometry.base.BaseGeometry:
    if isinstance(value, shapely.geometry.base.BaseGeometry):
        geom = value
    elif isinstance(value, Mapping):
        try:
            geom = shapely.geometry.shape(value)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
            raise SchemaError(f"{where}: not a GeoJSON geometry ({exc})") from exc
    else:
        raise SchemaError(
            f"{where}: expected a shapely geometry or a GeoJSON geometry, got {type(value).__name__}"
        )
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise SchemaError(f"{where}: a port area must be a Polygon or MultiPolygon, got {geom.geom_type}")
    if geom.is_empty or not geom.is_valid:
        raise SchemaError(f"{where}: invalid polygon ({shapely.is_valid_reason(geom)})")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0):
        raise SchemaError(f"{where}: coordinates out of range (GeoJSON order is lon, lat)")
    return geom


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def load_port_polygons(source: PortPolygonsInput) -> dict[str, PortPolygon]:
    """Port polygons by port id, from GeoJSON (dict or file) or a mapping of geometries.

    Raises `vesselscreen.errors.SchemaError` naming the feature (index or port id) for a
    missing ``port_id``, a repeated one, a geometry that is not a valid (Multi)Polygon, or
    coordinates out of range; `vesselscreen.errors.SourceNotFoundError` for a missing file.

    >>> load_port_polygons({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {}, "geometry": None}]})
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: port polygons: feature 0: no port_id property
    """
    what = "port polygons"
    if isinstance(source, str | Path):
        path = Path(source)
        what = str(path)
        if not path.is_file():
            raise SourceNotFoundError(what, "no such file")
        try:
            data: object = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SchemaError(f"{what}: not JSON ({exc})") from exc
    else:
        data = source
    if not isinstance(data, Mapping):
        raise SchemaError(f"{what}: expected a GeoJSON object or a mapping, got {type(data).__name__}")
    out: dict[str, PortPolygon] = {}
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise SchemaError(f"{what}: FeatureCollection without a features list")
        for i, feature in enumerate(features):
            props = feature.get("properties") if isinstance(feature, Mapping) else None
            props = props if isinstance(props, Mapping) else {}
            port_id = props.get("port_id")
            if not port_id:
                raise SchemaError(f"{what}: feature {i}: no port_id property")
            port_id = str(port_id)
            if port_id in out:
                raise SchemaError(f"{what}: feature {i}: port_id {port_id} repeated")
            assert isinstance(feature, Mapping)  # props came from a mapping
            geom = _geometry(feature.get("geometry"), f"{what}: feature {i} ({port_id})")
            out[port_id] = PortPolygon(
                port_id, geom, _optional_str(props.get("port_name")), _optional_str(props.get("country"))
            )
        return out
    if data.get("type") in ("Feature", "Polygon", "MultiPolygon"):
        raise SchemaError(f"{what}: expected a FeatureCollection or a {{port_id: geometry}} mapping")
    for port_id, value in data.items():
        out[str(port_id)] = PortPolygon(str(port_id), _geometry(value, f"{what}: {port_id}"))
    return out
