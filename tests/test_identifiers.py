"""Identifier rules against real values from published lists and the ITU MID table."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vesselscreen.errors import IdentifierError
from vesselscreen.identifiers import (
    MMSIKind,
    classify_mmsi,
    country_to_iso2,
    extract_imos,
    is_valid_company_imo,
    is_valid_imo,
    is_valid_mmsi,
    mid_table,
    mmsi_flag,
    mmsi_flags,
    normalize_call_sign,
    normalize_name,
    parse_company_imo,
    parse_imo,
    parse_mmsi,
)


@pytest.mark.parametrize(
    "text", ["IMO 9187629", "IMO9187629", "9187629", "imo: 9187629", " IMO  9187629 ", 9187629]
)
def test_parse_imo_accepts_every_list_form(text: object) -> None:
    assert parse_imo(text) == 9187629  # ARTAVIL on the OFAC SDN list


@pytest.mark.parametrize("bad", ["IMO 9187628", "918762", "IMO 91876290", "ABC", "", True, 12.5])
def test_parse_imo_rejects_bad_values(bad: object) -> None:
    with pytest.raises(IdentifierError):
        parse_imo(bad)


def test_real_ship_numbers_validate_and_company_numbers_use_their_own_digit() -> None:
    # ship numbers from the OFAC sample; company number from the UN consolidated list
    for imo in (9187629, 9187631, 7406784, 7206512, 9307839):
        assert is_valid_imo(imo)
    assert is_valid_company_imo(5342883)
    assert not is_valid_imo(5342883)
    assert parse_company_imo("5342883") == 5342883
    with pytest.raises(IdentifierError):
        parse_company_imo("9187629")


@given(st.integers(min_value=100_000, max_value=999_999))
def test_exactly_one_check_digit_validates(prefix: int) -> None:
    ship = [d for d in range(10) if is_valid_imo(prefix * 10 + d)]
    company = [d for d in range(10) if is_valid_company_imo(prefix * 10 + d)]
    assert len(ship) == 1
    assert len(company) == 1


def test_extract_imos_from_ofac_remarks() -> None:
    remarks = "Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'"
    assert extract_imos(remarks) == ["9187629"]


@pytest.mark.parametrize(
    ("mmsi", "kind", "flag"),
    [
        (572469210, MMSIKind.SHIP, "TV"),  # ARTAVIL's MMSI (Tuvalu MID 572)
        (273345000, MMSIKind.SHIP, "RU"),
        (422012300, MMSIKind.SHIP, "IR"),
        (445123456, MMSIKind.SHIP, "KP"),
        (2734500, MMSIKind.COAST_STATION, "RU"),  # 002734500
        (27345000, MMSIKind.GROUP, "RU"),  # 027345000
        (111273100, MMSIKind.SAR_AIRCRAFT, "RU"),
        (992731234, MMSIKind.AID_TO_NAVIGATION, "RU"),
        (982731234, MMSIKind.CRAFT_WITH_PARENT_SHIP, "RU"),
        (827312345, MMSIKind.HANDHELD_VHF, "RU"),
        (970012345, MMSIKind.SART, None),
        (972012345, MMSIKind.MOB, None),
        (974012345, MMSIKind.EPIRB, None),
        (100000000, MMSIKind.INVALID, None),
    ],
)
def test_mmsi_kinds_and_flags(mmsi: int, kind: MMSIKind, flag: str | None) -> None:
    assert classify_mmsi(mmsi) is kind
    assert mmsi_flag(mmsi) == flag


def test_mmsi_validation() -> None:
    assert is_valid_mmsi("273345000")
    assert not is_valid_mmsi("27334500")
    assert not is_valid_mmsi("27334500X")
    assert parse_mmsi(" 273345000 ") == 273345000
    with pytest.raises(IdentifierError, match="9-digit"):
        parse_mmsi("12345")


def test_bundled_mid_table_is_the_itu_table() -> None:
    table = mid_table()
    assert len(table) == 292
    assert table[273] == ("RU", "Russia")
    assert table[422][0] == "IR"
    assert table[445][0] == "KP"
    assert all(201 <= mid <= 775 for mid in table)


@pytest.mark.parametrize(
    ("name", "iso2"),
    [("Democratic People's Republic of Korea", "KP"), ("Russia", "RU"), ("Iran", "IR"),
     ("St. Vincent and the Grenadines", "VC"), ("Cayman Islands", "KY"), ("Hong Kong", "HK"),
     ("Tanzania", "TZ"), ("RU", "RU")],
)  # fmt: skip
def test_country_names_as_lists_spell_them(name: str, iso2: str) -> None:
    assert country_to_iso2(name) == iso2


def test_unknown_country_is_none() -> None:
    assert country_to_iso2("None Identified") is None
    assert country_to_iso2("Atlantis") is None


def test_name_normalisation_equates_the_demo_spellings_only() -> None:
    keys = {normalize_name(n) for n in ("M/V PORT OLYA-3", "Port Olya 3", "PORT OLYA 3", "port  olya-3")}
    assert keys == {"PORT OLYA 3"}
    assert normalize_name("PORT OLYA 4") != "PORT OLYA 3"
    assert normalize_name(None) == ""


@given(st.text(max_size=40))
def test_name_normalisation_is_idempotent(name: str) -> None:
    key = normalize_name(name)
    assert normalize_name(key) == key
    # upper-case letters and digits, single spaces between words, none at the ends
    assert re.fullmatch(r"(?:[0-9A-Z]+(?: [0-9A-Z]+)*)?", key)


def test_name_normalisation_folds_accents_and_punctuation_as_lists_spell_names() -> None:
    assert normalize_name("  Ça\tIra…  ") == "CA IRA"
    assert normalize_name("MT  M/V Ocean-Star") == "OCEAN STAR"
    assert normalize_name("STRAßE 1") == "STRAE 1"  # no ASCII letter in the decomposition: dropped
    assert normalize_name("ﬁSH") == "FISH"  # compatibility ligature, decomposed


def test_call_sign_normalisation() -> None:
    assert normalize_call_sign(" 9h-ds9 ") == "9HDS9"
    assert normalize_call_sign(" - ") is None


@given(st.lists(st.one_of(st.none(), st.integers(-5, 1_100_000_000), st.integers(200_000_000, 799_999_999))))
def test_mmsi_flags_equal_mmsi_flag_one_by_one(mmsis: list[int | None]) -> None:
    got = mmsi_flags(pd.Series(mmsis, dtype="Int64"))
    assert got.tolist() == [pd.NA if m is None or mmsi_flag(m) is None else mmsi_flag(m) for m in mmsis]
