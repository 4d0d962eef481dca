"""Port-call detection on synthetic tracks with exactly known events, and on real AIS."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.errors import SchemaError
from vesselscreen.events import PortCallConfig, port_calls
from vesselscreen.geo import PortIndex, load_ports
from vesselscreen.schema import PORT_CALL, PORT_CALL_DTYPES, POSITION, POSITION_DTYPES, conform, validate

MARINECADASTRE = (
    Path(__file__).resolve().parent.parent / "data" / "ais" / "csv" / "marinecadastre_2023-01-11_sample.csv"
)

# Bandar Amirabad (IRAMD) as the gazetteer has it; its radius is 3 km, exit at 4 km
AMIRABAD = (36.78333, 53.35000)
OLYA = (45.78333, 47.53333)
M_PER_DEG_LAT = 111_195.08  # haversine metres per degree along a meridian (R = 6,371,008.8 m)
T0 = pd.Timestamp("2024-08-29 00:00", tz="UTC")
MMSI = 273_999_301


def track(
    legs: list[tuple[float, float]],
    *,
    mmsi: int = MMSI,
    port: tuple[float, float] = AMIRABAD,
    start: pd.Timestamp = T0,
    step: str = "10min",
    times: list[pd.Timestamp] | None = None,
    names: list[str | None] | None = None,
    imos: list[int | None] | None = None,
) -> pd.DataFrame:
    """A canonical positions frame: each leg is (km north of ``port``, speed over ground in knots)."""
    n = len(legs)
    stamps = times if times is not None else list(pd.date_range(start, periods=n, freq=step))
    frame = pd.DataFrame(
        {
            POSITION.MMSI: [mmsi] * n,
            POSITION.TIMESTAMP: stamps,
            POSITION.LAT: [port[0] + km * 1000 / M_PER_DEG_LAT for km, _ in legs],
            POSITION.LON: [port[1]] * n,
            POSITION.SOG: [sog for _, sog in legs],
            POSITION.IMO: imos if imos is not None else [None] * n,
            POSITION.NAME: names if names is not None else ["PORT OLYA 3"] * n,
            POSITION.SOURCE: ["test"] * n,
        }
    )
    return conform(frame, POSITION_DTYPES)


# A call at IRAMD: approach from 10 km north at 9 kn, stop 0.3 km off the port point for 6 h,
# leave. 10-minute steps. Row 3 (2.5 km) is the first inside 3 km; row 43 (3.6 km) is the last
# inside the 4 km exit distance.
CALL_LEGS: list[tuple[float, float]] = [
    (10.0, 9.0), (7.0, 9.0), (4.5, 9.0),           # 0-2 at sea (4.5 km: outside)
    (2.5, 6.0), (1.0, 2.0),                        # 3-4 entering
    *[(0.3, 0.0)] * 36,                            # 5-40 stopped, 6 h
    (0.3, 0.4),                                    # 41 still stopped (below 0.5 kn)
    (1.5, 3.0), (3.6, 8.0),                        # 42-43 leaving, 3.6 km still inside (hysteresis)
    (4.5, 9.0), (8.0, 9.0),                        # 44-45 at sea
]  # fmt: skip


def test_call_at_amirabad_has_known_arrival_and_departure() -> None:
    calls = port_calls(track(CALL_LEGS))
    validate(calls, PORT_CALL_DTYPES)
    assert len(calls) == 1
    call = calls.iloc[0]
    assert (call[PORT_CALL.PORT_ID], call[PORT_CALL.PORT_NAME], call[PORT_CALL.COUNTRY]) == (
        "IRAMD",
        "Bandar Amirabad",
        "IR",
    )
    assert call[PORT_CALL.ARRIVAL] == T0 + pd.Timedelta("30min")
    assert call[PORT_CALL.DEPARTURE] == T0 + pd.Timedelta("430min")
    assert call[PORT_CALL.DURATION] == pd.Timedelta("6h40min")
    assert call[PORT_CALL.N_POSITIONS] == 41
    assert call[PORT_CALL.CONFIDENCE] == 4  # entry seen, stop seen, exit seen
    assert call[PORT_CALL.MMSI] == MMSI


def test_identity_is_what_the_vessel_broadcast_during_the_call() -> None:
    n = len(CALL_LEGS)
    names: list[str | None] = ["BEFORE"] * 3 + ["PORT OLYA 3"] * 20 + [None] * 21 + ["AFTER"] * 2
    imos: list[int | None] = [None] * 3 + [9187629] * 10 + [None] * (n - 13)
    calls = port_calls(track(CALL_LEGS, names=names, imos=imos))
    assert calls[PORT_CALL.NAME].tolist() == ["PORT OLYA 3"]
    assert calls[PORT_CALL.IMO].tolist() == [9187629]


def test_passing_at_speed_is_not_a_call() -> None:
    legs = [(km, 10.0) for km in np.arange(10.0, -10.5, -0.5)]  # straight through the port point
    assert port_calls(track(legs, step="2min")).empty


def test_stop_at_sea_far_from_ports_is_not_a_call() -> None:
    middle_of_caspian = (37.5, 52.0)  # ~101 km from the nearest port
    legs = [(0.0, 0.0)] * 73  # 12 h stopped
    assert port_calls(track(legs, port=middle_of_caspian)).empty


def test_short_stop_below_min_duration_is_not_a_call() -> None:
    # enter, stopped for 30 min (3 intervals), leave: the visit (rows 1-6) lasts 50 min
    legs = [(6.0, 9.0), (2.0, 5.0), (0.3, 0.0), (0.3, 0.0), (0.3, 0.0), (0.3, 0.1), (2.0, 6.0), (6.0, 9.0)]
    assert port_calls(track(legs)).empty
    calls = port_calls(track(legs), config=PortCallConfig(min_duration_h=0.5))
    assert len(calls) == 1
    assert calls[PORT_CALL.DURATION].tolist() == [pd.Timedelta("50min")]


def test_gap_inside_port_is_bridged() -> None:
    before = [T0 + pd.Timedelta(minutes=10 * i) for i in range(6)]  # 00:00 .. 00:50
    after = [before[-1] + pd.Timedelta("10h") + pd.Timedelta(minutes=10 * i) for i in range(5)]
    legs = [(6.0, 9.0), (2.0, 5.0), (0.3, 0.0), (0.3, 0.0), (0.3, 0.0), (0.3, 0.0)]
    legs += [(0.3, 0.0), (0.3, 0.0), (2.0, 5.0), (6.0, 9.0), (9.0, 9.0)]
    calls = port_calls(track(legs, times=before + after))
    assert len(calls) == 1
    call = calls.iloc[0]
    assert call[PORT_CALL.ARRIVAL] == T0 + pd.Timedelta("10min")
    assert call[PORT_CALL.DEPARTURE] == after[2]
    assert call[PORT_CALL.N_POSITIONS] == 8
    assert call[PORT_CALL.CONFIDENCE] == 4


def test_gap_longer_than_max_gap_splits_the_visit() -> None:
    before = [T0 + pd.Timedelta(minutes=10 * i) for i in range(12)]
    after = [before[-1] + pd.Timedelta("30h") + pd.Timedelta(minutes=10 * i) for i in range(12)]
    legs = [(6.0, 9.0), (2.0, 5.0)] + [(0.3, 0.0)] * 10 + [(0.3, 0.0)] * 10 + [(2.0, 5.0), (6.0, 9.0)]
    calls = port_calls(track(legs, times=before + after))
    assert calls[PORT_CALL.ARRIVAL].tolist() == [before[1], after[0]]
    assert calls[PORT_CALL.DEPARTURE].tolist() == [before[-1], after[-2]]
    # the first lost its exit, the second its entry
    assert calls[PORT_CALL.CONFIDENCE].tolist() == [3, 3]
    bridged = port_calls(track(legs, times=before + after), config=PortCallConfig(max_gap_h=48))
    assert len(bridged) == 1


def test_port_gap_counts_like_a_stop() -> None:
    # creeping at 1 kn inside the port (never stopped) with a 6 h silence
    times = [T0 + pd.Timedelta(minutes=10 * i) for i in range(4)]
    times += [times[-1] + pd.Timedelta("6h") + pd.Timedelta(minutes=10 * i) for i in range(4)]
    legs = [(6.0, 9.0), (2.0, 1.0), (1.5, 1.0), (1.0, 1.0), (1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (6.0, 9.0)]
    calls = port_calls(track(legs, times=times))
    assert len(calls) == 1
    assert calls[PORT_CALL.CONFIDENCE].tolist() == [4]
    # a 2 h silence is no port gap, and without a stop there is no call
    shorter = [*times[:4], *[t - pd.Timedelta("4h") for t in times[4:]]]
    assert port_calls(track(legs, times=shorter)).empty


def test_exit_hysteresis_keeps_one_visit() -> None:
    # stopped, then drifting out to 3.6 km (inside the 4 km exit distance) and back
    legs = [(6.0, 9.0), (2.0, 5.0)] + [(0.3, 0.0)] * 8 + [(3.6, 2.0), (3.6, 2.0)] + [(0.3, 0.0)] * 8
    legs += [(6.0, 9.0)]
    assert len(port_calls(track(legs))) == 1
    no_margin = port_calls(track(legs), config=PortCallConfig(exit_margin_m=0.0))
    assert len(no_margin) == 2


def test_hours_in_the_exit_ring_before_and_after_leaving() -> None:
    # 40 reports drifting at 3.6 km (inside the exit distance: still in port), out to 4.5 km
    # (left), back to 3.6 km for 100 reports (not in port: only entry re-enters), then in again
    stay = [(6.0, 9.0), (2.0, 5.0)] + [(0.3, 0.0)] * 10
    legs = [*stay, *[(3.6, 0.3)] * 40, (4.5, 3.0), *[(3.6, 0.3)] * 100, *stay[1:], (6.0, 9.0)]
    calls = port_calls(track(legs))
    assert len(calls) == 2
    times = pd.date_range(T0, periods=len(legs), freq="10min")
    assert calls[PORT_CALL.DEPARTURE].tolist() == [times[51], times[len(legs) - 2]]
    assert calls[PORT_CALL.ARRIVAL].tolist() == [times[1], times[len(legs) - 12]]
    assert calls[PORT_CALL.N_POSITIONS].tolist() == [51, 11]


def test_track_that_starts_and_ends_in_port_has_confidence_two() -> None:
    legs = [(0.3, 0.0)] * 20
    calls = port_calls(track(legs))
    assert calls[PORT_CALL.CONFIDENCE].tolist() == [2]
    assert calls[PORT_CALL.DURATION].tolist() == [pd.Timedelta("190min")]


def test_several_vessels_and_ports() -> None:
    a = track(CALL_LEGS, mmsi=273_999_301)
    b = track(CALL_LEGS, mmsi=273_999_302, port=OLYA, start=T0 + pd.Timedelta("3h"))
    c = track(CALL_LEGS, mmsi=273_999_301, port=OLYA, start=T0 + pd.Timedelta("3D"))
    positions = pd.concat([c, b, a], ignore_index=True)
    calls = port_calls(positions)
    assert calls[[PORT_CALL.MMSI, PORT_CALL.PORT_ID]].values.tolist() == [
        [273_999_301, "IRAMD"],
        [273_999_301, "RUOYA"],
        [273_999_302, "RUOYA"],
    ]
    assert calls[PORT_CALL.ARRIVAL].tolist() == [
        T0 + pd.Timedelta("30min"),
        T0 + pd.Timedelta("3D30min"),
        T0 + pd.Timedelta("3h30min"),
    ]


def test_custom_ports_frame_and_prebuilt_index() -> None:
    ports = pd.DataFrame({"port_id": ["MYPORT"], "port_name": ["My port"], "country": ["IR"],
                          "lat": [AMIRABAD[0]], "lon": [AMIRABAD[1]]})  # fmt: skip
    for given_ports in (ports, PortIndex(ports)):
        calls = port_calls(track(CALL_LEGS), given_ports)
        assert calls[[PORT_CALL.PORT_ID, PORT_CALL.PORT_NAME]].values.tolist() == [["MYPORT", "My port"]]
    # a larger default radius for ports without one moves the arrival earlier
    wide = port_calls(track(CALL_LEGS), ports, PortCallConfig(default_radius_m=5000))
    assert wide[PORT_CALL.ARRIVAL].tolist() == [T0 + pd.Timedelta("20min")]


def test_input_is_not_modified() -> None:
    positions = pd.concat([track(CALL_LEGS), track(CALL_LEGS, mmsi=1)], ignore_index=True).iloc[::-1]
    before = positions.copy()
    port_calls(positions)
    pd.testing.assert_frame_equal(positions, before)


def test_empty_input_gives_empty_frame_with_dtypes() -> None:
    calls = port_calls(conform(pd.DataFrame(), POSITION_DTYPES))
    assert calls.empty
    validate(calls, PORT_CALL_DTYPES)
    assert list(calls.columns) == list(PORT_CALL_DTYPES)


def test_rows_that_cannot_be_placed_are_ignored() -> None:
    positions = track(CALL_LEGS)
    extra = positions.iloc[[10, 11]].copy()
    extra[POSITION.LAT] = [np.nan, 95.0]
    calls = port_calls(pd.concat([positions, extra], ignore_index=True))
    assert calls[PORT_CALL.N_POSITIONS].tolist() == [41]


# --- bad input ------------------------------------------------------------------------------------


def test_missing_position_columns() -> None:
    positions = track(CALL_LEGS).drop(columns=[POSITION.SOG, POSITION.LAT])
    with pytest.raises(SchemaError, match=r"positions: missing columns \['lat', 'sog'\]"):
        port_calls(positions)


def test_naive_timestamps_are_refused() -> None:
    positions = track(CALL_LEGS)
    positions[POSITION.TIMESTAMP] = positions[POSITION.TIMESTAMP].dt.tz_localize(None)
    with pytest.raises(SchemaError, match="timezone-aware"):
        port_calls(positions)


def test_uncastable_column() -> None:
    positions = track(CALL_LEGS)
    positions[POSITION.SOG] = "fast"
    with pytest.raises(SchemaError, match="'sog' cannot be cast"):
        port_calls(positions)


def test_invalid_ports_frame() -> None:
    with pytest.raises(SchemaError, match="missing columns"):
        port_calls(track(CALL_LEGS), pd.DataFrame({"port_id": ["X"], "lat": [1.0]}))
    with pytest.raises(SchemaError, match="out of range for FAR"):
        port_calls(track(CALL_LEGS), pd.DataFrame({"port_id": ["FAR"], "lat": [100.0], "lon": [0.0]}))


def test_invalid_config() -> None:
    with pytest.raises(ValueError, match="resume_speed_kn"):
        PortCallConfig(stop_speed_kn=1.0, resume_speed_kn=0.5)
    with pytest.raises(ValueError, match="greater than 0"):
        PortCallConfig(max_gap_h=0)
    with pytest.raises(ValueError, match="Extra inputs"):
        PortCallConfig(min_duration=1)  # type: ignore[call-arg]  # unknown field on purpose


# --- real data ------------------------------------------------------------------------------------


def marinecadastre_positions() -> pd.DataFrame:
    raw = pd.read_csv(MARINECADASTRE, dtype={"IMO": "string", "VesselName": "string"})
    frame = pd.DataFrame(
        {
            POSITION.MMSI: raw["MMSI"],
            POSITION.TIMESTAMP: pd.to_datetime(raw["BaseDateTime"], utc=True),
            POSITION.LAT: raw["LAT"],
            POSITION.LON: raw["LON"],
            POSITION.SOG: raw["SOG"],
            POSITION.IMO: pd.to_numeric(raw["IMO"].str.removeprefix("IMO"), errors="coerce"),
            POSITION.NAME: raw["VesselName"],
        }
    )
    return conform(frame, POSITION_DTYPES)


def test_real_marinecadastre_sample() -> None:
    positions = marinecadastre_positions()
    assert len(positions) == 1000
    assert positions[POSITION.MMSI].nunique() == 1000
    calls = port_calls(positions)
    validate(calls, PORT_CALL_DTYPES)
    assert set(calls[PORT_CALL.COUNTRY]) <= {"US"}
    # one position per vessel in this sample: a single report is never a call
    assert calls.empty


def test_real_marinecadastre_positions_repeated_as_a_stay() -> None:
    # each moored vessel (sog 0) reported hourly for 3 h at its real position
    positions = marinecadastre_positions()
    moored = positions[positions[POSITION.SOG] == 0.0]
    stays = pd.concat(
        [
            moored.assign(**{POSITION.TIMESTAMP: moored[POSITION.TIMESTAMP] + pd.Timedelta(hours=h)})
            for h in range(4)
        ],
        ignore_index=True,
    )
    calls = port_calls(stays)
    index = PortIndex()
    inside, _ = index.within(moored[POSITION.LAT].to_numpy(), moored[POSITION.LON].to_numpy())
    assert len(calls) == int((inside >= 0).sum()) == 308
    assert calls[PORT_CALL.CONFIDENCE].eq(2).all()
    assert calls[PORT_CALL.DURATION].eq(pd.Timedelta("3h")).all()
    assert calls[PORT_CALL.COUNTRY].value_counts().to_dict() == {"US": 287, "CA": 19, "PR": 2}


# --- properties -----------------------------------------------------------------------------------

PORTS = load_ports()
PORTS = PORTS[PORTS["port_id"].isin(["IRAMD", "IRNKA", "RUOYA", "RUOZE"])]
SMALL_INDEX = PortIndex(PORTS)
PORT_POINTS = [AMIRABAD, OLYA]

row_strategy = st.tuples(
    st.integers(0, 2),  # vessel
    st.sampled_from([0, 1]),  # which port
    st.floats(-6.0, 6.0),  # km north of it
    st.sampled_from([0.0, 0.1, 0.3, 0.6, 3.0, 12.0, float("nan")]),  # sog
    st.sampled_from([0, 5, 10, 60, 300, 1600]),  # minutes since the vessel's previous row
)


def synthetic(rows: list[tuple[int, int, float, float, int]]) -> pd.DataFrame:
    clocks = [T0, T0, T0]
    records = []
    for vessel, which, km, sog, minutes in rows:
        clocks[vessel] += pd.Timedelta(minutes=minutes)
        lat, lon = PORT_POINTS[which]
        records.append(
            {
                POSITION.MMSI: 273_000_000 + vessel,
                POSITION.TIMESTAMP: clocks[vessel],
                POSITION.LAT: lat + km * 1000 / M_PER_DEG_LAT,
                POSITION.LON: lon,
                POSITION.SOG: sog,
                POSITION.IMO: None,
                POSITION.NAME: f"V{vessel}" if minutes != 60 else None,
            }
        )
    return conform(pd.DataFrame.from_records(records), POSITION_DTYPES)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_strategy, min_size=1, max_size=80), st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_result(
    rows: list[tuple[int, int, float, float, int]], rnd: random.Random
) -> None:
    positions = synthetic(rows)
    order = list(range(len(positions)))
    rnd.shuffle(order)
    shuffled = positions.iloc[order]
    expected = port_calls(positions, SMALL_INDEX, PortCallConfig(min_duration_h=0.1))
    got = port_calls(shuffled, SMALL_INDEX, PortCallConfig(min_duration_h=0.1))
    pd.testing.assert_frame_equal(got, expected)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_strategy, min_size=1, max_size=80))
def test_per_vessel_results_concatenate_to_the_whole(rows: list[tuple[int, int, float, float, int]]) -> None:
    positions = synthetic(rows)
    config = PortCallConfig(min_duration_h=0.1)
    whole = port_calls(positions, SMALL_INDEX, config)
    parts = [port_calls(group, SMALL_INDEX, config) for _, group in positions.groupby(POSITION.MMSI)]
    joined = pd.concat(parts, ignore_index=True) if parts else whole.iloc[:0]
    pd.testing.assert_frame_equal(joined.astype(whole.dtypes.to_dict()), whole)
