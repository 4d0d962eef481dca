"""Write the screening scenario: SIMULATED AIS with known ground truth (run by hand; output committed).

    python tools/make_scenario.py tests/data/scenario

Every ship, identifier and track here is invented for testing, except the two real OFAC
facts it screens against (ARTAVIL's IMO 9187629 and KOREA SAMJONG SHIPPING CO's IMO
company number 5954061, both on the real SDN sample in tests/data/lists/ofac). Invented
IMO numbers are 9000003, 9000015, ... : check-digit valid, and labelled synthetic.

Files: ais.csv (MarineCadastre 2023 layout), watchlist.csv (custom watchlist CSV),
registry.csv (ownership table), truth.csv (the findings a correct screening makes).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

STEP = pd.Timedelta(minutes=10)
T0 = pd.Timestamp("2024-03-01")
KM_PER_NM = 1.852

PORTS = {  # positions of the bundled gazetteer
    "IRBND": (27.15, 56.20), "AEFJR": (25.11667, 56.33333), "OMSOH": (24.51667, 56.63333),
    "AEKLF": (25.36278, 56.36889), "AEJEA": (25.01667, 55.05), "SYLTK": (35.51667, 35.78333),
}  # fmt: skip


@dataclass(frozen=True)
class Ship:
    mmsi: int
    name: str
    imo: int | None = None
    call_sign: str = ""
    vessel_type: int = 70
    draft: float = 8.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = np.radians([a[0], a[1], b[0], b[1]])
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0088 * np.arcsin(np.sqrt(h)))


def track(
    ship: Ship, start: pd.Timestamp, plan: list[tuple[str, object]], rng: np.random.Generator
) -> pd.DataFrame:
    """Positions every 10 minutes along a plan of ("at", place, hours) stays and ("to", place,
    knots) legs; a place is a port id or (lat, lon)."""
    rows: list[tuple[pd.Timestamp, float, float, float]] = []
    t, here = start, None
    for step, *args in plan:
        if step == "at":
            here = args[0] if isinstance(args[0], tuple) else PORTS[str(args[0])]
            for _ in range(int(float(args[1]) * 6)):
                rows.append((t, here[0] + rng.normal(0, 0.0002), here[1] + rng.normal(0, 0.0002), 0.0))
                t += STEP
        else:
            dest = args[0] if isinstance(args[0], tuple) else PORTS[str(args[0])]
            assert here is not None
            knots = float(args[1])
            n = max(1, round(_km(here, dest) / (knots * KM_PER_NM / 6)))
            for f in np.arange(n) / n:
                rows.append((t, here[0] + (dest[0] - here[0]) * f, here[1] + (dest[1] - here[1]) * f, knots))
                t += STEP
            here = dest
    frame = pd.DataFrame(rows, columns=["BaseDateTime", "LAT", "LON", "SOG"])
    return frame.assign(MMSI=ship.mmsi, VesselName=ship.name, IMO=f"IMO{ship.imo}" if ship.imo else "",
                        CallSign=ship.call_sign, VesselType=ship.vessel_type, Draft=ship.draft)  # fmt: skip


def drop_dark(frame: pd.DataFrame, start: str, hours: float) -> pd.DataFrame:
    t0 = pd.Timestamp(start)
    return frame[~frame["BaseDateTime"].between(t0, t0 + pd.Timedelta(hours=hours), inclusive="left")]


def scenario(rng: np.random.Generator) -> tuple[pd.DataFrame, list[tuple[str, int, str]]]:
    sea_a, sea_b, meet = (25.4, 56.7), (24.9, 57.3), (25.6, 57.2)
    gulf_of_oman, hormuz = (24.8, 58.0), (26.5, 56.6)
    tracks = []
    truth: list[tuple[str, int, str]] = []  # (kind, mmsi, detail: port id, counterpart, or "")

    # A: listed by IMO (real ARTAVIL IMO), Marshall Islands MMSI; Iran then Fujairah
    a = Ship(538100001, "ARTAVIL", 9187629)
    tracks.append(track(a, T0, [("at", sea_a, 1), ("to", (26.6, 56.5), 11), ("to", "IRBND", 10), ("at", "IRBND", 24),
                                ("to", (26.6, 56.5), 10), ("to", "AEFJR", 11), ("at", "AEFJR", 20), ("to", sea_a, 11)],
                     rng))  # fmt: skip
    truth += [("designated_vessel", a.mmsi, ""), ("port_call", a.mmsi, "IRBND"), ("port_call", a.mmsi, "AEFJR"),
              ("sanctioned_port_call", a.mmsi, "IRBND"), ("voyage", a.mmsi, "AEFJR")]  # fmt: skip

    # B: listed by MMSI only, broadcasting another name, at sea
    b = Ship(273100002, "RIVER STAR")
    tracks.append(track(b, T0, [("at", sea_b, 2), ("to", gulf_of_oman, 9), ("to", sea_b, 9)], rng))
    truth.append(("designated_vessel", b.mmsi, ""))

    # C: listed by name and flag only (RU); a call at Sohar
    c = Ship(273100003, "CASPIAN HAWK")
    tracks.append(
        track(c, T0, [("at", sea_b, 1), ("to", "OMSOH", 10), ("at", "OMSOH", 18), ("to", sea_b, 10)], rng)
    )
    truth += [("designated_vessel", c.mmsi, ""), ("port_call", c.mmsi, "OMSOH")]

    # D: listed by (synthetic) IMO; re-flagged from Panama to Cameroon with a new name and MMSI
    d1, d2 = Ship(352100004, "OCEAN GLORY", 9000003), Ship(613100004, "GLORY OCEAN", 9000003)
    tracks.append(track(d1, T0, [("at", sea_a, 1), ("to", gulf_of_oman, 10)], rng))
    tracks.append(track(d2, T0 + pd.Timedelta(days=4), [("at", gulf_of_oman, 1), ("to", sea_b, 10)], rng))
    truth += [("designated_vessel", d1.mmsi, ""), ("designated_vessel", d2.mmsi, ""),
              ("identity_change", d2.mmsi, "")]  # fmt: skip

    # E: listed, goes dark 14 h at sea, then meets F side by side for 3 h
    e, f = Ship(636100005, "DARK STAR", 9000015), Ship(370100006, "BLUE WHALE", 9000027)
    e_track = track(e, T0, [("at", gulf_of_oman, 1), ("to", (25.0, 57.8), 8), ("to", (25.55, 57.25), 4),
                            ("to", meet, 1), ("at", meet, 3), ("to", gulf_of_oman, 10)], rng)  # fmt: skip
    dark_from = e_track["BaseDateTime"].iloc[0] + pd.Timedelta(hours=2)
    tracks.append(drop_dark(e_track, str(dark_from), 14))
    meet_start = e_track.loc[e_track["SOG"].eq(0.0) & (e_track["LAT"] > 25.5), "BaseDateTime"].min()
    f_track = track(f, T0, [("at", sea_b, 1), ("to", (25.6, 57.1), 6), ("at", (25.6, 57.1), 20)], rng)
    f_track = f_track[f_track["BaseDateTime"] < meet_start - pd.Timedelta(minutes=30)]
    f_meet = track(f, meet_start - pd.Timedelta(minutes=30), [("at", (25.6, 57.1), 0.5), ("to", (25.6015, 57.2), 10),
                                                               ("at", (25.6015, 57.2), 3), ("to", sea_b, 10)], rng)  # fmt: skip
    tracks += [f_track, f_meet]
    truth += [
        ("designated_vessel", e.mmsi, ""),
        ("dark_gap", e.mmsi, ""),
        ("sts_encounter", e.mmsi, str(f.mmsi)),
        # the counterpart, not listed, gets its own finding: it met a listed vessel
        ("sts_encounter", f.mmsi, str(e.mmsi)),
        # waiting for the meeting, slow for hours far from port: loitering of a listed vessel
        ("loitering", e.mmsi, ""),
    ]

    # G: calls at Khor Fakkan (in port when it is listed on 10 Mar) and at Jebel Ali after it
    g = Ship(538100007, "LATE LISTED", 9000039)
    tracks.append(track(g, T0 + pd.Timedelta(days=6), [
        ("at", sea_a, 1), ("to", "AEKLF", 10), ("at", "AEKLF", 72), ("to", (25.6, 56.6), 10), ("to", (26.6, 56.5), 10),
        ("to", (26.3, 55.8), 10), ("to", (25.3, 55.0), 10), ("to", "AEJEA", 8), ("at", "AEJEA", 30),
        ("to", (25.3, 54.8), 10)], rng))  # fmt: skip
    truth += [("designated_vessel", g.mmsi, ""), ("port_call", g.mmsi, "AEKLF"), ("port_call", g.mmsi, "AEJEA"),
              ("voyage", g.mmsi, "AEJEA")]  # fmt: skip

    # H: innocent namesakes: ARTAVIL under another IMO and flag, CASPIAN HAWK under Kazakhstan, CASPIAN HAWK II
    for ship in (Ship(636100008, "ARTAVIL", 9000041), Ship(436100009, "CASPIAN HAWK"),
                 Ship(273100010, "CASPIAN HAWK II")):  # fmt: skip
        tracks.append(track(ship, T0, [("at", sea_b, 1), ("to", gulf_of_oman, 9), ("to", sea_b, 9)], rng))

    # I: one MMSI reported in two places at once (two transmitters 230 km apart)
    ghost = Ship(352100011, "GHOST")
    one = track(ghost, T0, [("at", (25.5, 57.0), 8)], rng)
    two = track(ghost, T0 + STEP / 2, [("at", (24.0, 58.5), 8)], rng)
    tracks += [one, two]
    truth.append(("spoofing", ghost.mmsi, ""))

    # J: an unlisted ship operated by a listed company (KOREA SAMJONG SHIPPING CO, real SDN entity)
    j = Ship(352100012, "SAMJONG TRADER", 9000053)
    tracks.append(track(j, T0, [("at", sea_a, 1), ("to", gulf_of_oman, 10)], rng))
    truth.append(("owner_designated", j.mmsi, ""))

    # K: an unlisted ship calling at Latakia (Syria, sanctioned until 1 July 2025)
    k = Ship(256100013, "MED TRADER", 9000065)
    tracks.append(track(k, T0, [("at", (35.2, 35.3), 1), ("to", "SYLTK", 10), ("at", "SYLTK", 20),
                                ("to", (35.2, 35.3), 10)], rng))  # fmt: skip
    truth.append(("sanctioned_port_call", k.mmsi, "SYLTK"))

    # L: an unlisted ship dark for 14 h inside the configured risk area (Strait of Hormuz)
    ell = Ship(477100014, "HARBOUR LIGHT", 9000077)
    l_track = track(ell, T0, [("at", hormuz, 1), ("to", (26.2, 56.9), 3), ("to", hormuz, 3), ("to", (26.2, 56.9), 3)],
                    rng)  # fmt: skip
    tracks.append(drop_dark(l_track, str(T0 + pd.Timedelta(hours=6)), 14))
    truth.append(("dark_gap", ell.mmsi, ""))

    # M: an unlisted ship that changes its name
    m1, m2 = Ship(538100015, "SUNRISE", 9000089), Ship(538100015, "SUNSET", 9000089)
    tracks.append(track(m1, T0, [("at", sea_a, 1), ("to", gulf_of_oman, 10)], rng))
    tracks.append(track(m2, T0 + pd.Timedelta(days=3), [("at", gulf_of_oman, 1), ("to", sea_a, 10)], rng))
    truth.append(("identity_change", m1.mmsi, ""))

    # N: a listed MMSI broadcasting an IMO other than the listed one
    n = Ship(352100016, "TWIN", 9000091)
    tracks.append(track(n, T0, [("at", sea_b, 1), ("to", gulf_of_oman, 9)], rng))
    truth += [("designated_vessel", n.mmsi, ""), ("identity_conflict", n.mmsi, "")]

    # O: one call before its listing date (5 Mar), one in progress on that day, one after
    o = Ship(538100017, "SPAN CALLER", 9000118)
    tracks.append(track(o, T0, [
        ("at", sea_a, 1), ("to", "AEFJR", 6), ("at", "AEFJR", 40), ("to", "AEKLF", 4), ("at", "AEKLF", 60),
        ("to", (25.6, 56.6), 4), ("to", (26.3, 55.8), 8), ("to", (25.3, 55.0), 8), ("to", "AEJEA", 6),
        ("at", "AEJEA", 30), ("to", (25.3, 54.8), 10)], rng))  # fmt: skip
    truth += [("designated_vessel", o.mmsi, ""), ("port_call", o.mmsi, "AEFJR"), ("port_call", o.mmsi, "AEKLF"),
              ("port_call", o.mmsi, "AEJEA"), ("voyage", o.mmsi, "AEKLF"), ("voyage", o.mmsi, "AEJEA")]  # fmt: skip

    ais = pd.concat(tracks, ignore_index=True)
    return ais, truth


WATCHLIST = """\
name,imo,mmsi,call_sign,flag,listed_on,programs,source,remarks
RIVER STAR LISTED,,273100002,,RU,2024-01-15,SCENARIO,scenario,"synthetic: listed by MMSI only"
CASPIAN HAWK,,,,RU,2024-01-15,SCENARIO,scenario,"synthetic: listed by name and flag only"
OCEAN GLORY,IMO 9000003,,,PA,2024-01-15,SCENARIO,scenario,"synthetic IMO; re-flagged to Cameroon in the scenario"
DARK STAR,IMO 9000015,,,LR,2024-01-15,SCENARIO,scenario,"synthetic IMO; goes dark and meets BLUE WHALE"
LATE LISTED,IMO 9000039,,,MH,2024-03-10,SCENARIO,scenario,"synthetic IMO; calls before and after its listing date"
TWIN,IMO 9000106,352100016,,PA,2024-01-15,SCENARIO,scenario,"synthetic; its MMSI broadcasts another IMO"
SPAN CALLER,IMO 9000118,,,MH,2024-03-05,SCENARIO,scenario,"synthetic IMO; in port at Khor Fakkan on its listing day"
"""

REGISTRY = """\
imo,registered_owner,registered_owner_imo,operator,operator_imo,manager,manager_imo
9000053,SAMJONG TRADER SHIPPING INC,,KOREA SAMJONG SHIPPING CO,5954061,,
9000027,BLUE WHALE MARITIME LTD,,BLUE WHALE MARITIME LTD,,,
"""


def write(out: Path) -> None:
    rng = np.random.default_rng(20240301)
    ais, truth = scenario(rng)
    ais = ais.sort_values(["BaseDateTime", "MMSI"], kind="stable")
    ais["BaseDateTime"] = ais["BaseDateTime"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    ais["LAT"], ais["LON"] = ais["LAT"].round(5), ais["LON"].round(5)
    ais["COG"], ais["Heading"], ais["Status"] = 0.0, 511.0, 0.0
    ais["Length"], ais["Width"], ais["Cargo"], ais["TransceiverClass"] = 180.0, 30.0, 70.0, "A"
    columns = ["MMSI", "BaseDateTime", "LAT", "LON", "SOG", "COG", "Heading", "VesselName", "IMO", "CallSign",
               "VesselType", "Status", "Length", "Width", "Draft", "Cargo", "TransceiverClass"]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    ais[columns].to_csv(out / "ais.csv", index=False)
    (out / "watchlist.csv").write_text(WATCHLIST)
    (out / "registry.csv").write_text(REGISTRY)
    pd.DataFrame(truth, columns=["kind", "mmsi", "detail"]).to_csv(out / "truth.csv", index=False)
    print(f"{len(ais)} AIS rows, {len(truth)} true findings written to {out}")


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/scenario"))
