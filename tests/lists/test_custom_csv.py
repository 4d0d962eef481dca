"""Custom watchlist CSV reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselscreen.errors import ColumnsError, ConfigError, FormatError
from vesselscreen.lists.custom_csv import COLUMNS, read_custom_csv
from vesselscreen.schema import WATCHLIST, WATCHLIST_DTYPES, validate

CUSTOM = Path(__file__).parent.parent / "data" / "lists" / "custom"


def test_caspian_demo_entries_by_name_and_flag() -> None:
    wl = read_custom_csv(CUSTOM / "caspian_watchlist.csv")
    v = wl.vessels.set_index(WATCHLIST.NAME)
    olya3 = v.loc["PORT OLYA-3"]
    assert olya3[WATCHLIST.FLAG] == "RU"
    assert olya3[WATCHLIST.IMO] is pd.NA
    assert olya3[WATCHLIST.MMSI] is pd.NA
    assert olya3[WATCHLIST.ENTRY_ID] == "caspian_demo:1"
    assert olya3[WATCHLIST.SOURCE] == "caspian_demo"
    assert olya3[WATCHLIST.PROGRAMS] == ["CASPIAN DEMO"]
    olya4 = v.loc["PORT OLYA-4"]
    assert olya4[WATCHLIST.FLAG] == "RU"  # written "Russia"
    assert olya4[WATCHLIST.ALIASES] == ["PORT OLYA 4"]
    artavil = v.loc["ARTAVIL"]
    assert (artavil[WATCHLIST.IMO], artavil[WATCHLIST.MMSI]) == (9187629, 572469210)
    assert artavil[WATCHLIST.ENTRY_ID] == "ofac_copy:15036"
    assert artavil[WATCHLIST.SOURCE] == "custom"
    assert artavil[WATCHLIST.ALIASES] == ["ALPHA", "ABADAN", "SHONA"]
    assert artavil[WATCHLIST.PROGRAMS] == ["IRAN", "SDGT"]
    assert artavil[WATCHLIST.CALL_SIGN] == "T2EU4"
    assert artavil[WATCHLIST.VESSEL_TYPE] == "Crude/Oil Products Tanker"
    assert v.loc["MUSA JALIL", WATCHLIST.LISTED_ON] == pd.Timestamp("2024-01-15", tz="UTC")
    validate(wl.vessels, WATCHLIST_DTYPES)
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected, report.warnings) == (4, 4, 0, {})
    assert wl.entities.empty
    assert wl.snapshot.sources[0].format == "custom_csv"


def test_bad_rows_are_counted_or_flagged_with_their_line() -> None:
    wl = read_custom_csv(CUSTOM / "bad_rows.csv")
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected, report.merged) == (9, 6, 2, 1)
    assert report.reasons == {"empty name": 1, "wrong number of fields": 1}
    assert report.merges == {"same entry_id": 1}
    assert report.warnings == {"invalid IMO": 1, "invalid MMSI": 1, "invalid date": 1, "unknown country": 1}
    assert report.notes == {"ignored column: notes": 1}
    where = {s.reason.split(":")[0]: (s.line, s.kept) for s in report.samples}
    assert where == {
        "invalid IMO": (3, True),
        "invalid MMSI": (4, True),
        "invalid date": (5, True),
        "unknown country": (6, True),
        "empty name": (7, False),
        "wrong number of fields": (8, False),
    }
    (merge,) = report.merge_samples
    assert (merge.line, merge.into, merge.name) == (10, "dup:1", "DUPLICATE ID AGAIN")
    v = wl.vessels.set_index(WATCHLIST.NAME)
    assert v.loc["GOOD SHIP", WATCHLIST.IMO] == 9187629
    assert v.loc["BAD IMO", WATCHLIST.IMO] is pd.NA
    assert v.loc["BAD MMSI", WATCHLIST.MMSI] is pd.NA
    assert v.loc["BAD DATE", WATCHLIST.LISTED_ON] is pd.NaT
    assert v.loc["BAD FLAG", WATCHLIST.FLAG] is pd.NA
    assert "notes" not in wl.vessels.columns
    assert v.loc["DUPLICATE ID", WATCHLIST.ENTRY_ID] == "dup:1"
    assert v.loc["DUPLICATE ID", WATCHLIST.ALIASES] == ["DUPLICATE ID AGAIN"]  # merged, name kept
    assert "DUPLICATE ID AGAIN" not in v.index


def test_invalid_imo_message() -> None:
    wl = read_custom_csv(b"name,imo\nX,IMO 9187628\n")
    expected = "invalid IMO: IMO 9187628 fails the ship check digit (expected 9)"
    assert wl.reports[0].samples[0].reason == expected


def test_missing_name_column_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("vessel,imo\nPORT OLYA-3,\n")
    with pytest.raises(ColumnsError) as info:
        read_custom_csv(path)
    assert info.value.source == str(path)
    assert info.value.missing == ["name"]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_empty_file(content: bytes) -> None:
    with pytest.raises(FormatError, match="empty file"):
        read_custom_csv(content)


def test_repeated_column_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="repeated columns in the header: imo"):
        read_custom_csv(b"name,imo,IMO\nX,,\n")


def test_header_is_lenient_and_lists_are_split() -> None:
    data = (
        "\ufeffName , IMO,Flag,Former Flags,Owners,Linked_To,Delisted_On\r\n"
        "ARTAVIL,9187629,Iran,Malta; Tuvalu ;;MT,A;B,NITC,2020-01-31\r\n"
    ).encode()
    v = read_custom_csv(data).vessels.iloc[0]
    assert v[WATCHLIST.FLAG] == "IR"
    assert v[WATCHLIST.FORMER_FLAGS] == ["MT", "TV"]
    assert v[WATCHLIST.OWNERS] == ["A", "B"]
    assert v[WATCHLIST.LINKED_TO] == ["NITC"]
    assert v[WATCHLIST.DELISTED_ON] == pd.Timestamp("2020-01-31", tz="UTC")


def test_cp1252_file_and_quoted_newlines() -> None:
    data = 'name,remarks\r\n"CAFÉ","two\r\nlines"\r\nNEXT,\r\n'.encode("cp1252")
    wl = read_custom_csv(data)
    assert wl.vessels[WATCHLIST.NAME].tolist() == ["CAFÉ", "NEXT"]
    assert wl.vessels.loc[0, WATCHLIST.REMARKS] == "two\r\nlines"
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["custom:1", "custom:2"]


def test_text_mode_file_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("name\nX\n")
    with path.open() as fh, pytest.raises(ConfigError, match="binary mode"):
        read_custom_csv(fh)  # type: ignore[arg-type]  # the wrong kind of file object, on purpose


def test_out_of_range_date_is_flagged() -> None:
    wl = read_custom_csv(b"name,listed_on\nX,0001-01-01\nY,2024-02-30\n")
    assert wl.vessels[WATCHLIST.LISTED_ON].isna().all()
    assert wl.reports[0].warnings == {"invalid date": 2}


# --------------------------------------------------------------------------- properties

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
cells = st.one_of(st.just(""), names, st.from_regex(r"\A(IMO )?[0-9]{7}\Z"), st.from_regex(r"\A[0-9]{9}\Z"))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "name": names,
            "imo": cells,
            "mmsi": cells,
            "flag": st.sampled_from(["", "RU", "Russia", "IR", "Atlantis", "xx"]),
            "listed_on": st.one_of(st.just(""), names, st.dates().map(str)),
            "programs": names,
        }
    ),
    max_size=20,
)


def to_csv(records: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([[r[c] for c in columns] for r in records])
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=60, deadline=None)
@given(rows)
def test_no_row_is_lost(records: list[dict[str, str]]) -> None:
    columns = ["name", "imo", "mmsi", "flag", "listed_on", "programs"]
    data = to_csv(records, columns)
    wl = read_custom_csv(data)
    report = wl.reports[0]
    # a row of only empty cells (",,,,,"; spaces, tabs, line ends, 0x1A allowed) is a blank line:
    # skipped and noted, not a record; other invisible characters (a form feed) make a record
    blank = sum(all(not r[c].strip(" \t\r\n\x1a") for c in columns) for r in records)
    assert report.records + blank == len(records)
    assert report.notes.get("blank lines skipped", 0) == blank
    assert report.accepted + report.rejected + report.merged == report.records
    assert len(wl.vessels) == report.accepted
    named = [r["name"].strip() for r in records if r["name"].strip()]
    assert wl.vessels[WATCHLIST.NAME].tolist() == named
    validate(wl.vessels, WATCHLIST_DTYPES)


@settings(max_examples=30, deadline=None)
@given(rows.flatmap(lambda rs: st.tuples(st.just(rs), st.permutations(range(len(rs))))))
def test_row_order_does_not_change_the_entries(case: tuple[list[dict[str, str]], list[int]]) -> None:
    records, order = case
    columns = ["entry_id", "name", "imo", "mmsi", "flag", "listed_on", "programs"]
    for i, record in enumerate(records):
        record["entry_id"] = f"e{i}"
    a = read_custom_csv(to_csv(records, columns)).vessels
    b = read_custom_csv(to_csv([records[i] for i in order], columns)).vessels
    key = WATCHLIST.ENTRY_ID
    pd.testing.assert_frame_equal(
        a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    )


def test_documented_columns() -> None:
    assert COLUMNS[0] == WATCHLIST.NAME
    assert set(COLUMNS) <= set(WATCHLIST_DTYPES)
