"""The Caspian story: listed Russian ships carrying Iranian missiles, found in (simulated) AIS.

Run:  .venv/bin/python examples/caspian_screening.py

The AIS log is SIMULATED (see vesselscreen/data/demo/README.md); the watchlist names the
ships of the 2024 designations by name and flag only, because their IMO numbers are not in
our sources.
"""

from __future__ import annotations

import vesselscreen as vs


def main() -> None:
    watchlist = vs.load_watchlist(vs.demo.watchlist_path())
    ais = vs.read_ais(vs.demo.ais_path())
    print(f"{len(watchlist)} listed vessels; {len(ais)} AIS positions of {ais['mmsi'].nunique()} vessels")

    result = vs.screen(ais, watchlist)
    print(vs.findings_table(result.findings, explain=False))

    # Where did listed ships call, and were they already designated on the day?
    calls = result.to_frame().query("kind == 'port_call'")
    print("\nPort calls of listed ships:")
    for row in calls.itertuples():
        print(f"  {row.vessel_name:<12} {row.port_id}  {row.start:%d %b %Y} -> {row.end:%d %b %Y}  "
              f"{row.designation_status}")  # fmt: skip

    # The innocent Kazakh MARAL shares a name with a listed ship, but not its flag.
    maral = result.identities.query("name == 'MARAL'")
    print(f"\nMARAL seen in AIS with flag {maral['flag'].iloc[0]} (MMSI {maral['mmsi'].iloc[0]}): "
          f"{'matched' if maral['mmsi'].isin(result.matches['mmsi']).any() else 'not matched'}")  # fmt: skip


if __name__ == "__main__":
    main()
