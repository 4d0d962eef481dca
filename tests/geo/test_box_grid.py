"""The grid box search finds exactly what a shapely STRtree query finds, for the boxes it answers."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.geo import PortIndex
from vesselscreen.geo._box_grid import BoxGrid
from vesselscreen.geo.ports import _boxes

_coordinate = st.floats(-400.0, 400.0, allow_nan=False).map(lambda v: round(v * 4) / 16)
"""On the grid's own lines (multiples of 1/16 degree) often: edges that touch must count."""


def _box(draw: st.DrawFn) -> tuple[float, float, float, float]:
    x0, x1 = sorted((draw(_coordinate), draw(_coordinate) / draw(st.sampled_from([1, 8, 64]))))
    y0, y1 = sorted((draw(_coordinate) / 4, draw(_coordinate) / 4 / draw(st.sampled_from([1, 8, 64]))))
    return x0, y0, x1, y1


boxes = st.composite(lambda draw, n: [_box(draw) for _ in range(draw(st.integers(0, n)))])


def _tree_pairs(listed: np.ndarray, queries: np.ndarray) -> set[tuple[int, int]]:
    tree = shapely.STRtree(shapely.box(*listed.T))
    found = tree.query(shapely.box(*queries.T)) if len(queries) else np.empty((2, 0), dtype=np.int64)
    return set(zip(found[0].tolist(), found[1].tolist(), strict=True))


@settings(max_examples=150, deadline=None)
@given(listed=boxes(30), queries=boxes(30))
def test_overlaps_are_the_tree_query_with_the_wide_boxes_left_out(
    listed: list[tuple[float, float, float, float]], queries: list[tuple[float, float, float, float]]
) -> None:
    listed_a = np.array(listed, dtype=np.float64).reshape(-1, 4)
    queries_a = np.array(queries, dtype=np.float64).reshape(-1, 4)
    query, box, wide = BoxGrid(listed_a).overlaps(*queries_a.T)
    pairs = list(zip(query.tolist(), box.tolist(), strict=True))
    assert len(pairs) == len(set(pairs))  # each pair once, though a box sits in several cells
    expected = _tree_pairs(listed_a, queries_a)
    assert set(pairs) == {pair for pair in expected if pair[0] not in set(wide.tolist())}
    assert len(set(query.tolist()) & set(wide.tolist())) == 0


def test_bundled_ports_around_real_positions_as_the_tree_finds_them() -> None:
    index = PortIndex()
    rng = np.random.default_rng(5)
    # around real ports (most searches find some) and anywhere (most find none), 10-40 km reach
    near = rng.integers(0, len(index.ports), 3000)
    lat = np.concatenate(
        [index.ports["lat"].to_numpy()[near] + rng.normal(0, 0.2, 3000), rng.uniform(-80, 80, 3000)]
    )
    lon = np.concatenate(
        [index.ports["lon"].to_numpy()[near] + rng.normal(0, 0.2, 3000), rng.uniform(-180, 180, 3000)]
    )
    lon = ((lon + 180.0) % 360.0) - 180.0
    reach = rng.uniform(10_000, 40_000, len(lat))
    qi, pi, dist = index._candidates(lat, lon, reach)
    xmin, ymin, xmax, ymax = _boxes(lat, lon, reach)
    found = index._tree.query(shapely.box(xmin, ymin, xmax, ymax))
    assert sorted(zip(qi.tolist(), pi.tolist(), strict=True)) == sorted(
        zip(found[0].tolist(), (found[1] % len(index.ports)).tolist(), strict=True)
    )
    assert len(qi) > 3000  # the searches around ports found ports
    assert np.isfinite(dist).all()
