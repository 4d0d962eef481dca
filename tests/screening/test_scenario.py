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
    # SPAN CALLER, listed on 5 March: a call before, one in progress on that day, one after
    calls = {f.port_id: f for f in result.findings if f.mmsi == 538100017 and f.kind == "port_call"}
    assert {port: f.designation_status for port, f in calls.items()} == {
        "AEFJR": "pre_designation",
        "AEKLF": "designated",
        "AEJEA": "designated",
    }
    spanning = calls["AEKLF"]
    assert spanning.start is not None
    assert spanning.start < pd.Timestamp("2024-03-05", tz="UTC") < spanning.end
    assert "listed while it was in progress" in spanning.evidence.explanation
    assert spanning.evidence.parameters["listed_on"] == "2024-03-05"
    assert "listed while" not in calls["AEJEA"].evidence.explanation
    assert (calls["AEFJR"].severity, calls["AEKLF"].severity) == ("medium", "high")  # confirmed by IMO
    # LATE LISTED was in port at Khor Fakkan on its listing day (10 March) too
    late = {
        f.port_id: f.designation_status
        for f in result.findings
        if f.mmsi == 538100007 and f.kind == "port_call"
    }
    assert late == {"AEKLF": "designated", "AEJEA": "designated"}


def test_both_ships_of_a_meeting_get_a_finding(result: vs.ScreeningResult) -> None:
    meetings = {f.mmsi: f for f in result.findings if f.kind == "sts_encounter"}
    assert set(meetings) == {636100005, 370100006}
    listed, counterpart = meetings[636100005], meetings[370100006]
    assert (listed.counterpart_mmsi, counterpart.counterpart_mmsi) == (370100006, 636100005)
    assert listed.evidence.rule == "encounter_with_listed_vessel"
    assert counterpart.evidence.rule == "met_listed_vessel"
    # the counterpart's finding carries the listed vessel's entry, status and tier
    assert counterpart.entry_ids == listed.entry_ids == ("scenario:4",)
    assert counterpart.designation_status == "designated"
    assert counterpart.match_tier == "confirmed"
    assert counterpart.evidence.explanation.startswith("BLUE WHALE (MMSI 370100006) met DARK STAR")
    for meeting in meetings.values():
        assert {p.mmsi for p in meeting.evidence.positions} == {636100005, 370100006}
        assert meeting.evidence.parameters["median_distance_m"] < 500
    # and it counts towards the counterpart's risk
    risk = result.risk.set_index("mmsi")["risk"]
    assert risk[370100006] >= 25.0


def test_innocent_namesakes_are_not_flagged(result: vs.ScreeningResult) -> None:
    flagged = {f.mmsi for f in result.findings}
    assert not flagged & {636100008, 436100009, 273100010}  # ARTAVIL, CASPIAN HAWK (KZ), CASPIAN HAWK II
