"""The one ordering of positions: by vessel, then time, ties in input order, as ``np.lexsort``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen._sorting import by_vessel_then_time, vessel_time_order

MMSIS = st.sampled_from(
    [0, 1, 211_000_000, 273_451_000, 636_015_565, 999_999_999, (1 << 32) - 1, 1 << 32, -5]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(MMSIS, st.integers(-5, 5)), max_size=60), st.booleans())
def test_by_vessel_then_time_is_lexsort(rows: list[tuple[int, int]], time_ordered: bool) -> None:
    vessel = np.array([v for v, _ in rows], dtype=np.int64)
    stamp = np.array([t for _, t in rows], dtype=np.int64)
    if time_ordered:  # the usual feed: only the vessel sort is left
        stamp = np.sort(stamp)
    assert by_vessel_then_time(vessel, stamp).tolist() == np.lexsort((stamp, vessel)).tolist()


def test_a_day_in_time_order_sorts_by_vessel_keeping_time_order() -> None:
    rng = np.random.default_rng(3)
    vessel = rng.choice(np.array([366_000_001, 636_015_565, 273_451_000, 211_000_000]), size=10_000)
    stamp = np.sort(rng.integers(0, 86_400, size=10_000))
    order = by_vessel_then_time(vessel, stamp)
    assert np.all(np.diff(vessel[order]) >= 0)
    same = np.diff(vessel[order]) == 0
    assert np.all(np.diff(stamp[order])[same] >= 0)
    assert sorted(order.tolist()) == list(range(10_000))


def test_ties_are_ordered_by_content() -> None:
    frame = pd.DataFrame({"mmsi": [5, 5, 3], "t": [1, 1, 9], "name": ["B", "A", "C"]})
    assert frame.take(vessel_time_order(frame, "mmsi", "t"))["name"].tolist() == ["C", "A", "B"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3), st.integers(0, 3), st.sampled_from(["A", "B", None])), max_size=30)
)
def test_vessel_time_order_sorts_by_every_column_in_and_out_of_order(
    rows: list[tuple[int, int, str | None]],
) -> None:
    frame = pd.DataFrame(rows, columns=["mmsi", "t", "name"]).astype({"name": "string"})
    expected = frame.sort_values(["mmsi", "t", "name"], kind="mergesort", na_position="last")
    for given_frame in (frame, expected.reset_index(drop=True)):  # shuffled, and sorted already
        ordered = given_frame.take(vessel_time_order(given_frame, "mmsi", "t")).reset_index(drop=True)
        pd.testing.assert_frame_equal(ordered, expected.reset_index(drop=True))


ROWS = st.lists(
    st.tuples(
        st.sampled_from([5, 7]),  # two vessels
        st.integers(0, 2),  # few instants: many ties
        st.sampled_from([None, 1.5, -0.0, 0.0]),
        st.sampled_from([None, "A", "B", "É"]),
        st.sampled_from([float("nan"), 2.0, -1.0]),
        st.sampled_from([None, 3, 70]),
    ),
    max_size=25,
)


@settings(max_examples=400, deadline=None)
@given(ROWS, st.integers(0, 2))
def test_vessel_time_order_is_a_stable_sort_by_every_column(rows: list[tuple], copies: int) -> None:
    # duplicate receptions (rows repeated exactly) as well as ties that differ in content
    rows = rows + rows[: copies * 3]
    frame = pd.DataFrame(
        {
            "mmsi": [r[0] for r in rows],
            "t": [r[1] for r in rows],
            "x": pd.array([r[2] for r in rows], dtype="Float64"),
            "name": pd.array([r[3] for r in rows], dtype="string"),
            "sog": np.array([r[4] for r in rows], dtype=np.float64),
            "type": pd.array([r[5] for r in rows], dtype="Int16"),
        }
    )
    expected = frame.sort_values(list(frame.columns), kind="mergesort", na_position="last")
    order = vessel_time_order(frame, "mmsi", "t")
    # the same rows, not only the same values (-0.0 and 0.0 are equal values, not equal rows)
    assert order.tolist() == expected.index.tolist()
    # a frame in that order already (as readers hand them over) is left as it is
    in_order = expected.reset_index(drop=True)
    assert vessel_time_order(in_order, "mmsi", "t").tolist() == list(range(len(in_order)))


def test_ties_in_columns_without_an_order_of_their_own_are_sorted_as_before() -> None:
    frame = pd.DataFrame(
        {
            "mmsi": [5, 5, 5],
            "t": [1, 1, 1],
            "kind": pd.Categorical(["b", "a", "b"], categories=["b", "a"]),  # unordered: no "<"
        }
    )
    expected = frame.sort_values(["mmsi", "t", "kind"], kind="mergesort")
    assert vessel_time_order(frame, "mmsi", "t").tolist() == expected.index.tolist()
