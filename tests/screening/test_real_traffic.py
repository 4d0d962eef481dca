"""Alert quality on real traffic: a real NOAA MarineCadastre day raises no alarm from its artefacts.

``tests/data/ais/csv/marinecadastre_2022-01-03_head_vessels.csv`` holds every row, from the
first 99,999 rows of ``AIS_2022_01_03.csv``, of 669 whole vessels: the 39 that the engine
used to report as spoofing (their first rows of the day are stale positions stamped in the
first seconds after midnight, tens to hundreds of km apart), every vessel with duplicate
receptions, VIKTOR BAKAEV (an OFAC-listed tanker broadcasting its listed IMO), two
pleasure boats named NIRVANA (namesakes of an OFAC-listed superyacht), and 600 ordinary
vessels drawn at random. Screened against the real OFAC sdn.csv excerpt of 2024-05-03.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import vesselscreen as vs

DATA = Path(__file__).resolve().parents[1] / "data"
DAY = DATA / "ais" / "csv" / "marinecadastre_2022-01-03_head_vessels.csv"
VIKTOR_BAKAEV, NIRVANA_KY, NIRVANA_US, MARCO_POLO = 636015565, 319156200, 338398366, 311000923


@pytest.fixture(scope="module")
def result() -> vs.ScreeningResult:
    return vs.screen(vs.read_ais(DAY), vs.load_watchlist(DATA / "lists" / "ofac" / "sdn.csv"))


def test_artefacts_are_counted_not_alerted(result: vs.ScreeningResult) -> None:
    report = result.metadata.cleaning_report
    assert report is not None
    assert report.rows == 6566
    assert report.rejected == {"midnight carry-over": 80, "impossible jump": 6, "duplicate report": 3}
    assert report.kept + sum(report.rejected.values()) == report.rows
    assert not [f for f in result.findings if f.kind == "spoofing"]
    # CMA CGM MARCO POLO's seven stale midnight rows, up to 300 km back along its track
    assert MARCO_POLO in set(result.positions["mmsi"])
    first = result.positions[result.positions["mmsi"] == MARCO_POLO]["timestamp"].min()
    assert first.strftime("%H:%M:%S") != "00:00:00"


def test_only_the_listed_tanker_is_high(result: vs.ScreeningResult) -> None:
    high = {(f.mmsi, str(f.kind)) for f in result.findings if f.severity in ("high", "critical")}
    assert high == {(VIKTOR_BAKAEV, "designated_vessel")}
    (tanker,) = [f for f in result.findings if f.mmsi == VIKTOR_BAKAEV]
    assert tanker.match_tier == "confirmed"
    assert tanker.entry_ids == ("ofac_sdn:46611",)


def test_a_namesake_pleasure_boat_is_a_possible_match_to_verify(result: vs.ScreeningResult) -> None:
    (boat,) = [f for f in result.findings if f.mmsi == NIRVANA_KY]
    assert (boat.match_tier, boat.severity) == ("possible", "low")
    assert boat.evidence.explanation.startswith("possible match, verify before acting")
    why = boat.evidence.explanation
    assert "the list gives IMO 1011202, which this AIS identity never broadcast" in why
    assert "the list gives call sign ZGBM, which this AIS identity never broadcast" in why
    assert "a Class B transponder, while ships with an IMO number carry Class A" in why
    # the US-flagged NIRVANA is not even a possible match: its MID is not the listed flag
    assert NIRVANA_US not in {f.mmsi for f in result.findings}
    # nothing hidden: the match is in result.matches with its tier and what speaks against it
    row = result.matches[result.matches["mmsi"] == NIRVANA_KY].iloc[0]
    assert (row["tier"], len(row["contradictions"])) == ("possible", 3)
