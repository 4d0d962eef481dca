"""Index arithmetic over runs: the same as concatenating one ``np.arange`` per run."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen._runs import concatenated_ranges, positions_in_runs, vessel_slices

RUNS = st.lists(st.tuples(st.integers(-1_000, 1_000), st.integers(0, 7)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(RUNS, st.sampled_from([np.int32, np.int64]))
def test_concatenated_ranges_is_a_concatenation_of_aranges(runs: list[tuple[int, int]], dtype: type) -> None:
    start = np.array([s for s, _ in runs], dtype=dtype)
    size = np.array([n for _, n in runs], dtype=dtype)
    expected = [value for s, n in runs for value in range(s, s + n)]
    got = concatenated_ranges(start, size)
    assert got.dtype == np.int64
    assert got.tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 7), max_size=40))
def test_positions_in_runs_count_each_run_from_zero(sizes: list[int]) -> None:
    got = positions_in_runs(np.array(sizes, dtype=np.int64))
    assert got.tolist() == [k for n in sizes for k in range(n)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 5), max_size=40), st.integers(1, 12))
def test_vessel_slices_cover_the_rows_with_whole_vessels(vessels: list[int], rows: int) -> None:
    mmsi = np.sort(np.array(vessels, dtype=np.int64))
    slices = vessel_slices(mmsi, rows)
    assert slices is not None
    assert [i for start, stop in slices for i in range(start, stop)] == list(range(len(mmsi)))
    for start, _ in slices:
        assert start == 0 or mmsi[start] != mmsi[start - 1]  # no vessel cut in two
    assert all(stop - start >= rows for start, stop in slices[:-1])


def test_vessel_slices_refuse_rows_not_sorted_by_vessel() -> None:
    assert vessel_slices(np.array([1, 2, 1], dtype=np.int64), 1) is None
