"""The bundled demo: a SIMULATED Caspian AIS log screened against a small watchlist.

The watchlist names the Russia-flagged ships of the 2024 designations for carrying
Iranian missiles across the Caspian Sea (PORT OLYA-3, PORT OLYA-4, MUSA JALIL, BEGEY,
MARAL) by name and flag only: their IMO numbers are not in our sources and are not
invented. The AIS log is simulated (see ``data/demo/README.md``).

>>> ais_path().name, watchlist_path().name
('caspian_simulated.nmea', 'caspian_watchlist.csv')
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import TextIO

__all__ = ["ais_path", "run", "watchlist_path"]


def _data(name: str) -> Path:
    return Path(str(resources.files("vesselscreen.data").joinpath("demo", name)))


def ais_path() -> Path:
    """Path of the simulated Caspian AIS log (NMEA 0183 with tag-block times)."""
    return _data("caspian_simulated.nmea")


def watchlist_path() -> Path:
    """Path of the demo watchlist (custom watchlist CSV format)."""
    return _data("caspian_watchlist.csv")


def run(out: TextIO | None = None, *, report: str | os.PathLike[str] | None = None) -> int:
    """Screen the demo data and print each flagged ship's story (to ``out``, default stdout).

    With ``report``, also write the HTML audit report there and print its path.
    Returns the number of findings.
    """
    out = out or sys.stdout
    from vesselscreen.ais import read_ais
    from vesselscreen.ingest import ingest_report
    from vesselscreen.lists import load_watchlist
    from vesselscreen.screening import screen

    watchlist = load_watchlist(watchlist_path())
    ais = read_ais(ais_path())
    result = screen(ais, watchlist)
    ingest = ingest_report(ais)
    print("vesselscreen demo: SIMULATED Caspian AIS (Aug-Sep 2024) against the demo watchlist", file=out)
    print(
        f"  list: {len(watchlist)} vessels listed by name and flag (snapshot {watchlist.snapshot.id})",
        file=out,
    )
    if ingest is not None:
        print(f"  AIS:  {ingest.summary()}", file=out)
    print(
        f"  {len(ais)} positions of {ais['mmsi'].nunique()} vessels; "
        f"{len(result.port_calls)} port calls detected in all traffic\n",
        file=out,
    )
    print(result.text(group_by="vessel"), file=out)
    flagged = [f"{r.vessel_name} (risk {r.risk:g})" for r in result.risk.itertuples()]
    print(f"\n{len(result.findings)} findings, about: {', '.join(flagged) or 'nobody'}", file=out)
    matched = set(result.matches["mmsi"])
    cleared = result.identities[~result.identities["mmsi"].isin(matched)].dropna(subset=["name"])
    cleared = cleared.drop_duplicates("mmsi")
    names = [f"{r.name} ({r.mmsi}, {r.flag})" for r in cleared.itertuples()]
    print(f"screened, no match: {', '.join(names)}", file=out)
    if report is not None:
        path = Path(report)
        path.parent.mkdir(parents=True, exist_ok=True)
        result.to_html(path)
        print(f"\nHTML report (open it in a browser): {path.resolve()}", file=out)
    return len(result.findings)
