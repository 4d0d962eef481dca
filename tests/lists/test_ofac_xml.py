"""OFAC advanced / enhanced XML: fixtures in the published layouts, and the real CONS_ENHANCED excerpt."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pandas as pd
import pytest

from vesselscreen.errors import FormatError
from vesselscreen.lists import Watchlist, load_watchlist, ofac_xml
from vesselscreen.lists.ofac_xml import EXTRA_COLUMNS, read_ofac_xml
from vesselscreen.schema import ENTITY, WATCHLIST, WATCHLIST_DTYPES

OFAC = Path(__file__).parent.parent / "data" / "lists" / "ofac"
ADVANCED = OFAC / "sdn_advanced.xml"
ENHANCED = OFAC / "sdn_enhanced.xml"
CONS = OFAC / "cons_enhanced_excerpt.xml"


def vessel(wl: Watchlist, entry_id: str) -> pd.Series:
    rows = wl.vessels.loc[wl.vessels[WATCHLIST.ENTRY_ID] == entry_id]
    assert len(rows) == 1
    return rows.iloc[0]


def test_advanced_vessels_with_identifiers_flags_links_and_dates() -> None:
    wl = read_ofac_xml(ADVANCED)
    assert (len(wl.vessels), len(wl.entities)) == (4, 2)
    assert wl.snapshot.sources[0].format == "ofac_advanced_xml"
    artavil = vessel(wl, "ofac_sdn:15036")
    assert artavil[WATCHLIST.NAME] == "ARTAVIL"
    assert (artavil[WATCHLIST.IMO], artavil[WATCHLIST.MMSI]) == (9187629, 572469210)
    assert artavil[WATCHLIST.CALL_SIGN] == "T2EU4"
    assert artavil[WATCHLIST.FLAG] == "IR"
    assert artavil[WATCHLIST.FORMER_FLAGS] == ["MT", "TV"]
    assert artavil[WATCHLIST.ALIASES] == ["ABADAN", "SHONA"]
    assert artavil[WATCHLIST.VESSEL_TYPE] == "Crude/Oil Products Tanker"
    assert artavil[WATCHLIST.PROGRAMS] == ["IRAN"]
    assert artavil[WATCHLIST.LINKED_TO] == ["NATIONAL IRANIAN TANKER COMPANY"]
    assert artavil[WATCHLIST.LISTED_ON] == pd.Timestamp("2020-10-26", tz="UTC")
    assert (artavil["tonnage"], artavil["gross_tonnage"]) == (99144, 56068)
    assert pd.isna(vessel(wl, "ofac_sdn:15078")[WATCHLIST.LISTED_ON])  # no entry event: NA, not guessed


def test_advanced_parties_company_imo_and_backlinks() -> None:
    wl = read_ofac_xml(ADVANCED)
    parties = wl.entities.set_index(ENTITY.ENTRY_ID)
    assert parties.loc["ofac_sdn:23712", ENTITY.COMPANY_IMO] == 5954061
    assert parties.loc["ofac_sdn:23712", ENTITY.COUNTRIES] == ["KP"]
    assert parties.loc["ofac_sdn:99002", ENTITY.LINKED_TO] == ["ARTAVIL", "APAMA", "SARDASHT"]
    assert parties.loc["ofac_sdn:99002", ENTITY.ALIASES] == ["NITC"]


def test_enhanced_vessels() -> None:
    wl = read_ofac_xml(ENHANCED)
    assert wl.snapshot.sources[0].format == "ofac_enhanced_xml"
    diamond = vessel(wl, "ofac_sdn:15042")
    assert (diamond[WATCHLIST.IMO], diamond[WATCHLIST.MMSI], diamond[WATCHLIST.CALL_SIGN]) == (
        9218478,
        256865000,
        "9HEG9",
    )
    assert (diamond[WATCHLIST.FLAG], diamond[WATCHLIST.FORMER_FLAGS]) == ("IR", ["MT"])
    assert diamond[WATCHLIST.LINKED_TO] == ["NATIONAL IRANIAN TANKER COMPANY"]
    assert diamond[WATCHLIST.LISTED_ON] == pd.Timestamp("2020-10-26", tz="UTC")
    assert diamond["tonnage"] == 297013
    assert vessel(wl, "ofac_sdn:15043")[WATCHLIST.FORMER_FLAGS] == ["CY", "TZ"]
    assert wl.entities[ENTITY.COMPANY_IMO].tolist() == [5954061]


def test_real_consolidated_enhanced_excerpt() -> None:
    wl = load_watchlist(CONS)
    assert wl.snapshot.sources[0].source == "ofac_cons"
    assert len(wl.vessels) == 0
    assert wl.entities[ENTITY.ENTITY_TYPE].value_counts().to_dict() == {"entity": 3, "individual": 2}
    first = wl.entities.iloc[0]
    assert first[ENTITY.ENTRY_ID] == "ofac_cons:9639"
    assert first[ENTITY.NAME] == "HANIYA, Ismail Abdul Salah"
    assert first[ENTITY.ALIASES] == ["HANIYA, Ismail", "HANIYYA, Ismaeel"]
    assert first[ENTITY.PROGRAMS] == ["NS-PLC"]
    assert first[ENTITY.LISTED_ON] == pd.Timestamp("2006-04-12", tz="UTC")


def test_schema_columns_first_then_documented_extras() -> None:
    wl = read_ofac_xml(ADVANCED)
    assert list(wl.vessels.columns) == [*WATCHLIST_DTYPES, *EXTRA_COLUMNS]


def test_invalid_imo_is_kept_flagged_and_not_matched() -> None:
    wl = read_ofac_xml(ADVANCED)
    bad = vessel(wl, "ofac_sdn:99001")
    assert pd.isna(bad[WATCHLIST.IMO])
    report = wl.reports[0]
    assert report.warnings == {"invalid IMO": 1}
    assert report.accepted == report.records == 6
    sample = next(s for s in report.samples if s.kept)
    assert "IMO 9187628 fails the ship check digit" in sample.reason
    assert sample.raw == "ofac_sdn:99001"
    assert 9187628 not in set(wl.vessels[WATCHLIST.IMO].dropna())


def test_bytes_stream_and_path_give_the_same_snapshot() -> None:
    by_path = read_ofac_xml(ADVANCED)
    by_bytes = read_ofac_xml(ADVANCED.read_bytes())
    with ADVANCED.open("rb") as fh:
        by_stream = read_ofac_xml(fh)
    assert by_path.snapshot.id == by_bytes.snapshot.id == by_stream.snapshot.id
    pd.testing.assert_frame_equal(by_path.vessels, by_bytes.vessels)


def test_source_override_and_wrong_root() -> None:
    assert read_ofac_xml(ENHANCED, source="ofac_2024").vessels[WATCHLIST.SOURCE].unique().tolist() == [
        "ofac_2024"
    ]
    with pytest.raises(FormatError, match="not an OFAC advanced or enhanced XML") as info:
        read_ofac_xml(b"<CONSOLIDATED_LIST/>")
    assert info.value.source == "<bytes>"


def test_truncated_xml_names_source_and_line(tmp_path: Path) -> None:
    path = tmp_path / "SDN_ADVANCED.XML"
    path.write_bytes(ADVANCED.read_bytes()[:5000])
    with pytest.raises(FormatError, match="malformed XML") as info:
        load_watchlist(path)
    assert info.value.source == str(path)
    assert info.value.line is not None


def test_vessels_only_reads_linked_names_in_a_second_pass() -> None:
    full, lean = read_ofac_xml(ADVANCED), read_ofac_xml(ADVANCED.read_bytes(), vessels_only=True)
    pd.testing.assert_frame_equal(lean.vessels, full.vessels)
    assert vessel(lean, "ofac_sdn:15036")[WATCHLIST.LINKED_TO] == ["NATIONAL IRANIAN TANKER COMPANY"]
    assert lean.snapshot.sources[0].sha256 == full.snapshot.sources[0].sha256
    assert len(lean.entities) == 0


def test_vessels_only_refuses_a_file_replaced_between_the_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "SDN_ADVANCED.XML"
    path.write_bytes(ADVANCED.read_bytes())
    first_pass = ofac_xml._read_advanced

    def then_replace(stream: IO[bytes], label: str, vessels_only: bool = False) -> object:
        state = first_pass(stream, label, vessels_only)
        path.write_bytes(ADVANCED.read_bytes().replace(b"NATIONAL IRANIAN", b"NATIONAL IRANIAX"))
        return state

    monkeypatch.setattr(ofac_xml, "_read_advanced", then_replace)
    with pytest.raises(FormatError, match="changed while it was being read") as info:
        read_ofac_xml(path, vessels_only=True)
    assert info.value.source == str(path)
