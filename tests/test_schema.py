"""Canonical schemas: conform and validate report problems, never silently coerce."""

from __future__ import annotations

import pandas as pd
import pytest

from vesselscreen.errors import SchemaError
from vesselscreen.schema import (
    MATCH_DTYPES,
    PORT_CALL_DTYPES,
    POSITION,
    POSITION_DTYPES,
    WATCHLIST_DTYPES,
    conform,
    empty_frame,
    validate,
)


@pytest.mark.parametrize("dtypes", [POSITION_DTYPES, WATCHLIST_DTYPES, PORT_CALL_DTYPES, MATCH_DTYPES])
def test_empty_frames_validate(dtypes: dict[str, str]) -> None:
    frame = empty_frame(dtypes)
    validate(frame, dtypes)
    assert list(frame.columns) == list(dtypes)


def test_position_schema_matches_design() -> None:
    assert list(POSITION_DTYPES) == [
        "mmsi", "timestamp", "lat", "lon", "sog", "cog", "heading", "nav_status", "imo", "name",
        "call_sign", "destination", "ship_type", "draught", "source",
    ]  # fmt: skip
    assert str(empty_frame(POSITION_DTYPES)[POSITION.TIMESTAMP].dtype) == "datetime64[ns, UTC]"


def test_conform_adds_missing_columns_and_keeps_extras() -> None:
    frame = pd.DataFrame({"mmsi": [273999301], "extra": ["kept"]})
    out = conform(frame, POSITION_DTYPES)
    validate(out, POSITION_DTYPES)
    assert out["mmsi"].tolist() == [273999301]
    assert out["lat"].isna().all()
    assert out["extra"].tolist() == ["kept"]


def test_conform_refuses_uncastable_values() -> None:
    with pytest.raises(SchemaError, match="'mmsi'"):
        conform(pd.DataFrame({"mmsi": ["not a number"]}), POSITION_DTYPES)


def test_validate_lists_every_problem_at_once() -> None:
    frame = pd.DataFrame({"mmsi": [1.5], "lat": ["x"]})
    with pytest.raises(SchemaError) as info:
        validate(frame, POSITION_DTYPES, what="positions")
    message = str(info.value)
    assert "missing columns" in message
    assert "'mmsi' has dtype float64" in message
    assert "'lat' has dtype" in message
