"""The port gazetteer: the bundled ports table, validation of user tables, nearest-port lookup.

The bundled table (``vesselscreen/data/ports.csv``, built by ``tools/build_ports.py`` from
NGA's World Port Index, UN/LOCODE and a small supplement; see ``ports.SOURCE.txt``) has
the `vesselscreen.schema.PORT_DTYPES` columns plus ``harbor_size``. Each port is a
point with a radius (``radius_m``): the distance within which a vessel counts as in port.

>>> ports = load_ports()
>>> ports.set_index("port_id").loc["IRAMD", ["port_name", "country", "radius_m"]].tolist()
['Bandar Amirabad', 'IR', np.float64(3000.0)]
>>> index = PortIndex(ports)
>>> pos, dist = index.nearest(np.array([36.80]), np.array([53.33]))
>>> ports.at[int(pos[0]), "port_id"], round(float(dist[0]))
('IRAMD', 2571)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cache, cached_property
from importlib import resources
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from vesselscreen._runs import concatenated_ranges, positions_in_runs
from vesselscreen.errors import SchemaError
from vesselscreen.geo._box_grid import BoxGrid
from vesselscreen.geo.distance import EARTH_RADIUS_M, haversine_m
from vesselscreen.geo.polygons import PortPolygon, PortPolygonsInput, load_port_polygons, project
from vesselscreen.schema import PORT, PORT_DTYPES, conform

__all__ = [
    "DEFAULT_RADIUS_M",
    "HARBOR_SIZE",
    "PORTS_DTYPES",
    "PortIndex",
    "PortProximity",
    "load_ports",
    "validate_ports",
]

DEFAULT_RADIUS_M: Final = 3000.0
"""Radius of a port with none given: Global Fishing Watch's port entry distance (3 km)."""

HARBOR_SIZE: Final = "harbor_size"
"""Extra gazetteer column: WPI Harbor Size (Very Small, Small, Medium, Large) or NA."""

PORTS_DTYPES: Final = {**PORT_DTYPES, HARBOR_SIZE: "string"}
"""Columns and dtypes of `load_ports`: the schema's PORT columns plus ``harbor_size``."""

_REQUIRED: Final = (PORT.PORT_ID, PORT.LAT, PORT.LON)
_MAX_LISTED: Final = 20
_CHUNK: Final = 200_000
_CELL_DEG: Final = 0.05
"""Grid of `PortProximity` and `_CellTable`: cells 0.05 degree square (5.6 km north-south): a
point's distance to any port is within about 4 km of its cell centre's. Answers are exact
whatever the size; it trades candidate searches (one per occupied cell) against points
measured one by one: on a realistic million-row day, 0.04-0.08 is fastest (0.02 took a third
longer). For the table, smaller cells list fewer ports per point but cost more to build
(per gazetteer, for the region asked about): at 0.05, 60-90 ms and 12 MB for the bundled
ports the world over, 10 ms for the US East and Gulf coasts."""
_SHIFT: Final = np.array([360.0, 0.0])  # one turn east, in (lon, lat)
_BLOCK: Final = 16
"""Side, in cells, of a block of `_CellTable` (a power of two: a lookup shifts and masks)."""
_COLS: Final = round(360 / _CELL_DEG)
_ROW0: Final = -(-round(90 / _CELL_DEG) // _BLOCK) * _BLOCK
"""Added to a cell row (floor(lat / cell)) to make it >= 0 and keep blocks aligned."""
_ROW_LAST: Final = _ROW0 + round(90 / _CELL_DEG)
"""The shifted row of latitude 90 (rows from ``_ROW0 - _ROW_LAST`` to it hold every point)."""
_BLOCK_ROWS: Final = _ROW_LAST // _BLOCK + 1
_BLOCK_COLS: Final = _COLS // _BLOCK
_SHIFT_BITS: Final = _BLOCK.bit_length() - 1
_MASK: Final = _BLOCK - 1

_SERIES_MARGIN: Final = 1e-6
"""`PortIndex._within_limit` measures points whose series value is within this fraction of the limit's."""
_FAR_SLACK_M: Final = 1e-3
"""A point is settled as out by latitude alone only a millimetre beyond its limit: the
haversine of the tiniest steps rounds to 0 m, and the measured distance must decide those."""
_SERIES_MIN_M: Final = 1.0
_SERIES_MAX_M: Final = 100_000.0
"""Limits for which `PortIndex._within_limit` trusts its series (beyond: it measures)."""

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@cache
def _bundled_ports() -> pd.DataFrame:
    # imported when first needed, not by `import vesselscreen`; pyarrow ships no type hints
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    numbers = (PORT.LAT, PORT.LON, PORT.RADIUS_M)
    with resources.files("vesselscreen.data").joinpath("ports.csv").open("rb") as fh:
        header = fh.readline().decode("utf-8").strip().split(",")
        fh.seek(0)
        # text but the coordinates and radii; only an empty field is missing: "NA" is Namibia's
        # country code (pyarrow parses in a few milliseconds what pandas' parser and to_numeric
        # took 30 for, to the same frame)
        types = {name: pa.float64() if name in numbers else pa.string() for name in header}
        options = pacsv.ConvertOptions(
            column_types=types, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
        )
        table = pacsv.read_csv(fh, convert_options=options)
    raw = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    return validate_ports(raw, what="bundled ports.csv")


def load_ports() -> pd.DataFrame:
    """The bundled port gazetteer as a new frame (`PORTS_DTYPES`), one row per port.

    Read once and cached; every call returns a copy, so callers may modify it.

    >>> ports = load_ports()
    >>> ports.columns.tolist()
    ['port_id', 'port_name', 'country', 'lat', 'lon', 'radius_m', 'source', 'harbor_size']
    >>> ports.loc[ports["port_id"] == "KZAAU", ["port_name", "lat", "lon"]].values.tolist()
    [['Aktau', 43.65, 51.15]]
    """
    return _bundled_ports().copy()


def _listed(ids: pd.Series) -> str:
    shown = [str(v) for v in ids.head(_MAX_LISTED)]
    more = len(ids) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def validate_ports(
    ports: pd.DataFrame, *, default_radius_m: float = DEFAULT_RADIUS_M, what: str = "ports"
) -> pd.DataFrame:
    """Check a ports table and return a clean copy in `PORTS_DTYPES` (index 0..n-1).

    ``port_id``, ``lat`` and ``lon`` are required; ``port_name``, ``country``, ``source`` and
    ``harbor_size`` may be absent (NA), and a missing or NA ``radius_m`` becomes
    ``default_radius_m``. Raises `vesselscreen.errors.SchemaError` naming every
    problem at once: missing columns, empty or duplicate port ids, coordinates missing or
    out of range, radii that are not positive (with the port ids concerned).

    >>> validate_ports(pd.DataFrame({"port_id": ["X"], "lat": [95.0], "lon": [0.0]}))
    Traceback (most recent call last):
    ...
    vesselscreen.errors.SchemaError: ports: coordinates missing or out of range for X
    >>> validate_ports(pd.DataFrame({"port_id": ["X"], "lat": [1.0], "lon": [2.0]}))["radius_m"].tolist()
    [3000.0]
    """
    missing = [name for name in _REQUIRED if name not in ports.columns]
    if missing:
        raise SchemaError(f"{what}: missing columns {missing}")
    if not np.isfinite(default_radius_m) or default_radius_m <= 0:
        raise SchemaError(f"{what}: default_radius_m must be positive, got {default_radius_m}")
    out = conform(ports.reset_index(drop=True), PORTS_DTYPES)
    out = out[list(PORTS_DTYPES)]
    out[PORT.RADIUS_M] = out[PORT.RADIUS_M].fillna(default_radius_m)

    problems: list[str] = []
    ids = out[PORT.PORT_ID]
    empty = ids.isna() | (ids.str.strip() == "")
    if empty.any():
        problems.append(f"empty port_id in rows {_listed(pd.Series(np.flatnonzero(empty.to_numpy())))}")
    dup = ids.duplicated(keep=False) & ~empty
    if dup.any():
        problems.append(f"duplicate port_id {_listed(ids[dup].drop_duplicates())}")
    lat, lon = out[PORT.LAT], out[PORT.LON]
    bad_coord = ~(lat.between(-90.0, 90.0) & lon.between(-180.0, 180.0))  # NaN is not between
    if bad_coord.any():
        problems.append(f"coordinates missing or out of range for {_listed(ids[bad_coord])}")
    bad_radius = ~(out[PORT.RADIUS_M] > 0) | ~np.isfinite(out[PORT.RADIUS_M])
    if bad_radius.any():
        problems.append(f"radius_m not a positive number for {_listed(ids[bad_radius])}")
    if problems:
        raise SchemaError(f"{what}: " + "; ".join(problems))
    return out


def _boxes(
    lat: FloatArray, lon: FloatArray, reach_m: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Lon/lat boxes (xmin, ymin, xmax, ymax) that contain every point within ``reach_m``
    (haversine) of each query."""
    delta = reach_m * 1.001 / EARTH_RADIUS_M + 1e-9  # radians, slightly widened against rounding
    dlat = np.degrees(delta)
    cos_lat = np.cos(np.radians(lat))
    sin_delta = np.sin(np.minimum(delta, np.pi / 2))
    # longitude half-width at which a great circle of angular radius delta is widest
    polar = (np.abs(lat) + dlat >= 90.0) | (sin_delta >= cos_lat) | (delta >= np.pi / 2)
    ratio = np.where(polar, 1.0, sin_delta / np.where(polar, 1.0, cos_lat))
    dlon = np.where(polar, 180.0, np.degrees(np.arcsin(np.clip(ratio, 0.0, 1.0))))
    # a polar box spans every longitude once: stop short of +180, where the shifted copies start
    xmin = np.where(polar, -180.0, lon - dlon)
    xmax = np.where(polar, np.nextafter(180.0, 0.0), lon + dlon)
    return xmin, lat - dlat, xmax, lat + dlat


def _cell_key(cell_lat: IntArray, cell_lon: IntArray) -> IntArray:
    """One integer per 1-degree cell; longitude wraps around the antimeridian."""
    return np.asarray((cell_lat + 91) * 360 + np.mod(cell_lon + 180, 360), dtype=np.int64)


def _half_diagonal(c_lat: FloatArray) -> FloatArray:
    """Metres from the centre of a cell at ``c_lat`` to its farthest point, with a slack.

    The farthest corner is on the poleward side; the slack covers rounding and polygon ports,
    whose distances are measured in a local projection.
    """
    half = _CELL_DEG / 2
    pole_lat = np.clip(c_lat + np.where(c_lat >= 0, half, -half), -90.0, 90.0)
    return haversine_m(c_lat, 0.0, pole_lat, half) * 1.01 + 1.0


def _polygons(polygons: PortPolygonsInput | Mapping[str, PortPolygon] | None) -> dict[str, PortPolygon]:
    if polygons is None:
        return {}
    if (
        isinstance(polygons, Mapping)
        and polygons
        and all(isinstance(v, PortPolygon) for v in polygons.values())
    ):
        return {str(k): v for k, v in polygons.items() if isinstance(v, PortPolygon)}
    return load_port_polygons(polygons)


def _with_polygon_ports(
    table: pd.DataFrame, areas: Mapping[str, PortPolygon], default_radius_m: float
) -> pd.DataFrame:
    """The ports table plus a row for each polygon whose port_id it lacks (at the polygon's origin)."""
    new = [area for port_id, area in areas.items() if port_id not in set(table[PORT.PORT_ID])]
    if not new:
        return table
    extra = pd.DataFrame(
        {
            PORT.PORT_ID: [a.port_id for a in new],
            PORT.PORT_NAME: [a.port_name for a in new],
            PORT.COUNTRY: [a.country for a in new],
            PORT.LAT: [a.origin[0] for a in new],
            PORT.LON: [a.origin[1] for a in new],
            PORT.SOURCE: "polygon",
        }
    )
    return validate_ports(pd.concat([table, extra], ignore_index=True), default_radius_m=default_radius_m)


class PortIndex:
    """A spatial index over a ports table, for vectorised nearest-port queries.

    ``ports`` is validated with `validate_ports` (default: the bundled gazetteer);
    results are *row positions* into `ports` (``-1`` for none) with haversine
    distances in metres (NaN for none). Ports at exactly the same distance go to the row
    listed first: UN/LOCODE puts some codes on one point (TMKRW Turkmenbashi and TMKRA
    Krasnovodsk), and the bundled table lists the preferred one first.
    Lookups find the ports in a box around each point (by a grid of the ports' boxes,
    `BoxGrid`, or for wide boxes a shapely STRtree; both hold the ports copied at longitude
    +-360, so searches across the antimeridian work), then exact haversine distances on the
    candidates; there is no loop over ports or points.

    >>> index = PortIndex(pd.DataFrame({"port_id": ["A", "B"], "lat": [0.0, 0.0],
    ...                                 "lon": [179.99, 10.0], "radius_m": [3000.0, 3000.0]}))
    >>> pos, dist = index.nearest(np.array([0.0, 50.0]), np.array([-179.99, 10.0]), max_distance_m=10_000)
    >>> pos, dist.round()
    (array([ 0, -1]), array([2224.,   nan]))
    """

    def __init__(
        self,
        ports: pd.DataFrame | None = None,
        *,
        default_radius_m: float = DEFAULT_RADIUS_M,
        polygons: PortPolygonsInput | Mapping[str, PortPolygon] | None = None,
    ):
        table = load_ports() if ports is None else validate_ports(ports, default_radius_m=default_radius_m)
        areas = _polygons(polygons)
        if areas:
            table = _with_polygon_ports(table, areas, default_radius_m)
        self.ports: pd.DataFrame = table
        self._lat = self.ports[PORT.LAT].to_numpy(dtype=np.float64)
        self._lon = self.ports[PORT.LON].to_numpy(dtype=np.float64)
        self._radius = self.ports[PORT.RADIUS_M].to_numpy(dtype=np.float64, copy=True)
        self._n = len(self.ports)
        geoms = np.asarray(shapely.points(self._lon, self._lat), dtype=object)
        # polygon ports: entry distance 0 (inside), distances measured to the polygon
        self._poly_pos = self.ports.index[self.ports[PORT.PORT_ID].isin(list(areas))].to_numpy(dtype=np.int64)
        self._is_poly = np.zeros(self._n, dtype=bool)
        self._is_poly[self._poly_pos] = True
        self._projected = np.empty(self._n, dtype=object)
        self._origin = np.column_stack([self._lat, self._lon])
        for pos in self._poly_pos:  # one per user polygon, at construction only
            area = areas[str(self.ports.at[int(pos), PORT.PORT_ID])]
            geoms[pos] = area.geometry
            self._projected[pos] = area.projected()
            self._origin[pos] = area.origin
            self._radius[pos] = 0.0
        self._geoms = geoms
        # each port and its copies one turn west and east (for searches across the antimeridian):
        # their boxes for the grid, computed; their geometries for the tree only if it is needed
        box = shapely.bounds(geoms)
        turn = np.array([_SHIFT[0], _SHIFT[1], _SHIFT[0], _SHIFT[1]])
        self._grid = BoxGrid(np.concatenate([box, box - turn, box + turn]))  # for small box searches
        # each port's area as a lon/lat box (a point's box is the point): where `_CellTable` looks
        self._bounds = np.column_stack([self._lon, self._lat, self._lon, self._lat])
        if len(self._poly_pos):
            self._bounds[self._poly_pos] = shapely.bounds(geoms[self._poly_pos])
        self._tables: dict[float, _CellTable | None] = {}
        self._cos_lat = np.cos(np.radians(self._lat))
        self._sin_lat = np.sin(np.radians(self._lat))
        # 1-degree cells holding a port, and their neighbours: a cheap first filter that
        # spares the tree query for positions far out at sea
        cell_lat = np.floor(self._lat).astype(np.int64)[:, None] + np.array([-1, -1, -1, 0, 0, 0, 1, 1, 1])
        cell_lon = np.floor(self._lon).astype(np.int64)[:, None] + np.array([-1, 0, 1, -1, 0, 1, -1, 0, 1])
        keys = [_cell_key(cell_lat.ravel(), cell_lon.ravel())]
        for pos in self._poly_pos:  # every cell a polygon's box touches, and their neighbours
            minx, miny, maxx, maxy = shapely.bounds(geoms[pos])
            lats = np.arange(np.floor(miny) - 1, np.floor(maxy) + 2).astype(np.int64)
            lons = np.arange(np.floor(minx) - 1, np.floor(maxx) + 2).astype(np.int64)
            keys.append(_cell_key(np.repeat(lats, len(lons)), np.tile(lons, len(lats))))
        self._cells = np.unique(np.concatenate(keys))

    @cached_property
    def _tree(self) -> shapely.STRtree:
        """An R-tree of the ports and their copies one turn west and east (as the grid's boxes),
        built when first needed: wide box searches and nearest ports with no distance limit.
        (Two threads asking at once on Python 3.12+ may each build one; either is the same.)"""
        geoms = self._geoms
        west, east = geoms.copy(), geoms.copy()
        points = ~self._is_poly  # points are made again where they are, polygons moved
        west[points] = shapely.points(self._lon[points] - _SHIFT[0], self._lat[points] - _SHIFT[1])
        east[points] = shapely.points(self._lon[points] + _SHIFT[0], self._lat[points] + _SHIFT[1])
        if len(self._poly_pos):
            west[self._poly_pos] = shapely.transform(geoms[self._poly_pos], lambda c: c - _SHIFT)
            east[self._poly_pos] = shapely.transform(geoms[self._poly_pos], lambda c: c + _SHIFT)
        return shapely.STRtree(np.concatenate([geoms, west, east]))

    def __getstate__(self) -> dict[str, object]:
        # the cell tables and the tree are caches: a copy sent to another process builds its own
        state = {**self.__dict__, "_tables": {}}
        state.pop("_tree", None)
        return state

    def _distance(self, lat: FloatArray, lon: FloatArray, pos: IntArray) -> FloatArray:
        """Metres from each point to the paired port: its point, or its polygon (0 inside)."""
        dist = haversine_m(lat, lon, self._lat[pos], self._lon[pos])
        poly = np.flatnonzero(self._is_poly[pos])
        if len(poly):
            p = pos[poly]
            xy = project(lat[poly], lon[poly], self._origin[p, 0], self._origin[p, 1])
            dist[poly] = shapely.distance(shapely.points(xy), self._projected[p])
        return dist

    def _series_a(self, lat: FloatArray, lon: FloatArray, pos: IntArray) -> FloatArray:
        """Haversine's a (sin²(dφ/2) + cos φ cos φp sin²(dλ/2), which grows with the distance) from
        each point to the paired port row, by short series (dφ, dλ up to 0.02 rad; cos φ from
        φp's) good to 1e-8 of a; NaN where they are not: polygon ports, longer ways, the poles."""
        out = np.empty(len(pos), dtype=np.float64)
        for first in range(0, len(pos), _CHUNK):
            piece = slice(first, first + _CHUNK)
            p = pos[piece]
            half_dphi = (lat[piece] - self._lat[p]) * (np.pi / 360.0)
            half_dlmb = (lon[piece] - self._lon[p]) * (np.pi / 360.0)
            dphi = 2.0 * half_dphi
            dphi2 = dphi * dphi
            cos_p = self._cos_lat[p]
            cos_lat = cos_p * (1.0 - dphi2 * (0.5 - dphi2 / 24.0))
            cos_lat -= self._sin_lat[p] * dphi * (1.0 - dphi2 / 6.0)
            h2 = half_dphi * half_dphi
            l2 = half_dlmb * half_dlmb
            a = h2 * (1.0 - h2 / 3.0) + cos_lat * cos_p * l2 * (1.0 - l2 / 3.0)
            usable = ~self._is_poly[p] & (np.abs(half_dphi) <= 0.01) & (np.abs(half_dlmb) <= 0.01)
            out[piece] = np.where(usable & (cos_lat >= 0.01), a, np.nan)
        return out

    def within_limit(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike, positions: npt.ArrayLike, limit_m: npt.ArrayLike
    ) -> BoolArray:
        """Whether each point lies within ``limit_m`` (metres, one per port row) of the port at the
        paired row position (-1: False).

        Exactly ``distance_to(lat, lon, positions) <= limit_m[positions]``, but only points near
        their limit are measured: the others are settled by cheap bounds (latitude alone, then
        a series for the haversine), which is several times faster on many points.

        >>> index = PortIndex(pd.DataFrame({"port_id": ["A"], "lat": [0.0], "lon": [0.0]}))
        >>> index.within_limit([0.0, 0.0, 0.0], [0.02, 0.03, 0.02], [0, 0, -1], [3000.0]).tolist()
        [True, False, False]
        """
        pos = np.asarray(positions, dtype=np.int64).ravel()
        lat_a = np.broadcast_to(np.asarray(lat, dtype=np.float64), pos.shape)
        lon_a = np.broadcast_to(np.asarray(lon, dtype=np.float64), pos.shape)
        limit = np.broadcast_to(np.asarray(limit_m, dtype=np.float64), (self._n,))
        out = np.zeros(len(pos), dtype=bool)
        # points farther in latitude alone than their limit are out (R dφ is a lower bound of the
        # distance): asked about the rows after a port call, most are out at sea
        paired = np.flatnonzero(pos >= 0)
        p = pos[paired]
        dlat = np.abs(lat_a[paired] - self._lat[p])
        reach = limit[p] * (1.0 + _SERIES_MARGIN) + _FAR_SLACK_M
        far = (dlat * (np.pi / 180.0 * EARTH_RADIUS_M) > reach) & ~self._is_poly[p]
        ask = paired[~far & ~np.isnan(dlat)]
        out[ask] = self._within_limit(lat_a[ask], lon_a[ask], pos[ask], limit)
        return out

    def _within_limit(
        self, lat: FloatArray, lon: FloatArray, pos: IntArray, limit: FloatArray, a: FloatArray | None = None
    ) -> BoolArray:
        """`within_limit` for valid points and positions: measured only where the series
        (`_series_a`, or ``a`` if given) leave it in doubt, at a circle's very edge."""
        if a is None:
            a = self._series_a(lat, lon, pos)
        a_limit = np.sin(np.minimum(limit / (2.0 * EARTH_RADIUS_M), np.pi / 2)) ** 2
        usable = (limit >= _SERIES_MIN_M) & (limit <= _SERIES_MAX_M)
        a_limit = np.where(usable, a_limit, np.nan)  # a limit the series cannot settle: measure
        bound = a_limit[pos]
        inside = a <= bound * (1.0 - _SERIES_MARGIN)
        outside = a >= bound * (1.0 + _SERIES_MARGIN)
        doubt = np.flatnonzero(~(inside | outside))
        if len(doubt):
            q = pos[doubt]
            inside[doubt] = self._distance(lat[doubt], lon[doubt], q) <= limit[q]
        return np.asarray(inside, dtype=np.bool_)

    @property
    def polygon_ports(self) -> IntArray:
        """Row positions of the ports whose area is a polygon (a copy)."""
        return self._poly_pos.copy()

    def __len__(self) -> int:
        return self._n

    @property
    def radius_m(self) -> FloatArray:
        """Each port's entry distance in metres, by row position (a copy).

        The ``radius_m`` of a circle port; 0 for a polygon port, whose distances are
        measured to the polygon (0 inside it).
        """
        return self._radius.copy()

    def distance_to(self, lat: npt.ArrayLike, lon: npt.ArrayLike, positions: npt.ArrayLike) -> FloatArray:
        """Distance in metres from each point to the port at the paired row position (-1: NaN).

        >>> index = PortIndex(pd.DataFrame({"port_id": ["A"], "lat": [0.0], "lon": [0.0]}))
        >>> index.distance_to([0.0, 0.0], [1.0, 1.0], [0, -1]).round()
        array([111195.,     nan])
        """
        pos = np.asarray(positions, dtype=np.int64)
        valid = pos >= 0
        safe = np.where(valid, pos, 0)
        if self._n == 0:
            return np.full(pos.shape, np.nan)
        lat_a = np.broadcast_to(np.asarray(lat, dtype=np.float64), pos.shape).ravel()
        lon_a = np.broadcast_to(np.asarray(lon, dtype=np.float64), pos.shape).ravel()
        if valid.all():
            return self._distance(lat_a, lon_a, safe.ravel()).reshape(pos.shape)
        # measure only the points paired with a port (a track's rows at sea are most)
        dist = np.full(pos.size, np.nan)
        paired = np.flatnonzero(valid.ravel())
        dist[paired] = self._distance(lat_a[paired], lon_a[paired], safe.ravel()[paired])
        return dist.reshape(pos.shape)

    def _may_be_near(self, lat: FloatArray, lon: FloatArray, reach_m: float) -> npt.NDArray[np.bool_]:
        """False only for points certainly farther than ``reach_m`` from every port."""
        delta = reach_m * 1.001 / EARTH_RADIUS_M
        cos_lat = np.cos(np.radians(lat))
        # the one-cell neighbourhood covers the search box where it is under a degree wide
        narrow = (np.degrees(delta) < 1.0) & (
            np.sin(min(delta, np.pi / 2)) < cos_lat * np.sin(np.radians(1.0))
        )
        keys = _cell_key(np.floor(lat).astype(np.int64), np.floor(lon).astype(np.int64))
        return np.asarray(~narrow | np.isin(keys, self._cells), dtype=np.bool_)

    def _cell_table(
        self, margin_m: float, lat: FloatArray | None = None, lon: FloatArray | None = None
    ) -> _CellTable | None:
        """The `_CellTable` of the circles widened by ``margin_m``, covering the points ``lat``,
        ``lon`` (``None``: the whole world); None when the circles are too wide for one (see
        `_TABLE_MAX_CELLS`). Built on first use for the box of blocks around the points and
        kept; points outside it are answered from the world's table, built then and kept: data
        of one region never pays for the world's (the bundled ports' takes 60-90 ms).
        The points must have valid coordinates (a NaN would make the box wrong)."""
        region = _blocks_around(lat, lon)
        table = self._tables.get(margin_m, _UNBUILT)
        if table is None or (isinstance(table, _CellTable) and table.covers(region)):
            return table
        with _TABLE_LOCK:  # detectors on threads share the index: build each table once
            table = self._tables.get(margin_m, _UNBUILT)
            if table is None or (isinstance(table, _CellTable) and table.covers(region)):
                return table
            if isinstance(table, _CellTable):
                # points outside the first region: the world's table, once (growing region by
                # region would rebuild ever larger tables for a caller that asks a ship at a time)
                region = _blocks_around(None, None)
            built = _CellTable.build(self, self._radius + margin_m, region)
            self._tables[margin_m] = built
            return built

    def _candidates(
        self, lat: FloatArray, lon: FloatArray, reach_m: FloatArray
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(query index, port position, distance) for every port inside each query's box."""
        # boxes are narrower than 360 degrees, so each port matches at most once (itself or a copy)
        xmin, ymin, xmax, ymax = _boxes(lat, lon, reach_m)
        qi, pi, wide = self._grid.overlaps(xmin, ymin, xmax, ymax)
        if len(wide):  # boxes over many grid cells (polar, or wide searches): the tree
            pairs = np.asarray(
                self._tree.query(shapely.box(xmin[wide], ymin[wide], xmax[wide], ymax[wide])), dtype=np.int64
            )
            qi, pi = np.concatenate([qi, wide[pairs[0]]]), np.concatenate([pi, pairs[1]])
        pi = pi % self._n
        return qi, pi, self._distance(lat[qi], lon[qi], pi)

    @staticmethod
    def _closest(n: int, qi: IntArray, pi: IntArray, dist: FloatArray) -> tuple[IntArray, FloatArray]:
        """Per query, the candidate with the smallest distance (ties: lowest row position)."""
        best = np.full(n, -1, dtype=np.int64)
        best_d = np.full(n, np.nan)
        if len(qi):
            order = np.lexsort((pi, dist, qi))
            sorted_q = qi[order]
            first = order[np.concatenate(([True], sorted_q[1:] != sorted_q[:-1]))]
            best[qi[first]] = pi[first]
            best_d[qi[first]] = dist[first]
        return best, best_d

    def _run(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike, *, max_distance_m: float | None, margin_m: float | None
    ) -> tuple[IntArray, FloatArray]:
        lat_a = np.asarray(lat, dtype=np.float64).ravel()
        lon_a = np.asarray(lon, dtype=np.float64).ravel()
        if lat_a.shape != lon_a.shape:
            raise ValueError(f"lat and lon differ in length: {lat_a.shape[0]} != {lon_a.shape[0]}")
        best = np.full(lat_a.shape, -1, dtype=np.int64)
        best_d = np.full(lat_a.shape, np.nan)
        if self._n == 0:
            return best, best_d
        ok = np.flatnonzero(np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90.0))
        for start in range(0, len(ok), _CHUNK):
            rows = ok[start : start + _CHUNK]
            qlat, qlon = lat_a[rows], _lon_in_range(lon_a[rows])
            if margin_m is not None or max_distance_m is not None:
                # bounded search: every port within reach, then each port's own limit
                reach_m = (
                    float(self._radius.max()) + margin_m
                    if margin_m is not None
                    else float(max_distance_m or 0.0)
                )
                near = np.flatnonzero(self._may_be_near(qlat, qlon, reach_m))
                qi, pi, dist = self._candidates(qlat[near], qlon[near], np.full(len(near), reach_m))
                qi = near[qi]
                limit = self._radius[pi] + margin_m if margin_m is not None else reach_m
                keep = dist <= limit
            else:
                # planar nearest gives an upper bound on the true distance, then an exact search
                pairs = np.asarray(
                    self._tree.query_nearest(shapely.points(qlon, qlat), all_matches=False), dtype=np.int64
                )
                bound = np.empty(len(rows))
                guess = pairs[1] % self._n
                bound[pairs[0]] = self._distance(qlat[pairs[0]], qlon[pairs[0]], guess)
                qi, pi, dist = self._candidates(qlat, qlon, bound)
                keep = dist <= bound[qi]
            pos, d = self._closest(len(rows), qi[keep], pi[keep], dist[keep])
            best[rows], best_d[rows] = pos, d
        return best, best_d

    def nearest(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike, max_distance_m: float | None = None
    ) -> tuple[IntArray, FloatArray]:
        """The nearest port to each point: (row positions or -1, distances in metres or NaN).

        With ``max_distance_m``, ports farther than that are ignored (-1 when none is that
        close). Points with a missing or invalid coordinate get -1. Give a limit when you
        can: without one, a point far from every port is compared with many ports.

        >>> index = PortIndex()
        >>> pos, dist = index.nearest([42.98, 0.0], [47.52, -30.0], max_distance_m=5_000)
        >>> index.ports.at[int(pos[0]), "port_id"], pos[1]
        ('RUMCX', np.int64(-1))
        """
        if max_distance_m is not None and not max_distance_m >= 0:
            raise ValueError(f"max_distance_m must be >= 0, got {max_distance_m}")
        return self._run(lat, lon, max_distance_m=max_distance_m, margin_m=None)

    def within(
        self, lat: npt.ArrayLike, lon: npt.ArrayLike, margin_m: float = 0.0
    ) -> tuple[IntArray, FloatArray]:
        """The nearest port whose circle (``radius_m + margin_m``) contains each point.

        Returns (row positions or -1, distances in metres or NaN). This is the "in port"
        test: a large harbour's wider circle counts even when a small port is nearer but
        the point is outside the small port's circle.

        >>> index = PortIndex(pd.DataFrame({"port_id": ["BIG", "SMALL"], "lat": [0.0, 0.0],
        ...                                 "lon": [0.0, 0.1], "radius_m": [8000.0, 3000.0]}))
        >>> index.within([0.0, 0.0, 0.0], [0.05, 0.08, 0.2])[0]
        array([ 0,  1, -1])
        """
        if not (np.isfinite(margin_m) and margin_m >= 0):
            raise ValueError(f"margin_m must be a finite number >= 0, got {margin_m}")
        return self._run(lat, lon, max_distance_m=None, margin_m=margin_m)


_TABLE_LOCK: Final = threading.Lock()
_TABLE_MAX_CELLS: Final = 4_000_000
"""Most (cell, port) pairs `_CellTable` may try (its size and build time follow): the 16,600
bundled ports of 3-8 km try 600,000 (12 MB, 60 ms), with a 10 km margin 1.8 million; wider
circles (a margin of 20 km and more on the bundled ports) go to the per-cell search of
`PortProximity` instead."""


class _CellTable:
    """Per grid cell, the ports that a point of the cell may be within reach of, looked up by array.

    Built per index and reach (`PortIndex._cell_table`) for a region, the blocks round the
    points first asked about (then the world's, if points fall outside it), from the ports'
    side: each port lists the cells (of `_CELL_DEG`) whose centre lies within its reach plus the cell's
    half-diagonal, so (triangle inequality) every cell holding a point within its reach. Only
    blocks of `_BLOCK` x `_BLOCK` cells with a port listed are stored, so finding a point's
    ports takes a few array reads: no hash, search or tree query per point or per cell.
    """

    def __init__(
        self,
        block_of: npt.NDArray[np.int32],
        count: npt.NDArray[np.int32],
        port: IntArray,
        near: npt.NDArray[np.float32],
        region: BoolArray,
    ) -> None:
        self.region = region  # the blocks whose cells list every port (block rows x block columns)
        self._block_of = block_of  # block number by (block row, block column); -1: none listed
        # per cell of the stored blocks, its ports' count and first entry in _port; then a
        # block's worth of empty cells, where the cells of block -1 fall (negative indices)
        self._count = np.concatenate([count, np.zeros(_BLOCK**2, dtype=np.int32)])
        first = np.zeros(len(self._count), dtype=np.int32)
        np.cumsum(count[:-1], out=first[1 : len(count)])
        self._first = first
        self._port = port  # port row positions, ascending within a cell
        # per cell, a distance (m) within which every point of it has a listed port: its
        # centre's nearest one plus its half-diagonal (inf: none listed)
        self._near = np.concatenate([near, np.full(_BLOCK**2, np.inf, dtype=np.float32)])

    def covers(self, region: BoolArray) -> bool:
        """Whether the table lists the ports of every block of ``region``."""
        return not bool((region & ~self.region).any())

    @classmethod
    def build(cls, index: PortIndex, reach_m: FloatArray, region: BoolArray) -> _CellTable | None:
        """The table of ``index`` for a reach per port (metres), complete in the blocks of
        ``region`` (`_blocks_around`) and empty elsewhere; None past `_TABLE_MAX_CELLS` (for
        the whole world, whatever the region: which path a search takes does not depend on it)."""
        # per row; rows past the poles hold no point: they get the polar rows' value
        c_lat = (np.arange(_BLOCK_ROWS * _BLOCK) - _ROW0 + 0.5) * _CELL_DEG
        half = _half_diagonal(np.clip(c_lat, -90.0 - _CELL_DEG / 2, 90.0 + _CELL_DEG / 2))
        # cells to try: each port's box widened by its reach plus the widest half-diagonal
        # (in longitude, by the widest span of a cap of that radius: see `_boxes`)
        lo_lon, lo_lat, hi_lon, hi_lat = index._bounds.T
        delta = (reach_m + half.max()) * 1.001 / EARTH_RADIUS_M + 1e-9
        dlat = np.degrees(delta)
        far_lat = np.maximum(np.abs(lo_lat), np.abs(hi_lat))
        cos_lat = np.cos(np.radians(far_lat))
        sin_delta = np.sin(np.minimum(delta, np.pi / 2))
        polar = (far_lat + dlat >= 90.0) | (sin_delta >= cos_lat) | (delta >= np.pi / 2)
        dlon = np.degrees(np.arcsin(np.where(polar, 1.0, sin_delta / np.where(polar, 1.0, cos_lat))))
        first_row = _ROW0 - (_ROW_LAST - _ROW0)
        row_lo = np.clip(np.floor((lo_lat - dlat) / _CELL_DEG) + _ROW0 - 1, first_row, _ROW_LAST)
        row_hi = np.clip(np.floor((hi_lat + dlat) / _CELL_DEG) + _ROW0 + 1, first_row, _ROW_LAST)
        row_lo, row_hi = row_lo.astype(np.int64), row_hi.astype(np.int64)
        col_lo = np.floor((lo_lon - dlon) / _CELL_DEG).astype(np.int64) - 1
        n_cols = np.floor((hi_lon + dlon) / _CELL_DEG).astype(np.int64) + 1 - col_lo + 1
        around = polar | (n_cols >= _COLS)
        col_lo, n_cols = np.where(around, 0, col_lo), np.where(around, _COLS, n_cols)
        count = (row_hi - row_lo + 1) * n_cols
        if int(count.sum()) > _TABLE_MAX_CELLS:
            return None
        # only the ports whose cells reach into the region (a port lists its cells there alone)
        start_col = (col_lo + _COLS // 2) % _COLS
        relevant = _meets(region, row_lo, row_hi, start_col, n_cols)
        in_region = region.ravel()
        cells: list[IntArray] = []
        ports: list[IntArray] = []
        bounds: list[FloatArray] = []
        chosen = np.flatnonzero(relevant)
        count = count[chosen]
        bound = np.cumsum(count)
        first = 0
        while first < len(count):  # ports in slices of about _CHUNK pairs: temporaries stay small
            last = max(
                int(np.searchsorted(bound, bound[first] - count[first] + _CHUNK, side="right")), first + 1
            )
            port = np.repeat(chosen[first:last], count[first:last])
            k = positions_in_runs(count[first:last])
            row = row_lo[port] + k // n_cols[port]
            col = (col_lo[port] + k % n_cols[port] + _COLS // 2) % _COLS
            centre_lat = np.asarray((row - _ROW0 + 0.5) * _CELL_DEG, dtype=np.float64)
            centre_lon = np.asarray((col - _COLS // 2 + 0.5) * _CELL_DEG, dtype=np.float64)
            dist = index._distance(centre_lat, centre_lon, port)
            keep = (dist <= reach_m[port] + half[row]) & in_region[
                (row >> _SHIFT_BITS) * _BLOCK_COLS + (col >> _SHIFT_BITS)
            ]
            cells.append(row[keep] * _COLS + col[keep])
            ports.append(port[keep])
            bounds.append(dist[keep] + half[row[keep]])
            first = last
        cell = np.concatenate(cells) if cells else np.empty(0, dtype=np.int64)
        port = np.concatenate(ports) if ports else np.empty(0, dtype=np.int64)
        reach = np.concatenate(bounds) if bounds else np.empty(0, dtype=np.float64)
        row, col = cell // _COLS, cell % _COLS
        blocks, block = np.unique((row // _BLOCK) * _BLOCK_COLS + col // _BLOCK, return_inverse=True)
        block_of = np.full(_BLOCK_ROWS * _BLOCK_COLS, -1, dtype=np.int32)
        block_of[blocks] = np.arange(len(blocks))
        slot = block.ravel() * _BLOCK**2 + (row % _BLOCK) * _BLOCK + col % _BLOCK
        order = np.argsort(slot, kind="stable")  # pairs came by port: ports stay ascending per cell
        count = np.bincount(slot, minlength=len(blocks) * _BLOCK**2).astype(np.int32)
        near = np.full(len(count), np.inf)
        np.minimum.at(near, slot, reach)
        near32 = near.astype(np.float32)
        near32 = np.where(near32 < near, np.nextafter(near32, np.float32(np.inf)), near32)  # round up
        return cls(block_of, count, np.asarray(port[order], dtype=np.int64), near32, region)

    def pairs(self, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
        """(point, port row) for every port listed in each point's cell: grouped by point, in
        order, ports ascending within a point. Points must have valid coordinates."""
        slot = self._slots(lat, lon)
        count = self._count[slot]
        point = np.flatnonzero(count)
        first = self._first[slot[point]]
        count = count[point]
        return np.repeat(point, count), self._port[concatenated_ranges(first, count)]

    def near(self, lat: FloatArray, lon: FloatArray) -> FloatArray:
        """Per point, a distance (m) within which some port surely lies (inf: none listed).
        Points must have valid coordinates."""
        # float64, so that comparing with a limit never rounds the limit to float32
        return np.asarray(self._near[self._slots(lat, lon)], dtype=np.float64)

    def _slots(self, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.int32]:
        """Each point's cell, as a position in the per-cell arrays (block -1: one of the empty
        padding cells at their end, by a negative position)."""
        rows, cols = _cell_rows_cols(lat, lon)
        slot = self._block_of[(rows >> _SHIFT_BITS) * _BLOCK_COLS + (cols >> _SHIFT_BITS)]
        slot <<= 2 * _SHIFT_BITS  # block -1: a slot from -256 to -1, an empty padding cell
        rows &= _MASK
        rows <<= _SHIFT_BITS
        slot |= rows
        cols &= _MASK
        slot |= cols
        return slot


def _lon_in_range(lon: FloatArray) -> FloatArray:
    """Longitudes in [-180, 180]: as given when they all are ((x + 180) % 360 - 180 is not x to
    the bit: wrapping every one would move some, and 3e-149 to 0), wrapped otherwise."""
    if len(lon) and not (float(lon.min()) >= -180.0 and float(lon.max()) <= 180.0):
        return ((lon + 180.0) % 360.0) - 180.0
    return lon


def _cell_rows_cols(lat: FloatArray, lon: FloatArray) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Each point's cell row and column of `_CellTable`, counted from 0 (truncating a positive
    number is flooring it). Points must have valid coordinates."""
    row = lat - (-_ROW0 * _CELL_DEG)
    row *= 1 / _CELL_DEG
    col = _lon_in_range(lon) + 180.0
    col *= 1 / _CELL_DEG
    cols = col.astype(np.int32)
    # longitude 180 is the east edge of the last column (rounding never moves a point by more
    # than the slack of the half-diagonal)
    np.minimum(cols, _COLS - 1, out=cols)
    return row.astype(np.int32), cols


_UNBUILT: Final = object()
"""`PortIndex._tables`' answer for a reach whose table was not built yet (None: too wide for one)."""


def _blocks_around(lat: FloatArray | None, lon: FloatArray | None) -> BoolArray:
    """The blocks of `_CellTable` (block rows x block columns) in the box around the points,
    one block wider on each side (``None``: every block). Points must have valid coordinates."""
    region = np.zeros((_BLOCK_ROWS, _BLOCK_COLS), dtype=bool)
    if lat is None or lon is None:
        region[:] = True
        return region
    if len(lat) == 0:
        return region
    lon = _lon_in_range(lon)  # before the extremes: wrapping reorders
    # the extremes' cells as `_CellTable._slots` finds them (cells grow with lat and lon), then
    # their blocks; a block more on each side costs little and spares any doubt at an edge
    rows, cols = _cell_rows_cols(np.array([lat.min(), lat.max()]), np.array([lon.min(), lon.max()]))
    row_lo, row_hi = (int(v) >> _SHIFT_BITS for v in rows)
    col_lo, col_hi = (int(v) >> _SHIFT_BITS for v in cols)
    region[max(row_lo - 1, 0) : row_hi + 2, max(col_lo - 1, 0) : col_hi + 2] = True
    return region


def _meets(
    region: BoolArray, row_lo: IntArray, row_hi: IntArray, start_col: IntArray, n_cols: IntArray
) -> BoolArray:
    """Whether each rectangle of cells (rows ``row_lo``..``row_hi``, ``n_cols`` columns from
    ``start_col``, round the antimeridian) has a cell in a block of ``region``: block counts
    summed over the region once, then four reads per rectangle."""
    summed = np.zeros((_BLOCK_ROWS + 1, _BLOCK_COLS + 1), dtype=np.int64)
    summed[1:, 1:] = region.cumsum(axis=0).cumsum(axis=1)

    def blocks_in(r0: IntArray, r1: IntArray, c0: IntArray, c1: IntArray) -> IntArray:
        out: IntArray = summed[r1 + 1, c1 + 1] - summed[r0, c1 + 1] - summed[r1 + 1, c0] + summed[r0, c0]
        return out

    b_r0, b_r1 = row_lo >> _SHIFT_BITS, row_hi >> _SHIFT_BITS
    end_col = start_col + n_cols - 1  # past _COLS - 1: the rectangle wraps round to column 0
    east = np.minimum(end_col, _COLS - 1)
    found = blocks_in(b_r0, b_r1, start_col >> _SHIFT_BITS, east >> _SHIFT_BITS) > 0
    wraps = end_col >= _COLS
    if wraps.any():
        w = np.flatnonzero(wraps)
        west_end = np.minimum(end_col[w] - _COLS, _COLS - 1)
        found[w] |= blocks_in(b_r0[w], b_r1[w], np.zeros(len(w), dtype=np.int64), west_end >> _SHIFT_BITS) > 0
    return found


class _Bins(NamedTuple):
    cell: IntArray  # per valid point, its cell's number
    c_lat: FloatArray  # per cell, its centre
    c_lon: FloatArray
    half: FloatArray  # per cell, its half-diagonal (`_half_diagonal`)


class PortProximity:
    """Port questions about many points at once, answered per grid cell where possible.

    Points are binned into cells of `_CELL_DEG` degrees; for each occupied cell, the ports
    within reach of its centre are listed once (one bounded query of the `PortIndex` per
    cell, not per point). By the triangle inequality a point's distance to a port differs
    from its cell centre's by at most the cell's half-diagonal, so a question ("is a port
    within 10 km?", "which port's circle contains the point?") is settled for a whole cell
    when every point of it must give the same answer, and is measured point by point,
    against the cell's few candidate ports only, where it may not. Every answer is exactly
    what `PortIndex.nearest` and `PortIndex.within` give for the same points.

    `within` and `ports_within` ("in port") look each point's cell up in the index's cell
    table instead (`_CellTable`, built per index and margin for the region asked about): no
    binning or search per call, and the candidate ports are settled by a series bound,
    measured only at a circle's edge or where circles overlap closely.

    >>> index = PortIndex()
    >>> near = PortProximity(index, np.array([36.80, 40.0]), np.array([53.33, 51.0]))
    >>> near.any_within(5_000).tolist()
    [True, False]
    >>> pos, _ = near.within()
    >>> index.ports.at[int(pos[0]), "port_id"], int(pos[1])
    ('IRAMD', -1)
    """

    def __init__(self, index: PortIndex, lat: npt.ArrayLike, lon: npt.ArrayLike) -> None:
        self.index = index
        self.lat = np.asarray(lat, dtype=np.float64).ravel()
        self.lon = np.asarray(lon, dtype=np.float64).ravel()
        valid = np.isfinite(self.lat) & np.isfinite(self.lon) & (np.abs(self.lat) <= 90.0)
        self._rows = np.flatnonzero(valid)
        self._reach = -1.0
        self._cand_start = np.zeros(1, dtype=np.int64)
        self._cand_port = np.empty(0, dtype=np.int64)
        self._cand_dist = np.empty(0, dtype=np.float64)

    @cached_property
    def _bins(self) -> _Bins:
        """The points' cells (binned on first use: `within` looks ports up without them)."""
        cell_lat = np.floor(self.lat[self._rows] / _CELL_DEG).astype(np.int64)
        wrapped = ((self.lon[self._rows] + 180.0) % 360.0) - 180.0
        cell_lon = np.floor(wrapped / _CELL_DEG).astype(np.int64)
        codes, keys = pd.factorize((cell_lat + 50_000) * 100_000 + (cell_lon + 50_000))
        keys = np.asarray(keys, dtype=np.int64)
        c_lat = ((keys // 100_000 - 50_000 + 0.5) * _CELL_DEG).astype(np.float64)
        c_lon = ((keys % 100_000 - 50_000 + 0.5) * _CELL_DEG).astype(np.float64)
        return _Bins(np.asarray(codes, dtype=np.int64), c_lat, c_lon, _half_diagonal(c_lat))

    def _candidates(self, reach_m: float) -> None:
        """List, per cell, the ports within ``reach_m`` + half-diagonal of its centre (by port row)."""
        if reach_m <= self._reach:
            return
        n_cells = len(self._bins.c_lat)
        qi = np.empty(0, dtype=np.int64)
        pi = np.empty(0, dtype=np.int64)
        dist = np.empty(0, dtype=np.float64)
        if len(self.index) and n_cells:
            widest = reach_m + float(self._bins.half.max())
            near = np.flatnonzero(self.index._may_be_near(self._bins.c_lat, self._bins.c_lon, widest))
            if len(near):
                limit = reach_m + self._bins.half[near]
                qi, pi, dist = self.index._candidates(self._bins.c_lat[near], self._bins.c_lon[near], limit)
                keep = dist <= limit[qi]
                qi, pi, dist = near[qi[keep]], pi[keep], dist[keep]
        order = np.lexsort((pi, qi))
        self._cand_port, self._cand_dist = pi[order], dist[order]
        self._cand_start = np.searchsorted(qi[order], np.arange(n_cells + 1)).astype(np.int64)
        self._reach = reach_m

    def _nearest_centre(self) -> FloatArray:
        """Each cell centre's distance to its nearest candidate port (inf: none within reach)."""
        best = np.full(len(self._bins.c_lat), np.inf)
        counts = np.diff(self._cand_start)
        has = counts > 0
        if has.any():
            best[has] = np.minimum.reduceat(self._cand_dist, self._cand_start[:-1][has])
        return best

    def _measure(
        self, cells: npt.NDArray[np.bool_], reach_of: npt.NDArray[np.float64] | float, margin_m: float
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(point row, port row, distance) for the points of ``cells`` and each candidate port whose
        centre distance allows it within ``reach_of`` (per port row, or one value) + ``margin_m``.

        Pairs come grouped by point, ports ascending within a point.
        """
        entry_cell = np.repeat(np.arange(len(self._bins.c_lat)), np.diff(self._cand_start))
        reach = reach_of[self._cand_port] if isinstance(reach_of, np.ndarray) else reach_of
        useful = cells[entry_cell] & (self._cand_dist <= reach + margin_m + self._bins.half[entry_cell])
        port_of = self._cand_port[useful]
        start = np.searchsorted(np.flatnonzero(useful), self._cand_start)  # per cell, into port_of
        members = np.flatnonzero(np.diff(start)[self._bins.cell] > 0)
        cell = self._bins.cell[members]
        count = np.diff(start)[cell]
        rep = np.repeat(members, count)
        port = port_of[concatenated_ranges(start[:-1][cell], count)]
        rows = self._rows[rep]
        return rows, port, self.index._distance(self.lat[rows], self.lon[rows], port)

    def _closest(self, rows: IntArray, port: IntArray, dist: FloatArray) -> tuple[IntArray, FloatArray]:
        """Per point, the closest of its pairs (ties: the lowest port row), as `PortIndex` breaks them."""
        pos = np.full(len(self.lat), -1, dtype=np.int64)
        best = np.full(len(self.lat), np.nan)
        if len(rows):
            # pairs come grouped by point, ports ascending within a point
            first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
            low = np.minimum.reduceat(dist, first)
            segment = np.repeat(np.arange(len(first)), np.diff(np.append(first, len(rows))))
            hit = np.flatnonzero(dist == low[segment])
            _, take = np.unique(segment[hit], return_index=True)
            chosen = hit[take]
            pos[rows[chosen]] = port[chosen]
            best[rows[chosen]] = dist[chosen]
        return pos, best

    def any_within(self, max_distance_m: float) -> npt.NDArray[np.bool_]:
        """Whether some port lies within ``max_distance_m`` of each point (as `PortIndex.nearest`)."""
        out = np.zeros(len(self.lat), dtype=bool)
        if len(self.index) == 0 or len(self._rows) == 0:
            return out
        # points that the in-port table places within that distance of a port need no search
        # (most slow vessels are at berth); the others are settled cell by cell
        lat, lon = self.lat[self._rows], self.lon[self._rows]
        table = self.index._cell_table(0.0, lat, lon)
        if table is not None:
            sure = table.near(lat, lon) <= max_distance_m
            if sure.any():
                out[self._rows[sure]] = True
                rest = self._rows[~sure]
                if len(rest):
                    others = PortProximity(self.index, self.lat[rest], self.lon[rest])
                    out[rest] = others._any_within_cells(max_distance_m)
                return out
        return self._any_within_cells(max_distance_m)

    def _any_within_cells(self, max_distance_m: float) -> npt.NDArray[np.bool_]:
        """`any_within`, settled cell by cell."""
        out = np.zeros(len(self.lat), dtype=bool)
        if len(self.index) == 0 or len(self._rows) == 0:
            return out
        self._candidates(max_distance_m)
        centre = self._nearest_centre()
        sure = centre + self._bins.half <= max_distance_m
        out[self._rows[sure[self._bins.cell]]] = True
        unsure = ~sure & (centre - self._bins.half <= max_distance_m)
        rows, _, dist = self._measure(unsure, max_distance_m, 0.0)
        out[rows[dist <= max_distance_m]] = True
        return out

    def nearest(self, max_distance_m: float) -> tuple[IntArray, FloatArray]:
        """`PortIndex.nearest` with ``max_distance_m``: the nearest port within it, -1 where none is."""
        if len(self.index) == 0 or len(self._rows) == 0:
            return np.full(len(self.lat), -1, dtype=np.int64), np.full(len(self.lat), np.nan)
        self._candidates(max_distance_m)
        rows, port, dist = self._measure(np.ones(len(self._bins.c_lat), dtype=bool), max_distance_m, 0.0)
        close = dist <= max_distance_m
        return self._closest(rows[close], port[close], dist[close])

    def within(self, margin_m: float = 0.0) -> tuple[IntArray, FloatArray]:
        """`PortIndex.within`: the nearest port whose circle (``radius_m + margin_m``) contains each point."""
        pos = self.ports_within(margin_m)
        dist = np.full(len(self.lat), np.nan)
        rows = np.flatnonzero(pos >= 0)
        dist[rows] = self.index._distance(self.lat[rows], self.lon[rows], pos[rows])
        return pos, dist

    def ports_within(self, margin_m: float = 0.0) -> IntArray:
        """The positions of `within` alone (-1 outside every circle): no distance is returned, so
        most points are placed by a bound, not measured."""
        pos = np.full(len(self.lat), -1, dtype=np.int64)
        if len(self.index) == 0 or len(self._rows) == 0:
            return pos
        index = self.index
        limit = index._radius + margin_m
        every = len(self._rows) == len(self.lat)
        lat = self.lat if every else self.lat[self._rows]
        lon = self.lon if every else self.lon[self._rows]
        table = index._cell_table(margin_m, lat, lon)
        if table is None:  # circles too wide for a table: list candidates per occupied cell
            self._candidates(float(index._radius.max()) + margin_m)
            rows, port, dist = self._measure(
                np.ones(len(self._bins.c_lat), dtype=bool), index._radius, margin_m
            )
            inside = dist <= limit[port]
            return self._closest(rows[inside], port[inside], dist[inside])[0]
        point, port = table.pairs(lat, lon)
        p_lat, p_lon = lat[point], lon[point]
        a = index._series_a(p_lat, p_lon, port)
        held = np.flatnonzero(index._within_limit(p_lat, p_lon, port, limit, a))
        point, port, a = point[held], port[held], a[held]
        # most points are inside one circle at most; where circles overlap, the nearest wins
        shared = np.zeros(len(point), dtype=bool)
        shared[1:] = point[1:] == point[:-1]
        shared[:-1] |= shared[1:]
        rows = point if every else self._rows[point]
        alone = ~shared
        pos[rows[alone]] = port[alone]
        if shared.any():
            many = np.flatnonzero(shared)
            point, port, a, rows = point[many], port[many], a[many], rows[many]
            first = np.flatnonzero(np.concatenate(([True], point[1:] != point[:-1])))
            group = np.repeat(np.arange(len(first)), np.diff(np.append(first, len(point))))
            # the series settle it when one port is clearly nearer than the others (NaN: measure)
            low = np.minimum.reduceat(a, first)
            near = a <= low[group] * (1.0 + 4 * _SERIES_MARGIN)
            settled = (np.add.reduceat(near, first) == 1)[group]
            pick = settled & near
            pos[rows[pick]] = port[pick]
            doubt = np.flatnonzero(~settled)
            if len(doubt):
                d = index._distance(lat[point[doubt]], lon[point[doubt]], port[doubt])
                chosen, _ = self._closest(rows[doubt], port[doubt], d)
                pos[rows[doubt]] = chosen[rows[doubt]]
        return pos
