"""Distances between consecutive points: the same bits as point-to-point haversine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.geo.distance import _CHUNK, haversine_m, haversine_steps

_latitudes = st.one_of(st.floats(-90.0, 90.0), st.just(float("nan")))
_longitudes = st.one_of(st.floats(-540.0, 540.0), st.just(float("nan")))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(_latitudes, _longitudes), max_size=40))
def test_steps_are_haversine_of_each_point_and_the_next(points: list[tuple[float, float]]) -> None:
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    expected = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) if len(points) > 1 else np.empty(0)
    assert np.array_equal(haversine_steps(lat, lon), expected, equal_nan=True)


@pytest.mark.parametrize("n", [_CHUNK, _CHUNK + 1, _CHUNK + 2, 3 * _CHUNK + 7])
def test_steps_across_slices_are_the_same_bits(n: int) -> None:
    rng = np.random.default_rng(n)
    # a ship's track: steps of a few hundred metres, as the detectors meet them
    lat = 40.0 + np.cumsum(rng.normal(0.0, 0.002, n))
    lon = 29.0 + np.cumsum(rng.normal(0.0, 0.002, n))
    steps = haversine_steps(lat, lon)
    assert len(steps) == n - 1
    assert np.array_equal(steps, haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))
    assert 100.0 < float(np.median(steps)) < 1_000.0


def test_steps_of_unequal_lengths_are_an_error() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        haversine_steps([0.0, 1.0], [0.0])
