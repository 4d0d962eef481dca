"""Index arithmetic over runs: the same as concatenating one ``np.arange`` per run."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen._runs import concatenated_ranges, positions_in_runs

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
