"""The detectors' shortcuts give what the plain computation gives.

Each shortcut (encounter points that cannot meet dropped early, chains settled near a port by
their first point, spells as first/last rows, one-scan hysteresis and fill, gap draughts by
search) is checked against the straightforward version on generated tracks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.ais.cleaning import CleaningConfig
from vesselscreen.events import EncounterConfig, GapConfig, LoiteringConfig, StopConfig, Track
from vesselscreen.events import _encounters as enc
from vesselscreen.events._common import ffill, hysteresis, run_start, runs, spell_rows, spells
from vesselscreen.events._gaps import detect_gaps
from vesselscreen.events._loitering import detect_loitering
from vesselscreen.events._stops import detect_stops
from vesselscreen.geo import PortIndex, load_ports
from vesselscreen.geo.ports import PortProximity
from vesselscreen.schema import GAP, POSITION, POSITION_DTYPES, conform

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
T0 = pd.Timestamp("2024-08-29 00:00", tz="UTC")
M_PER_DEG = 111_195.08
PORTS = load_ports()
INDEX = PortIndex(PORTS[PORTS["port_id"].isin(["IRAMD", "RUOYA", "AZBAK"])])
AMIRABAD = (36.78333, 53.35)


def _track(seed: int, vessels: int = 8, rows: int = 400) -> Track:
    """Pairs of vessels on a common course 0-14 km from Amirabad (some together, some sailing),
    each with its own reports 1-70 min apart and jitter of metres to hundreds of metres."""
    rng = np.random.default_rng(seed)
    frames = []
    for v in range(vessels):
        if v % 2 == 0:  # the pair's course: metres per minute north and east
            start = rng.uniform(-14_000, 14_000, 2)
            velocity = rng.choice([0.0, 20.0, 60.0, 400.0]) * rng.normal(size=2)
        n = int(rng.integers(rows // 4, rows))
        minutes = np.cumsum(rng.choice([1, 3, 10, 10, 20, 70], n))
        jitter = rng.normal(0, rng.choice([5.0, 150.0]), (n, 2))
        north, east = (start + velocity * minutes[:, None] + jitter).T
        sog = rng.choice([0.0, 0.1, 0.3, 0.6, 1.5, 3.0, 12.0, np.nan], n)
        draught = rng.choice([np.nan, np.nan, 6.0, 9.5], n)
        frames.append(
            pd.DataFrame(
                {
                    POSITION.MMSI: 273_000_000 + v,
                    POSITION.TIMESTAMP: T0 + pd.to_timedelta(minutes, unit="min"),
                    POSITION.LAT: AMIRABAD[0] + north / M_PER_DEG,
                    POSITION.LON: AMIRABAD[1] + east / (M_PER_DEG * np.cos(np.radians(AMIRABAD[0]))),
                    POSITION.SOG: sog,
                    POSITION.DRAUGHT: draught,
                }
            )
        )
    return Track.build(conform(pd.concat(frames, ignore_index=True), POSITION_DTYPES), INDEX)


@pytest.mark.parametrize("seed", range(6))
def test_dropping_points_that_cannot_meet_changes_no_encounter(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    track = _track(seed)
    config = EncounterConfig(max_distance_m=3_000, min_duration_h=1.0, min_port_distance_m=6_000)
    found = enc.detect_encounters(track, config)
    kept = len(enc.grid_points(track, config))
    monkeypatch.setattr(enc, "_may_meet", lambda mmsi, *_: np.ones(len(mmsi), dtype=bool))
    monkeypatch.setattr(enc, "_SETTLED_WITHIN_M", 0.0)  # every point asked about ports
    plain = enc.detect_encounters(track, config)
    pd.testing.assert_frame_equal(found, plain, check_exact=True)
    assert len(found) > 0
    assert kept < len(enc.grid_points(track, config))  # the shortcut did drop points


@pytest.mark.parametrize("seed", range(4))
def test_chains_settled_by_their_first_point_match_asking_each_point(seed: int) -> None:
    rng = np.random.default_rng(seed)
    chains = 300
    length = rng.integers(1, 30, chains)
    mmsi = np.repeat(np.arange(chains, dtype=np.int64), length)
    slot = np.arange(len(mmsi), dtype=np.int64)
    # chains start 7-13 km from the port, their points wander up to 1 km from the start
    distance = np.repeat(rng.uniform(7_000, 13_000, chains), length) + rng.uniform(-1_000, 1_000, len(mmsi))
    bearing = np.repeat(rng.uniform(0, 2 * np.pi, chains), length)
    lat = AMIRABAD[0] + distance * np.cos(bearing) / M_PER_DEG
    lon = AMIRABAD[1] + distance * np.sin(bearing) / (M_PER_DEG * np.cos(np.radians(AMIRABAD[0])))
    got = enc._near_port(INDEX, mmsi, slot, lat, lon, 10_000.0)
    expected = PortProximity(INDEX, lat, lon).any_within(10_000.0)
    np.testing.assert_array_equal(got, expected)
    assert 0 < expected.sum() < len(expected)


@pytest.mark.parametrize("seed", range(6))
def test_stops_loitering_and_gaps_match_the_plain_computation(seed: int) -> None:
    track = _track(seed, vessels=8)
    breaks = track.new_vessel | (track.dt_prev > StopConfig().max_gap_h * 3_600_000_000_000)
    # stops: the fill-based hysteresis
    signal = np.where(track.sog <= 0.2, 1.0, np.where(track.sog >= 0.5, 0.0, np.nan))
    plain = np.nan_to_num(ffill(signal, np.cumsum(breaks)), nan=0.0) > 0.5
    np.testing.assert_array_equal(hysteresis(track.sog <= 0.2, track.sog >= 0.5, breaks), plain)
    # spells: the numbered runs
    first, last = spells(plain, breaks)
    numbered = runs(plain, breaks)
    rows, spell = spell_rows(first, last)
    np.testing.assert_array_equal(rows, np.flatnonzero(plain))
    np.testing.assert_array_equal(spell + 1, numbered[rows])
    # gap draughts: pandas' fills per vessel
    found = detect_gaps(track, GapConfig(min_gap_h=0.5))
    draught = pd.Series(track.frame[POSITION.DRAUGHT].to_numpy(dtype=np.float64, na_value=np.nan))
    after = np.flatnonzero(~track.new_vessel & (track.dt_prev >= 0.5 * 3_600_000_000_000))
    assert len(after)
    start = draught.groupby(track.mmsi).ffill().to_numpy()[after - 1]
    end = draught.groupby(track.mmsi).bfill().to_numpy()[after]
    np.testing.assert_array_equal(found[GAP.DRAUGHT_START].to_numpy(dtype=np.float64), start)
    np.testing.assert_array_equal(found[GAP.DRAUGHT_END].to_numpy(dtype=np.float64), end)
    # the detectors run on these tracks
    assert len(detect_stops(track, StopConfig(min_duration_h=0.5))) > 0
    detect_loitering(track, LoiteringConfig(min_duration_h=0.5, min_port_distance_m=8_000))


@SETTINGS
@given(
    st.lists(st.sampled_from([np.nan, np.nan, 1.0, 2.0, -3.0]), min_size=0, max_size=40),
    st.lists(st.integers(0, 2), min_size=40, max_size=40),
)
def test_ffill_in_one_scan_matches_pandas(values: list[float], groups: list[int]) -> None:
    v = np.array(values, dtype=np.float64)
    g = np.array(groups[: len(values)], dtype=np.int64)
    runs_of_g = np.cumsum(np.concatenate(([True], g[1:] != g[:-1]))) if len(g) else g
    expected = pd.Series(v).groupby(runs_of_g).ffill().to_numpy(dtype=np.float64)
    np.testing.assert_array_equal(ffill(v, g), expected)
    np.testing.assert_array_equal(ffill(v, g, run_start(g)), expected)


@pytest.mark.parametrize("rows_per_slice", [1, 2, 7, 64])
def test_grid_points_do_not_depend_on_the_slices_of_the_row_pass(
    rows_per_slice: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    track = _track(1)
    config = EncounterConfig(min_port_distance_m=0)
    whole = enc.grid_points(track, config)
    monkeypatch.setattr(enc, "_ROWS_PER_SLICE", rows_per_slice)
    pd.testing.assert_frame_equal(enc.grid_points(track, config), whole, check_exact=True)
    assert len(whole) > 100


@given(seed=st.integers(0, 2**32 - 1))
@SETTINGS
def test_values_read_without_the_frame_are_the_frames(seed: int) -> None:
    """A built track reads names, draughts and reports from the input at its rows (its `frame`
    is taken only when asked for): every reading equals the one from the taken frame, also with
    rows shuffled, duplicated (cleaned away) and without a position."""
    rng = np.random.default_rng(seed)
    rows = _track(seed % 7, vessels=4, rows=60).frame
    rows[POSITION.NAME] = pd.array(rng.choice(["ALPHA", "BETA", None], len(rows)), dtype="string")
    rows = pd.concat([rows, rows.sample(frac=0.2, random_state=seed % 1000)], ignore_index=True)
    rows.loc[rng.random(len(rows)) < 0.05, POSITION.LAT] = np.nan
    rows = rows.sample(frac=1.0, random_state=seed % 997, ignore_index=True)
    lazy = Track.build(rows, INDEX, cleaning=CleaningConfig())
    eager = Track.build(rows, INDEX, cleaning=CleaningConfig())
    taken = eager.frame  # from here on, `eager` reads its frame
    assert "frame" not in lazy.__dict__
    assert lazy.value_source()[1] is not None
    picks = rng.integers(0, len(lazy), 25)
    for column in (POSITION.NAME, POSITION.DRAUGHT):
        pd.testing.assert_series_equal(lazy.column_at(column, picks), eager.column_at(column, picks))
        np.testing.assert_array_equal(lazy.last_reported(column), eager.last_reported(column))
        pd.testing.assert_series_equal(lazy.carried(column, picks), eager.carried(column, picks))
    np.testing.assert_array_equal(lazy.floats(POSITION.DRAUGHT), eager.floats(POSITION.DRAUGHT))
    assert "frame" not in lazy.__dict__
    pd.testing.assert_frame_equal(lazy.frame_later()(), taken)
    pd.testing.assert_frame_equal(lazy.frame, taken)
