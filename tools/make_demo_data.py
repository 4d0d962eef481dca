"""Write the bundled *simulated* Caspian demo data set (run by hand; output is committed).

    python tools/make_demo_data.py vesselscreen/data/demo

The AIS file is SIMULATED: invented tracks in real NMEA 0183 format (AIVDM types 1 and
5 with NMEA 4.0 tag-block times), modelled on the publicly reported story of Russian
ships carrying Iranian missiles from Bandar Amirabad to Russian Caspian ports in
August-September 2024. MMSIs are invented (MID digits of the flag state, then 999...);
no IMO number is broadcast, because the real ones are not in our sources and must not
be invented. Port coordinates are those of the bundled gazetteer (UN/LOCODE).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from itertools import pairwise
from pathlib import Path

import numpy as np
from pyais import encode_dict

PORTS = {  # UN/LOCODE positions, as in vesselscreen/data/ports.csv
    "IRAMD": (36.78333, 53.35000),
    "RUOYA": (45.78333, 47.53333),
    "RUMCX": (42.96667, 47.50000),
    "AZBAK": (40.36985, 49.95389),
    "TMKRW": (40.01667, 52.96667),
    "KZAAU": (43.65000, 51.15000),
}
# open-water waypoints between the ports (keeps simulated tracks off the land)
VIA = {
    ("IRAMD", "RUOYA"): [(37.6, 52.6), (39.5, 51.6), (41.5, 50.9), (43.8, 49.4), (45.2, 48.2)],
    ("IRAMD", "RUMCX"): [(37.6, 52.6), (39.5, 51.6), (41.5, 50.2), (42.6, 48.4)],
    ("AZBAK", "TMKRW"): [(40.25, 50.6), (40.1, 52.2)],
    ("KZAAU", "AZBAK"): [(43.0, 50.9), (41.6, 50.6), (40.6, 50.4)],
    ("KZAAU", "RUMCX"): [(43.4, 50.0), (43.1, 48.2)],
}

KNOT_KM_H = 1.852
SEA_INTERVAL = timedelta(minutes=20)
PORT_INTERVAL = timedelta(minutes=60)
STATIC_INTERVAL = timedelta(hours=6)


@dataclass
class Ship:
    mmsi: int
    name: str
    call_sign: str
    ship_type: int
    draught: float
    # ("stay", port, hours) | ("sail", from, to, knots) | ("dark", after_h, hours): AIS off on the next sail
    plan: list[tuple[str, ...]]
    start: datetime
    rows: list[tuple[datetime, float, float, float, float, int]] = field(default_factory=list)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(np.radians, (a[0], a[1], b[0], b[1]))
    y = np.sin(lon2 - lon1) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(lon2 - lon1)
    return float(np.degrees(np.arctan2(y, x)) % 360)


def _route(origin: str, dest: str) -> list[tuple[float, float]]:
    if (origin, dest) in VIA:
        return [PORTS[origin], *VIA[(origin, dest)], PORTS[dest]]
    return [PORTS[origin], *reversed(VIA[(dest, origin)]), PORTS[dest]]


def simulate(ship: Ship, rng: np.random.Generator) -> None:
    t = ship.start
    dark_from: datetime | None = None
    dark_until: datetime | None = None
    for step in ship.plan:
        if step[0] == "stay":
            lat0, lon0 = PORTS[step[1]]
            end = t + timedelta(hours=float(step[2]))
            while t < end:
                # moored: a few tens of metres of GPS scatter, speed 0.0-0.1 kn
                lat, lon = lat0 + rng.normal(0, 0.0003), lon0 + rng.normal(0, 0.0004)
                ship.rows.append((t, lat, lon, round(float(rng.uniform(0, 0.1)), 1), 0.0, 5))
                t += PORT_INTERVAL
        elif step[0] == "dark":
            dark_from = t + timedelta(hours=float(step[1]))
            dark_until = dark_from + timedelta(hours=float(step[2]))
        else:
            _, origin, dest, knots = step
            speed_km_h = float(knots) * KNOT_KM_H
            route = _route(origin, dest)
            for a, b in pairwise(route):
                leg_km, course = _km(a, b), _bearing(a, b)
                n = max(1, int(leg_km / (speed_km_h * SEA_INTERVAL.total_seconds() / 3600)))
                for i in range(n):
                    f = i / n
                    lat, lon = a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f
                    if dark_from is None or dark_until is None or not dark_from <= t < dark_until:
                        sog = round(float(knots) + float(rng.normal(0, 0.3)), 1)
                        ship.rows.append((t, lat, lon, sog, round(course, 1), 0))
                    t += SEA_INTERVAL
            dark_from = dark_until = None


def _tag(unix: int) -> str:
    body = f"c:{unix},s:SIMULATED"
    checksum = reduce(lambda acc, ch: acc ^ ord(ch), body, 0)
    return f"\\{body}*{checksum:02X}\\"


def nmea_lines(ship: Ship) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    next_static = ship.start
    for t, lat, lon, sog, cog, status in ship.rows:
        unix = int(t.timestamp())
        if t >= next_static:
            static = {"type": 5, "mmsi": ship.mmsi, "imo": 0, "callsign": ship.call_sign,
                      "shipname": ship.name, "ship_type": ship.ship_type, "draught": ship.draught,
                      "destination": "", "ais_version": 0}  # fmt: skip
            for sentence in encode_dict(static, talker_id="AI", sentence_type="VDM", seq_id=1):
                out.append((t, _tag(unix) + sentence))
            next_static = t + STATIC_INTERVAL
        position = {"type": 1, "mmsi": ship.mmsi, "lat": round(lat, 5), "lon": round(lon, 5),
                    "speed": sog, "course": cog, "heading": int(cog) if sog > 0.5 else 511,
                    "status": status, "second": t.second}  # fmt: skip
        for sentence in encode_dict(position, talker_id="AI", sentence_type="VDM"):
            out.append((t, _tag(unix) + sentence))
    return out


def ships() -> list[Ship]:
    t0 = datetime(2024, 8, 26, tzinfo=UTC)
    return [
        # listed (by name and flag only in the demo watchlist), Russia-flagged: MID 273
        Ship(
            273999301,
            "PORT OLYA 3",
            "",
            70,
            4.2,
            [
                # reported: left Amirabad 29 Aug, then its transponder went off; at Olya 4 Sep, left 6 Sep
                ("stay", "IRAMD", 78),
                ("dark", 3, 87),
                ("sail", "IRAMD", "RUOYA", 5.5),
                ("stay", "RUOYA", 80),
                ("sail", "RUOYA", "IRAMD", 8.5),
                ("stay", "IRAMD", 40),
                ("sail", "IRAMD", "RUOYA", 8),
                ("stay", "RUOYA", 30),
            ],
            t0,
        ),
        Ship(
            273999302,
            "PORT OLYA-4",
            "",
            70,
            4.0,
            [
                ("stay", "RUMCX", 30),
                ("sail", "RUMCX", "IRAMD", 9),
                ("stay", "IRAMD", 60),
                ("sail", "IRAMD", "RUMCX", 9),
                ("stay", "RUMCX", 36),
            ],
            t0 + timedelta(days=8),
        ),
        Ship(
            273999303,
            "MUSA JALIL",
            "",
            70,
            4.5,
            [
                ("stay", "IRAMD", 48),
                ("sail", "IRAMD", "RUOYA", 7.5),
                ("stay", "RUOYA", 30),
            ],
            t0 + timedelta(days=3),
        ),
        # innocent traffic
        Ship(
            423999401,
            "ABSHERON STAR",
            "",
            60,
            4.8,
            [
                ("stay", "AZBAK", 10),
                ("sail", "AZBAK", "TMKRW", 13),
                ("stay", "TMKRW", 8),
                ("sail", "TMKRW", "AZBAK", 13),
                ("stay", "AZBAK", 10),
                ("sail", "AZBAK", "TMKRW", 13),
                ("stay", "TMKRW", 8),
                ("sail", "TMKRW", "AZBAK", 13),
                ("stay", "AZBAK", 12),
            ],
            t0 + timedelta(days=1),
        ),
        Ship(
            434999402,
            "KARABOGAZ",
            "",
            60,
            4.6,
            [
                ("stay", "TMKRW", 12),
                ("sail", "TMKRW", "AZBAK", 12),
                ("stay", "AZBAK", 9),
                ("sail", "AZBAK", "TMKRW", 12),
                ("stay", "TMKRW", 12),
            ],
            t0 + timedelta(days=4),
        ),
        Ship(
            436999403,
            "AKTAU TRADER",
            "",
            80,
            6.1,
            [
                ("stay", "KZAAU", 20),
                ("sail", "KZAAU", "AZBAK", 11),
                ("stay", "AZBAK", 30),
                ("sail", "AZBAK", "KZAAU", 11),
                ("stay", "KZAAU", 24),
            ],
            t0 + timedelta(days=2),
        ),
        # innocent namesake: same name as a listed ship, but a Kazakh MMSI (listed MARAL is Russian)
        Ship(
            436999404,
            "MARAL",
            "",
            80,
            5.9,
            [
                ("stay", "KZAAU", 16),
                ("sail", "KZAAU", "RUMCX", 10),
                ("stay", "RUMCX", 26),
                ("sail", "RUMCX", "KZAAU", 10),
                ("stay", "KZAAU", 12),
            ],
            t0 + timedelta(days=6),
        ),
    ]


HEADER = """\
# SIMULATED AIS DATA - NOT REAL VESSEL TRACKS.
# vesselscreen demo data set, written by tools/make_demo_data.py (seeded, reproducible).
# Real NMEA 0183 format: !AIVDM types 1 and 5 behind NMEA 4.0 tag blocks (c: = UTC Unix time).
# Invented tracks modelled on the publicly reported August-September 2024 story of Russian
# ships carrying Iranian missiles from Bandar Amirabad (IRAMD) to Olya (RUOYA) and
# Makhachkala (RUMCX), alongside invented innocent traffic (Baku-Turkmenbashi ferries, Aktau
# tankers, and a Kazakh-flagged namesake of a listed ship). MMSIs are invented; no IMO numbers.
"""

WATCHLIST = """\
name,imo,mmsi,call_sign,flag,listed_on,programs,source,remarks
PORT OLYA-3,,,,RU,2024-09-10,,demo,"Named by the US Treasury on 10 Sep 2024 as used to carry Iranian close-range ballistic missiles to Russia. IMO not in our sources: listed by name and flag only."
PORT OLYA-4,,,,RU,,,demo,"Named among the 2024 designations of ships carrying Iranian missiles to Russia across the Caspian. Listing date and IMO not in our sources."
MUSA JALIL,,,,RU,,,demo,"Named among the 2024 designations of ships carrying Iranian missiles to Russia across the Caspian. Listing date and IMO not in our sources."
BEGEY,,,,RU,,,demo,"Named among the 2024 designations of ships carrying Iranian missiles to Russia across the Caspian. Listing date and IMO not in our sources."
MARAL,,,,RU,,,demo,"Named among the 2024 designations of ships carrying Iranian missiles to Russia across the Caspian. Listing date and IMO not in our sources."
"""


def main(out_dir: Path) -> None:
    rng = np.random.default_rng(20240910)
    lines: list[tuple[datetime, str]] = []
    for ship in ships():
        simulate(ship, rng)
        lines.extend(nmea_lines(ship))
    lines.sort(key=lambda item: item[0])  # a receiver log interleaves ships in time order
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "caspian_simulated.nmea").write_text(HEADER + "\n".join(s for _, s in lines) + "\n")
    (out_dir / "caspian_watchlist.csv").write_text(WATCHLIST)
    print(f"{len(lines)} sentences written to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "vesselscreen/data/demo"))
