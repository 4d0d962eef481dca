"""The scenario with known ground truth: every finding kind, no false positive, no miss."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen.screening.evaluation import evaluate

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIO = DATA / "scenario"
HORMUZ = vs.RiskArea(
    name="Strait of Hormuz", polygon=((55.8, 25.8), (57.2, 25.8), (57.2, 27.0), (55.8, 27.0))
)


@pytest.fixture(scope="module")
def result() -> vs.ScreeningResult:
    watchlist = vs.Watchlist.concat(
        [
            vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv"),
            vs.load_watchlist(SCENARIO / "watchlist.csv"),
        ]
    )
    return vs.screen(
        vs.read_ais(SCENARIO / "ais.csv"),
        watchlist,
        registry=pd.read_csv(SCENARIO / "registry.csv"),
        config=vs.ScreeningConfig(risk_areas=(HORMUZ,)),
    )


def test_every_kind_with_no_false_positive_and_no_miss(result: vs.ScreeningResult) -> None:
    table = evaluate(result.findings, pd.read_csv(SCENARIO / "truth.csv"))
    print("\n" + table[["kind", "tp", "fp", "fn", "precision", "recall"]].to_string(index=False))
    assert set(table["kind"]) == {kind.value for kind in vs.FindingKind}
    assert table["fp"].sum() == 0, table[table["fp"] > 0][["kind", "false_positives"]].to_string()
    assert table["fn"].sum() == 0, table[table["fn"] > 0][["kind", "misses"]].to_string()


def test_time_awareness_in_the_scenario(result: vs.ScreeningResult) -> None:
    late = {
        f.port_id: f.designation_status
        for f in result.findings
        if f.mmsi == 538100007 and f.kind == "port_call"
    }
    assert late == {"AEKLF": "pre_designation", "AEJEA": "designated"}


def test_encounter_names_both_ships(result: vs.ScreeningResult) -> None:
    (meeting,) = [f for f in result.findings if f.kind == "sts_encounter"]
    assert (meeting.mmsi, meeting.counterpart_mmsi) == (636100005, 370100006)
    assert "DARK STAR" in meeting.evidence.explanation
    assert "BLUE WHALE" in meeting.evidence.explanation
    assert meeting.evidence.parameters["median_distance_m"] < 500


def test_innocent_namesakes_are_not_flagged(result: vs.ScreeningResult) -> None:
    flagged = {f.mmsi for f in result.findings}
    assert not flagged & {636100008, 436100009, 273100010}  # ARTAVIL, CASPIAN HAWK (KZ), CASPIAN HAWK II
