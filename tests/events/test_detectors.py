"""Gaps, stops, voyages, encounters, loitering and spoofing on synthetic tracks with known events."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vesselscreen.errors import ConfigError, SchemaError
from vesselscreen.events import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    SpoofingConfig,
    Track,
    encounters,
    gaps,
    land_mask_available,
    loitering,
    port_calls,
    spoofing,
    stops,
    voyages,
)
from vesselscreen.geo import PortIndex, haversine_m
from vesselscreen.limits import MotionLimits
from vesselscreen.schema import (
    ENCOUNTER,
    ENCOUNTER_DTYPES,
    GAP,
    GAP_DTYPES,
    LOITERING,
    LOITERING_DTYPES,
    POSITION,
    POSITION_DTYPES,
    SPOOFING,
    SPOOFING_DTYPES,
    STOP,
    STOP_DTYPES,
    VOYAGE,
    VOYAGE_DTYPES,
    conform,
    validate,
)

T0 = pd.Timestamp("2024-08-29 00:00", tz="UTC")
M_PER_DEG = 111_195.08
AT_SEA = (40.0, 51.0)  # mid-Caspian, 98 km from Baku, the nearest port
AMIRABAD = (36.78333, 53.35)
OLYA = (45.78333, 47.53333)


def track(
    points: list[tuple[float, float, float]],
    *,
    mmsi: int = 273_999_001,
    start: pd.Timestamp = T0,
    step_min: float = 10.0,
    times: list[pd.Timestamp] | None = None,
    draught: list[float | None] | None = None,
) -> pd.DataFrame:
    """Positions (lat, lon, sog) of one vessel, every ``step_min`` minutes unless ``times`` is given."""
    n = len(points)
    stamps = times if times is not None else [start + pd.Timedelta(minutes=step_min * i) for i in range(n)]
    frame = pd.DataFrame(
        {
            POSITION.MMSI: [mmsi] * n,
            POSITION.TIMESTAMP: stamps,
            POSITION.LAT: [p[0] for p in points],
            POSITION.LON: [p[1] for p in points],
            POSITION.SOG: [p[2] for p in points],
            POSITION.NAME: [f"V{mmsi % 1000}"] * n,
            POSITION.DRAUGHT: draught if draught is not None else [None] * n,
        }
    )
    return conform(frame, POSITION_DTYPES)


def north(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    return origin[0] + metres / M_PER_DEG, origin[1]


def east(origin: tuple[float, float], metres: float) -> tuple[float, float]:
    return origin[0], origin[1] + metres / (M_PER_DEG * np.cos(np.radians(origin[0])))


def sailing(
    origin: tuple[float, float], n: int, knots: float, step_min: float = 10.0
) -> list[tuple[float, float, float]]:
    """n positions heading north at ``knots``."""
    metres = knots * 1852.0 * step_min / 60.0
    return [(*north(origin, metres * i), knots) for i in range(n)]


# --- gaps -----------------------------------------------------------------------------------------


def test_fourteen_hour_dark_gap_at_sea() -> None:
    before = sailing(AT_SEA, 6, 10.0)
    resume = north(AT_SEA, 60_000)  # 60 km on, 14 h after the last position before
    after = sailing(resume, 6, 10.0)
    times = [T0 + pd.Timedelta(minutes=10 * i) for i in range(6)]
    times += [times[-1] + pd.Timedelta("14h") + pd.Timedelta(minutes=10 * i) for i in range(6)]
    found = gaps(track(before + after, times=times))
    validate(found, GAP_DTYPES)
    assert len(found) == 1
    gap = found.iloc[0]
    assert gap[GAP.START] == times[5]
    assert gap[GAP.END] == times[6]
    assert gap[GAP.DURATION] == pd.Timedelta("14h")
    assert (gap[GAP.START_LAT], gap[GAP.END_LAT]) == (before[-1][0], after[0][0])
    expected = float(haversine_m(before[-1][0], before[-1][1], after[0][0], after[0][1]))
    assert gap[GAP.DISTANCE_M] == pytest.approx(expected)
    assert gap[GAP.IMPLIED_SPEED_KN] == pytest.approx(expected / 1852 / 14)
    assert bool(gap[GAP.DARK]) is True
    assert bool(gap[GAP.IMPOSSIBLE_SPEED]) is False
    assert pd.isna(gap[GAP.START_PORT_ID])
    assert gap[GAP.NAME] == "V1"


def test_gap_in_port_is_not_dark_and_short_gap_is_recorded_not_dark() -> None:
    in_port = [(*AMIRABAD, 0.0)] * 4
    times = [T0, T0 + pd.Timedelta("1h"), T0 + pd.Timedelta("15h"), T0 + pd.Timedelta("16h")]
    found = gaps(track(in_port, times=times))
    assert found[GAP.START_PORT_ID].tolist() == ["IRAMD"]
    assert found[GAP.DARK].tolist() == [False]
    seven = [T0, T0 + pd.Timedelta("1h"), T0 + pd.Timedelta("8h"), T0 + pd.Timedelta("9h")]
    found = gaps(track([(*AT_SEA, 0.0)] * 4, times=seven))
    assert found[GAP.DURATION].tolist() == [pd.Timedelta("7h")]
    assert found[GAP.DARK].tolist() == [False]
    five = [T0, T0 + pd.Timedelta("5h")]
    assert gaps(track([(*AT_SEA, 0.0)] * 2, times=five)).empty


def test_impossible_gap_and_draught_across_it() -> None:
    far = north(AT_SEA, 1_000_000)  # 1,000 km in 6 h: 90 kn
    times = [T0, T0 + pd.Timedelta("6h")]
    found = gaps(track([(*AT_SEA, 0.0), (*far, 0.0)], times=times, draught=[6.0, 11.5]))
    assert found[GAP.IMPOSSIBLE_SPEED].tolist() == [True]
    assert found[[GAP.DRAUGHT_START, GAP.DRAUGHT_END]].values.tolist() == [[6.0, 11.5]]
    lenient = Track.build(
        track([(*AT_SEA, 0.0), (*far, 0.0)], times=times), limits=MotionLimits(max_speed_kn=100)
    )
    assert gaps(lenient)[GAP.IMPOSSIBLE_SPEED].tolist() == [False]


# --- stops, port calls and voyages ----------------------------------------------------------------


def voyage_track() -> pd.DataFrame:
    """Stopped at Amirabad 3 h, sail 50 km, stop at sea 2 h, sail on, stopped at Olya 4 h."""
    points = [(*AMIRABAD, 0.0)] * 19  # 0-18: 3 h in port
    points += sailing(north(AMIRABAD, 500), 10, 12.0)[1:]  # leaving
    mid = (points[-1][0], points[-1][1])
    points += [(*mid, 0.0)] * 13  # 2 h stopped at sea
    points += [(*north(mid, 3_000), 12.0), (*north(OLYA, -20_000), 12.0), (*north(OLYA, -1_000), 4.0)]
    points += [(*OLYA, 0.0)] * 25  # 4 h in port
    times = [T0 + pd.Timedelta(minutes=10 * i) for i in range(19 + 9 + 13)]
    times += [
        times[-1] + pd.Timedelta("10min"),
        times[-1] + pd.Timedelta("40h"),
        times[-1] + pd.Timedelta("42h"),
    ]
    times += [times[-1] + pd.Timedelta(minutes=10 * (i + 1)) for i in range(25)]
    return track(points, times=times)


def test_stops_in_port_and_at_sea() -> None:
    found = stops(voyage_track())
    validate(found, STOP_DTYPES)
    assert found[STOP.PORT_ID].tolist() == ["IRAMD", None, "RUOYA"] or found[
        STOP.PORT_ID
    ].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert found[STOP.DURATION].tolist() == [pd.Timedelta("3h"), pd.Timedelta("2h"), pd.Timedelta("4h")]


def test_voyage_from_amirabad_to_olya_with_a_stop_on_the_way() -> None:
    positions = voyage_track()
    found = voyages(positions)
    validate(found, VOYAGE_DTYPES)
    assert len(found) == 1
    leg = found.iloc[0]
    assert (leg[VOYAGE.ORIGIN_PORT_ID], leg[VOYAGE.DESTINATION_PORT_ID]) == ("IRAMD", "RUOYA")
    assert (leg[VOYAGE.ORIGIN_COUNTRY], leg[VOYAGE.DESTINATION_COUNTRY]) == ("IR", "RU")
    calls = port_calls(positions)
    assert leg[VOYAGE.DEPARTURE] == calls.iloc[0]["departure"]
    assert leg[VOYAGE.ARRIVAL] == calls.iloc[1]["arrival"]
    assert leg[VOYAGE.N_STOPS] == 1
    assert leg[VOYAGE.STOP_DURATION] == pd.Timedelta("2h")
    assert leg[VOYAGE.LONGEST_GAP] > pd.Timedelta("39h")
    lat = positions[POSITION.LAT].to_numpy()
    lon = positions[POSITION.LON].to_numpy()
    first = positions.index[positions[POSITION.TIMESTAMP] == leg[VOYAGE.DEPARTURE]][0]
    last = positions.index[positions[POSITION.TIMESTAMP] == leg[VOYAGE.ARRIVAL]][0]
    steps = haversine_m(
        lat[first:last], lon[first:last], lat[first + 1 : last + 1], lon[first + 1 : last + 1]
    )
    assert leg[VOYAGE.DISTANCE_M] == pytest.approx(steps.sum())
    assert leg[VOYAGE.N_POSITIONS] == last - first + 1


def test_partial_legs_at_the_ends_of_the_track() -> None:
    positions = voyage_track()
    at_sea_start = track(sailing(north(AMIRABAD, -40_000), 3, 12.0), start=T0 - pd.Timedelta("2h"))
    found = voyages(pd.concat([at_sea_start, positions], ignore_index=True))
    assert found[VOYAGE.ORIGIN_PORT_ID].isna().tolist() == [True, False]
    assert found[VOYAGE.DESTINATION_PORT_ID].tolist() == ["IRAMD", "RUOYA"]
    assert found[VOYAGE.DEPARTURE].iloc[0] == T0 - pd.Timedelta("2h")


def test_ship_passing_a_port_without_stopping_has_no_call_and_no_voyage() -> None:
    passing = sailing(north(AMIRABAD, -6_000), 8, 12.0)  # straight through IRAMD at 12 kn
    positions = track(passing)
    assert port_calls(positions).empty
    assert voyages(positions).empty
    assert stops(positions).empty


# --- encounters -----------------------------------------------------------------------------------


def meeting(
    hours: float, *, at: tuple[float, float] = AT_SEA, apart_m: float = 200.0, knots: float = 0.5
) -> pd.DataFrame:
    """Two vessels side by side for ``hours``, reporting every 2 and every 7 minutes."""
    a_n = int(hours * 60 / 2) + 1
    b_n = int(hours * 60 / 7) + 1
    a = track(sailing(at, a_n, knots, step_min=2), mmsi=273_000_020, step_min=2)
    b = track(sailing(east(at, apart_m), b_n, knots, step_min=7), mmsi=273_000_010, step_min=7)
    return pd.concat([a, b], ignore_index=True)


def test_three_hour_meeting_side_by_side() -> None:
    found = encounters(meeting(3.0))
    validate(found, ENCOUNTER_DTYPES)
    assert len(found) == 1
    hit = found.iloc[0]
    assert (hit[ENCOUNTER.MMSI_1], hit[ENCOUNTER.MMSI_2]) == (273_000_010, 273_000_020)
    assert hit[ENCOUNTER.START] == T0
    # b's last report is at 2:55 (every 7 min): the common grid ends at 2:50
    assert hit[ENCOUNTER.END] == T0 + pd.Timedelta("2h50min")
    assert hit[ENCOUNTER.N_POINTS] == 18
    assert hit[ENCOUNTER.MEDIAN_DISTANCE_M] == pytest.approx(200.0, abs=1.0)
    assert hit[ENCOUNTER.MEDIAN_SOG_1] == pytest.approx(0.5)
    assert hit[ENCOUNTER.LAT] == pytest.approx(AT_SEA[0] + 0.5 * 1852 * 1.45 / M_PER_DEG, abs=0.002)


def test_what_is_not_an_encounter() -> None:
    assert encounters(meeting(1.5)).empty  # too short
    assert encounters(meeting(3.0, apart_m=800.0)).empty  # too far apart
    assert encounters(meeting(3.0, knots=6.0)).empty  # sailing in company, not stopped
    assert encounters(meeting(3.0, at=north(AMIRABAD, 4_000))).empty  # at the port
    assert (
        len(
            encounters(meeting(3.0, at=north(AMIRABAD, 4_000)), config=EncounterConfig(min_port_distance_m=0))
        )
        == 1
    )
    # a drifting vessel alone
    drifting = track(sailing(AT_SEA, 40, 0.8))
    assert encounters(drifting).empty


def test_drifting_vessel_near_a_moving_one_is_not_an_encounter() -> None:
    drifting = track(sailing(AT_SEA, 30, 0.8), mmsi=273_000_001)
    passing = track(sailing(north(AT_SEA, -5_000), 30, 11.0), mmsi=273_000_002)
    assert encounters(pd.concat([drifting, passing])).empty


def test_encounter_across_the_antimeridian() -> None:
    a = track(sailing((10.0, 179.9995), 19, 0.3), mmsi=1)
    b = track(sailing((10.0, -179.9995), 19, 0.3), mmsi=2)
    found = encounters(pd.concat([a, b]))
    assert len(found) == 1
    assert found[ENCOUNTER.MEDIAN_DISTANCE_M].iloc[0] == pytest.approx(109.5, abs=1.0)
    assert abs(found[ENCOUNTER.LON].iloc[0]) == pytest.approx(180.0, abs=0.001)


# --- loitering ------------------------------------------------------------------------------------


def test_drifting_vessel_loiters_at_sea_but_not_in_port() -> None:
    found = loitering(track(sailing(AT_SEA, 37, 1.2)))
    validate(found, LOITERING_DTYPES)
    assert found[LOITERING.DURATION].tolist() == [pd.Timedelta("6h")]
    assert found[LOITERING.MEDIAN_SOG].tolist() == [1.2]
    assert found[LOITERING.DISTANCE_M].iloc[0] == pytest.approx(1.2 * 1852 * 6, rel=1e-3)
    assert loitering(track(sailing(AT_SEA, 20, 1.2))).empty  # 3 h 10 min
    assert loitering(track(sailing(AMIRABAD, 37, 1.2))).empty
    assert loitering(track(sailing(AT_SEA, 37, 3.0))).empty
    assert len(loitering(track(sailing(AT_SEA, 20, 1.2)), config=LoiteringConfig(min_duration_h=3))) == 1


# --- spoofing -------------------------------------------------------------------------------------


def test_a_lone_bad_fix_is_no_spoofing_a_jump_that_stays_is() -> None:
    points = sailing(AT_SEA, 8, 10.0)
    points[4] = (*north(AT_SEA, 300_000), 10.0)  # one position 300 km away: a bad fix
    found = spoofing(track(points))
    validate(found, SPOOFING_DTYPES)
    assert found.empty
    # a vessel that jumps 300 km and stays there, the track persisting on both sides: one jump
    moved = sailing(AT_SEA, 8, 10.0) + sailing(north(AT_SEA, 300_000), 8, 10.0)
    found = spoofing(track(moved))
    assert found[SPOOFING.KIND].tolist() == ["jump"]
    assert found[SPOOFING.VALUE].iloc[0] > 900
    assert "8 reports over 1.2 h before, 8 over 1.2 h after" in found[SPOOFING.DETAIL].iloc[0]
    # ... but not when it stays only briefly (4 reports, 30 min): no sustained evidence
    brief = sailing(AT_SEA, 8, 10.0) + sailing(north(AT_SEA, 300_000), 4, 10.0)
    assert spoofing(track(brief)).empty


def test_a_burst_of_stale_rows_is_no_spoofing() -> None:
    # three rows in three seconds, tens of km apart, then a normal track (a daily file's midnight)
    stale = [(*north(AT_SEA, 60_000), 10.0), (*north(AT_SEA, 30_000), 10.0)]
    times = [T0, T0 + pd.Timedelta("1s")] + [
        T0 + pd.Timedelta("2s") + pd.Timedelta(minutes=10 * i) for i in range(12)
    ]
    found = spoofing(track(stale + sailing(AT_SEA, 12, 10.0), times=times))
    assert found.empty


def test_one_mmsi_in_two_places_at_once() -> None:
    other = north(AT_SEA, 200_000)
    points = [(*(AT_SEA if i % 2 == 0 else other), 10.0) for i in range(10)]
    found = spoofing(track(points))
    assert found[SPOOFING.KIND].tolist() == ["two_places"]
    assert found[SPOOFING.VALUE].tolist() == [9.0]
    assert found[SPOOFING.N_POSITIONS].tolist() == [10]
    assert "5 reports over 1.3 h" in found[SPOOFING.DETAIL].iloc[0]
    # three reports in each place: neither stream persists, no finding
    assert spoofing(track(points[:6])).empty


def test_draught_change_across_a_dark_gap() -> None:
    times = [T0, T0 + pd.Timedelta("1h"), T0 + pd.Timedelta("20h"), T0 + pd.Timedelta("21h")]
    points = [(*AT_SEA, 10.0), (*north(AT_SEA, 10_000), 10.0), (*north(AT_SEA, 30_000), 10.0)]
    points.append((*north(AT_SEA, 40_000), 10.0))
    found = spoofing(track(points, times=times, draught=[7.0, None, 12.5, None]))
    assert found[SPOOFING.KIND].tolist() == ["draught_change"]
    assert found[SPOOFING.VALUE].tolist() == [5.5]
    assert found[[SPOOFING.START, SPOOFING.END]].values.tolist() == [[times[1], times[2]]]
    unchanged = spoofing(track(points, times=times, draught=[7.0, None, 7.4, None]))
    assert unchanged.empty
    assert spoofing(
        track(points, times=times, draught=[7.0, None, 12.5, None]),
        config=SpoofingConfig(draught_change_m=6.0),
    ).empty


def test_positions_on_land() -> None:
    if not land_mask_available():
        pytest.skip("global-land-mask is not installed (optional)")
    inland = (32.0, 54.0)  # central Iran, far from any port
    points = sailing(AT_SEA, 3, 10.0) + [(*inland, 10.0)] * 3 + sailing(AT_SEA, 3, 10.0)
    config = SpoofingConfig(min_displacement_m=1e9, check_land=True)
    found = spoofing(track(points), config=config)
    assert found[SPOOFING.KIND].tolist() == ["on_land"]
    assert found[SPOOFING.N_POSITIONS].tolist() == [3]
    # the GLOBE mask counts the Caspian as land: not reported there
    assert spoofing(track(sailing(AT_SEA, 5, 10.0)), config=config).empty
    assert spoofing(track(points), config=SpoofingConfig(min_displacement_m=1e9)).empty  # off by default


# --- port polygons in port calls ------------------------------------------------------------------


def test_polygon_overrides_the_radius(tmp_path: Path) -> None:
    # a stop 5 km east of the IRAMD point: outside its 3 km circle, inside a drawn basin
    berth = east(AMIRABAD, 5_000)
    points = [(*north(berth, -8_000), 9.0), (*north(berth, -4_000), 5.0)] + [(*berth, 0.0)] * 12
    points += [(*north(berth, -4_000), 5.0), (*north(berth, -8_000), 9.0)]
    positions = track(points)
    assert port_calls(positions).empty
    basin = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"port_id": "IRAMD"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[53.34, 36.77], [53.42, 36.77], [53.42, 36.80], [53.34, 36.80], [53.34, 36.77]]
                    ],
                },
            }
        ],
    }
    path = tmp_path / "basins.geojson"
    path.write_text(json.dumps(basin), encoding="utf-8")
    for polygons in (basin, path):
        calls = port_calls(positions, PortIndex(polygons=polygons))
        assert calls["port_id"].tolist() == ["IRAMD"]
        assert calls["confidence"].tolist() == [4]


# --- bad input ------------------------------------------------------------------------------------

DETECTORS = [gaps, stops, voyages, encounters, loitering, spoofing]


@pytest.mark.parametrize("detector", DETECTORS)
def test_bad_input_is_a_schema_error(detector: object) -> None:
    assert callable(detector)
    with pytest.raises(SchemaError, match="missing columns"):
        detector(pd.DataFrame({"mmsi": [1]}))
    naive = track(sailing(AT_SEA, 3, 1.0))
    naive[POSITION.TIMESTAMP] = naive[POSITION.TIMESTAMP].dt.tz_localize(None)
    with pytest.raises(SchemaError, match="timezone-aware"):
        detector(naive)
    with pytest.raises(ConfigError, match="config must be"):
        detector(
            track(sailing(AT_SEA, 3, 1.0)), None, GapConfig() if detector is not gaps else LoiteringConfig()
        )


@pytest.mark.parametrize("detector", DETECTORS)
def test_empty_input_gives_the_schema(detector: object) -> None:
    assert callable(detector)
    out = detector(conform(pd.DataFrame(), POSITION_DTYPES))
    assert out.empty


def test_invalid_configs() -> None:
    with pytest.raises(ValueError, match="dark_gap_h"):
        GapConfig(min_gap_h=12, dark_gap_h=6)
    with pytest.raises(ValueError, match="greater than 0"):
        EncounterConfig(max_distance_m=0)
    with pytest.raises(ValueError, match="Extra inputs"):
        LoiteringConfig(speed=1)  # type: ignore[call-arg]  # unknown field on purpose


def test_voyages_from_precomputed_calls_equal_voyages_alone() -> None:
    import vesselscreen as vs

    ais = vs.read_ais(vs.demo.ais_path())
    calls = vs.events.port_calls(ais)
    alone = vs.events.voyages(ais)
    pd.testing.assert_frame_equal(vs.events.voyages(ais, calls=calls), alone)
    assert len(alone) > 0
