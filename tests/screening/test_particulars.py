"""`particulars` numbers MMSIs by runs when they come sorted and counts AIS classes per run of
one vessel saying one class: it must give what the plain counting gives (below), on any rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.schema import IDENTITY, POSITION
from vesselscreen.screening.context import particulars


def plain(rows: pd.DataFrame) -> pd.DataFrame:
    """Every row hashed: the MMSIs by first appearance, each class counted row by row."""
    timed = rows[POSITION.MMSI].notna().to_numpy(dtype=bool)
    vessel, mmsis = pd.factorize(rows[POSITION.MMSI].to_numpy(dtype=np.int64, na_value=-1)[timed])
    out = pd.DataFrame({POSITION.MMSI: pd.array(mmsis, dtype="Int64")})
    said, classes = pd.factorize(rows[POSITION.TRANSCEIVER].array[timed], sort=True)
    known = said >= 0
    counts = np.bincount(vessel[known] * len(classes) + said[known], minlength=len(mmsis) * len(classes))
    counts = counts.reshape(len(mmsis), len(classes))
    choice = np.full(len(mmsis), len(classes))
    if len(classes):
        choice = np.where(counts.any(axis=1), counts.argmax(axis=1), len(classes))
    out[IDENTITY.TRANSCEIVER] = pd.array(np.array([*classes, None], dtype=object)[choice], dtype="string")
    lengths = pd.Series(rows[POSITION.LENGTH].to_numpy(dtype=np.float64, na_value=np.nan)[timed])
    out[IDENTITY.LENGTH] = lengths.groupby(vessel).median().reindex(range(len(mmsis))).to_numpy()
    return out


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([211000001, 211000002, 311000003, None]),
            st.sampled_from(["A", "B", "C", None]),
            st.sampled_from([12.0, 99.5, np.nan, 0.0, -0.0]),
        ),
        max_size=60,
    ),
    in_order=st.booleans(),
    storage=st.sampled_from(["pyarrow", "python"]),
)
def test_particulars_equal_the_plain_counting(
    rows: list[tuple[int | None, str | None, float]], in_order: bool, storage: str
) -> None:
    if in_order:  # as readers hand them over: by MMSI (runs of one class, and broken runs)
        rows = sorted(rows, key=lambda row: (row[0] is None, row[0] or 0))
    frame = pd.DataFrame(
        {
            POSITION.MMSI: pd.array([row[0] for row in rows], dtype="Int64"),
            POSITION.TRANSCEIVER: pd.Series([row[1] for row in rows], dtype=f"string[{storage}]"),
            POSITION.LENGTH: [row[2] for row in rows],
        }
    )
    pd.testing.assert_frame_equal(particulars(frame), plain(frame))
