"""`ScreeningContext.events_of_listed` chooses its rows on narrow frames of keys and takes the
wide frame once: it must give exactly what pandas' own join gives (the plain version below)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vesselscreen as vs
from vesselscreen.errors import SchemaError
from vesselscreen.models import MatchTier
from vesselscreen.schema import ENCOUNTER, LISTED, PORT_CALL
from vesselscreen.screening.context import ScreeningContext, status_during

CONTEXT = ScreeningContext.build(vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()))
T0 = pd.Timestamp("2024-08-20", tz="UTC")
MMSIS = [273999301, 273999302, 273999303, 1]
TIERS = [tier.value for tier in MatchTier]


def plain(context: ScreeningContext, events: pd.DataFrame, start: str, end: str, mmsi: str) -> pd.DataFrame:
    """The join as pandas says it: merge, overlap, surest match first, one row per event and entry."""
    listed = context.listed
    rows = events[events[mmsi].isin(listed[LISTED.MMSI].dropna()).to_numpy(dtype=bool)]
    rows = rows.merge(listed, left_on=mmsi, right_on=LISTED.MMSI, how="inner", suffixes=("", "_listed"))
    rows = rows[(rows[start] <= rows[LISTED.MATCH_LAST]) & (rows[end] >= rows[LISTED.MATCH_FIRST])]
    if rows.empty:
        status = pd.Series(dtype="string")
        return rows.reset_index(drop=True).assign(**{LISTED.STATUS: status, LISTED.STATUS_CHANGED: status})
    rank = rows[LISTED.TIER].map({t.value: t.rank for t in MatchTier})
    rows = rows.assign(_rank=rank).sort_values(["_rank", LISTED.MATCH_SCORE], ascending=False, kind="stable")
    rows = rows.drop_duplicates([mmsi, start, LISTED.ENTRY_ID]).sort_values([start, mmsi], kind="stable")
    rows = rows.drop(columns="_rank").reset_index(drop=True)
    rows[LISTED.STATUS], rows[LISTED.STATUS_CHANGED] = status_during(rows, start, end)
    return rows


def hours(values: list[int]) -> pd.Series:
    return pd.Series(T0 + pd.to_timedelta(values, unit="h"))


def mmsis(n: int) -> st.SearchStrategy[list[int | None]]:
    """``n`` MMSIs of a few vessels, some missing."""
    return st.lists(st.sampled_from([*MMSIS, None]), min_size=n, max_size=n)


@st.composite
def listings(draw: st.DrawFn) -> pd.DataFrame:
    """Matches of a few MMSIs (some twice, to one entry or two), over random spans, tiers and
    scores (ties included)."""
    n = draw(st.integers(1, 8))
    base = CONTEXT.listed.iloc[[draw(st.integers(0, len(CONTEXT.listed) - 1)) for _ in range(n)]]
    listed = base.reset_index(drop=True).copy()
    first = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    length = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    listed[LISTED.MMSI] = pd.array(
        draw(st.lists(st.sampled_from([*MMSIS, None]), min_size=n, max_size=n)), "Int64"
    )
    listed[LISTED.ENTRY_ID] = pd.array(
        draw(st.lists(st.sampled_from(["e:1", "e:2", "e:3"]), min_size=n, max_size=n)), "string"
    )
    listed[LISTED.TIER] = pd.array(draw(st.lists(st.sampled_from(TIERS), min_size=n, max_size=n)), "string")
    listed[LISTED.MATCH_SCORE] = draw(st.lists(st.sampled_from([0.8, 0.9, 1.0]), min_size=n, max_size=n))
    listed[LISTED.MATCH_FIRST] = hours(first)
    listed[LISTED.MATCH_LAST] = hours([f + d for f, d in zip(first, length, strict=True)])
    return listed


@st.composite
def calls(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    base = CONTEXT.port_calls.iloc[[draw(st.integers(0, len(CONTEXT.port_calls) - 1)) for _ in range(n)]]
    events = base.reset_index(drop=True).copy()
    arrival = draw(st.lists(st.integers(-50, 700), min_size=n, max_size=n))
    stay = draw(st.lists(st.integers(0, 90), min_size=n, max_size=n))
    events[PORT_CALL.MMSI] = pd.array(
        draw(st.lists(st.sampled_from([*MMSIS, None]), min_size=n, max_size=n)), "Int64"
    )
    events[PORT_CALL.ARRIVAL] = hours(arrival)
    events[PORT_CALL.DEPARTURE] = hours([a + s for a, s in zip(arrival, stay, strict=True)])
    return events


@given(listed=listings(), events=calls(), counterpart=st.booleans())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_events_of_listed_equal_the_plain_join(
    listed: pd.DataFrame, events: pd.DataFrame, counterpart: bool
) -> None:
    context = dataclasses.replace(CONTEXT, listed=listed)
    mmsi = PORT_CALL.MMSI
    if counterpart:  # joined on another column, as the encounter rule joins each side
        events = events.rename(columns={PORT_CALL.MMSI: ENCOUNTER.MMSI_2})
        events[PORT_CALL.MMSI] = pd.array(np.arange(len(events)) + 5, "Int64")
        mmsi = ENCOUNTER.MMSI_2
    got = context.events_of_listed(events, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE, mmsi=mmsi)
    want = plain(context, events, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE, mmsi)
    pd.testing.assert_frame_equal(got, want)


def test_event_times_must_be_aware() -> None:
    events = CONTEXT.port_calls.assign(
        **{PORT_CALL.ARRIVAL: CONTEXT.port_calls[PORT_CALL.ARRIVAL].dt.tz_localize(None)}
    )
    with pytest.raises(SchemaError, match="timezone-aware"):
        CONTEXT.events_of_listed(events, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE)
