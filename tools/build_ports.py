"""Build the bundled port gazetteer ``vesselscreen/data/ports.csv`` (and its SOURCE note).

Run by hand, not by tests or the Makefile::

    .venv/bin/python tools/build_ports.py /work/shared/data/ports

The argument is the folder holding ``nga_wpi_UpdatedPub150.csv``, ``unlocode_ports.csv``
and ``ports_supplement.csv`` (or a parent of it: ``<arg>/ports`` and ``<arg>/data/ports``
are tried too). The script writes ``ports.csv`` and ``ports.SOURCE.txt`` next to the
package's other data, prints what it did, and fails if a port the library relies on is
missing.

Rules (also written into ports.SOURCE.txt):

1. NGA World Port Index rows come first. A WPI port takes its UN/LOCODE as ``port_id``
   (spaces removed) when the code is well formed and either its country prefix is the
   WPI country or UN/LOCODE places that code within 50 km of the WPI position; otherwise
   the port is ``WPI<number>``. A code claimed by several WPI ports goes to the one
   nearest the UN/LOCODE position (the others become ``WPI<number>``). WPI gives the
   position (it marks the harbour; UN/LOCODE often marks the town) and the Harbor Size.
2. UN/LOCODE port rows whose code is not taken by WPI are added; status XX ("to be
   removed") is skipped.
3. Supplement rows (hand-checked positions for ports UN/LOCODE lists without coordinates)
   are added when their code is not already present.
4. Rows are sorted by port_id, but ports at exactly the same position are grouped under
   the preferred one (see `_order`): PortIndex gives exact ties to the first row.
5. ``radius_m`` comes from the harbour size, see `RADIUS_BY_HARBOR_SIZE`.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.geo.distance import haversine_m
from vesselscreen.identifiers import country_to_iso2

WPI_FILE: Final = "nga_wpi_UpdatedPub150.csv"
UNLOCODE_FILE: Final = "unlocode_ports.csv"
SUPPLEMENT_FILE: Final = "ports_supplement.csv"

OUT_COLUMNS: Final = ["port_id", "port_name", "country", "lat", "lon", "radius_m", "harbor_size", "source"]

DEFAULT_RADIUS_M: Final = 3000.0
# GFW counts a vessel as entering a port within 3 km of an anchorage point. A WPI or
# UN/LOCODE port is one point, while the berths and anchorages of a big harbour spread
# over 10-20 km, so larger harbours get a larger circle. Small ports keep 3 km: the
# UN/LOCODE grid is 1 arc-minute (~1.85 km), so a tighter circle would miss berths.
RADIUS_BY_HARBOR_SIZE: Final[Mapping[str, float]] = {
    "Very Small": 3000.0,
    "Small": 3000.0,
    "Medium": 5000.0,
    "Large": 8000.0,
}

# A WPI UN/LOCODE whose country prefix disagrees with the WPI country is still trusted
# when UN/LOCODE puts that code this close to the WPI position.
LOCODE_AGREEMENT_M: Final = 50_000.0

# WPI country names that vesselscreen.identifiers.country_to_iso2 does not know (it is
# built from the ITU MID table, which has no MID for these territories or spells them
# differently). Values are ISO 3166-1 alpha-2.
WPI_COUNTRY_ALIASES: Final[Mapping[str, str]] = {
    "Antarctica": "AQ",
    "British Indian Ocean Territory": "IO",
    "Caribbean Netherlands": "BQ",
    "Congo (Brazzaville)": "CG",
    "Congo (Kinshasa)": "CD",
    "Curacao": "CW",
    "Falkland Islands (Islas Malvinas)": "FK",
    "Federated States of Micronesia": "FM",
    "Guam": "GU",
    "Guernsey": "GG",
    "Isle of Man": "IM",
    "Jersey": "JE",
    "Johnson Atoll": "UM",
    "Macau": "MO",
    "Midway Islands": "UM",
    "Norfolk Island": "NF",
    "Saint Helena, Ascension, and Tristan da Cunha": "SH",
    "Saint Vincent and the Grenadines (Windward Islands)": "VC",
    "Sint Maarten": "SX",
    "South Georgia and South Sandwich Islands": "GS",
    "Svalbard": "SJ",
    "The Bahamas": "BS",
    "The Gambia": "GM",
    "U.S. Virgin Islands": "VI",
    "Wake Island": "UM",
    "Western Sahara": "EH",
}

SOURCE_RANK: Final[Mapping[str, int]] = {"wpi": 0, "supplement": 1, "unlocode": 2}
SIZE_RANK: Final[Mapping[str, int]] = {"Large": 0, "Medium": 1, "Small": 2, "Very Small": 3}
# UN/LOCODE status, firmest first: approved by an authority, recognised, then unverified
STATUS_RANK: Final[Mapping[str, int]] = {
    **dict.fromkeys(("AA", "AC", "AF", "AI", "AS", "AM", "AQ"), 0),
    **dict.fromkeys(("RL", "RN"), 1),
    **dict.fromkeys(("QQ", "RQ", "UR"), 2),
}

# Ports the library's examples and tests rely on; the build fails without them.
REQUIRED_PORTS: Final = (
    "IRAMD",
    "IRBAZ",
    "IRNSH",
    "RUOYA",
    "RUASF",
    "RUMCX",
    "AZBAK",
    "KZAAU",
    "TMKRW",
    "IRBND",
    "SYLTK",
    "SYTTS",
    "SYBAN",
    "KPNAM",
    "VEPBL",
    "RUNVS",
    "UAODS",
)

_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")


def _find_folder(arg: Path) -> Path:
    for candidate in (arg, arg / "ports", arg / "data" / "ports"):
        if (candidate / WPI_FILE).is_file():
            return candidate
    raise SystemExit(f"{WPI_FILE} not found in {arg} (nor in its ports/ or data/ports/)")


def _rows(*columns: pd.Series) -> str:
    """Aligned columns as "a b c; a b c" for the build log."""
    return "; ".join(" ".join(str(v) for v in values) for values in zip(*columns, strict=True))


def _read_csv(path: Path) -> pd.DataFrame:
    # Everything as text, and no NA guessing: "NA" is Namibia's country code.
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _wpi_country(names: pd.Series, log: list[str]) -> pd.Series:
    lookup: dict[str, str | None] = {}
    unmapped: list[str] = []
    for name in names.unique():
        text = name.strip()
        iso2 = country_to_iso2(text) if text else None
        if iso2 is None and text:
            iso2 = WPI_COUNTRY_ALIASES.get(text)
            unmapped.append(name)
        lookup[name] = iso2
    if unmapped:
        log.append(
            f"WPI country names country_to_iso2 cannot map ({len(unmapped)}), mapped by the "
            f"script's alias table: {'; '.join(sorted(n.strip() for n in unmapped))}"
        )
    missing = sorted(n for n in unmapped if lookup[n] is None)
    if missing:
        raise SystemExit(f"WPI country names with no ISO2 code: {missing}")
    return names.map(lookup)


def build_wpi(wpi: pd.DataFrame, unlocode: pd.DataFrame, log: list[str]) -> pd.DataFrame:
    """WPI ports with their port_id, country and position (rule 1)."""
    records = len(wpi)
    dup_number = wpi["World Port Index Number"].duplicated(keep="first")
    if dup_number.any():
        dropped = wpi.loc[dup_number, ["World Port Index Number", "Main Port Name"]]
        log.append(
            f"WPI rows whose port number repeats an earlier row, dropped ({len(dropped)}): "
            + "; ".join(f"{n} {name}" for n, name in dropped.itertuples(index=False))
        )
    wpi = wpi.loc[~dup_number].reset_index(drop=True)

    out = pd.DataFrame(
        {
            "number": wpi["World Port Index Number"].str.strip(),
            "port_name": wpi["Main Port Name"].str.strip(),
            "lat": pd.to_numeric(wpi["Latitude"], errors="raise"),
            "lon": pd.to_numeric(wpi["Longitude"], errors="raise"),
            "harbor_size": wpi["Harbor Size"].str.strip().replace("", pd.NA),
        }
    )
    bad_pos = ~(out["lat"].between(-90, 90) & out["lon"].between(-180, 180))
    if bad_pos.any():
        raise SystemExit(f"WPI ports with out-of-range positions: {out.loc[bad_pos, 'number'].tolist()}")

    raw_code = wpi["UN/LOCODE"].str.strip()
    code = raw_code.str.replace(" ", "", regex=False).str.upper()
    well_formed = code.str.match(_LOCODE.pattern)
    malformed = (code != "") & ~well_formed
    if malformed.any():
        log.append(
            "WPI UN/LOCODEs that are malformed, ignored: "
            + _rows(
                out.loc[malformed, "number"], out.loc[malformed, "port_name"], raw_code[malformed].map(repr)
            )
        )
    code = code.where(well_formed, "")

    country = _wpi_country(wpi["Country Code"], log)
    no_country = country.isna()
    country = country.fillna(code.str[:2].where(code != ""))
    if no_country.any():
        log.append(
            f"WPI ports with an empty country, country taken from their UN/LOCODE: {int(no_country.sum())}"
        )

    # Does UN/LOCODE place the WPI code near the WPI position?
    ul = unlocode.set_index("locode")
    ul_lat = code.map(ul["lat"].astype(float))
    ul_lon = code.map(ul["lon"].astype(float))
    dist_ul = pd.Series(haversine_m(out["lat"], out["lon"], ul_lat, ul_lon), index=out.index)
    out["dist_unlocode_m"] = dist_ul
    prefix_ok = code.str[:2] == country
    near_ok = dist_ul <= LOCODE_AGREEMENT_M
    rejected = (code != "") & ~prefix_ok & ~near_ok
    kept_by_position = (code != "") & ~prefix_ok & near_ok
    if rejected.any():
        log.append(
            "WPI UN/LOCODEs whose country prefix is not the WPI country and that UN/LOCODE does not "
            "place within 50 km, ignored: "
            + _rows(
                out.loc[rejected, "number"],
                out.loc[rejected, "port_name"],
                "(" + country[rejected] + ")",
                code[rejected],
            )
        )
    if kept_by_position.any():
        log.append(
            "WPI UN/LOCODEs with another country's prefix kept because UN/LOCODE places them within "
            "50 km (country taken from the code): "
            + _rows(
                out.loc[kept_by_position, "number"],
                out.loc[kept_by_position, "port_name"],
                code[kept_by_position],
            )
        )
        country = country.where(~kept_by_position, code.str[:2])
    code = code.where(~rejected, "")
    out["country"] = country

    # One WPI port per code: the one nearest the UN/LOCODE point, else the first in the file.
    out["code"] = code
    has_code = out["code"] != ""
    ranked = out.loc[has_code].assign(order=np.arange(int(has_code.sum())))
    ranked = ranked.sort_values(["code", "dist_unlocode_m", "order"], na_position="last")
    losers = ranked.index[ranked["code"].duplicated(keep="first")]
    if len(losers):
        log.append(
            f"WPI ports sharing a UN/LOCODE with a port nearer the UN/LOCODE point, given WPI ids "
            f"({len(losers)}): "
            + "; ".join(
                f"{out.at[i, 'number']} {out.at[i, 'port_name']} ({out.at[i, 'code']})" for i in losers
            )
        )
    out.loc[losers, "code"] = ""

    out["port_id"] = np.where(out["code"] != "", out["code"], "WPI" + out["number"])
    out["radius_m"] = out["harbor_size"].map(RADIUS_BY_HARBOR_SIZE).fillna(DEFAULT_RADIUS_M)
    out["source"] = "wpi"
    dist_km = out["dist_unlocode_m"].where(out["code"] != "") / 1000.0
    worst = out.assign(km=dist_km.round()).nlargest(5, "km")
    log.append(
        f"WPI: {records} rows, {len(out)} ports, {int((out['code'] != '').sum())} with a UN/LOCODE, "
        f"{int(dist_km.notna().sum())} of them also in unlocode_ports.csv; WPI and UN/LOCODE positions "
        f"differ by > 25 km for {int((dist_km > 25).sum())} and > 100 km for {int((dist_km > 100).sum())} "
        "(WPI position kept); largest: "
        + _rows(worst["port_id"], worst["port_name"], worst["km"].astype(int).astype(str) + " km")
    )
    return out[OUT_COLUMNS]


MISCODED_WITHIN_M: Final = 5_000.0


def _miscoded(unlocode: pd.DataFrame, wpi_ports: pd.DataFrame) -> pd.Series:
    """UN/LOCODE rows that sit on a WPI port of the same name in another country.

    Such a row is the same port filed under a wrong country code (e.g. SYBEN "Banghazi",
    a Syrian code on the Libyan port LYBEN): kept, it would put a Libyan port in Syria.
    """
    from vesselscreen.geo.distance import haversine_m  # the build runs from a checkout

    wpi = wpi_ports[["port_name", "country", "lat", "lon"]]
    pairs = unlocode.reset_index().merge(wpi, left_on="name", right_on="port_name", suffixes=("", "_wpi"))
    lat, lon = pairs["lat"].astype(float), pairs["lon"].astype(float)
    near = haversine_m(lat, lon, pairs["lat_wpi"], pairs["lon_wpi"])
    bad = pairs.loc[(near <= MISCODED_WITHIN_M) & (pairs["country"] != pairs["country_wpi"]), "index"]
    return unlocode.index.isin(bad)


def build_unlocode(
    unlocode: pd.DataFrame, taken: set[str], log: list[str], wpi_ports: pd.DataFrame | None = None
) -> pd.DataFrame:
    """UN/LOCODE ports not already given by WPI (rule 2), less mis-coded duplicates of WPI ports."""
    status_xx = unlocode["status"] == "XX"
    in_wpi = unlocode["locode"].isin(taken)
    miscoded = (
        _miscoded(unlocode, wpi_ports) if wpi_ports is not None else pd.Series(False, index=unlocode.index)
    )
    rows = unlocode.loc[~status_xx & ~in_wpi & ~miscoded]
    log.append(
        f"UN/LOCODE: {len(unlocode)} rows; {int(in_wpi.sum())} already given by WPI; "
        f"{int((status_xx & ~in_wpi).sum())} of status XX skipped; "
        f"{int((miscoded & ~in_wpi & ~status_xx).sum())} skipped as a WPI port of the same name and "
        f"position filed under another country "
        f"({', '.join(unlocode.loc[miscoded & ~in_wpi & ~status_xx, 'locode'])}); {len(rows)} added"
    )
    return pd.DataFrame(
        {
            "port_id": rows["locode"],
            "port_name": rows["name"],
            "country": rows["country"],
            "lat": rows["lat"].astype(float),
            "lon": rows["lon"].astype(float),
            "radius_m": DEFAULT_RADIUS_M,
            "harbor_size": pd.NA,
            "source": "unlocode",
            # preference among ports at the same point: more functions, then a firmer status
            "_functions": rows["function"].str.count("[^-]"),
            "_status": rows["status"].map(STATUS_RANK).fillna(len(set(STATUS_RANK.values()))),
        }
    )


def build_supplement(supplement: pd.DataFrame, taken: set[str], log: list[str]) -> pd.DataFrame:
    """Supplement rows not already present (rule 3)."""
    present = supplement["locode"].isin(taken)
    if present.any():
        log.append(f"supplement rows already present, skipped: {supplement.loc[present, 'locode'].tolist()}")
    rows = supplement.loc[~present]
    log.append(f"supplement: {len(supplement)} rows, {len(rows)} added ({', '.join(rows['locode'])})")
    return pd.DataFrame(
        {
            "port_id": rows["locode"],
            "port_name": rows["name"],
            "country": rows["country"],
            "lat": rows["lat"].astype(float),
            "lon": rows["lon"].astype(float),
            "radius_m": DEFAULT_RADIUS_M,
            "harbor_size": pd.NA,
            "source": "supplement",
        }
    )


def _order(ports: pd.DataFrame, log: list[str]) -> pd.DataFrame:
    """Rows by port_id, except that ports at the very same point follow the preferred one.

    vesselscreen.geo.PortIndex gives an exact distance tie to the row listed first, so the
    order decides which code a port call at such a point reports: WPI (larger harbour
    first), then supplement, then UN/LOCODE with more functions, then a firmer status,
    then the code.
    """
    pref = ports.assign(
        _source=ports["source"].map(SOURCE_RANK),
        _size=ports["harbor_size"].map(SIZE_RANK).fillna(len(SIZE_RANK)),
        _functions=-ports["_functions"].fillna(0),
        _status=ports["_status"].fillna(0),
    ).sort_values(["_source", "_size", "_functions", "_status", "port_id"], kind="mergesort")
    pref["_rank"] = np.arange(len(pref))
    point = pref.groupby(["lat", "lon"], sort=False)
    pref["_leader"] = point["port_id"].transform("first")
    shared = pref["_leader"].duplicated(keep=False)
    examples = pref[shared & (pref["port_id"] != pref["_leader"])].head(8)
    log.append(
        f"ports sharing their exact position with another port: {int(shared.sum())} in "
        f"{pref.loc[shared, '_leader'].nunique()} places; each group is listed under its preferred "
        "port (e.g. " + _rows(examples["port_id"], "after " + examples["_leader"]).replace(";", ",") + ")"
    )
    return pref.sort_values(["_leader", "_rank"], kind="mergesort").reset_index(drop=True)


def build(folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """The gazetteer frame and the build log, from the three source files in ``folder``."""
    log: list[str] = []
    wpi = _read_csv(folder / WPI_FILE)
    unlocode = _read_csv(folder / UNLOCODE_FILE)
    supplement = _read_csv(folder / SUPPLEMENT_FILE)

    ports_wpi = build_wpi(wpi, unlocode, log)
    taken = set(ports_wpi["port_id"])
    ports_ul = build_unlocode(unlocode, taken, log, ports_wpi)
    taken |= set(ports_ul["port_id"])
    ports_sup = build_supplement(supplement, taken, log)

    ports = pd.concat([ports_wpi, ports_ul, ports_sup], ignore_index=True)
    ports["lat"] = ports["lat"].round(5)
    ports["lon"] = ports["lon"].round(5)
    ports = _order(ports, log)[OUT_COLUMNS]

    if ports["port_id"].duplicated().any():
        raise SystemExit(
            f"duplicate port ids: {ports.loc[ports['port_id'].duplicated(), 'port_id'].tolist()}"
        )
    missing = sorted(set(REQUIRED_PORTS) - set(ports["port_id"]))
    if missing:
        raise SystemExit(f"required ports missing: {missing}")
    if ports["country"].isna().any() or (ports["country"].str.len() != 2).any():
        raise SystemExit("ports without a 2-letter country")
    return ports, log


def _counts(ports: pd.DataFrame) -> list[str]:
    by_source = ports["source"].value_counts()
    by_size = ports["harbor_size"].fillna("(none)").value_counts()
    sizes = ports["radius_m"].value_counts().sort_index()
    countries = ("IR", "RU", "SY", "KP", "VE", "CU")
    return [
        f"Rows: {len(ports)} ports in {ports['country'].nunique()} countries/territories.",
        "By source: " + ", ".join(f"{k} {by_source.get(k, 0)}" for k in ("wpi", "unlocode", "supplement")),
        "By harbor_size: " + ", ".join(f"{k} {v}" for k, v in by_size.items()),
        "By radius_m: " + ", ".join(f"{int(k)} m {v}" for k, v in sizes.items()),
        "WPI ports without a UN/LOCODE (port_id WPI<number>): "
        + str(int(ports["port_id"].str.startswith("WPI").sum())),
        "Selected countries: " + ", ".join(f"{c} {int((ports['country'] == c).sum())}" for c in countries),
    ]


SOURCE_TEMPLATE: Final = """\
ports.csv: the bundled port gazetteer (built by tools/build_ports.py; do not edit by hand)
=========================================================================================

Header: {header}
UTF-8, LF, sorted by port_id (see rule 4). lat/lon WGS84 degrees, 5 decimals. harbor_size is WPI's
(Very Small, Small, Medium, Large), empty for ports not in WPI.
port_id = UN/LOCODE without the space (e.g. IRAMD); WPI ports with no usable UN/LOCODE are
"WPI<World Port Index Number>" (e.g. WPI49460).

{counts}

Sources and attribution
-----------------------
- NGA World Port Index (Pub 150), file nga_wpi_UpdatedPub150.csv (3,768 ports, 107 columns).
  National Geospatial-Intelligence Agency, https://msi.nga.mil/Publications/WPI.
  US Government work, public domain. Columns used: World Port Index Number, Main Port Name,
  UN/LOCODE, Country Code (a country name), Harbor Size, Latitude, Longitude.
  WPI has no Caspian Sea ports.
- UN/LOCODE (UNECE, https://unece.org/trade/uncefact/unlocode), file unlocode_ports.csv: the
  locations whose function has position 1 = port and that have coordinates, editions 2024-2
  (countries GA..ZW) and 2024-1 (AD..FR), some coordinates geocoded from OpenStreetMap via
  geoapify/un-locode (MIT) and kept only where an independent Nominatim lookup agreed within
  25 km. UN/LOCODE is UNECE data, free to use; the geocoded points derive from OpenStreetMap
  (ODbL 1.0). Columns used: locode, country, name, lat, lon, status.
- ports_supplement.csv: ports that UN/LOCODE lists without coordinates, each with a position
  and the source of that position:
{supplement}

Build rules
-----------
1. WPI ports first. A WPI port takes its UN/LOCODE (spaces removed) as port_id when the code is
   well formed and either its country prefix is the WPI country or UN/LOCODE places that code
   within 50 km of the WPI position; otherwise its port_id is WPI<number>. When several WPI ports
   claim one code, the one nearest the UN/LOCODE point keeps it. A WPI port keeps the WPI
   position (it marks the harbour; the UN/LOCODE point often marks the town, on a 1-arc-minute
   grid) and WPI's Harbor Size. WPI country names become ISO2 with
   vesselscreen.identifiers.country_to_iso2, and tools/build_ports.py's alias table for names it
   does not know; an empty WPI country is taken from the UN/LOCODE prefix.
2. UN/LOCODE port rows whose code WPI does not already give are added (source "unlocode"),
   except status XX (marked for removal).
3. Supplement rows are added when their code is not already present (source "supplement").
4. Rows are sorted by port_id, except that ports at exactly the same position (UN/LOCODE's
   1-arc-minute grid puts neighbouring places, and old and new names such as TMKRA
   Krasnovodsk / TMKRW Turkmenbashi, on one point) are listed together under the preferred
   one: WPI before supplement before UN/LOCODE, a larger WPI harbour first, then more
   UN/LOCODE functions, then a firmer UN/LOCODE status (approved > recognised > unverified).
   vesselscreen.geo.PortIndex resolves an exact distance tie in favour of the row listed
   first, so this order decides which code a port call at such a point reports.
5. radius_m (the port's entry distance for port-call detection) by WPI Harbor Size:
   Very Small and Small 3,000 m; Medium 5,000 m; Large 8,000 m; ports without a size
   (UN/LOCODE, supplement, or WPI with an empty size) 3,000 m.
   Why: Global Fishing Watch counts a port entry within 3 km of one of its anchorage points
   and an exit beyond 4 km. A gazetteer port is a single point, while the berths and
   anchorages of a big harbour spread over 10-20 km, so Medium and Large harbours get a
   wider circle. No port gets less than 3 km: UN/LOCODE positions are on a 1-arc-minute
   (~1.85 km) grid and often mark the town, not the berths.

Build log
---------
{log}
"""


def write(ports: pd.DataFrame, log: list[str], supplement: pd.DataFrame, out_dir: Path) -> None:
    """Write ports.csv and ports.SOURCE.txt into ``out_dir``."""
    frame = ports.copy()
    frame["radius_m"] = frame["radius_m"].astype(int)
    frame.to_csv(
        out_dir / "ports.csv",
        index=False,
        float_format="%.5f",
        lineterminator="\n",
        quoting=csv.QUOTE_MINIMAL,
        na_rep="",
    )
    supplement_lines = "\n".join(
        f"    {row.locode} {row.name}: {row.source}" for row in supplement.itertuples(index=False)
    )
    text = SOURCE_TEMPLATE.format(
        header=",".join(OUT_COLUMNS),
        counts="\n".join(_counts(ports)),
        supplement=supplement_lines,
        log="\n".join(f"- {line}" for line in log),
    )
    (out_dir / "ports.SOURCE.txt").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="folder with the WPI, UN/LOCODE and supplement CSVs")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "vesselscreen" / "data",
        help="output folder (default: the package's data folder)",
    )
    args = parser.parse_args(argv)
    folder = _find_folder(args.folder)
    ports, log = build(folder)
    write(ports, log, _read_csv(folder / SUPPLEMENT_FILE), args.out)
    for line in [*log, *_counts(ports)]:
        print(line)
    print(f"wrote {args.out / 'ports.csv'} ({(args.out / 'ports.csv').stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
