"""The incremental Screener: fed the demo hourly it reports exactly the batch findings, each once.

Event findings (calls, voyages, gaps, meetings) are reported once their event is over, in
their final form; findings about a state that lasts (a listed vessel) are reported at first
sight and kept current in ``findings``. After ``flush`` the findings equal ``vs.screen`` of
everything fed, evidence included.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vesselscreen as vs
from vesselscreen.screening.context import particulars
from vesselscreen.screening.live import ParticularsTally, finding_key

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "scenario"


def feed_in_steps(
    screener: vs.Screener, ais: pd.DataFrame, hours: int
) -> list[tuple[pd.Timestamp, list[vs.Finding]]]:
    """Feed ``ais`` in ``hours``-long chunks of time; (chunk end, findings reported) per feed."""
    t = ais["timestamp"]
    edges = pd.date_range(t.min().floor("h"), t.max() + pd.Timedelta(hours=hours), freq=f"{hours}h")
    return [(high, screener.feed(ais[(t >= low) & (t < high)])) for low, high in itertools.pairwise(edges)]


@pytest.fixture(scope="module")
def demo_hourly() -> tuple[vs.ScreeningResult, vs.Screener, list[tuple[pd.Timestamp, list[vs.Finding]]]]:
    ais = vs.read_ais(vs.demo.ais_path())
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    screener = vs.Screener(watchlist, window=timedelta(days=30))
    steps = feed_in_steps(screener, ais, hours=1)
    steps.append((ais["timestamp"].max() + pd.Timedelta(hours=1), screener.flush()))  # the feed is over
    return vs.screen(ais, watchlist), screener, steps


def test_the_demo_fed_hourly_gives_exactly_the_batch_findings(demo_hourly) -> None:  # type: ignore[no-untyped-def]
    batch, screener, steps = demo_hourly
    assert len(steps) == 482  # 481 hourly feeds and the flush
    pd.testing.assert_frame_equal(screener.to_frame(), batch.to_frame())
    assert len(batch.findings) == 23
    assert [f.evidence for f in screener.findings] == [f.evidence for f in batch.findings]


def test_each_finding_is_reported_once(demo_hourly) -> None:  # type: ignore[no-untyped-def]
    batch, screener, steps = demo_hourly
    reported = [f for _, found in steps for f in found]
    assert reported == screener.reported
    keys = [finding_key(f) for f in reported]
    assert len(keys) == len(set(keys)) == len(batch.findings)


def test_events_are_reported_when_over_and_final(demo_hourly) -> None:  # type: ignore[no-untyped-def]
    batch, _, steps = demo_hourly
    final = {finding_key(f): f for f in batch.findings}
    for when, found in steps:
        for finding in found:
            if finding.kind == "designated_vessel":
                continue  # reported at first sight; its end keeps growing
            assert finding == final[finding_key(finding)]  # reported once, in its final form
            assert finding.end is not None
            assert pd.Timestamp(finding.end) < when  # only once the event was over
    # PORT OLYA 3's 87-hour dark gap spans many feeds: found once, when the ship reappeared
    (gap,) = [(when, f) for when, found in steps for f in found if f.kind == "dark_gap"]
    assert gap[1].mmsi == 273999301
    assert gap[0] - pd.Timestamp(gap[1].end) <= pd.Timedelta(hours=1)


def test_a_listed_vessel_is_reported_at_first_sight(demo_hourly) -> None:  # type: ignore[no-untyped-def]
    _, screener, steps = demo_hourly
    first = next(when for when, found in steps if any(f.kind == "designated_vessel" for f in found))
    assert first <= pd.Timestamp("2024-08-26 01:00", tz="UTC")
    listed = [f for f in screener.findings if f.kind == "designated_vessel"]
    assert {str(f.end) for f in listed} >= {"2024-09-15 00:20:00+00:00"}  # kept current


def test_the_scenario_with_its_registry() -> None:
    ais = vs.read_ais(SCENARIO / "ais.csv")
    watchlist = vs.load_watchlist(SCENARIO / "watchlist.csv")
    registry = pd.read_csv(SCENARIO / "registry.csv")
    screener = vs.Screener(watchlist, registry=registry, window=timedelta(days=30))
    reported = [f for _, found in feed_in_steps(screener, ais, hours=6) for f in found] + screener.flush()
    batch = vs.screen(ais, watchlist, registry=registry)
    pd.testing.assert_frame_equal(screener.to_frame(), batch.to_frame())
    assert {f.kind for f in batch.findings} >= {
        "sts_encounter",
        "spoofing",
        "identity_change",
        "identity_conflict",
    }
    assert len(reported) == len({finding_key(f) for f in reported}) == len(batch.findings)


def test_a_real_day_fed_in_hours_gives_the_batch_findings() -> None:
    # the real MarineCadastre excerpt: artefacts, a listed tanker, a Class B namesake whose
    # transceiver class (known only from later rows) lowers its match to "possible"
    data = SCENARIO.parent
    ais = vs.read_ais(data / "ais" / "csv" / "marinecadastre_2022-01-03_head_vessels.csv")
    watchlist = vs.load_watchlist(data / "lists" / "ofac" / "sdn.csv")
    screener = vs.Screener(watchlist)
    reported = [f for _, found in feed_in_steps(screener, ais, hours=1) for f in found] + screener.flush()
    batch = vs.screen(ais, watchlist)
    pd.testing.assert_frame_equal(screener.to_frame(), batch.to_frame())
    assert {(f.mmsi, f.match_tier) for f in batch.findings if f.kind == "designated_vessel"} >= {
        (636015565, "confirmed"),
        (319156200, "possible"),
    }
    assert len(reported) == len({finding_key(f) for f in reported})


def test_feeding_after_flush_and_other_misuse() -> None:
    ais = vs.read_ais(vs.demo.ais_path())
    screener = vs.Screener(vs.load_watchlist(vs.demo.watchlist_path()))
    assert screener.feed(ais.iloc[:0]) == []
    screener.feed(ais.sort_values("timestamp").iloc[:600])
    late = ais.sort_values("timestamp").iloc[:5]
    screener.feed(late)
    assert screener.late == 5
    report = screener.cleaning_report
    assert report is not None
    assert report.rows == 600
    screener.flush()
    assert screener.flush() == []
    with pytest.raises(vs.ConfigError, match="flushed"):
        screener.feed(ais)
    with pytest.raises(vs.ConfigError):
        vs.Screener(ais)  # type: ignore[arg-type]  # the wrong kind on purpose
    with pytest.raises(vs.ConfigError):
        vs.Screener(vs.load_watchlist(vs.demo.watchlist_path())).feed([1, 2])  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 5),
            st.sampled_from(["A", "B", None]),
            st.sampled_from([10.0, 20.0, 25.0, 300.0, None]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.integers(0, 40), max_size=4),
)
def test_the_running_particulars_equal_the_batch_ones(
    rows: list[tuple[int, str | None, float | None]], cuts: list[int]
) -> None:
    frame = pd.DataFrame(rows, columns=["mmsi", "transceiver", "length"]).astype(
        {"transceiver": "string", "length": "float64"}
    )
    tally, changed = ParticularsTally(), set()
    edges = sorted({0, len(frame), *(c for c in cuts if c < len(frame))})
    for low, high in itertools.pairwise(edges):
        changed |= set(tally.add(frame.iloc[low:high]).tolist())
    expected = particulars(frame).set_index("mmsi")
    got = tally.frame(expected.index.to_numpy(dtype="int64")).set_index("mmsi")
    pd.testing.assert_frame_equal(got, expected, check_index_type=False)
    # every vessel that gave a class or a length was reported changed at least once
    assert changed == set(expected.dropna(how="all").index.astype(int))
