"""The streaming detectors equal the batch detectors, however the feed is cut into chunks.

Each case feeds positions in time order, cut at random instants, through
`vesselscreen.events.stream.Feed`, flushes it, and compares every kind of event with what
`vesselscreen.ScreeningContext.build` detects on the whole frame: real fixtures (demo,
scenario, MarineCadastre sample) and generated tracks full of what makes streaming hard
(duplicate receptions, lone bad fixes, midnight carry-over rows, interleaved streams,
jumps that stay, long silences, draught changes, reports on the 10-minute grid, rows
sharing a time, meetings that start and stop).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vesselscreen as vs
from vesselscreen.events._common import port_index
from vesselscreen.events.stream.feed import EVENT_KINDS, Feed, FeedConfig, FeedOutput, _sorted
from vesselscreen.events.track import Track
from vesselscreen.schema import POSITION_DTYPES, conform

DATA = Path(__file__).resolve().parents[1] / "data"
CONFIG = vs.ScreeningConfig()
WATCHLIST = vs.load_watchlist(vs.demo.watchlist_path())
HOUR_NS = 3_600_000_000_000


def _config() -> FeedConfig:
    return FeedConfig(
        limits=CONFIG.limits,
        cleaning=CONFIG.cleaning,
        port_calls=CONFIG.port_calls,
        stops=CONFIG.stops,
        gaps=CONFIG.gaps,
        loitering=CONFIG.loitering,
        spoofing=CONFIG.spoofing,
        encounters=CONFIG.encounters,
        max_delay_ns=HOUR_NS,
    )


def fed(ais: pd.DataFrame, cuts: np.ndarray) -> tuple[Feed, list[FeedOutput]]:
    """``ais`` fed in time order, cut before each of ``cuts`` (ns), then flushed."""
    feed = Feed(port_index(None), _config())
    ordered = ais.iloc[np.argsort(ais["timestamp"].to_numpy(dtype="datetime64[ns]"), kind="stable")]
    times = ordered["timestamp"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    bounds = [0, *sorted(set(np.searchsorted(times, cuts).tolist())), len(ordered)]
    outputs = [feed.push(ordered.iloc[a:b]) for a, b in itertools.pairwise(bounds) if b > a]
    return feed, [*outputs, feed.flush()]


def assert_same_events(ais: pd.DataFrame, cuts: np.ndarray) -> dict[str, int]:
    """Every kind of event of the stream equals the batch's; returns how many of each there were."""
    feed, outputs = fed(ais, cuts)
    context = vs.ScreeningContext.build(ais, WATCHLIST)
    counts = {}
    for kind in EVENT_KINDS:
        got = _sorted(kind, [out.events[kind] for out in outputs])
        expected = getattr(context, kind).reset_index(drop=True)
        if kind == "voyages":  # the stream yields the voyages findings are about: port to port
            expected = expected.dropna(subset=["origin_port_id", "destination_port_id"]).reset_index(
                drop=True
            )
        if kind == "gaps":  # found when the vessel reappears, before its next draught is known
            got, expected = got.drop(columns="draught_end"), expected.drop(columns="draught_end")
        pd.testing.assert_frame_equal(got, expected, obj=kind)
        counts[kind] = len(expected)
    kept = pd.concat([out.settled for out in outputs if out.settled is not None], ignore_index=True)
    kept = kept.iloc[np.argsort(kept["mmsi"].to_numpy(dtype=np.int64), kind="stable")].reset_index(drop=True)
    track = Track.build(ais, cleaning=CONFIG.cleaning)
    # the stream keeps a track's columns but the particulars (the Screener tallies those)
    columns = [name for name in track.frame.columns if name not in ("transceiver", "length")]
    pd.testing.assert_frame_equal(kept[columns], track.frame[columns], obj="cleaned rows")
    timeline = vs.identity_timeline(track.all_rows)
    pd.testing.assert_frame_equal(feed.identity.intervals(), timeline.intervals, obj="intervals")
    pd.testing.assert_frame_equal(feed.identity.changes, timeline.changes, obj="changes")
    return counts


def _cuts(ais: pd.DataFrame, seed: int, most: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    low, high = ais["timestamp"].min().value, ais["timestamp"].max().value
    return np.sort(rng.uniform(low, high, int(rng.integers(2, most)))).astype(np.int64)


@pytest.mark.parametrize(
    "path",
    [
        vs.demo.ais_path(),
        DATA / "scenario" / "ais.csv",
        DATA / "ais" / "csv" / "marinecadastre_2023-01-11_sample.csv",
    ],
    ids=["demo", "scenario", "marinecadastre"],
)
@pytest.mark.parametrize("hours", [5, 23])
def test_real_fixtures_fed_by_the_hour(path: Path, hours: int) -> None:
    ais = vs.read_ais(path)
    cuts = pd.date_range(ais["timestamp"].min().floor("h"), ais["timestamp"].max(), freq=f"{hours}h")
    counts = assert_same_events(ais, cuts.to_numpy(dtype="datetime64[ns]").view(np.int64))
    if "marinecadastre" not in path.name:  # the 1,000-row sample has no event
        assert counts["port_calls"] > 0


def messy(seed: int, vessels: int = 6) -> pd.DataFrame:
    """Tracks with every artefact cleaning knows, jumps that stay, silences, draught changes,
    identity changes and reports exactly on the grid or sharing a time."""
    rng = np.random.default_rng(seed)
    frames = []
    for v in range(vessels):
        n = int(rng.integers(40, 260))
        step = rng.choice(
            [0, 1, 60, 300, 600, 1800, 3 * 3600, 13 * 3600],
            n,
            p=[0.03, 0.03, 0.25, 0.3, 0.24, 0.08, 0.04, 0.03],
        )
        t = pd.Timestamp("2024-03-01 23:20", tz="UTC").value + np.cumsum(step) * 1_000_000_000
        lat = 20 + np.cumsum(rng.normal(0, 0.003, n))
        lon = -40 + np.cumsum(rng.normal(0, 0.003, n))
        spikes = rng.random(n) < 0.04
        lat[spikes] += rng.choice([-1, 1], spikes.sum()) * rng.uniform(0.5, 3, spikes.sum())
        for _ in range(int(rng.integers(0, 3))):  # a jump that stays
            lat[int(rng.integers(1, n)) :] += rng.choice([-1, 1]) * rng.uniform(0.5, 2)
        if rng.random() < 0.4:  # two transmitters sharing the MMSI for a while
            a = int(rng.integers(0, max(1, n - 40)))
            lat[a : a + int(rng.integers(10, 40)) : 2] += 1.5
        same = np.flatnonzero(rng.random(n) < 0.04)[1:]
        lat[same], lon[same] = lat[same - 1], lon[same - 1]  # duplicate receptions
        sog = np.where(rng.random(n) < 0.15, np.nan, np.abs(rng.normal(2, 2.5, n)))
        draught = np.where(rng.random(n) < 0.4, np.nan, 8 + np.cumsum(rng.choice([0, 0, 0, 1.5, -1.5], n)))
        name = np.where(rng.random(n) < 0.03, "OTHER NAME", f"SHIP {v}")
        imo = np.where(rng.random(n) < 0.5, 9_000_000 + v, np.nan) if v % 2 else np.full(n, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "mmsi": 311_000_000 + v,
                    "timestamp": pd.to_datetime(t, utc=True),
                    "lat": lat,
                    "lon": lon,
                    "sog": sog,
                    "draught": draught,
                    "name": name,
                    "imo": imo,
                }
            )
        )
        midnight = (t[0] // (86_400 * 1_000_000_000) + 1) * 86_400 * 1_000_000_000
        frames.append(
            pd.DataFrame(
                {
                    "mmsi": 311_000_000 + v,
                    "timestamp": pd.to_datetime([midnight], utc=True),
                    "lat": [lat[0] + 1.5],
                    "lon": [lon[0]],
                    "sog": [1.0],
                }
            )
        )
    return conform(pd.concat(frames, ignore_index=True), POSITION_DTYPES)


def meetings(seed: int, groups: int = 5) -> pd.DataFrame:
    """Small groups of ships drifting side by side in the open Pacific, at irregular times."""
    rng = np.random.default_rng(seed)
    frames = []
    base = pd.Timestamp("2024-05-01 20:00", tz="UTC").value
    for g in range(groups):
        lat0, lon0 = rng.uniform(5, 15), rng.uniform(-150, -135)
        for m in range(int(rng.integers(2, 4))):
            n = int(rng.integers(20, 100))
            step = rng.choice([300, 600, 900, 1200, 4000, 7200], n, p=[0.25, 0.35, 0.15, 0.15, 0.05, 0.05])
            jitter = np.where(rng.random(n) < 0.5, 0, rng.integers(1, 599, n))
            t = np.sort(base + (rng.integers(0, 3) * 3600 + np.cumsum(step) + jitter) * 1_000_000_000)
            same = rng.random(n) < 0.05
            t[1:][same[1:]] = t[:-1][same[1:]]
            frames.append(
                pd.DataFrame(
                    {
                        "mmsi": 538_000_000 + 10 * g + m,
                        "timestamp": pd.to_datetime(t, utc=True),
                        "lat": lat0 + m * 0.002 + np.cumsum(rng.normal(0, 0.0003, n)),
                        "lon": lon0 + np.cumsum(rng.normal(0, 0.0003, n)),
                        "sog": np.where(rng.random(n) < 0.2, np.nan, np.abs(rng.normal(0.8, 0.8, n))),
                    }
                )
            )
    return conform(pd.concat(frames, ignore_index=True), POSITION_DTYPES)


@pytest.mark.parametrize("seed", range(4))
def test_messy_tracks_in_random_chunks(seed: int) -> None:
    ais = messy(seed)
    counts = assert_same_events(ais, _cuts(ais, seed))
    assert counts["gaps"] > 0


def test_the_messy_tracks_have_what_they_should() -> None:
    report = Track.build(messy(0), cleaning=CONFIG.cleaning).cleaning
    assert report is not None
    assert set(report.rejected) >= {"duplicate report", "impossible jump", "midnight carry-over"}
    spoofing = vs.ScreeningContext.build(messy(3), WATCHLIST).spoofing
    assert {"jump", "draught_change"} <= set(spoofing["kind"])


@pytest.mark.parametrize("seed", range(4))
def test_meetings_in_random_chunks(seed: int) -> None:
    ais = meetings(seed)
    counts = assert_same_events(ais, _cuts(ais, seed + 100))
    assert counts["encounters"] > 0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), cuts=st.integers(1, 120))
def test_any_chunking(seed: int, cuts: int) -> None:
    ais = pd.concat([messy(seed, vessels=3), meetings(seed, groups=2)], ignore_index=True)
    assert_same_events(ais, _cuts(ais, seed, most=cuts + 2))


def test_generated_day_of_port_traffic() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_realistic_day", DATA.parents[1] / "benchmarks" / "_realistic_day.py"
    )
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    table = generator.day(40_000, seed=7, days=2)
    ais = vs.read_ais(
        table.to_pandas(),
        mapping={
            "mmsi": "MMSI",
            "timestamp": "BaseDateTime",
            "lat": "LAT",
            "lon": "LON",
            "sog": "SOG",
            "imo": "IMO",
            "name": "VesselName",
            "call_sign": "CallSign",
            "ship_type": "VesselType",
        },
        assume_utc=True,
    )
    counts = assert_same_events(ais, _cuts(ais, 5))
    assert counts["port_calls"] > 10
    assert counts["voyages"] > 0


def test_a_late_report_is_left_out_and_counted() -> None:
    ais = vs.read_ais(vs.demo.ais_path())
    ordered = ais.sort_values("timestamp", kind="stable")
    feed = Feed(port_index(None), _config())
    feed.push(ordered.iloc[:500])
    late = ordered.iloc[:3]  # older than what was fed for these vessels
    feed.push(late)
    assert feed.late == 3
