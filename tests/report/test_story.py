"""A vessel's story: identities, listings, events and findings on one timeline."""

from __future__ import annotations

import pandas as pd
import pytest

import vesselscreen as vs
from vesselscreen.schema import RISK_DTYPES, STORY_DTYPES

OLYA3 = 273999301


def test_port_olya_3_story_in_order_with_its_listing_date(demo: vs.ScreeningResult) -> None:
    story = demo.vessel(OLYA3)
    assert story.name == "PORT OLYA 3"
    assert story.risk == 100.0
    assert story.entries[["entry_id", "list", "listed_name"]].values.tolist() == [
        ["demo:1", "demo", "PORT OLYA-3"]
    ]
    assert story.listing_dates() == [pd.Timestamp("2024-09-10", tz="UTC")]
    tl = story.timeline
    assert list(tl.columns) == list(STORY_DTYPES)
    assert tl["start"].is_monotonic_increasing
    events = tl[["event", "port_id", "designation_status"]].astype(object).where(tl.notna(), None)
    calls = events[events["event"] == "port_call"].values.tolist()
    assert calls == [
        ["port_call", "IRAMD", "pre_designation"],
        ["port_call", "RUOYA", "pre_designation"],
        ["port_call", "IRAMD", "designated"],  # in port when it was listed
        ["port_call", "RUOYA", "designated"],
    ]
    listed = tl.index[tl["event"] == "listed"][0]
    # the listing row sits between the last pre-designation call and the first designated voyage
    assert (tl.loc[: listed - 1, "designation_status"].dropna() != "designated").sum() > 0
    assert tl.loc[listed + 1, "designation_status"] == "designated"


def test_sanctioned_port_call_shares_the_row_of_its_port_call(demo: vs.ScreeningResult) -> None:
    tl = demo.vessel(OLYA3).timeline
    iramd = tl[(tl["event"] == "port_call") & (tl["port_id"] == "IRAMD")]
    assert iramd["findings"].tolist() == ["port_call, sanctioned_port_call"] * 2
    assert iramd["explanation"].str.contains("sanctioned jurisdiction Iran").all()
    # each finding is on exactly one row: 11 findings, 9 finding rows
    assert (tl["findings"] != "").sum() == 9
    assert tl["findings"].str.split(", ").explode().isin([""]).sum() == (tl["findings"] == "").sum()


def test_vessel_by_name_and_unknown_vessel(demo: vs.ScreeningResult) -> None:
    assert demo.vessel("port olya 3").mmsi == OLYA3
    assert demo.vessel("273999302").name == "PORT OLYA-4"
    with pytest.raises(vs.ConfigError, match="no screened vessel broadcast the name 'NOBODY'"):
        demo.vessel("NOBODY")
    with pytest.raises(vs.ConfigError, match="MMSI 1 is not among"):
        demo.vessel(1)


def test_an_innocent_ship_has_a_story_without_findings(demo: vs.ScreeningResult) -> None:
    story = demo.vessel("MARAL")  # the Kazakh namesake of a listed ship
    assert story.findings == ()
    assert story.entries.empty
    assert story.risk is None
    assert set(story.timeline["event"]) >= {"identity", "port_call"}
    assert (story.timeline["findings"] == "").all()


def test_meeting_appears_in_both_ships_stories(scenario: vs.ScreeningResult) -> None:
    meeting = scenario.encounters.iloc[0]
    for mmsi in (int(meeting["mmsi_1"]), int(meeting["mmsi_2"])):
        events = scenario.vessel(mmsi).timeline
        assert (events["event"] == "sts_encounter").sum() == 1, mmsi


def test_story_text_and_grouped_table(demo: vs.ScreeningResult) -> None:
    text = demo.text()
    sections = text.split("\n\n")
    assert [s.splitlines()[0] for s in sections] == [
        "PORT OLYA 3  MMSI 273999301  risk 100/100",
        "PORT OLYA-4  MMSI 273999302  risk 90/100",
        "MUSA JALIL  MMSI 273999303  risk 74.5/100",
    ]
    assert "on list: demo as PORT OLYA-3 (demo:1), listed 2024-09-10" in sections[0]
    assert "LISTED" in sections[0]
    assert "no listing date on the list" in sections[1]
    # grouped by kind is the old table, unchanged
    assert demo.text(group_by="kind") == vs.findings_table(demo.findings)


def test_frames_have_their_schema_when_empty() -> None:
    ais = vs.read_ais(vs.demo.ais_path())
    nobody = vs.Watchlist.from_frames(pd.DataFrame({"name": ["NO SUCH SHIP"], "flag": ["PA"]}))
    result = vs.screen(ais, nobody, config=vs.ScreeningConfig(sanctioned_jurisdictions=()))
    assert result.findings == []
    assert list(result.risk.columns) == list(RISK_DTYPES)
    assert list(result.owner_matches.columns)[:3] == ["imo", "role", "party"]
    assert list(result.risk_breakdown.columns) == ["mmsi", "kind", "findings", "points"]
    assert list(result.identity_changes.columns)[:3] == ["kind", "time", "mmsi"]
    assert result.text() == "No findings."


def test_risk_names_the_vessel(demo: vs.ScreeningResult) -> None:
    assert demo.risk[["mmsi", "vessel_name", "risk"]].values.tolist() == [
        [273999301, "PORT OLYA 3", 100.0],
        [273999302, "PORT OLYA-4", 90.0],
        [273999303, "MUSA JALIL", 74.5],
    ]
