"""Properties of the detectors (hypothesis), and the detectors on the real MarineCadastre sample."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.events import (
    EncounterConfig,
    LoiteringConfig,
    SpoofingConfig,
    encounters,
    gaps,
    land_mask_available,
    loitering,
    spoofing,
    stops,
    voyages,
)
from vesselscreen.geo import PortIndex, haversine_m, load_ports
from vesselscreen.schema import (
    ENCOUNTER,
    ENCOUNTER_DTYPES,
    GAP_DTYPES,
    POSITION,
    POSITION_DTYPES,
    SPOOFING,
    STOP,
    conform,
    validate,
)

MARINECADASTRE = (
    Path(__file__).resolve().parent.parent / "data" / "ais" / "csv" / "marinecadastre_2023-01-11_sample.csv"
)
T0 = pd.Timestamp("2024-08-29 00:00", tz="UTC")
M_PER_DEG = 111_195.08
PORTS = load_ports()
SMALL_INDEX = PortIndex(PORTS[PORTS["port_id"].isin(["IRAMD", "RUOYA", "AZBAK"])])
# a meeting point at sea and the Amirabad port point
PLACES = [(40.0, 51.0), (36.78333, 53.35)]

row_strategy = st.tuples(
    st.integers(0, 3),  # vessel
    st.sampled_from([0, 0, 0, 1]),  # near which place
    st.floats(-800.0, 800.0),  # metres north of it
    st.floats(-800.0, 800.0),  # metres east of it
    st.sampled_from([0.0, 0.1, 0.4, 1.0, 3.0, 12.0, float("nan")]),  # sog
    st.sampled_from([2, 7, 10, 45, 200, 500, 900]),  # minutes since the vessel's previous row
    st.sampled_from([None, 6.0, 9.5]),  # draught
)


def synthetic(rows: list[tuple[int, int, float, float, float, int, float | None]]) -> pd.DataFrame:
    clocks = [T0] * 4
    records = []
    for vessel, place, dn, de, sog, minutes, draught in rows:
        clocks[vessel] += pd.Timedelta(minutes=minutes)
        lat, lon = PLACES[place]
        records.append(
            {
                POSITION.MMSI: 273_000_000 + vessel,
                POSITION.TIMESTAMP: clocks[vessel],
                POSITION.LAT: lat + dn / M_PER_DEG,
                POSITION.LON: lon + de / (M_PER_DEG * np.cos(np.radians(lat))),
                POSITION.SOG: sog,
                POSITION.NAME: f"V{vessel}",
                POSITION.DRAUGHT: draught,
            }
        )
    return conform(pd.DataFrame.from_records(records), POSITION_DTYPES)


ENC_CONFIG = EncounterConfig(min_duration_h=0.5, max_interpolation_gap_h=2.0)
LOITER_CONFIG = LoiteringConfig(min_duration_h=0.5, min_port_distance_m=10_000)

PER_VESSEL: list[Callable[[pd.DataFrame], pd.DataFrame]] = [
    lambda p: gaps(p, SMALL_INDEX),
    lambda p: stops(p, SMALL_INDEX),
    lambda p: loitering(p, SMALL_INDEX, LOITER_CONFIG),
    lambda p: spoofing(p, SMALL_INDEX),
    lambda p: voyages(p, SMALL_INDEX),
]
ALL = [*PER_VESSEL, lambda p: encounters(p, SMALL_INDEX, ENC_CONFIG)]
NAMES = ["gaps", "stops", "loitering", "spoofing", "voyages", "encounters"]

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(row_strategy, min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_row_order_does_not_change_any_result(rows: list, rnd: random.Random) -> None:
    positions = synthetic(rows)
    order = list(range(len(positions)))
    rnd.shuffle(order)
    shuffled = positions.iloc[order]
    for name, detector in zip(NAMES, ALL, strict=True):
        expected = detector(positions)
        got = detector(shuffled)
        pd.testing.assert_frame_equal(got, expected, obj=name)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_strategy, min_size=1, max_size=60))
def test_per_vessel_results_concatenate_to_the_whole(rows: list) -> None:
    positions = synthetic(rows)
    for name, detector in zip(NAMES, PER_VESSEL, strict=False):
        whole = detector(positions)
        parts = [detector(group) for _, group in positions.groupby(POSITION.MMSI)]
        joined = pd.concat(parts, ignore_index=True) if parts else whole.iloc[:0]
        pd.testing.assert_frame_equal(joined.astype(whole.dtypes.to_dict()), whole, obj=name)


@SETTINGS
@given(st.lists(row_strategy, min_size=1, max_size=60), st.permutations([0, 1, 2, 3]))
def test_encounters_are_symmetric(rows: list, perm: list[int]) -> None:
    positions = synthetic(rows)
    relabel = {273_000_000 + i: 273_000_000 + p for i, p in enumerate(perm)}
    swapped = positions.assign(**{POSITION.MMSI: positions[POSITION.MMSI].map(relabel).astype("Int64")})
    found = encounters(positions, SMALL_INDEX, ENC_CONFIG)
    again = encounters(swapped, SMALL_INDEX, ENC_CONFIG)
    assert (found[ENCOUNTER.MMSI_1] < found[ENCOUNTER.MMSI_2]).all()
    # map the relabelled result back and put each pair in order
    back = {v: k for k, v in relabel.items()}
    m1 = again[ENCOUNTER.MMSI_1].map(back)
    m2 = again[ENCOUNTER.MMSI_2].map(back)
    again = again.assign(
        **{
            ENCOUNTER.MMSI_1: np.minimum(m1, m2),
            ENCOUNTER.MMSI_2: np.maximum(m1, m2),
            ENCOUNTER.MEDIAN_SOG_1: np.where(
                m1 < m2, again[ENCOUNTER.MEDIAN_SOG_1], again[ENCOUNTER.MEDIAN_SOG_2]
            ),
            ENCOUNTER.MEDIAN_SOG_2: np.where(
                m1 < m2, again[ENCOUNTER.MEDIAN_SOG_2], again[ENCOUNTER.MEDIAN_SOG_1]
            ),
        }
    )
    again = conform(
        again.sort_values([ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2, ENCOUNTER.START]).reset_index(drop=True),
        ENCOUNTER_DTYPES,
    )
    pd.testing.assert_frame_equal(again, found, check_exact=False, rtol=1e-9)


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
            POSITION.DRAUGHT: raw["Draft"],
        }
    )
    return conform(frame, POSITION_DTYPES)


def test_real_sample_single_reports_make_no_events() -> None:
    positions = marinecadastre_positions()
    assert len(positions) == 1000
    assert positions[POSITION.MMSI].nunique() == 1000  # one report per vessel
    found = gaps(positions)
    validate(found, GAP_DTYPES)
    assert found.empty
    for detector in (stops, loitering, spoofing, voyages, encounters):
        assert detector(positions).empty


def test_real_sample_repeated_as_a_day_later() -> None:
    # every vessel reports again 14 h later from the same place: 1000 gaps, dark where away from port
    positions = marinecadastre_positions()
    later = positions.assign(**{POSITION.TIMESTAMP: positions[POSITION.TIMESTAMP] + pd.Timedelta("14h")})
    found = gaps(pd.concat([positions, later], ignore_index=True))
    assert len(found) == 1000
    assert (found["duration"] == pd.Timedelta("14h")).all()
    assert (found["distance_m"] == 0).all()
    index = PortIndex()
    near, _ = index.nearest(positions[POSITION.LAT], positions[POSITION.LON], max_distance_m=10_000)
    assert int(found["dark"].sum()) == int((near < 0).sum()) == 287
    assert int(found["start_port_id"].notna().sum()) == 713


def test_real_sample_moored_vessels_stop_in_and_out_of_ports() -> None:
    # every vessel reports hourly for 2 h from its real position: the moored ones (sog <= 0.2) stop
    positions = marinecadastre_positions()
    held = pd.concat(
        [positions.assign(**{POSITION.TIMESTAMP: positions[POSITION.TIMESTAMP] + pd.Timedelta(hours=h)})
         for h in range(3)],
        ignore_index=True,
    )  # fmt: skip
    found = stops(held)
    moored = positions[POSITION.SOG] <= 0.2
    assert len(found) == int(moored.sum()) == 618
    assert (found[STOP.DURATION] == pd.Timedelta("2h")).all()
    inside, _ = PortIndex().within(positions.loc[moored, POSITION.LAT], positions.loc[moored, POSITION.LON])
    assert int(found[STOP.PORT_ID].isna().sum()) == int((inside < 0).sum()) == 275


def test_real_sample_land_mask_is_unreliable_on_inland_waterways() -> None:
    # why SpoofingConfig.check_land is off by default: the 1 km GLOBE mask has no rivers
    if not land_mask_available():
        pytest.skip("global-land-mask is not installed (optional)")
    found = spoofing(marinecadastre_positions(), config=SpoofingConfig(check_land=True))
    assert found[SPOOFING.KIND].eq("on_land").sum() == 290


def test_real_sample_encounters_among_moored_neighbours() -> None:
    # the real positions held for 3 h: vessels moored side by side away from ports meet
    positions = marinecadastre_positions()
    held = pd.concat(
        [positions.assign(**{POSITION.TIMESTAMP: positions[POSITION.TIMESTAMP] + pd.Timedelta(minutes=m)})
         for m in range(0, 181, 30)],
        ignore_index=True,
    )  # fmt: skip
    found = encounters(held)
    assert (found[ENCOUNTER.MEDIAN_DISTANCE_M] <= 500).all()
    assert (found[ENCOUNTER.MMSI_1] < found[ENCOUNTER.MMSI_2]).all()
    # brute force over all pairs: slow (or no speed), within 500 m, both 10 km or more from ports
    lat, lon = positions[POSITION.LAT].to_numpy(), positions[POSITION.LON].to_numpy()
    sog = positions[POSITION.SOG].to_numpy(dtype=float, na_value=np.nan)
    near, _ = PortIndex().nearest(lat, lon, max_distance_m=10_000)
    ok = (near < 0) & ~(sog >= 2.0)
    dist = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    close = (dist <= 500) & ok[:, None] & ok[None, :] & np.triu(np.ones_like(dist, dtype=bool), 1)
    mmsi = positions[POSITION.MMSI].to_numpy(dtype=np.int64)
    expected = {tuple(sorted((int(mmsi[i]), int(mmsi[j])))) for i, j in zip(*np.nonzero(close), strict=True)}
    assert set(zip(found[ENCOUNTER.MMSI_1], found[ENCOUNTER.MMSI_2], strict=True)) == expected
    assert len(found) == 6
