"""UK Sanctions List CSV and EU Annex XLII CSV, and one ship listed by several authorities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vesselscreen.errors import ColumnsError
from vesselscreen.lists import Watchlist, load_watchlist
from vesselscreen.lists.eu import read_eu_annex_xlii
from vesselscreen.lists.uk import EXTRA_COLUMNS, read_uk_csv
from vesselscreen.schema import ENTITY, WATCHLIST, WATCHLIST_DTYPES

DATA = Path(__file__).parent.parent / "data" / "lists"
UK = DATA / "uk" / "UK_Sanctions_List.csv"
EU = DATA / "eu" / "annex_xlii_vessels.csv"
OFAC = DATA / "ofac" / "sdn_enhanced.xml"
SHARED_IMO = 9999993  # the synthetic fixture ship on all three lists


def test_uk_ships_grouped_by_unique_id() -> None:
    wl = load_watchlist(UK)
    assert wl.snapshot.sources[0].format == "uk_csv"
    assert (len(wl.vessels), len(wl.entities)) == (2, 2)
    ship = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["uk:RUS9001"]
    assert ship[WATCHLIST.NAME] == "FIXTURE SHARED TANKER"
    assert ship[WATCHLIST.ALIASES] == ["FIXTURE OLD NAME"]
    assert ship[WATCHLIST.IMO] == SHARED_IMO
    assert (ship[WATCHLIST.FLAG], ship[WATCHLIST.FORMER_FLAGS]) == ("GA", ["PA", "LR"])
    assert ship[WATCHLIST.OWNERS] == ["FIXTURE SHIPPING LLC"]
    assert ship[WATCHLIST.LINKED_TO] == ["FIXTURE SHIPPING LLC", "FIXTURE OLD OWNER LTD"]
    assert ship[WATCHLIST.PROGRAMS] == ["Russia"]
    assert ship[WATCHLIST.LISTED_ON] == pd.Timestamp("2024-05-09", tz="UTC")  # dd/mm/yyyy
    assert (ship["tonnage"], ship["length"], ship["year_built"]) == ("62,000", "228", "2004")
    assert list(wl.vessels.columns) == [*WATCHLIST_DTYPES, *EXTRA_COLUMNS]
    parties = wl.entities.set_index(ENTITY.ENTRY_ID)
    assert parties.loc["uk:RUS9003", ENTITY.COUNTRIES] == ["AE"]
    assert parties.loc["uk:RUS9004", ENTITY.NAME] == "Ivan FIXTURE"
    assert parties.loc["uk:RUS9004", ENTITY.ENTITY_TYPE] == "individual"


def test_uk_invalid_imo_kept_and_flagged() -> None:
    wl = read_uk_csv(UK)
    bad = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["uk:RUS9002"]
    assert pd.isna(bad[WATCHLIST.IMO])
    assert bad["hin"] == "FXT12345A404"
    assert wl.reports[0].warnings == {"invalid IMO": 1}


def test_uk_csv_without_unique_id_is_refused() -> None:
    with pytest.raises(ColumnsError, match="Unique ID"):
        read_uk_csv(b"Report Date: 09-May-2024\nName 6,Designation Type\nX,Ship\n")


def test_eu_annex_xlii() -> None:
    wl = load_watchlist(EU)
    assert wl.snapshot.sources[0].format == "eu_annex_xlii_csv"
    assert wl.vessels[WATCHLIST.IMO].tolist() == [SHARED_IMO, 9999981]
    assert wl.vessels[WATCHLIST.LISTED_ON].tolist() == [
        pd.Timestamp("2024-06-24", tz="UTC"),
        pd.Timestamp("2024-12-16", tz="UTC"),
    ]
    with pytest.raises(ColumnsError, match="Date of listing"):
        read_eu_annex_xlii(b"Vessel name,IMO number\nX,9999993\n")


def test_one_ship_listed_by_three_authorities() -> None:
    wl = Watchlist.concat([load_watchlist(OFAC), load_watchlist(UK), load_watchlist(EU)])
    same = wl.vessels.loc[wl.vessels[WATCHLIST.IMO] == SHARED_IMO]
    assert same[WATCHLIST.SOURCE].tolist() == ["ofac_sdn", "uk", "eu_annex_xlii"]
    assert same[WATCHLIST.ENTRY_ID].tolist() == ["ofac_sdn:99010", "uk:RUS9001", "eu_annex_xlii:9999993"]
    assert same[WATCHLIST.LISTED_ON].tolist() == [
        pd.Timestamp("2024-05-01", tz="UTC"),
        pd.Timestamp("2024-05-09", tz="UTC"),
        pd.Timestamp("2024-06-24", tz="UTC"),
    ]
    assert [s.source for s in wl.snapshot.sources] == ["ofac_sdn", "uk", "eu_annex_xlii"]
