"""Issue 11 (input robustness), list readers: every example of the issue, now counted or refused cleanly."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

import vesselscreen as vs
from vesselscreen.errors import FormatError
from vesselscreen.ingest import IngestReport
from vesselscreen.lists import (
    Watchlist,
    read_eu_annex_xlii,
    read_eu_fsf_csv,
    read_opensanctions,
    read_opensanctions_maritime,
    read_uk_csv,
    read_uk_xml,
    read_un_1718_csv,
)
from vesselscreen.lists.custom_csv import read_custom_csv
from vesselscreen.lists.load import sniff_format
from vesselscreen.lists.ofac_csv import read_ofac_csv
from vesselscreen.schema import ENTITY, WATCHLIST

DATA = Path(__file__).parent.parent / "data" / "lists"
SDN_LINES = (DATA / "ofac" / "sdn.csv").read_bytes().split(b"\r\n")  # verbatim rows; the last is 0x1A
UN_1718 = (DATA / "un" / "1718_designated_vessels.csv").read_bytes()
ANNEX = (DATA / "eu" / "annex_xlii_vessels.csv").read_bytes()
MARITIME = (DATA / "opensanctions" / "maritime.csv").read_bytes()
UK_CSV = (DATA / "uk" / "UK_Sanctions_List.csv").read_bytes()
FSF_CSV = (DATA / "eu" / "fsf_export.csv").read_bytes()


def balanced(report: IngestReport) -> bool:
    return report.accepted + report.rejected + report.merged == report.records


def names(wl: Watchlist) -> list[str]:
    return wl.vessels[WATCHLIST.NAME].tolist()


# --------------------------------------------------------------------------- a bare CR


def test_bare_cr_in_a_field_when_sniffing_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="not a recognised watchlist format"):
        vs.load_watchlist(b"name\rx,imo\n")
    assert sniff_format(b"name\rx,imo\n") is None


def test_bare_cr_in_an_unquoted_ofac_field_rejects_that_row_only() -> None:
    # MAR AZUL's row with a carriage return inside its unquoted Title field (-0- )
    damaged = SDN_LINES[0].replace(b"-0- ,", b"-0\r- ,", 1)
    data = b"\r\n".join([damaged, *SDN_LINES[1:3]]) + b"\r\n"
    wl = read_ofac_csv(data)
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected) == (3, 2, 1)
    (sample,) = report.samples
    assert sample.line == 1
    assert sample.reason.startswith("unreadable CSV record: new-line character seen in unquoted field")
    assert names(wl) == ["EBANO", "TIFON"]


def test_bare_cr_in_a_custom_csv_header_names_the_line() -> None:
    with pytest.raises(FormatError, match="unreadable CSV header") as info:
        read_custom_csv(b"name\rx,imo\nARTAVIL,9187629\n")
    assert info.value.line == 1


# --------------------------------------------------------------------------- deep JSON


def test_deeply_nested_json_line_is_rejected_and_the_others_read() -> None:
    good = (DATA / "opensanctions" / "entities.ftm.json").read_bytes()
    deep = (
        b'{"id": "x", "schema": "Vessel", "properties": {"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}\n"
    )
    wl = read_opensanctions(good + deep)
    report = wl.reports[0]
    assert len(wl.vessels) == 2
    (rejection,) = [s for s in report.samples if not s.kept]
    assert (rejection.line, rejection.reason) == (13, "invalid JSON: nested too deeply to read")
    assert balanced(report)


def test_entities_nested_beyond_the_limit_are_flagged_not_followed() -> None:
    # a vessel, its owner company, that company's owner... each owner nested in an Ownership
    nested: dict[str, object] = {"id": "c15", "schema": "Company", "properties": {"name": ["OWNER 15"]}}
    for level in range(14, -1, -1):
        ownership: dict[str, object] = {
            "id": f"o{level}",
            "schema": "Ownership",
            "properties": {"owner": [nested]},
        }
        nested = {
            "id": f"c{level}",
            "schema": "Vessel" if level == 0 else "Company",
            "properties": {"name": [f"OWNER {level}"], "ownershipAsset": [ownership]},
        }
    wl = read_opensanctions(json.dumps(nested).encode() + b"\n")
    report = wl.reports[0]
    assert report.warnings == {"nested too deeply": 1}
    # entity levels 0 (the vessel) to 16 are read: owners 1 to 8, each two levels below the last
    assert wl.entities[ENTITY.NAME].tolist() == [f"OWNER {level}" for level in range(1, 9)]
    assert balanced(report)


# --------------------------------------------------------------------------- no designations


def test_uk_xml_without_designations_is_an_empty_list_that_says_so() -> None:
    wl = read_uk_xml(b"<Designations/>")
    assert (len(wl.vessels), len(wl.entities)) == (0, 0)
    (report,) = wl.reports
    assert (report.records, report.warnings) == (0, {"empty list": 1})
    assert report.summary() == "<bytes> (uk_xml): 0 records, 0 accepted, 0 rejected, 1 flagged"


def test_header_only_uk_csv_is_an_empty_list_that_says_so() -> None:
    header_only = b"\n".join(UK_CSV.split(b"\n")[:2]) + b"\n"
    wl = read_uk_csv(header_only)
    assert (len(wl.vessels), len(wl.entities)) == (0, 0)
    assert wl.reports[0].warnings == {"empty list": 1}


# --------------------------------------------------------------------------- decoding per line


def test_one_non_utf8_line_does_not_garble_the_others() -> None:
    data = (
        "name,flag\nMÜNCHEN,Germany\n".encode() + b"CAF\xc9 ROUGE,France\n" + "ZÜRICH,Switzerland\n".encode()
    )
    wl = vs.load_watchlist(data)
    assert names(wl) == ["MÜNCHEN", "CAFÉ ROUGE", "ZÜRICH"]
    report = wl.reports[0]
    assert report.warnings == {"not UTF-8": 1}
    (sample,) = report.samples
    assert (sample.line, sample.kept, sample.reason) == (3, True, "not UTF-8: line decoded as Windows-1252")


def test_one_non_utf8_line_in_xml_is_repaired_and_flagged() -> None:
    xml = (DATA / "uk" / "UK_Sanctions_List.xml").read_bytes()
    damaged = xml.replace(b"FIXTURE OLD NAME", b"FIXTURE \xc9L\xc9MENT", 1)
    wl = read_uk_xml(damaged)
    ship = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["uk:RUS9001"]
    assert ship[WATCHLIST.ALIASES] == ["FIXTURE ÉLÉMENT"]
    warning = next(s for s in wl.reports[0].samples if s.reason.startswith("not UTF-8"))
    assert warning.line == xml[: xml.index(b"FIXTURE OLD NAME")].count(b"\n") + 1
    assert len(wl.vessels) + len(wl.entities) == 4


# --------------------------------------------------------------------------- an extra field


def test_extra_field_on_the_first_un_1718_row_is_rejected_not_shifted() -> None:
    lines = UN_1718.split(b"\n")
    lines[1] += b",EXTRA"
    wl = read_un_1718_csv(b"\n".join(lines))
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["un_1718:9999993", "un_1718:9999994"]
    assert names(wl) == ["FIXTURE DPRK CARGO", "FIXTURE BAD IMO"]
    (rejection,) = [s for s in wl.reports[0].samples if not s.kept]
    assert (rejection.line, rejection.reason) == (2, "wrong number of fields: expected 8, got 9")


def test_extra_field_on_the_first_maritime_row_is_rejected_not_shifted() -> None:
    lines = MARITIME.split(b"\n")
    lines[1] += b",EXTRA"
    wl = read_opensanctions_maritime(b"\n".join(lines))
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["opensanctions:os-fixture-vessel-2"]
    assert wl.entities[ENTITY.ENTRY_ID].tolist() == ["opensanctions:os-fixture-company-1"]
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected) == (3, 2, 1)
    assert report.samples[0].line == 2


# --------------------------------------------------------------------------- empty ids


@pytest.mark.parametrize(
    ("reader", "data", "column", "line"),
    [
        (read_eu_fsf_csv, FSF_CSV, b"990003", 9),  # Ivan FIXTURE's first row
        (read_uk_csv, UK_CSV, b"RUS9002", 5),
        (read_opensanctions_maritime, MARITIME, b"os-fixture-vessel-2", 3),
    ],
)
def test_row_with_an_empty_id_is_rejected_with_its_line(
    reader: Callable[[bytes], Watchlist], data: bytes, column: bytes, line: int
) -> None:
    lines = data.split(b"\n")
    lines[line - 1] = lines[line - 1].replace(column, b"", 1)
    wl = reader(b"\n".join(lines))
    report = wl.reports[0]
    (rejection,) = [s for s in report.samples if not s.kept]
    assert rejection.line == line
    assert rejection.reason.startswith("empty ")
    assert report.rejected == 1
    assert balanced(report)


# --------------------------------------------------------------------------- merges


@pytest.mark.parametrize(("reader", "data"), [(read_un_1718_csv, UN_1718), (read_eu_annex_xlii, ANNEX)])
def test_two_rows_with_one_imo_are_merged_and_the_second_name_kept(
    reader: Callable[[bytes], Watchlist], data: bytes
) -> None:
    lines = data.rstrip(b"\n").split(b"\n")
    renamed = lines[2].replace(b"FIXTURE", b"RENAMED", 1).replace(b"9999981", b"9999993")
    wl = reader(b"\n".join([*lines, renamed]) + b"\n")
    ship = wl.vessels.set_index(WATCHLIST.IMO).loc[9999993]
    assert ship[WATCHLIST.ALIASES] == [renamed.split(b",")[0].decode()]
    report = wl.reports[0]
    assert report.merges == {"same IMO number": 1}
    (merge,) = report.merge_samples
    assert merge.line == len(lines) + 1
    assert merge.into.endswith(":9999993")
    assert balanced(report)


def test_exact_duplicate_rows_are_merged_and_counted() -> None:
    lines = UN_1718.rstrip(b"\n").split(b"\n")
    wl = read_un_1718_csv(b"\n".join([*lines, lines[1]]) + b"\n")
    assert len(wl.vessels) == 3
    report = wl.reports[0]
    assert (report.records, report.accepted, report.merged) == (4, 3, 1)
    assert report.merges == {"exact duplicate": 1}
    assert report.merge_samples[0].name is None  # same name: nothing new to keep


def test_merged_rows_that_contradict_each_other_are_flagged() -> None:
    lines = UN_1718.rstrip(b"\n").split(b"\n")
    other_flag = lines[1].replace(b"Democratic People's Republic of Korea", b"Panama")
    wl = read_un_1718_csv(b"\n".join([*lines, other_flag]) + b"\n")
    assert wl.vessels.set_index(WATCHLIST.IMO).loc[9999981, WATCHLIST.FLAG] == "KP"
    assert wl.reports[0].warnings["conflicting flag in merged records"] == 1


# --------------------------------------------------------------------------- DOS end of file


@pytest.mark.parametrize(("reader", "data"), [(read_un_1718_csv, UN_1718), (read_eu_annex_xlii, ANNEX)])
def test_trailing_dos_eof_byte_is_not_a_vessel(reader: Callable[[bytes], Watchlist], data: bytes) -> None:
    wl = reader(data + b"\x1a")
    assert "\x1a" not in names(wl)
    assert len(wl.vessels) == len(data.strip().split(b"\n")) - 1
    assert wl.reports[0].notes == {"EOF marker (0x1A) skipped": 1}


# --------------------------------------------------------------------------- a stray quote


def test_stray_opening_quote_rejects_its_row_and_keeps_the_rest() -> None:
    data = b'name,imo,flag\n"PORT OLYA-3,,RU\nPORT OLYA-4,,Russia\nARTAVIL,IMO 9187629,IR\n'
    wl = read_custom_csv(data)
    assert names(wl) == ["PORT OLYA-4", "ARTAVIL"]
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["custom:2", "custom:3"]  # numbers unchanged
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected) == (3, 2, 1)
    assert (report.samples[0].line, report.samples[0].reason) == (
        2,
        "wrong number of fields: expected 3, got 1 (a quote left open runs over 3 lines)",
    )


def test_closing_quote_lost_in_a_real_row_rejects_that_row_only() -> None:
    data = (DATA / "custom" / "caspian_watchlist.csv").read_bytes()
    lines = data.split(b"\n")
    lines[1] = lines[1].replace(b'IMO",', b"IMO,")  # PORT OLYA-3's remarks never close
    wl = read_custom_csv(b"\n".join(lines))
    assert names(wl) == ["PORT OLYA-4", "ARTAVIL", "MUSA JALIL"]
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["caspian_demo:2", "ofac_copy:15036", "caspian_demo:4"]
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected) == (4, 3, 1)
    assert report.samples[0].line == 2


# --------------------------------------------------------------------------- XML outside records


def _padded_uk_xml(path: Path, padding: int) -> None:
    """A UK list: ``padding`` empty non-record elements, then one real designation."""
    designation = (DATA / "uk" / "UK_Sanctions_List.xml").read_bytes()
    start, end = designation.index(b"<Designation>"), designation.index(b"</Designation>") + 14
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<Designations>\n')
        block = b"<Padding/>" * 10_000 + b"\n"
        for _ in range(padding // 10_000):
            fh.write(block)
        fh.write(designation[start:end] + b"\n</Designations>\n")


def test_xml_stream_memory_stays_flat_outside_records(tmp_path: Path) -> None:
    peaks = []
    for padding in (50_000, 250_000):
        path = tmp_path / f"padded_{padding}.xml"
        _padded_uk_xml(path, padding)
        tracemalloc.start()
        wl = read_uk_xml(path)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == ["uk:RUS9001"]
    # keeping the 200,000 extra elements would cost over 15 MB (about 80 bytes each)
    assert peaks[1] - peaks[0] < 2_000_000


def test_loading_the_issue_examples_raises_only_library_errors() -> None:
    for data in (b"name\rx,imo\n", b"\x1a", b'"', b"\xff\xfe<\x00", b"<Designations>", b"{"):
        try:
            wl = vs.load_watchlist(data)
        except vs.VesselScreenError:
            continue
        assert all(balanced(r) for r in wl.reports)


# --------------------------------------------------------------------------- the documented limits and cases


def test_a_field_over_the_csv_size_limit_rejects_its_row_only() -> None:
    wl = vs.load_watchlist(b"name,remarks\nPORT OLYA-3," + b"x" * 200_000 + b"\nARTAVIL,ok\n")
    assert names(wl) == ["ARTAVIL"]
    (sample,) = wl.reports[0].samples
    assert (sample.line, sample.reason) == (
        2,
        "unreadable CSV record: field larger than field limit (131072)",
    )


def test_a_record_open_over_the_line_limit_is_a_quote_left_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vs.lists.limits, "MAX_RECORD_LINES", 3)
    data = b'name,remarks\nPORT OLYA-3,"one\ntwo\nthree\nfour"\nARTAVIL,"a\nb\nc"\nMUSA JALIL,\n'
    wl = read_custom_csv(data)
    assert names(wl) == ["ARTAVIL", "MUSA JALIL"]  # three lines are allowed, four are not
    report = wl.reports[0]
    assert (report.samples[0].line, report.samples[0].reason) == (
        2,
        "quote left open: the record runs over more than 3 lines",
    )
    # the rest of the cut field is read as rows of its own, each rejected
    assert [s.line for s in report.samples] == [2, 3, 4, 5]


def test_cr_only_line_ends_are_lines() -> None:
    wl = vs.load_watchlist(b"name,flag\rPORT OLYA-3,RU\rARTAVIL,Iran\r")
    assert wl.vessels[[WATCHLIST.NAME, WATCHLIST.FLAG]].values.tolist() == [
        ["PORT OLYA-3", "RU"],
        ["ARTAVIL", "IR"],
    ]


def test_an_xml_control_character_becomes_a_space_and_is_flagged() -> None:
    xml = (DATA / "uk" / "UK_Sanctions_List.xml").read_bytes()
    wl = read_uk_xml(xml.replace(b"FIXTURE OLD NAME", b"FIXTURE\x01OLD NAME", 1))
    assert wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["uk:RUS9001", WATCHLIST.ALIASES] == [
        "FIXTURE OLD NAME"
    ]
    warning = next(s for s in wl.reports[0].samples if s.reason.startswith("control character"))
    assert warning.line == xml[: xml.index(b"FIXTURE OLD NAME")].count(b"\n") + 1


def test_an_xml_encoding_the_parser_cannot_use_is_a_format_error() -> None:
    xml = (
        (DATA / "uk" / "UK_Sanctions_List.xml").read_bytes().replace(b'encoding="utf-8"', b'encoding="TF-8"')
    )
    with pytest.raises(FormatError, match="unreadable XML: unknown encoding: TF-8"):
        read_uk_xml(xml)


def test_an_xml_list_in_latin_1_is_read_as_declared() -> None:
    xml = (DATA / "uk" / "UK_Sanctions_List.xml").read_text(encoding="utf-8")
    latin = xml.replace('encoding="utf-8"', 'encoding="ISO-8859-1"').replace(
        "FIXTURE OLD NAME", "FIXTURE ÉLAN"
    )
    wl = read_uk_xml(latin.encode("latin-1"))
    assert wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["uk:RUS9001", WATCHLIST.ALIASES] == ["FIXTURE ÉLAN"]
    assert wl.reports[0].warnings == {"invalid IMO": 1}  # nothing flagged about the encoding


def test_a_path_no_file_can_have_is_a_library_error() -> None:
    for read in (vs.load_watchlist, read_uk_xml, read_custom_csv):
        with pytest.raises(vs.SourceNotFoundError):
            read("UK_Sanctions\x00List.xml")


def test_a_streamed_file_that_cannot_be_opened_is_a_library_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "UK_Sanctions_List.xml"
    path.write_bytes((DATA / "uk" / "UK_Sanctions_List.xml").read_bytes())
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]  # the arguments as given

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(vs.SourceNotFoundError, match="permission denied") as info:
        read_uk_xml(path)
    assert info.value.source == str(path)


def test_fsf_row_without_a_subject_type_still_reads_its_ship_imo() -> None:
    """Found by the long fuzz run: an empty Entity_SubjectType next to an IMO identification."""
    lines = FSF_CSV.split(b"\n")
    column = lines[0].split(b";").index(b"Entity_SubjectType")
    row = lines[3].split(b";")  # the ship's row with its imo identification
    row[column] = b""
    lines[3] = b";".join(row)
    wl = read_eu_fsf_csv(b"\n".join(lines))
    assert wl.vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.IMO]].values.tolist() == [["eu_fsf:990001", 9999993]]
    assert balanced(wl.reports[0])
