"""OFAC legacy CSV reader, against the real sdn.csv / alt.csv / add.csv / sdn_comments.csv rows."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vesselscreen.errors import FormatError, SourceNotFoundError
from vesselscreen.identifiers import is_valid_imo
from vesselscreen.lists import Watchlist
from vesselscreen.lists.ofac_csv import SDN_FIELDS, looks_like_sdn_csv, read_ofac_csv
from vesselscreen.schema import ENTITY, ENTITY_DTYPES, WATCHLIST, WATCHLIST_DTYPES, validate

OFAC = Path(__file__).parent.parent / "data" / "lists" / "ofac"
SDN = OFAC / "sdn.csv"
SDN_BYTES = SDN.read_bytes()
SDN_LINES = SDN_BYTES.decode("ascii").split("\r\n")  # last item is the 0x1A byte


@pytest.fixture(scope="module")
def wl() -> Watchlist:
    return read_ofac_csv(SDN)


def vessel(wl: Watchlist, ent_num: int) -> pd.Series:
    rows = wl.vessels.loc[wl.vessels[WATCHLIST.ENTRY_ID] == f"ofac_sdn:{ent_num}"]
    assert len(rows) == 1
    return rows.iloc[0]


def entity(wl: Watchlist, ent_num: int) -> pd.Series:
    rows = wl.entities.loc[wl.entities[ENTITY.ENTRY_ID] == f"ofac_sdn:{ent_num}"]
    assert len(rows) == 1
    return rows.iloc[0]


def real_rows() -> list[list[str]]:
    """sdn.csv parsed independently of the reader (csv module, 0x1A line dropped)."""
    return [row for row in csv.reader(io.StringIO(SDN_BYTES.decode("ascii"), newline="")) if len(row) == 12]


def line_of(ent_num: int) -> str:
    return next(line for line in SDN_LINES if line.startswith(f"{ent_num},"))


# --------------------------------------------------------------------------- real file


def test_counts_on_the_real_file(wl: Watchlist) -> None:
    v = wl.vessels
    counts = {
        "vessels": len(v),
        "with_imo": int(v[WATCHLIST.IMO].notna().sum()),
        "with_mmsi": int(v[WATCHLIST.MMSI].notna().sum()),
        "entities": len(wl.entities),
    }
    print("OFAC sample:", counts)
    assert counts == {"vessels": 80, "with_imo": 75, "with_mmsi": 30, "entities": 60}
    assert wl.entities[ENTITY.ENTITY_TYPE].value_counts().to_dict() == {
        "individual": 30,
        "entity": 27,
        "aircraft": 3,
    }
    assert len(wl) == 80


def test_every_vessel_row_comes_out(wl: Watchlist) -> None:
    rows = real_rows()
    expected_vessels = [f"ofac_sdn:{r[0]}" for r in rows if r[2].strip() == "vessel"]
    expected_entities = [f"ofac_sdn:{r[0]}" for r in rows if r[2].strip() != "vessel"]
    assert wl.vessels[WATCHLIST.ENTRY_ID].tolist() == expected_vessels
    assert wl.entities[ENTITY.ENTRY_ID].tolist() == expected_entities
    assert len(expected_vessels) == 80


def test_every_identifier_the_remarks_state(wl: Watchlist) -> None:
    """Counted independently: regexes over each real row's Remarks text."""
    checked = 0
    for row in real_rows():
        if row[2].strip() != "vessel":
            continue
        remarks, got = row[11], vessel(wl, int(row[0]))
        imos = [int(m) for m in re.findall(r"Vessel Registration Identification (?:IMO )?(\d{7})\b", remarks)]
        imos = [m for m in imos if is_valid_imo(m)]
        assert (got[WATCHLIST.IMO] if pd.notna(got[WATCHLIST.IMO]) else None) == (imos[0] if imos else None)
        mmsis = [int(m) for m in re.findall(r"\bMMSI (\d{9})\b", remarks)]
        assert (got[WATCHLIST.MMSI] if pd.notna(got[WATCHLIST.MMSI]) else None) == (
            mmsis[0] if mmsis else None
        )
        assert len(got[WATCHLIST.LINKED_TO]) == remarks.count("Linked To: ")
        stated_flags = re.findall(r"Former Vessel Flag ([A-Za-z ]+)", remarks)
        assert len(got[WATCHLIST.FORMER_FLAGS]) == len([f for f in stated_flags if f != "None Identified"])
        for alias in re.findall(r"[afn]\.k\.a\. '([^']+)'", remarks):
            assert alias in got[WATCHLIST.ALIASES]
        checked += 1
    assert checked == 80
    # every "IMO nnnnnnn" in a vessel's remarks is a ship number here: the count agrees
    vessel_text = "\n".join(r[11] for r in real_rows() if r[2].strip() == "vessel")
    assert len(re.findall(r"\bIMO \d{7}\b", vessel_text)) + 2 == 75  # + 2 stated without "IMO"


def test_artavil(wl: Watchlist) -> None:
    v = vessel(wl, 15036)
    assert v[WATCHLIST.NAME] == "ARTAVIL"
    assert v[WATCHLIST.IMO] == 9187629
    assert v[WATCHLIST.MMSI] == 572469210
    assert v[WATCHLIST.CALL_SIGN] == "T2EU4"
    assert v[WATCHLIST.FLAG] == "IR"
    assert v[WATCHLIST.FORMER_FLAGS] == ["MT", "TV", "TZ"]  # "None Identified" skipped
    assert v[WATCHLIST.ALIASES] == ["ALPHA", "ABADAN", "SHONA"]  # remarks first, then alt.csv
    assert v[WATCHLIST.LINKED_TO] == ["NATIONAL IRANIAN TANKER COMPANY"]
    assert v[WATCHLIST.PROGRAMS] == ["IRAN"]
    assert v[WATCHLIST.VESSEL_TYPE] == "Crude/Oil Products Tanker"
    assert v[WATCHLIST.SOURCE] == "ofac_sdn"
    assert pd.isna(v[WATCHLIST.LISTED_ON])
    assert v[WATCHLIST.REMARKS].startswith("Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu;")
    assert v[WATCHLIST.REMARKS].endswith("Linked To: NATIONAL IRANIAN TANKER COMPANY.")


def test_real_variants(wl: Watchlist) -> None:
    # programs split on "] ["
    assert vessel(wl, 15055)[WATCHLIST.PROGRAMS] == ["IRAN", "SDGT"]
    assert vessel(wl, 25259)[WATCHLIST.PROGRAMS] == ["IRAN", "NPWMD", "IFSR"]
    # two Linked To; a trailing initialism keeps its period, a plain final period goes
    assert vessel(wl, 15055)[WATCHLIST.LINKED_TO] == [
        "NATIONAL IRANIAN TANKER COMPANY",
        "HOKOUL SAL OFFSHORE",
    ]
    assert vessel(wl, 18340)[WATCHLIST.LINKED_TO] == ["MILENYUM ENERGY S.A.", "GREEN SHIPPING LTD"]
    assert vessel(wl, 26636)[WATCHLIST.LINKED_TO] == ["PETROLEOS DE VENEZUELA, S.A."]
    # owner column, flag spelled "St. Vincent and the Grenadines", MMSI without IMO
    vitamin = vessel(wl, 27200)
    assert vitamin[WATCHLIST.OWNERS] == ["Beratex Group Limited"]
    assert vitamin[WATCHLIST.FLAG] == "VC"
    assert vitamin[WATCHLIST.MMSI] == 375311000
    assert pd.isna(vitamin[WATCHLIST.IMO])
    assert vessel(wl, 4238)[WATCHLIST.OWNERS] == ["Samir de Navegacion S.A."]
    # IMO followed by a country; registration numbers without "IMO"
    assert vessel(wl, 34942)[WATCHLIST.IMO] == 9256860
    assert vessel(wl, 17104)[WATCHLIST.IMO] == 8606173  # "Vessel Registration Identification 8606173."
    assert pd.isna(vessel(wl, 23424)[WATCHLIST.IMO])  # "15411 (Malta)": a national number
    shellest = vessel(wl, 37479)  # "RS 150443 (Russia)": Russian register number, MMSI only
    assert pd.isna(shellest[WATCHLIST.IMO])
    assert shellest[WATCHLIST.MMSI] == 273385420
    # call sign with a space is kept as listed
    assert vessel(wl, 15043)[WATCHLIST.CALL_SIGN] == "5IM 592"
    # a vessel with several f.k.a. and no MMSI
    assert vessel(wl, 15059)[WATCHLIST.ALIASES] == ["HONAR", "VICTORY", "JANUS", "DOVE", "HORSE"]
    # empty Vess_flag
    assert pd.isna(vessel(wl, 23776)[WATCHLIST.FLAG])


def test_entities(wl: Watchlist) -> None:
    samjong = entity(wl, 23712)
    assert samjong[ENTITY.COMPANY_IMO] == 5954061  # "Company Number IMO 5954061", company check digit
    assert samjong[ENTITY.ENTITY_TYPE] == "entity"
    assert entity(wl, 15733)[ENTITY.COUNTRIES] == ["AE", "MT", "MH"]  # three add.csv rows
    assert entity(wl, 12688)[ENTITY.ALIASES] == ["BASHIR, Bashir Saleh", "SALEH, Bashir"]
    assert entity(wl, 12688)[ENTITY.ENTITY_TYPE] == "individual"
    assert entity(wl, 25501)[ENTITY.ENTITY_TYPE] == "aircraft"
    assert entity(wl, 25501)[ENTITY.LINKED_TO] == ["IRAN AIR"]
    assert entity(wl, 25661)[ENTITY.ALIASES] == ["SUREH", "SOOREH"]
    assert entity(wl, 34824)[ENTITY.PROGRAMS] == ["NPWMD", "CYBER2", "CAATSA - RUSSIA"]
    assert wl.entities[ENTITY.COMPANY_IMO].notna().sum() == 1


def test_schema_and_lists(wl: Watchlist) -> None:
    validate(wl.vessels, WATCHLIST_DTYPES, what="vessels")
    validate(wl.entities, ENTITY_DTYPES, what="entities")
    for column in (WATCHLIST.ALIASES, WATCHLIST.FORMER_FLAGS, WATCHLIST.PROGRAMS, WATCHLIST.OWNERS):
        assert all(isinstance(cell, list) for cell in wl.vessels[column])
    assert wl.vessels[WATCHLIST.LISTED_ON].isna().all()
    assert wl.vessels[WATCHLIST.ENTRY_ID].is_unique


def test_reports_account_for_every_row(wl: Watchlist) -> None:
    reports = {Path(r.source).name: r for r in wl.reports}
    assert set(reports) == {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"}
    for report in reports.values():
        assert report.accepted + report.rejected + report.merged == report.records
    assert (reports["sdn.csv"].records, reports["sdn.csv"].accepted) == (140, 140)
    assert reports["sdn.csv"].notes["EOF marker (0x1A) skipped"] == 1
    assert reports["sdn.csv"].warnings == {}
    assert (reports["alt.csv"].records, reports["alt.csv"].accepted) == (84, 84)
    assert (reports["add.csv"].records, reports["add.csv"].accepted) == (163, 163)
    # the 12 comment rows belong to entries that are not in this excerpt: counted, not lost
    assert reports["sdn_comments.csv"].reasons == {"unknown ent_num": 12}


def test_snapshot(wl: Watchlist) -> None:
    (snap,) = wl.snapshot.sources
    parts = b"".join(
        (OFAC / name).read_bytes() for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
    )
    assert snap.sha256 == hashlib.sha256(parts).hexdigest()
    assert (snap.source, snap.format, snap.location) == ("ofac_sdn", "ofac_csv", str(SDN))
    assert (snap.vessels, snap.entities) == (80, 60)
    assert snap.retrieved_at.utcoffset() is not None


# --------------------------------------------------------------------------- companions


def test_without_siblings_and_from_bytes_or_stream() -> None:
    alone = read_ofac_csv(SDN, siblings=False)
    assert len(alone.reports) == 1
    artavil = vessel(alone, 15036)
    assert artavil[WATCHLIST.ALIASES] == ["ALPHA"]
    from_bytes = read_ofac_csv(SDN_BYTES)
    with SDN.open("rb") as fh:
        from_stream = read_ofac_csv(fh)
    pd.testing.assert_frame_equal(from_bytes.vessels, alone.vessels)
    pd.testing.assert_frame_equal(from_stream.vessels, alone.vessels)
    assert from_bytes.reports[0].source == "<bytes>"
    assert from_stream.reports[0].source == str(SDN)


def test_explicit_companions_and_source_override() -> None:
    wl = read_ofac_csv(SDN_BYTES, alt=(OFAC / "alt.csv").read_bytes(), source="ofac_2024_05_03")
    v = vessel_by_id(wl, "ofac_2024_05_03:15036")
    assert v[WATCHLIST.ALIASES] == ["ALPHA", "ABADAN", "SHONA"]
    assert v[WATCHLIST.SOURCE] == "ofac_2024_05_03"
    assert len(wl.reports) == 2


def vessel_by_id(wl: Watchlist, entry_id: str) -> pd.Series:
    return wl.vessels.loc[wl.vessels[WATCHLIST.ENTRY_ID] == entry_id].iloc[0]


def test_sdn_comments_continue_remarks_mid_word() -> None:
    """A Remarks field cut by OFAC mid-word continues in sdn_comments.csv."""
    line = line_of(15036)
    cut = line.index("IONAL IRANIAN TANKER COMPANY.")
    head, tail = line[:cut] + '"', line[cut:]
    comments = f'15036,"{tail}\r\n'.encode()
    wl = read_ofac_csv((head + "\r\n").encode(), comments=comments)
    v = vessel(wl, 15036)
    assert v[WATCHLIST.LINKED_TO] == ["NATIONAL IRANIAN TANKER COMPANY"]
    assert v[WATCHLIST.REMARKS] == next(r[11] for r in real_rows() if r[0] == "15036")
    assert wl.reports[1].accepted == 1


def test_companion_rows_for_unknown_entries_are_counted() -> None:
    wl = read_ofac_csv(SDN_BYTES, alt=b'99999999,1,"aka","NOBODY",-0- \r\n')
    assert wl.reports[1].reasons == {"unknown ent_num": 1}
    assert wl.reports[1].samples[0].line == 1


# --------------------------------------------------------------------------- bad input


def test_truncated_row_is_rejected_with_its_line_and_parsing_continues() -> None:
    lines = SDN_LINES[:10]
    lines[6] = lines[6][:60]  # ARTAVIL cut short inside its 8th field
    wl = read_ofac_csv("\r\n".join(lines).encode() + b"\r\n")
    report = wl.reports[0]
    assert (report.records, report.accepted, report.rejected) == (10, 9, 1)
    assert report.reasons == {"wrong number of fields": 1}
    assert report.samples[0].line == 7
    # the cut leaves a quote open: the reader gives up that line only and reads on
    assert report.samples[0].reason == (
        "wrong number of fields: expected 12, got 17 (a quote left open runs over 2 lines)"
    )
    assert "ofac_sdn:15036" not in wl.vessels[WATCHLIST.ENTRY_ID].tolist()
    assert len(wl.vessels) + len(wl.entities) == 9


def test_non_numeric_ent_num_is_rejected_and_a_repeat_merged() -> None:
    first, second = SDN_LINES[0], SDN_LINES[1]
    bad = "x" + first
    renamed = first.replace('"MAR AZUL"', '"MAR AZUL II"')
    data = "\r\n".join([first, bad, second, first, renamed]).encode()
    wl = read_ofac_csv(data)
    report = wl.reports[0]
    assert report.reasons == {"invalid ent_num": 1}
    assert [s.line for s in report.samples] == [2]
    assert (report.records, report.accepted, report.rejected, report.merged) == (5, 2, 1, 2)
    assert report.merges == {"exact duplicate": 1, "same ent_num": 1}
    assert [(m.line, m.into, m.name) for m in report.merge_samples] == [
        (4, "ofac_sdn:4238", None),
        (5, "ofac_sdn:4238", "MAR AZUL II"),
    ]
    assert vessel(wl, 4238)[WATCHLIST.ALIASES] == ["MAR AZUL II"]


def test_invalid_imo_is_kept_without_imo_and_flagged() -> None:
    line = line_of(15036).replace("IMO 9187629", "IMO 9187628")
    wl = read_ofac_csv(line.encode())
    v = vessel(wl, 15036)
    assert pd.isna(v[WATCHLIST.IMO])
    assert v[WATCHLIST.MMSI] == 572469210
    report = wl.reports[0]
    assert report.accepted == 1
    assert report.warnings == {"invalid IMO": 1}
    assert report.samples[0].reason == "invalid IMO: IMO 9187628 fails the ship check digit (expected 9)"
    assert report.samples[0].kept
    assert report.samples[0].line == 1


def test_invalid_company_imo_and_mmsi_are_flagged() -> None:
    company = line_of(23712).replace("IMO 5954061", "IMO 5954062")
    ship = line_of(15040).replace("MMSI 256845000", "MMSI 25684500")
    wl = read_ofac_csv(f"{company}\r\n{ship}\r\n".encode())
    assert pd.isna(entity(wl, 23712)[ENTITY.COMPANY_IMO])
    assert pd.isna(vessel(wl, 15040)[WATCHLIST.MMSI])
    assert wl.reports[0].warnings == {"invalid company IMO": 1, "invalid MMSI": 1}


def test_unknown_country_is_flagged_not_silently_dropped() -> None:
    line = line_of(15036).replace("alt. Former Vessel Flag Tuvalu", "alt. Former Vessel Flag Atlantis")
    line = line.replace('"Iran",-0- ', '"Lemuria",-0- ')
    wl = read_ofac_csv(line.encode())
    v = vessel(wl, 15036)
    assert v[WATCHLIST.FORMER_FLAGS] == ["MT", "TZ"]
    assert pd.isna(v[WATCHLIST.FLAG])
    reasons = sorted(s.reason for s in wl.reports[0].samples)
    assert reasons == [
        "unknown country: Atlantis (former flag)",
        "unknown country: Lemuria (flag)",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x1a", "empty file"),
        (b"name,imo\nPORT OLYA-3,\n", "not an OFAC sdn.csv file"),
        (b"!AIVDM,1,1,,A,33P;Tw0tjBQO22:E7dm66DrB20UP,0*2E\r\n", "not an OFAC sdn.csv file"),
        (b"<html><body>Service unavailable</body></html>", "not an OFAC sdn.csv file"),
    ],
)
def test_not_this_format_raises_format_error_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message) as info:
        read_ofac_csv(path)
    assert info.value.source == str(path)


def test_companion_in_the_wrong_format_raises_format_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(SDN_BYTES)
    (tmp_path / "alt.csv").write_bytes(b"this is not alt.csv\n")
    with pytest.raises(FormatError, match="not an OFAC companion file") as info:
        read_ofac_csv(tmp_path / "sdn.csv")
    assert info.value.source == str(tmp_path / "alt.csv")


def test_missing_file() -> None:
    with pytest.raises(SourceNotFoundError, match="no such file"):
        read_ofac_csv(OFAC / "does-not-exist.csv")


def test_sniffing() -> None:
    assert looks_like_sdn_csv(SDN_LINES[0])
    assert looks_like_sdn_csv(",".join(SDN_FIELDS) + "\r\n" + SDN_LINES[0])  # a header someone added
    assert not looks_like_sdn_csv((OFAC / "alt.csv").read_text())
    assert not looks_like_sdn_csv((OFAC / "sdn_comments.csv").read_text())


def test_a_header_line_is_tolerated() -> None:
    data = (",".join(SDN_FIELDS) + "\r\n").encode() + SDN_BYTES
    wl = read_ofac_csv(data)
    assert len(wl) == 80
    assert wl.reports[0].notes["header line skipped"] == 1


# --------------------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(SDN_LINES[:-1]))
def test_row_order_does_not_change_the_entries(lines: list[str]) -> None:
    wl = read_ofac_csv(("\r\n".join(lines) + "\r\n\x1a").encode())
    expected = read_ofac_csv(SDN_BYTES)
    key = WATCHLIST.ENTRY_ID
    got = wl.vessels.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.vessels.sort_values(key).reset_index(drop=True))
    assert len(wl.entities) == 60
