"""OpenSanctions, UN 1718, EU Financial Sanctions File, UK XML and OFAC sdn.xml: loaded and cross-checked."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.identifiers import country_to_iso2
from vesselscreen.lists import (
    Watchlist,
    load_watchlist,
    read_eu_fsf_csv,
    read_eu_fsf_xml,
    read_ofac_sdn_xml,
    read_opensanctions,
    read_uk_csv,
    read_uk_xml,
    read_un_1718_csv,
)
from vesselscreen.lists.load import sniff_format
from vesselscreen.lists.ofac_csv import read_ofac_csv
from vesselscreen.schema import ENTITY, WATCHLIST

DATA = Path(__file__).parent.parent / "data" / "lists"
FTM = DATA / "opensanctions" / "entities.ftm.json"
NESTED = DATA / "opensanctions" / "targets.nested.json"
MARITIME = DATA / "opensanctions" / "maritime.csv"
UN_1718 = DATA / "un" / "1718_designated_vessels.csv"
FSF_XML = DATA / "eu" / "fsf_export.xml"
FSF_CSV = DATA / "eu" / "fsf_export.csv"
UK_CSV = DATA / "uk" / "UK_Sanctions_List.csv"
UK_XML = DATA / "uk" / "UK_Sanctions_List.xml"
SDN_XML = DATA / "ofac" / "sdn.xml"
SDN_CSV = DATA / "ofac" / "sdn.csv"
SHARED_IMO = 9999993  # the synthetic fixture ship listed in every fixture
COMPANY_IMO = 9999996  # synthetic, valid with the company check digit


@pytest.mark.parametrize(
    ("path", "fmt", "vessels", "entities"),
    [
        (FTM, "opensanctions_ftm", 2, 2),
        (NESTED, "opensanctions_ftm", 2, 2),
        (MARITIME, "opensanctions_maritime_csv", 2, 1),
        (UN_1718, "un_1718_csv", 3, 0),
        (FSF_XML, "eu_fsf_xml", 1, 3),
        (FSF_CSV, "eu_fsf_csv", 1, 3),
        (UK_XML, "uk_xml", 2, 2),
        (SDN_XML, "ofac_sdn_xml", 3, 1),
    ],
)
def test_each_format_is_sniffed_and_counted(path: Path, fmt: str, vessels: int, entities: int) -> None:
    wl = load_watchlist(path)
    assert wl.snapshot.sources[0].format == fmt
    assert (len(wl.vessels), len(wl.entities)) == (vessels, entities)
    assert sniff_format(path.read_bytes()[:65536]) == fmt
    assert len(load_watchlist(path.read_bytes(), format=fmt).vessels) == vessels  # bytes, named format


def test_opensanctions_vessel_sanctions_and_links() -> None:
    wl = read_opensanctions(FTM)
    ship = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["opensanctions:os-fixture-vessel-1"]
    assert ship[WATCHLIST.SOURCE] == "opensanctions"
    assert (ship[WATCHLIST.IMO], ship[WATCHLIST.MMSI], ship[WATCHLIST.CALL_SIGN]) == (
        SHARED_IMO,
        626123456,
        "TRFX1",
    )
    assert (ship[WATCHLIST.FLAG], ship[WATCHLIST.FORMER_FLAGS]) == ("GA", ["PA", "LR"])
    assert ship[WATCHLIST.ALIASES] == ["SHARED TANKER", "FIXTURE OLD NAME"]
    assert ship[WATCHLIST.VESSEL_TYPE] == "Crude Oil Tanker"
    # three Sanction entities: OFAC listingDate, UK startDate only, EU without a program
    assert ship[WATCHLIST.LISTED_ON] == pd.Timestamp("2024-05-01", tz="UTC")
    assert ship[WATCHLIST.PROGRAMS] == ["RUSSIA-EO14024", "Russia", "Council of the European Union"]
    assert ship[WATCHLIST.OWNERS] == ["FIXTURE SHIPPING LLC"]
    assert ship[WATCHLIST.LINKED_TO] == ["FIXTURE SHIPPING LLC"]
    assert (ship["gross_tonnage"], ship["year_built"]) == (62000, 2004)
    parties = wl.entities.set_index(ENTITY.ENTRY_ID)
    company = parties.loc["opensanctions:os-fixture-company-1"]
    assert (company[ENTITY.ENTITY_TYPE], company[ENTITY.COMPANY_IMO]) == ("company", COMPANY_IMO)
    assert company[ENTITY.COUNTRIES] == ["AE"]
    assert company[ENTITY.LINKED_TO] == ["FIXTURE SHARED TANKER", "Ivan FIXTURE"]  # ownership, directorship
    assert company[ENTITY.LISTED_ON] == pd.Timestamp("2024-05-09", tz="UTC")
    assert parties.loc["opensanctions:os-fixture-person-1", ENTITY.ENTITY_TYPE] == "individual"
    report = wl.reports[0]
    assert report.warnings == {"invalid IMO": 1, "invalid MMSI": 1}  # vessel 2: kept, flagged
    assert report.notes == {"skipped": 1}  # the Address entity
    assert pd.isna(
        wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["opensanctions:os-fixture-vessel-2", WATCHLIST.IMO]
    )


def test_nested_targets_give_the_same_watchlist_as_flat_entities() -> None:
    flat, nested = read_opensanctions(FTM), read_opensanctions(NESTED)
    pd.testing.assert_frame_equal(flat.vessels, nested.vessels)
    pd.testing.assert_frame_equal(flat.entities, nested.entities)


@settings(max_examples=15, deadline=None)
@given(st.permutations(FTM.read_bytes().splitlines(keepends=True)))
def test_entity_line_order_does_not_matter(lines: list[bytes]) -> None:
    wl = read_opensanctions(b"".join(lines))
    expected = read_opensanctions(FTM)
    pd.testing.assert_frame_equal(
        wl.vessels.sort_values(WATCHLIST.ENTRY_ID, ignore_index=True), expected.vessels
    )


def test_opensanctions_bad_line_is_rejected_with_its_line() -> None:
    good = FTM.read_bytes()
    wl = read_opensanctions(good + b'{"id": "x", "schema": "Vessel", truncated\n[1, 2]\n')
    assert len(wl.vessels) == 2
    report = wl.reports[0]
    assert report.rejected == 2
    lines = sorted(r.line for r in report.samples if not r.kept and r.line is not None)
    assert lines == [13, 14]
    with pytest.raises(FormatError, match="not OpenSanctions"):
        read_opensanctions(b'{"MessageType": "PositionReport"}\n')


def test_opensanctions_maritime_csv() -> None:
    wl = load_watchlist(MARITIME)
    ship = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["opensanctions:os-fixture-vessel-1"]
    assert (ship[WATCHLIST.IMO], ship[WATCHLIST.MMSI], ship[WATCHLIST.FLAG]) == (SHARED_IMO, 626123456, "GA")
    assert ship[WATCHLIST.ALIASES] == ["FIXTURE OLD NAME", "SHARED TANKER"]
    assert ship[WATCHLIST.PROGRAMS] == ["eu_fsf", "gb_fcdo_sanctions", "us_ofac_sdn"]
    assert ship["risk"] == "sanction"
    company = wl.entities.iloc[0]
    assert (company[ENTITY.COMPANY_IMO], company[ENTITY.COUNTRIES]) == (COMPANY_IMO, ["AE"])
    assert wl.reports[0].warnings == {"invalid IMO": 1}


def test_un_1718_vessels_with_owners() -> None:
    wl = read_un_1718_csv(UN_1718)
    v = wl.vessels.set_index(WATCHLIST.ENTRY_ID)
    tanker = v.loc["un_1718:9999981"]
    assert (tanker[WATCHLIST.MMSI], tanker[WATCHLIST.FLAG], tanker[WATCHLIST.CALL_SIGN]) == (
        445123000,
        "KP",
        "HMYF1",
    )
    assert tanker[WATCHLIST.OWNERS] == tanker[WATCHLIST.LINKED_TO] == ["FIXTURE DPRK SHIPPING CO"]
    assert tanker[WATCHLIST.PROGRAMS] == ["DPRK (UNSCR 1718)"]
    cargo = v.loc["un_1718:9999993"]
    assert cargo[WATCHLIST.OWNERS] == ["FIXTURE DPRK SHIPPING CO", "FIXTURE OCEAN LTD"]
    assert cargo[WATCHLIST.LISTED_ON] == pd.Timestamp("2018-03-30", tz="UTC")  # dd/mm/yyyy
    assert wl.reports[0].warnings == {"invalid IMO": 1, "invalid MMSI": 1}
    with pytest.raises(ColumnsError, match="Date of designation"):
        read_un_1718_csv(b"Vessel name,IMO number\nX,9999993\n")


def test_eu_fsf_xml_and_csv_agree() -> None:
    xml, csv = read_eu_fsf_xml(FSF_XML), read_eu_fsf_csv(FSF_CSV)
    pd.testing.assert_frame_equal(xml.vessels, csv.vessels)
    pd.testing.assert_frame_equal(xml.entities, csv.entities)
    ship = xml.vessels.iloc[0]
    assert (ship[WATCHLIST.ENTRY_ID], ship[WATCHLIST.IMO]) == ("eu_fsf:990001", SHARED_IMO)
    assert ship[WATCHLIST.ALIASES] == ["FIXTURE OLD NAME"]
    assert (ship[WATCHLIST.PROGRAMS], ship[WATCHLIST.LISTED_ON]) == (
        ["UKR"],
        pd.Timestamp("2024-06-24", tz="UTC"),
    )
    parties = csv.entities.set_index(ENTITY.ENTRY_ID)
    # a company IMO number stays with the party; the earliest regulation is the listing date
    assert parties.loc["eu_fsf:990002", ENTITY.COMPANY_IMO] == COMPANY_IMO
    assert parties.loc["eu_fsf:990002", ENTITY.LISTED_ON] == pd.Timestamp("2024-02-23", tz="UTC")
    assert parties.loc["eu_fsf:990003", ENTITY.COUNTRIES] == ["RU"]
    # an IMO failing both check digits: kept as a party, flagged, never matched
    assert pd.isna(parties.loc["eu_fsf:990004", ENTITY.COMPANY_IMO])
    assert csv.reports[0].warnings == {"invalid company IMO": 1}
    with pytest.raises(FormatError, match="not an EU Financial Sanctions File"):
        read_eu_fsf_xml(b"<Designations/>")


def test_uk_xml_gives_the_same_watchlist_as_the_csv() -> None:
    csv, xml = read_uk_csv(UK_CSV), read_uk_xml(UK_XML)
    pd.testing.assert_frame_equal(csv.vessels, xml.vessels)
    pd.testing.assert_frame_equal(csv.entities, xml.entities)
    assert xml.snapshot.sources[0].format == "uk_xml"
    assert xml.reports[0].warnings == {"invalid IMO": 1}


def test_ofac_sdn_xml_gives_the_same_entries_as_the_legacy_csv() -> None:
    xml = read_ofac_sdn_xml(SDN_XML)
    uids = {b"4238", b"4249", b"15036", b"23712"}
    rows = [line for line in SDN_CSV.read_bytes().split(b"\r\n") if line.split(b",")[0] in uids]
    csv = read_ofac_csv(b"\r\n".join(rows) + b"\r\n", siblings=False)
    columns = [c for c in csv.vessels.columns if c != WATCHLIST.REMARKS]
    pd.testing.assert_frame_equal(xml.vessels[columns], csv.vessels[columns])
    entity_columns = [c for c in csv.entities.columns if c != ENTITY.REMARKS]
    pd.testing.assert_frame_equal(xml.entities[entity_columns], csv.entities[entity_columns])
    artavil = xml.vessels.set_index(WATCHLIST.ENTRY_ID).loc["ofac_sdn:15036"]
    assert (artavil["tonnage"], artavil["gross_tonnage"]) == (99144, 56068)


def test_xml_formats_refuse_a_dtd() -> None:
    for reader, root in (
        (read_ofac_sdn_xml, "sdnList"),
        (read_uk_xml, "Designations"),
        (read_eu_fsf_xml, "export"),
    ):
        evil = f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY a "b">]><{root}>&a;</{root}>'.encode()
        with pytest.raises(FormatError, match="DTD"):
            reader(evil)
        xxe = f'<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]><{root}>&x;</{root}>'.encode()
        with pytest.raises(FormatError, match="DTD"):
            load_watchlist(xxe)


def test_one_ship_on_every_list() -> None:
    paths = [SDN_XML, UK_XML, FSF_XML, FTM, UN_1718]
    wl = Watchlist.concat(load_watchlist(p) for p in paths)
    same = wl.vessels.loc[wl.vessels[WATCHLIST.IMO] == SHARED_IMO]
    assert same[WATCHLIST.SOURCE].tolist() == ["uk", "eu_fsf", "opensanctions", "un_1718"]


def test_un_and_ofac_country_spellings() -> None:
    assert country_to_iso2("United Kingdom of Great Britain and Northern Ireland") == "GB"
    assert country_to_iso2("State of Palestine") == "PS"
    assert country_to_iso2("China, Hong Kong Special Administrative Region") == "HK"
    assert country_to_iso2("Congo") == "CG"
    assert country_to_iso2("Democratic Republic of the Congo") == "CD"
    assert country_to_iso2("GG") == "GG"


def test_real_un_and_cons_enhanced_have_no_unknown_countries() -> None:
    un = load_watchlist(DATA / "un" / "consolidated_excerpt.xml")
    cons = load_watchlist(DATA / "ofac" / "cons_enhanced_excerpt.xml")
    for wl in (un, cons):
        assert not any("unknown country" in key for key in wl.reports[0].warnings)


def test_json_lines_with_nested_sanction_missing_back_reference() -> None:
    vessel = {
        "id": "v",
        "schema": "Vessel",
        "properties": {
            "name": ["FIXTURE X"],
            "sanctions": [{"id": "s", "schema": "Sanction", "properties": {"listingDate": ["2024-01-02"]}}],
        },
    }
    wl = read_opensanctions(json.dumps(vessel).encode() + b"\n")
    assert wl.vessels.loc[0, WATCHLIST.LISTED_ON] == pd.Timestamp("2024-01-02", tz="UTC")


@pytest.mark.parametrize("name", ["sdn_advanced.xml", "sdn_enhanced.xml"])
def test_vessels_only_keeps_the_same_vessels_and_no_parties(name: str) -> None:
    path = DATA / "ofac" / name
    full, lean = load_watchlist(path), load_watchlist(path, vessels_only=True)
    pd.testing.assert_frame_equal(full.vessels, lean.vessels)  # linked_to still names the parties
    assert len(full.entities) > 0
    assert len(lean.entities) == 0
    assert lean.reports[0].notes["parties left out (vessels_only)"] == len(full.entities)
    assert (
        len(load_watchlist(UK_CSV, vessels_only=True).entities) == 0
    )  # other formats drop them after reading
