"""Matching rules: IMO, MMSI, name corroborated by flag; a name alone never matches."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.ais.identity import identity_timeline
from vesselscreen.schema import POSITION, POSITION_DTYPES, WATCHLIST, WATCHLIST_DTYPES, conform
from vesselscreen.screening.config import MatchingConfig
from vesselscreen.screening.matching import match_identities


def ais_identities(ais: pd.DataFrame) -> pd.DataFrame:
    return identity_timeline(ais).identities


def positions(rows: list[tuple[int, str, int | None, str | None]]) -> pd.DataFrame:
    """(mmsi, time, imo, name) rows -> a canonical positions frame."""
    frame = pd.DataFrame(rows, columns=[POSITION.MMSI, POSITION.TIMESTAMP, POSITION.IMO, POSITION.NAME])
    frame[POSITION.TIMESTAMP] = pd.to_datetime(frame[POSITION.TIMESTAMP], utc=True)
    frame[POSITION.LAT] = 40.0
    frame[POSITION.LON] = 50.0
    return conform(frame, POSITION_DTYPES)


def vessels(entries: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(entries)
    for col in (WATCHLIST.ALIASES, WATCHLIST.FORMER_FLAGS):
        if col not in frame:
            frame[col] = [[] for _ in range(len(frame))]
    return conform(frame, WATCHLIST_DTYPES)


# real OFAC entry (ARTAVIL, ent 15036) and the demo entries listed by name and flag only
LIST = vessels([
    {"entry_id": "ofac_sdn:15036", "name": "ARTAVIL", "imo": 9187629, "mmsi": 572469210, "flag": "IR",
     "aliases": ["ALPHA", "ABADAN"], "former_flags": ["MT", "TV", "TZ"]},
    {"entry_id": "demo:1", "name": "PORT OLYA-3", "flag": "RU"},
    {"entry_id": "demo:5", "name": "MARAL", "flag": "RU"},
])  # fmt: skip


def test_imo_match_beats_mmsi_and_lists_both_methods() -> None:
    ais = positions([(572469210, "2024-01-01", 9187629, "ARTAVIL")])
    matches = match_identities(ais_identities(ais), LIST)
    assert matches["entry_id"].tolist() == ["ofac_sdn:15036"]
    row = matches.iloc[0]
    assert row["method"] == "imo"
    assert row["score"] == 1.0
    assert row["methods"] == ["imo", "mmsi", "name_flag"]  # MMSI 572... is Tuvalu, a former flag
    assert "9187629" in row["explanation"]


def test_mmsi_match_alone() -> None:
    ais = positions([(572469210, "2024-01-01", None, "SOMETHING ELSE")])
    matches = match_identities(ais_identities(ais), LIST)
    assert matches[["entry_id", "method", "score"]].to_dict("records") == [
        {"entry_id": "ofac_sdn:15036", "method": "mmsi", "score": 0.9}
    ]


def test_name_with_flag_from_mid_matches_but_name_alone_does_not() -> None:
    ais = positions([
        (273999301, "2024-08-26 00:00", None, "PORT OLYA 3"),   # RU MID: matches demo:1
        (273999301, "2024-08-27 00:00", None, "PORT OLYA 3"),
        (436999404, "2024-08-26 00:00", None, "MARAL"),         # KZ MID: listed MARAL is RU
        (273999309, "2024-08-26 00:00", None, "PORT OLYA 4"),   # RU, but a different name
        (422000001, "2024-08-26 00:00", None, "ALPHA"),         # alias of ARTAVIL, Iranian MID
        (636000001, "2024-08-26 00:00", None, "ALPHA"),         # alias, Liberian MID: no
    ])  # fmt: skip
    matches = match_identities(ais_identities(ais), LIST)
    got = matches[["mmsi", "entry_id", "method", "score"]].to_dict("records")
    assert got == [
        {"mmsi": 273999301, "entry_id": "demo:1", "method": "name_flag", "score": 0.7},
        {"mmsi": 422000001, "entry_id": "ofac_sdn:15036", "method": "name_flag", "score": 0.7},
    ]
    olya = matches.iloc[0]
    assert olya["first_seen"] == pd.Timestamp("2024-08-26", tz="UTC")
    assert olya["last_seen"] == pd.Timestamp("2024-08-27", tz="UTC")
    assert "PORT OLYA-3" in olya["explanation"]


def test_former_flag_corroborates_with_a_lower_score() -> None:
    ais = positions([(572000001, "2024-01-01", None, "ABADAN")])  # Tuvalu MID, a former flag
    matches = match_identities(ais_identities(ais), LIST)
    assert matches[["entry_id", "score"]].to_dict("records") == [{"entry_id": "ofac_sdn:15036", "score": 0.6}]
    assert "former flag" in matches["explanation"].iloc[0]


def test_no_positions_no_matches() -> None:
    matches = match_identities(ais_identities(positions([])), LIST)
    assert matches.empty
    assert "entry_id" in matches.columns


mmsis = st.sampled_from([572469210, 273999301, 436999404, 422000001, 111111111])
names = st.sampled_from(["ARTAVIL", "PORT OLYA 3", "MARAL", "ALPHA", None])
imos = st.sampled_from([9187629, None, 9074729])
rows = st.lists(st.tuples(mmsis, st.sampled_from(["2024-01-01", "2024-02-01"]), imos, names), max_size=25)


@settings(max_examples=25, deadline=None)
@given(rows, st.randoms())
def test_matches_do_not_depend_on_row_order(
    data: list[tuple[int, str, int | None, str | None]], rnd: object
) -> None:
    shuffled = list(data)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = match_identities(ais_identities(positions(data)), LIST)
    b = match_identities(ais_identities(positions(shuffled)), LIST)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("split", [1, 2, 3])
def test_identities_count_every_position(split: int) -> None:
    data = [(273999301, f"2024-08-{d:02d}", None, "PORT OLYA 3") for d in range(1, 10)]
    data += [(436999404, "2024-08-01", None, "MARAL")] * split
    identities = ais_identities(positions(data))
    assert identities["n_positions"].sum() == len(data)


CALL_SIGN_LIST = vessels([
    {"entry_id": "ofac_sdn:15036", "name": "ARTAVIL", "imo": 9187629, "mmsi": 572469210, "flag": "IR",
     "call_sign": "T2EU4", "former_flags": ["MT", "TV", "TZ"]},
])  # fmt: skip


def call_sign_positions(mmsi: int, call_sign: str, name: str) -> pd.DataFrame:
    frame = positions([(mmsi, "2024-01-01", None, name)])
    frame[POSITION.CALL_SIGN] = pd.array([call_sign], dtype="string")
    return frame


def test_call_sign_with_corroborating_flag() -> None:
    # a renamed ARTAVIL under a Tuvalu MMSI (a former flag) still broadcasting call sign T2EU4
    ais = call_sign_positions(572000002, "t2eu4", "NEW NAME")
    matches = match_identities(ais_identities(ais), CALL_SIGN_LIST)
    assert matches[["entry_id", "method", "score"]].to_dict("records") == [
        {"entry_id": "ofac_sdn:15036", "method": "call_sign", "score": 0.6}
    ]
    # the same call sign under a Panamanian MMSI is not corroborated
    assert match_identities(
        ais_identities(call_sign_positions(352000001, "T2EU4", "X")), CALL_SIGN_LIST
    ).empty


def test_fuzzy_name_needs_flag_and_equal_numbers() -> None:
    ais = positions([
        (273999301, "2024-08-26", None, "PORT OLYA3"),     # RU, spelled without the hyphen or space
        (273999302, "2024-08-26", None, "PORT OLIA-3"),    # RU, transliteration variant
        (273999309, "2024-08-26", None, "PORT OLYA 33"),   # RU, different number
        (436999405, "2024-08-26", None, "PORT OLIA-3"),    # KZ: no flag corroboration
    ])  # fmt: skip
    matches = match_identities(ais_identities(ais), LIST)
    got = matches[["mmsi", "method"]].to_dict("records")
    assert got == [{"mmsi": 273999301, "method": "fuzzy_name"}, {"mmsi": 273999302, "method": "fuzzy_name"}]
    assert (matches["score"] < 0.7).all()
    assert "% alike listed name 'PORT OLYA-3'" in matches["explanation"].iloc[1]
    assert match_identities(ais_identities(ais), LIST, MatchingConfig(fuzzy_names=False)).empty


def test_mmsi_match_with_contradicting_imo_is_a_conflict() -> None:
    # ARTAVIL's listed MMSI broadcasting a different (valid) IMO
    ais = positions([(572469210, "2024-01-01", 9074729, "SOMETHING")])
    matches = match_identities(ais_identities(ais), LIST)
    row = matches.iloc[0]
    assert row["method"] == "mmsi"
    assert row["score"] == 0.5
    assert row["conflict"] == "AIS IMO 9074729 contradicts listed IMO 9187629 for the same MMSI"
    assert row["listed_imo"] == 9187629


TANKER = {
    "entry_id": "ofac_sdn:15036", "name": "ARTAVIL", "imo": 9187629, "mmsi": 572469210, "flag": "IR",
    "aliases": ["ALPHA"], "call_sign": "T2EU4", "vessel_type": "Crude Oil Tanker",
}  # fmt: skip


def pleasure_craft_identities() -> pd.DataFrame:
    """A 20 m Class B pleasure craft named ALPHA (the tanker's alias) under an Iranian MID."""
    ais = positions([(422000001, "2024-01-01", None, "ALPHA")]).assign(
        ship_type=pd.array([37], dtype="Int16")
    )
    return ais_identities(ais).assign(transceiver="B", length=20.0)


def test_evidence_against_a_match_lowers_it_and_is_named() -> None:
    # a name-and-flag match (alias ALPHA, Iranian MID) to a listed tanker with an IMO and a
    # call sign, from a 20 m Class B pleasure craft that broadcasts neither
    identities, tanker = pleasure_craft_identities(), TANKER
    listed = vessels([tanker])
    (match,) = match_identities(identities, listed).to_dict("records")
    assert (match["method"], match["tier"]) == ("name_flag", "possible")
    assert match["contradictions"] == [
        "the list gives IMO 9187629, which this AIS identity never broadcast",
        "the list gives call sign T2EU4, which this AIS identity never broadcast",
        "a Class B transponder, while ships with an IMO number carry Class A",
        "AIS length 20 m, far too short for a listed 'Crude Oil Tanker'",
        "AIS ship type 37 (small craft) is far from the listed type 'Crude Oil Tanker' (merchant)",
    ]
    # an MMSI match with a consistent name is confirmed; with a contradiction, one tier less
    own = positions([(572469210, "2024-01-01", None, "ARTAVIL")])
    by_mmsi = {**tanker, "imo": None, "call_sign": None}
    (confirmed,) = match_identities(ais_identities(own), vessels([by_mmsi])).to_dict("records")
    assert (confirmed["method"], confirmed["tier"], confirmed["contradictions"]) == ("mmsi", "confirmed", [])
    (lowered,) = match_identities(ais_identities(own), vessels([{**tanker, "imo": None}])).to_dict("records")
    assert lowered["tier"] == "probable"
    assert lowered["contradictions"] == [
        "the list gives call sign T2EU4, which this AIS identity never broadcast"
    ]


def test_tiers_read_the_particulars_a_match_carries_or_else_the_identities() -> None:
    from vesselscreen.screening.tiers import match_tiers

    identities, listed = pleasure_craft_identities(), vessels([TANKER])
    matches = match_identities(identities, listed)  # the match schema: no call sign, no particulars
    particulars = ["ship_type", "transceiver", "length"]
    carried = matches.merge(
        identities[[POSITION.MMSI, POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, *particulars]],
        on=[POSITION.MMSI, POSITION.IMO, POSITION.NAME],
    )
    methods, consistent = matches["methods"], pd.Series(False, index=matches.index)
    looked_up = match_tiers(carried.drop(columns=particulars), methods, consistent, identities, listed)
    read = match_tiers(carried, methods, consistent, identities.iloc[:0], listed)  # no rows to look up
    assert looked_up[0].tolist() == read[0].tolist() == matches["tier"].tolist() == ["possible"]
    assert looked_up[1].tolist() == read[1].tolist() == matches["contradictions"].tolist()
    assert len(read[1].iloc[0]) == 5  # the IMO, the call sign, Class B, the length, the ship type


def test_listed_vessels_join_each_match_to_its_entry() -> None:
    from vesselscreen.schema import LISTED
    from vesselscreen.screening.context import listed_vessels

    listed = vessels([TANKER])
    matches = match_identities(pleasure_craft_identities(), listed)
    stray = matches.assign(entry_id="ofac_sdn:0")  # an entry the list does not hold
    rows = listed_vessels(pd.concat([matches, stray], ignore_index=True), listed)
    assert rows[LISTED.ENTRY_ID].tolist() == ["ofac_sdn:15036", "ofac_sdn:0"]
    assert rows[LISTED.LISTED_NAME].tolist()[0] == "ARTAVIL"
    assert rows[LISTED.LISTED_IMO].tolist()[0] == 9187629
    assert rows[[LISTED.LISTED_NAME, LISTED.LISTED_IMO]].iloc[1].isna().all()
