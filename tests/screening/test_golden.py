"""Findings are pinned: ``to_frame()`` on the demo, the scenario and every AIS fixture equals
the recorded result (``tests/data/golden``), so a refactoring of the engine cannot change what
it reports unnoticed.

The recordings were first made with the engine before the one-pass rewrite (screening
context and rule registry), which reproduced them exactly; they were re-recorded once for
the alert-quality changes (match tiers, both sides of a meeting, overlap with the listing
date, artefacts cleaned before spoofing). A deliberate change of behaviour re-records them
and says why in the CHANGELOG: ``python tests/screening/test_golden.py`` rewrites them.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
GOLDEN = DATA / "golden"
REFERENCE_TIME = datetime(2024, 1, 1, tzinfo=UTC)  # for NMEA logs that carry no time


def _inputs(case: str) -> tuple[pd.DataFrame, vs.Watchlist, dict[str, pd.DataFrame]]:
    if case == "demo":
        return vs.read_ais(vs.demo.ais_path()), vs.load_watchlist(vs.demo.watchlist_path()), {}
    if case == "scenario":
        scenario = DATA / "scenario"
        registry = pd.read_csv(scenario / "registry.csv")
        watchlist = vs.load_watchlist(scenario / "watchlist.csv")
        return vs.read_ais(scenario / "ais.csv"), watchlist, {"registry": registry}
    folder, name = case.split("_", 1)
    path = DATA / "ais" / folder / name
    try:
        ais = vs.read_ais(path)
    except vs.ReferenceTimeError:
        ais = vs.read_ais(path, reference_time=REFERENCE_TIME)
    return ais, vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv"), {}


def _findings(case: str) -> list[dict[str, object]]:
    ais, watchlist, options = _inputs(case)
    frame = vs.screen(ais, watchlist, **options).to_frame()
    text = frame.to_json(orient="records", date_format="iso", date_unit="s")
    records: list[dict[str, object]] = json.loads(text)
    return records


CASES = sorted(path.name.removesuffix(".json") for path in GOLDEN.glob("*.json"))


def test_every_recording_has_its_input() -> None:
    assert {"demo", "scenario"} <= set(CASES)
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_findings_equal_the_recording(case: str) -> None:
    recorded = json.loads((GOLDEN / f"{case}.json").read_text(encoding="utf-8"))
    assert _findings(case) == recorded


if __name__ == "__main__":  # re-record after a deliberate change
    for case in sys.argv[1:] or CASES:
        text = json.dumps(_findings(case), indent=1)
        (GOLDEN / f"{case}.json").write_text(text + "\n", encoding="utf-8")
