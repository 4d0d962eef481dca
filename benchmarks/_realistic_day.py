"""A realistic AIS day, generated: continuous tracks around real ports, in MarineCadastre's layout.

The shape follows what a NOAA MarineCadastre daily file holds (US waters, one report per
vessel per minute at most, rows in time order):

* **moored** ships (35 %) sit at a berth of a real gazetteer port all day, reporting every
  3 minutes (Class A at berth) with metre-scale jitter and SOG 0-0.1 kn;
* **anchored** ships (15 %) swing around an anchor 4-7 km off a port, every 3 minutes;
* **transits** (38 %) stop 1-5 h in one port, sail to another 40-400 km away at 9-16 kn
  reporting every minute, and stop there; some fall silent for 7-14 h on the way (gaps);
* **slow** vessels (10 %: fishing, survey, waiting) drift at 0.5-3 kn 15-60 km off a port;
* **meetings** (2 %): pairs of slow vessels side by side (150-400 m) for 2.5-5 h at sea.

Vessels are active for part of the day (entering and leaving coverage), which gives about
400 reports per vessel on average. About one vessel in a hundred (at most twenty) broadcasts
the IMO number of a vessel on the bundled OFAC sample, so screening has real matches and
findings to build.

>>> table = day(2_000, seed=1)
>>> table.num_rows > 1_500, table.column_names[:4]
(True, ['MMSI', 'BaseDateTime', 'LAT', 'LON'])
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from vesselscreen.geo import load_ports

DAY_S: Final = 86_400
REPORTS_PER_VESSEL: Final = 400
M_PER_DEG: Final = 111_195.0
LISTED_IMOS: Final = (
    7406784,
    7206512,
    9187629,
    9187631,
    9218478,
    9356593,
    9357717,
    9283760,
    9357183,
    9212905,
)
"""IMO numbers of vessels on the bundled OFAC sdn.csv sample (broadcast by a few generated ships)."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _ports(rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """Real ports of the US East and Gulf coasts (WPI entries with a harbour size)."""
    ports = load_ports()
    ports = ports[
        ports["harbor_size"].notna() & ports["lat"].between(24.0, 45.0) & ports["lon"].between(-98.0, -66.0)
    ]
    return ports["lat"].to_numpy(dtype=np.float64), ports["lon"].to_numpy(dtype=np.float64)


def _offset(
    lat: FloatArray, lon: FloatArray, metres: FloatArray, bearing: FloatArray
) -> tuple[FloatArray, FloatArray]:
    dlat = metres * np.cos(bearing) / M_PER_DEG
    dlon = metres * np.sin(bearing) / (M_PER_DEG * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


def _imo_with_check(base: IntArray) -> IntArray:
    """Seven-digit ship IMO numbers (valid check digit) from six-digit bases."""
    digits = np.stack([(base // 10 ** (5 - i)) % 10 for i in range(6)], axis=1)
    check = (digits * np.arange(7, 1, -1)).sum(axis=1) % 10
    return base * 10 + check


def day(rows: int, seed: int = 20230111, *, days: int = 1) -> pa.Table:
    """About ``rows`` position reports from 2023-01-11 on, in time order, as text columns.

    With ``days`` > 1 the tracks run on across midnights: moored, anchored and slow vessels
    stay active for 10-24 h per day of the period, transits and meetings as on one day.
    """
    rng = np.random.default_rng(seed)
    port_lat, port_lon = _ports(rng)
    span = DAY_S * days
    # about REPORTS_PER_VESSEL reports per vessel and day of activity
    n = max(int(rows / REPORTS_PER_VESSEL / (0.45 + 0.55 * days)), 4)
    kind = rng.choice(5, size=n, p=[0.35, 0.15, 0.38, 0.10, 0.02])  # moored, anchored, transit, slow, meeting
    home = rng.integers(0, len(port_lat), n)
    interval = np.where(kind == 2, 60, 180).astype(np.int64)
    # active window: transits longer (a whole passage), others part of the day
    length = np.where(kind == 2, rng.uniform(6, 24, n), rng.uniform(10, 24, n) * days) * 3600
    length = np.where(kind == 4, rng.uniform(8, 14, n) * 3600, length)
    start = rng.uniform(0, span - length)
    count = np.maximum((length // interval).astype(np.int64), 2)
    # scale report counts so the total is close to ``rows``
    count = np.maximum((count * rows / count.sum()).astype(np.int64), 2)
    interval = np.maximum((length / count).astype(np.int64), 10)

    vessel = np.repeat(np.arange(n), count)
    step = np.arange(len(vessel)) - np.repeat(np.cumsum(count) - count, count)
    t = start[vessel] + step * interval[vessel] + rng.uniform(0, 5, len(vessel))
    frac = step / np.maximum(count[vessel] - 1, 1)
    k = kind[vessel]
    hlat, hlon = port_lat[home][vessel], port_lon[home][vessel]

    # moored: at a berth within 1.5 km of the port point
    berth_d = rng.uniform(0, 1500, n)[vessel]
    berth_b = rng.uniform(0, 2 * np.pi, n)[vessel]
    lat, lon = _offset(hlat, hlon, berth_d + rng.normal(0, 3, len(vessel)), berth_b)
    sog = np.abs(rng.normal(0, 0.05, len(vessel)))

    # anchored: 4-7 km off the port, swinging 80 m around the anchor
    anchored = k == 1
    a_lat, a_lon = _offset(
        hlat, hlon, rng.uniform(4000, 7000, n)[vessel], rng.uniform(0, 2 * np.pi, n)[vessel]
    )
    swing = frac * 6 * np.pi
    a_lat, a_lon = _offset(a_lat, a_lon, np.full(len(vessel), 80.0), swing)
    lat[anchored], lon[anchored] = a_lat[anchored], a_lon[anchored]
    sog[anchored] = rng.uniform(0, 0.4, anchored.sum())

    # transits: stop at home, sail to a destination port, stop there
    transit = k == 2
    dest = rng.integers(0, len(port_lat), n)
    d_lat, d_lon = port_lat[dest], port_lon[dest]
    near = np.hypot(d_lat - port_lat[home], (d_lon - port_lon[home]) * 0.8) * M_PER_DEG
    bad = (near < 40_000) | (near > 400_000)
    # destinations too close or far: a point 40-400 km away along a random bearing (at sea or not)
    alt_lat, alt_lon = _offset(
        port_lat[home], port_lon[home], rng.uniform(40_000, 400_000, n), rng.uniform(0, 2 * np.pi, n)
    )
    d_lat, d_lon = np.where(bad, alt_lat, d_lat), np.where(bad, alt_lon, d_lon)
    stay0 = rng.uniform(0.05, 0.25, n)[vessel]  # share of the window in the first port
    stay1 = rng.uniform(0.05, 0.25, n)[vessel]
    leg = np.clip((frac - stay0) / np.maximum(1 - stay0 - stay1, 0.1), 0.0, 1.0)
    t_lat = hlat + leg * (d_lat[vessel] - hlat)
    t_lon = hlon + leg * (d_lon[vessel] - hlon)
    t_lat, t_lon = _offset(t_lat, t_lon, np.abs(rng.normal(0, 4, len(vessel))), berth_b)
    moving = (leg > 0) & (leg < 1)
    span_m = np.hypot(d_lat - port_lat[home], (d_lon - port_lon[home]) * np.cos(np.radians(port_lat[home])))
    knots = span_m * M_PER_DEG / 1852 / np.maximum(length * (1 - 0.3) / 3600, 1)
    lat[transit], lon[transit] = t_lat[transit], t_lon[transit]
    sog[transit] = np.where(
        moving[transit], np.clip(knots[vessel][transit], 6, 22), rng.uniform(0, 0.1, transit.sum())
    )

    # slow vessels and meetings: 15-60 km off a port, drifting
    slow = (k == 3) | (k == 4)
    s_lat, s_lon = _offset(
        hlat, hlon, rng.uniform(15_000, 60_000, n)[vessel], rng.uniform(0, 2 * np.pi, n)[vessel]
    )
    drift = rng.uniform(0.5, 3.0, n)[vessel]
    s_lat, s_lon = _offset(
        s_lat, s_lon, drift * 1852 * (t - start[vessel]) / 3600, rng.uniform(0, 2 * np.pi, n)[vessel]
    )
    lat[slow], lon[slow] = s_lat[slow], s_lon[slow]
    sog[slow] = drift[slow] + rng.normal(0, 0.2, slow.sum())

    # meetings: every second meeting vessel joins the previous one, 150-400 m apart
    meet = np.flatnonzero(kind == 4)
    pairs = meet[1::2]
    partner = np.full(n, -1)
    partner[pairs] = meet[0 : len(pairs) * 2 : 2]
    follows = partner[vessel] >= 0
    if follows.any():
        lead = partner[vessel[follows]]
        # same times and track as the partner's, shifted sideways
        lead_rows = np.repeat(np.cumsum(count) - count, 1)[lead] + np.minimum(step[follows], count[lead] - 1)
        m_lat, m_lon = _offset(
            lat[lead_rows], lon[lead_rows], rng.uniform(150, 400, follows.sum()), np.full(follows.sum(), 1.2)
        )
        lat[follows], lon[follows], t[follows] = m_lat, m_lon, t[lead_rows] + 7
        sog[follows] = sog[lead_rows]

    # gaps: 6 % of transits fall silent for 7-14 h mid-passage
    gap = (kind == 2) & (rng.random(n) < 0.06) & (length > 16 * 3600)
    g0 = start + length * 0.3
    g1 = g0 + rng.uniform(7, 14, n) * 3600
    keep = ~(gap[vessel] & (t > g0[vessel]) & (t < g1[vessel]))

    mmsi = 366_000_000 + np.arange(n) * 37 % 999_983
    mid = rng.choice(
        [366, 367, 368, 538, 636, 477, 563, 311], n, p=[0.25, 0.25, 0.2, 0.08, 0.08, 0.06, 0.04, 0.04]
    )
    mmsi = mid * 1_000_000 + (np.arange(n) * 7919) % 1_000_000
    imo = _imo_with_check(rng.integers(100_000, 999_999, n))
    has_imo = (kind != 3) & (rng.random(n) < 0.7)
    listed = rng.choice(n, size=min(20, max(1, n // 100)), replace=False)  # about 1 % of ships
    imo[listed] = np.resize(np.array(LISTED_IMOS, dtype=np.int64), len(listed))
    has_imo[listed] = True
    names = np.array([f"GENERATED {i:05d}" for i in range(n)], dtype=object)
    ship_type = np.where(kind == 3, 30, rng.choice([70, 80, 60, 52, 31], n))

    order = np.argsort(t[keep], kind="stable")
    rows_v = vessel[keep][order]
    seconds = np.clip(t[keep][order], 0, span - 1).astype(np.int64)
    stamp = (np.datetime64("2023-01-11T00:00:00", "s") + seconds.astype("timedelta64[s]")).astype(str)
    heading = np.round(rng.uniform(0, 360, len(rows_v)))
    imo_text = np.where(has_imo, np.char.add("IMO", imo.astype(str)), "")
    columns = {
        "MMSI": mmsi[rows_v].astype(str),
        "BaseDateTime": stamp,
        "LAT": np.round(lat[keep][order], 5).astype(str),
        "LON": np.round(lon[keep][order], 5).astype(str),
        "SOG": np.round(np.clip(sog[keep][order], 0, 30), 1).astype(str),
        "COG": np.round(rng.uniform(0, 360, len(rows_v)), 1).astype(str),
        "Heading": heading.astype(str),
        "VesselName": names[rows_v],
        "IMO": imo_text[rows_v],
        "CallSign": np.char.add("W", (mmsi[rows_v] % 100_000).astype(str)),
        "VesselType": ship_type[rows_v].astype(str),
        "Status": np.where(sog[keep][order] < 0.5, "5", "0"),
        "Length": np.full(len(rows_v), "120"),
        "Width": np.full(len(rows_v), "20"),
        "Draft": np.full(len(rows_v), "7.5"),
        "Cargo": ship_type[rows_v].astype(str),
        "TransceiverClass": np.where(kind[rows_v] == 3, "B", "A"),
    }
    return pa.table(
        {name: pa.array(np.asarray(values).astype(str), type=pa.string()) for name, values in columns.items()}
    )


def write_day(path: Path, rows: int, seed: int = 20230111, *, days: int = 1) -> Path:
    """Write :func:`day` as a MarineCadastre 2015-2024 CSV (``AIS_2023_01_11.csv`` layout)."""
    table = day(rows, seed, days=days)
    with path.open("wb") as out:
        out.write((",".join(table.column_names) + "\n").encode())  # published headers are not quoted
        pacsv.write_csv(
            table, out, write_options=pacsv.WriteOptions(quoting_style="none", include_header=False)
        )
    return path
