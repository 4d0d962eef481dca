"""clean_ais: each rule on a frame built for it, the accounting property, real data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.ais import CleaningConfig, clean_ais, cleaning_report, read_ais
from vesselscreen.errors import ReferenceTimeError
from vesselscreen.ingest import ingest_report
from vesselscreen.limits import MotionLimits
from vesselscreen.schema import POSITION

from .conftest import MARINECADASTRE

T0 = pd.Timestamp("2024-01-01 06:00", tz="UTC")  # away from midnight: see test_midnight_carry_over


def track(
    mmsi: int, minutes: list[float], lats: list[float], lons: list[float] | None = None
) -> pd.DataFrame:
    """A small positions frame for one MMSI (the test factory)."""
    return pd.DataFrame(
        {
            POSITION.MMSI: pd.array([mmsi] * len(minutes), dtype="Int64"),
            POSITION.TIMESTAMP: [T0 + pd.Timedelta(minutes=m) for m in minutes],
            POSITION.LAT: lats,
            POSITION.LON: lons if lons is not None else [-70.0] * len(minutes),
        }
    )


def test_sentinels_and_unusable_rows() -> None:
    frame = pd.concat(
        [
            track(366999001, [0, 1, 2], [40.0, 91.0, 40.001]),
            track(12345, [0], [40.0]),
            track(366999002, [0, 1], [40.0, 95.0]),
        ],
        ignore_index=True,
    )
    frame[POSITION.SOG] = [10.0, 10.0, 102.3, 5.0, 5.0, 5.0]
    frame[POSITION.HEADING] = [511.0, 90.0, 90.0, 90.0, 90.0, 90.0]
    frame.loc[4, POSITION.TIMESTAMP] = pd.NaT
    cleaned, rejected = clean_ais(frame, return_rejected=True)
    report = cleaning_report(cleaned)
    assert report is not None
    assert report.rejected == {
        "no position": 1,
        "invalid MMSI": 1,
        "missing timestamp": 1,
        "invalid latitude": 1,
    }
    assert report.nulled == {"lat": 1, "sog": 1, "heading": 1}
    assert rejected.set_index("row")["reason"].to_dict() == {
        1: "no position",
        3: "invalid MMSI",
        4: "missing timestamp",
        5: "invalid latitude",
    }
    assert rejected.loc[rejected["row"] == 1, POSITION.LAT].item() == 91.0  # rejected rows as given
    assert cleaned[POSITION.SOG].isna().tolist() == [False, True]
    kept = clean_ais(frame, config=CleaningConfig(keep_missing_position=True))
    assert len(kept) == 3
    assert kept[POSITION.LAT].isna().sum() == 1


def test_duplicates_and_order() -> None:
    frame = track(366999001, [10, 0, 5, 5, 5], [40.02, 40.0, 40.01, 40.01, 40.0101])
    cleaned, rejected = clean_ais(frame, return_rejected=True)
    assert rejected["reason"].tolist() == ["duplicate report"]
    assert rejected["row"].tolist() == [3]
    assert cleaned[POSITION.LAT].tolist() == [
        40.0,
        40.01,
        40.0101,
        40.02,
    ]  # sorted; same time, other position kept
    report = cleaning_report(cleaned)
    assert report is not None
    assert report.reordered == 1
    assert report.kept == 4


def test_jumps() -> None:
    # 10-minute reports ~2 km apart (~6.5 kn); one spike to 45 N, a bad first fix, a bad last fix
    lats = [30.0, 40.0, 40.02, 45.0, 40.06, 40.08, 50.0]
    cleaned, rejected = clean_ais(track(366999001, [0, 10, 20, 30, 40, 50, 60], lats), return_rejected=True)
    assert sorted(rejected["row"].tolist()) == [0, 3, 6]
    assert set(rejected["reason"]) == {"impossible jump"}
    assert cleaned[POSITION.LAT].tolist() == [40.0, 40.02, 40.06, 40.08]
    # two far-apart reports: which one is wrong cannot be told, both kept
    assert len(clean_ais(track(366999002, [0, 1], [40.0, 45.0]))) == 2
    # a fast ship (30 kn) is not a jump; a 90 kn excursion and back is, unless the threshold allows it
    fast = track(366999003, [0, 10, 20, 30], [40.0, 40.0 + 5 / 60, 40.0 + 20 / 60, 40.0 + 10 / 60])
    assert clean_ais(fast)[POSITION.LAT].round(4).tolist() == [40.0, 40.0833, 40.1667]
    assert len(clean_ais(fast, limits=MotionLimits(max_speed_kn=100))) == 4
    # one consistent displacement between two plausible stretches: no lone outlier, all kept
    hop = track(366999004, [0, 10, 20, 30], [40.0, 40.0 + 5 / 60, 40.0 + 15 / 60, 40.0 + 20 / 60])
    assert len(clean_ais(hop)) == 4


def test_naive_times_refused() -> None:
    frame = track(366999001, [0], [40.0])
    frame[POSITION.TIMESTAMP] = frame[POSITION.TIMESTAMP].dt.tz_localize(None)
    with pytest.raises(ReferenceTimeError):
        clean_ais(frame)


def test_real_sample_and_read_ais_clean() -> None:
    raw = read_ais(MARINECADASTRE)
    cleaned = read_ais(MARINECADASTRE, clean=True)
    report = cleaning_report(cleaned)
    assert report is not None
    assert report.rows == 1000
    assert report.kept + sum(report.rejected.values()) == 1000
    assert ingest_report(cleaned) == ingest_report(raw)  # the reader's report survives cleaning
    pd.testing.assert_frame_equal(cleaned, clean_ais(raw))


MMSIS = st.sampled_from([366999001, 366999002, 12, 0])
ROWS = st.tuples(
    MMSIS,
    st.integers(0, 30) | st.none(),
    st.sampled_from([40.0, 40.001, 40.5, 45.0, 91.0, 95.0, float("nan")]),
    st.sampled_from([-70.0, -70.001, 181.0, float("nan")]),
    st.sampled_from([5.0, 102.3, float("nan")]),
)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(ROWS, max_size=40), seed=st.integers(0, 1000))
def test_every_row_is_counted_and_order_does_not_matter(rows: list[tuple], seed: int) -> None:  # type: ignore[type-arg]
    frame = pd.DataFrame(
        {
            POSITION.MMSI: pd.array([r[0] for r in rows], dtype="Int64"),
            POSITION.TIMESTAMP: pd.Series(
                [T0 + pd.Timedelta(minutes=r[1]) if r[1] is not None else pd.NaT for r in rows],
                dtype="datetime64[ns, UTC]",
            ),
            POSITION.LAT: [r[2] for r in rows],
            POSITION.LON: [r[3] for r in rows],
            POSITION.SOG: [r[4] for r in rows],
        }
    )
    cleaned, rejected = clean_ais(frame, return_rejected=True)
    report = cleaning_report(cleaned)
    assert report is not None
    assert report.kept + sum(report.rejected.values()) == report.rows == len(frame)
    assert len(cleaned) + len(rejected) == len(frame)
    assert sorted(rejected["row"]) == sorted(set(rejected["row"]))
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    again = clean_ais(shuffled)
    # the same reports survive whatever the input order (duplicates are interchangeable)
    key = [POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON]
    pd.testing.assert_frame_equal(
        cleaned[key].sort_values(key).reset_index(drop=True),
        again[key].sort_values(key).reset_index(drop=True),
    )
    ordered = cleaned[[POSITION.MMSI, POSITION.TIMESTAMP]]
    assert ordered.equals(ordered.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable"))


def test_midnight_carry_over_near_duplicates_and_a_lone_outlier_are_artefacts() -> None:
    # the shape of a real MarineCadastre daily file: a vessel's first rows, stamped in the first
    # seconds of the day, carry stale positions tens of km apart; its real track continues from
    # the last of them; one message received twice a second apart; one fix 30 km off
    day = pd.Timestamp("2022-01-03", tz="UTC")
    seconds = [0, 1, 2, 300, 301, 600, 900, 1200]
    lats = [27.40, 27.10, 26.80, 26.81, 26.81, 27.08, 26.83, 26.84]
    frame = pd.DataFrame(
        {
            POSITION.MMSI: pd.array([367000123] * 8, dtype="Int64"),
            POSITION.TIMESTAMP: [day + pd.Timedelta(seconds=s) for s in seconds],
            POSITION.LAT: lats,
            POSITION.LON: [-80.0] * 8,
        }
    )
    cleaned, rejected = clean_ais(frame, return_rejected=True)
    assert dict(zip(rejected["row"], rejected["reason"], strict=True)) == {
        0: "midnight carry-over",
        1: "midnight carry-over",
        4: "near-duplicate reception",
        5: "impossible jump",
    }
    assert cleaned[POSITION.LAT].tolist() == [26.80, 26.81, 26.83, 26.84]
    # the same rows an hour later are no carry-over: the jumps stay (a first fix, a spike)
    later = frame.assign(**{POSITION.TIMESTAMP: frame[POSITION.TIMESTAMP] + pd.Timedelta("1h")})
    assert "midnight carry-over" not in set(clean_ais(later, return_rejected=True)[1]["reason"])


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 90), st.floats(-0.6, 0.6), st.booleans()),
        min_size=2,
        max_size=60,
    )
)
def test_the_rules_near_suspect_rows_equal_the_rules_everywhere(
    steps: list[tuple[int, int, float, bool]],
) -> None:
    # tracks of up to three vessels around midnight with wild jumps: running the jump and
    # midnight rules only near impossible steps gives exactly what running them on every row does
    import numpy as np

    from vesselscreen.ais import cleaning

    rows = sorted(
        (366999000 + vessel, 86_400 * 3 - 30 + second * 20, 40.0 + lat, -70.0 + (0.3 if far else 0.0))
        for vessel, second, lat, far in steps
    )
    mmsi = np.array([r[0] for r in rows], dtype=np.int64)
    seconds = np.array([r[1] for r in rows], dtype=np.float64)
    lat, lon = np.array([r[2] for r in rows]), np.array([r[3] for r in rows])
    config, limits = CleaningConfig(), MotionLimits()
    near = cleaning.flag_artefacts(mmsi, seconds, lat, lon, config, limits)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            cleaning,
            "_suspects",
            lambda m, s, la, lo, usable, c, li, _step=None: (np.flatnonzero(usable), np.arange(usable.sum())),
        )
        everywhere = cleaning.flag_artefacts(mmsi, seconds, lat, lon, config, limits)
    assert near.tolist() == everywhere.tolist()


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 90), st.floats(-0.6, 0.6), st.booleans(), st.booleans()),
        min_size=2,
        max_size=200,
    ),
    slice_rows=st.integers(1, 9),
)
def test_artefacts_worked_by_slices_of_vessels_equal_the_whole(
    steps: list[tuple[int, int, float, bool, bool]], slice_rows: int
) -> None:
    # up to ten vessels around midnight with wild jumps, duplicates and unplaced rows: the
    # codes of short slices of whole vessels are those of one pass over every row
    import numpy as np

    from vesselscreen.ais import cleaning
    from vesselscreen.geo.distance import haversine_steps

    rows = sorted(
        (366999000 + vessel, 86_400 * 3 - 30 + second * 20, np.nan if gone else 40.0 + lat, -70.0 + far * 0.3)
        for vessel, second, lat, far, gone in steps
    )
    mmsi = np.array([r[0] for r in rows], dtype=np.int64)
    seconds = np.array([r[1] for r in rows], dtype=np.float64)
    lat, lon = np.array([r[2] for r in rows]), np.array([r[3] for r in rows])
    step = np.zeros(len(rows))
    step[1:] = haversine_steps(lat, lon)
    config, limits = CleaningConfig(), MotionLimits()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cleaning, "_SLICE_ROWS", 10**9)
        whole = cleaning.artefact_codes(mmsi, seconds, lat, lon, config, limits, step)
        patch.setattr(cleaning, "_SLICE_ROWS", slice_rows)
        sliced = cleaning.artefact_codes(mmsi, seconds, lat, lon, config, limits, step)
        unshared = cleaning.artefact_codes(mmsi, seconds, lat, lon, config, limits)
    assert sliced.tolist() == whole.tolist()
    assert unshared.tolist() == whole.tolist()


def test_shared_step_distances_flag_the_same_artefacts() -> None:
    """A track hands cleaning the steps it measured: the reasons are those cleaning finds alone."""
    import numpy as np

    from vesselscreen.ais import cleaning
    from vesselscreen.geo.distance import haversine_m

    head = MARINECADASTRE.parent / "marinecadastre_2022-01-03_head_vessels.csv"  # ~10 reports a vessel
    frame = read_ais(head).sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable")
    frame = frame.dropna(subset=[POSITION.LAT, POSITION.LON])
    mmsi = frame[POSITION.MMSI].to_numpy(dtype="int64")
    seconds = frame[POSITION.TIMESTAMP].to_numpy(dtype="datetime64[ns]").view("int64") / 1e9
    lat, lon = frame[POSITION.LAT].to_numpy(dtype=float).copy(), frame[POSITION.LON].to_numpy(dtype=float)
    middle = np.flatnonzero((mmsi[1:-1] == mmsi[:-2]) & (mmsi[1:-1] == mmsi[2:]))[::7] + 1
    lat[middle] += 3.0  # lone fixes 330 km off their tracks
    step = np.zeros(len(lat))
    step[1:] = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    config, limits = CleaningConfig(), MotionLimits()
    alone = cleaning.flag_artefacts(mmsi, seconds, lat, lon, config, limits)
    shared = cleaning.flag_artefacts(mmsi, seconds, lat, lon, config, limits, step)
    assert (alone == "impossible jump").sum() > 10
    assert shared.tolist() == alone.tolist()
