"""NMEA reader against the four real logs: accounting, decoded values, time rule, bad input."""

from __future__ import annotations

import functools
import io
import math
from datetime import datetime

import numpy as np
import pandas as pd
import pyais
import pytest

from vesselscreen.ais import nmea, read_ais, read_nmea
from vesselscreen.ais._nmealines import PAD
from vesselscreen.ais.nmea import _valid_imos, iter_nmea
from vesselscreen.errors import ReferenceTimeError
from vesselscreen.identifiers import is_valid_imo
from vesselscreen.ingest import MAX_SAMPLES, IngestReport, ingest_report
from vesselscreen.schema import POSITION, POSITION_DTYPES

from .conftest import NEEDS_REFERENCE, NMEA, NMEA_FILES, REFERENCE, sentence_lines


def report_of(frame: pd.DataFrame) -> IngestReport:
    report = ingest_report(frame)
    assert report is not None
    return report


@functools.cache
def read(name: str) -> pd.DataFrame:
    """A shared sample read once per test session (tests do not modify it)."""
    reference = REFERENCE if name in NEEDS_REFERENCE else None
    return read_nmea(NMEA / name, reference_time=reference)


@pytest.mark.parametrize("name", NMEA_FILES)
def test_every_sentence_line_is_accounted_for(name: str) -> None:
    frame = read(name)
    report = report_of(frame)
    lines = sentence_lines(NMEA / name)
    assert report.records == len(lines)
    assert report.accepted + report.rejected == len(lines)
    assert sum(report.reasons.values()) == report.rejected
    decoded = report.notes.get("decoded sentences", 0) + report.notes.get("PGHP lines", 0)
    assert decoded == report.accepted
    assert list(frame.columns) == list(POSITION_DTYPES)
    assert [str(d) for d in frame.dtypes] == [
        str(pd.api.types.pandas_dtype(d)) for d in POSITION_DTYPES.values()
    ]
    assert frame[[POSITION.MMSI, POSITION.TIMESTAMP]].equals(
        frame[[POSITION.MMSI, POSITION.TIMESTAMP]].sort_values([POSITION.MMSI, POSITION.TIMESTAMP])
    )


# measured on the real files; a change here means the reader's behaviour changed
EXPECTED = {
    "pyais_nmea_data_sample.txt": (
        898,
        774,
        {"empty payload": 100, "incomplete multipart message": 20, "invalid latitude": 4},
        758,
    ),
    # lines 26-27: sentences with valid checksums behind a tag block whose checksum is
    # malformed ("*A"): kept (and flagged) since issue 11, no longer rejected
    "pyais_mixed.txt": (
        23,
        13,
        {"bad checksum": 2, "invalid MMSI": 2, "non-AIS sentence": 4, "not an NMEA sentence": 2},
        8,
    ),
    "gpsd_sample.aivdm": (119, 118, {"not an NMEA sentence": 1}, 12),
    "dma_aislib_stream_example.txt": (8551, 8525, {"invalid MMSI": 15, "invalid latitude": 11}, 2964),
    # before issue 11 the 246 multipart sentences were rejected for their tag block checksum
    "kystverket_2019-08-07_1000lines.nm4": (1000, 995, {"invalid latitude": 5}, 743),
    "gfw_ais_listener_tagblock_2022-11-10.txt": (
        10000,
        9909,
        {"incomplete multipart message": 1, "invalid MMSI": 48, "invalid latitude": 42},
        8152,
    ),
    "gfw_ais_listener_gdansk.txt": (5414, 5411, {"invalid MMSI": 3}, 3379),
}


@pytest.mark.parametrize("name", NMEA_FILES)
def test_measured_figures(name: str) -> None:
    frame = read(name)
    report = report_of(frame)
    records, accepted, reasons, rows = EXPECTED[name]
    assert (report.records, report.accepted, report.reasons, len(frame)) == (records, accepted, reasons, rows)


def test_positions_equal_pyais_own_decode() -> None:
    """Every type 1/2/3/18 sentence of the pyais sample, decoded by pyais itself, is one row."""
    expected = set()
    for _, line in sentence_lines(NMEA / "pyais_nmea_data_sample.txt"):
        if not line.startswith("!AIVDM,1,1,") or line.startswith("!AIVDM,1,1,,B,,") or ",,0*" in line:
            continue
        message = pyais.decode(line)
        if message.msg_type in (1, 2, 3, 18) and message.lat != 91.0:
            expected.add((message.mmsi, message.lat, message.lon, message.speed, message.course))
    frame = read("pyais_nmea_data_sample.txt")
    rows = set(
        zip(
            frame[POSITION.MMSI].astype(int),
            frame[POSITION.LAT],
            frame[POSITION.LON],
            frame[POSITION.SOG].fillna(102.3),
            frame[POSITION.COG].fillna(360.0),
            strict=True,
        )
    )
    assert len(expected) > 700
    assert rows == expected


def test_gpsd_type_1_matches_the_documented_dump() -> None:
    # gpsd_sample.aivdm documents this sentence's fields in the comment that follows it
    row = read("gpsd_sample.aivdm").set_index(POSITION.MMSI).loc[371798000]
    assert (row[POSITION.LAT], row[POSITION.LON]) == (48.381633, -123.395383)
    assert (row[POSITION.SOG], row[POSITION.COG], row[POSITION.HEADING]) == (12.3, 224.0, 215.0)
    assert row[POSITION.NAV_STATUS] == 0
    assert row[POSITION.TIMESTAMP] == pd.Timestamp(REFERENCE)


def test_type_19_and_27_rows() -> None:
    frame = read("gpsd_sample.aivdm").set_index(POSITION.MMSI)
    t19 = frame.loc[367059850]
    assert (t19[POSITION.NAME], t19[POSITION.SHIP_TYPE], t19[POSITION.SOG]) == ("CAPT.J.RIMES", 70, 8.7)
    assert math.isnan(t19[POSITION.HEADING])  # 511 = not available
    assert pd.isna(t19[POSITION.NAV_STATUS])  # class B reports carry no navigational status
    t27 = frame.loc[206914217]
    assert (t27[POSITION.LAT], t27[POSITION.LON], t27[POSITION.SOG], t27[POSITION.COG]) == (
        4.84,
        137.023333,
        57.0,
        167.0,
    )
    assert t27[POSITION.NAV_STATUS] == 2
    assert math.isnan(t27[POSITION.HEADING])


def test_pghp_gives_the_time_of_the_following_sentence() -> None:
    frame = read("dma_aislib_stream_example.txt")
    # lines 7-8: $PGHP,1,2010,6,11,11,46,12,470,... then !BSVDM of MMSI 212456000
    row = frame[frame[POSITION.MMSI] == 212456000].iloc[0]
    assert row[POSITION.TIMESTAMP] == pd.Timestamp("2010-06-11 11:46:12.470", tz="UTC")
    assert (row[POSITION.LAT], row[POSITION.LON]) == (57.033167, 11.741167)
    assert frame[POSITION.TIMESTAMP].min() >= pd.Timestamp("2010-06-11 11:46", tz="UTC")


def test_pghp_with_an_oversized_field_is_rejected_not_raised() -> None:
    # a real DMA line with its milliseconds field damaged to 7 digits: datetime() overflows on it
    log = b"$PGHP,1,2010,6,11,11,46,24,7900219,,2190065,1,70*28\n"
    frame = read_nmea(io.BytesIO(log), validate_checksum=False)
    report = ingest_report(frame)
    assert report is not None
    assert (report.records, report.rejected) == (1, 1)
    assert report.samples[0].reason == "malformed sentence: PGHP without a valid date and time"


def test_multipart_type_5_identity_is_carried_forward_not_back() -> None:
    # lines 3292-3293: !BSVDM,2,1,9,B,537U0b... + !BSVDM,2,2,9,B,... type 5 at 11:46:22.606
    frame = read("dma_aislib_stream_example.txt")
    vessel = frame[frame[POSITION.MMSI] == 209273000].reset_index(drop=True)
    assert vessel[POSITION.TIMESTAMP].tolist() == [
        pd.Timestamp("2010-06-11 11:46:15.486", tz="UTC"),
        pd.Timestamp("2010-06-11 11:46:27.306", tz="UTC"),
        pd.Timestamp("2010-06-11 11:46:37.167", tz="UTC"),
    ]
    assert vessel[POSITION.IMO].isna().iloc[0]
    assert vessel[POSITION.NAME].isna().iloc[0]
    for index in (1, 2):
        row = vessel.iloc[index]
        assert row[POSITION.IMO] == 9472012
        assert row[POSITION.NAME] == "ALLERDIEP"
        assert row[POSITION.CALL_SIGN] == "5BMF2"
        assert row[POSITION.DESTINATION] == "GOTEBORG.RD/SARANDE"
        assert row[POSITION.SHIP_TYPE] == 70
        assert row[POSITION.DRAUGHT] == 5.6


def test_invalid_imo_in_type_5_is_na_with_a_warning() -> None:
    frame = read("dma_aislib_stream_example.txt")
    report = report_of(frame)
    assert report.warnings == {"invalid IMO": 5}
    flagged = [s for s in report.samples if s.kept]
    assert flagged[0].line == 299
    assert flagged[0].reason == "invalid IMO: 925190100 of MMSI 258238000"
    assert frame.loc[frame[POSITION.MMSI] == 258238000, POSITION.IMO].isna().all()


def test_type_24_parts_give_name_and_call_sign() -> None:
    text = (NMEA / "gpsd_sample.aivdm").read_text(encoding="utf-8")
    lines = text.splitlines()
    part_a, part_b = lines[903], lines[909]  # lines 904 and 910: type 24 A and B of MMSI 271041815
    position = pyais.encode_dict({"type": 18, "mmsi": 271041815, "lat": 41.0, "lon": 29.0}, talker_id="AI")[0]
    log = f"\\c:1000000000*{_xor('c:1000000000')}\\{part_a}\n{part_b}\n{position}\n"
    row = read_nmea(io.StringIO(log)).iloc[0]
    assert (row[POSITION.NAME], row[POSITION.CALL_SIGN], row[POSITION.SHIP_TYPE]) == ("PROGUY", "TC6163", 60)


def _xor(text: str) -> str:
    value = 0
    for char in text.encode():
        value ^= char
    return f"{value:02X}"


def test_tag_block_time_seconds_and_milliseconds_and_station() -> None:
    sentence = "!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13"
    seconds = f"\\c:1241544035,s:r003669945*{_xor('c:1241544035,s:r003669945')}\\{sentence}\n"
    millis = f"\\c:1241544035123*{_xor('c:1241544035123')}\\{sentence}\n"
    frame = read_nmea(io.StringIO(seconds + millis))
    assert frame[POSITION.TIMESTAMP].tolist() == [
        pd.Timestamp("2009-05-05 17:20:35", tz="UTC"),
        pd.Timestamp("2009-05-05 17:20:35.123", tz="UTC"),
    ]
    assert frame[POSITION.SOURCE].tolist() == ["nmea:r003669945", "nmea"]


def test_time_rule_in_the_mixed_log() -> None:
    frame = read("pyais_mixed.txt")
    times = dict(zip(frame[POSITION.MMSI].astype(int), frame[POSITION.TIMESTAMP], strict=False))
    assert times[227006760] == pd.Timestamp(REFERENCE)  # line 2: before any time -> reference_time
    # line 30 follows "$PGHP,1,2008,5,9,0,0,0,10,..." (line 29); line 34 has no time of its own
    assert times[367309370] == pd.Timestamp("2008-05-09 00:00:00.010", tz="UTC")
    assert times[413355820] == pd.Timestamp("2008-05-09 00:00:00.010", tz="UTC")
    report = report_of(frame)
    bad = {s.line: s.reason for s in report.samples if not s.kept}
    assert bad[23] == "bad checksum"  # its tag block's checksum is malformed too, but that alone is a warning
    assert bad[35] == "bad checksum: PGHP"
    assert bad[7] == "non-AIS sentence: GPGGA"
    assert bad[14] == "not an NMEA sentence"


def test_multipart_with_tag_blocks_gives_identity() -> None:
    # lines 24-25 of pyais_mixed: a type 5 split over two tag-blocked !SAVDM fragments, c:1428621738
    lines = (NMEA / "pyais_mixed.txt").read_text(encoding="utf-8").splitlines()
    message = {"type": 1, "mmsi": 366989380, "lat": 37.8, "lon": -122.4}
    position = pyais.encode_dict(message, talker_id="AI")[0]
    frame = read_nmea(io.StringIO("\n".join([lines[23], lines[24], position])))
    row = frame.iloc[0]
    assert row[POSITION.TIMESTAMP] == pd.Timestamp(1428621738, unit="s", tz="UTC")
    assert (row[POSITION.NAME], row[POSITION.CALL_SIGN], row[POSITION.DESTINATION]) == (
        "MARE ISLAND",
        "WDC2198",
        "<> SFO VJ/FB",
    )
    assert (row[POSITION.SHIP_TYPE], row[POSITION.DRAUGHT]) == (60, 1.8)
    assert pd.isna(row[POSITION.IMO])  # 914466500 fails the check digit
    assert report_of(frame).warnings == {"invalid IMO": 1}


def test_bad_checksum_is_rejected_with_its_line_unless_disabled() -> None:
    good = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    log = f"# header\n{good}\n{good[:-2]}4B\n"
    frame = read_nmea(io.StringIO(log), reference_time=REFERENCE)
    report = report_of(frame)
    assert (report.records, report.accepted, report.reasons) == (2, 1, {"bad checksum": 1})
    assert report.samples[0].line == 3
    lenient = read_nmea(io.StringIO(log), reference_time=REFERENCE, validate_checksum=False)
    assert len(lenient) == 2
    assert report_of(lenient).rejected == 0


def test_latitude_91_is_rejected_with_its_line() -> None:
    report = report_of(read("pyais_nmea_data_sample.txt"))
    lat91 = [s for s in report.samples if s.reason.startswith("invalid latitude")]
    assert [s.line for s in lat91] == [351, 473, 616, 744]
    assert lat91[0].reason == "invalid latitude: 91.0"


def test_incomplete_multipart_is_counted() -> None:
    lines = (NMEA / "dma_aislib_stream_example.txt").read_text(encoding="utf-8").splitlines()
    first_fragment_only = "\n".join(lines[14:16]) + "\n"  # $PGHP + !AIVDM,2,1,1,... without 2,2
    report = report_of(read_nmea(io.StringIO(first_fragment_only)))
    assert report.reasons == {"incomplete multipart message": 1}
    assert report.samples[0].line == 2


def test_empty_payload_is_counted() -> None:
    report = report_of(read_nmea(io.StringIO("!AIVDM,1,1,,B,,0*25\n"), reference_time=REFERENCE))
    assert report.reasons == {"empty payload": 1}


def test_sentinels_become_nan() -> None:
    not_available = {"speed": 102.3, "course": 360, "heading": 511}
    message = {"type": 1, "mmsi": 367752440, "lat": 43.0, "lon": -70.0, **not_available}
    sentence = pyais.encode_dict(message, talker_id="AI")[0]
    row = read_nmea(io.StringIO(sentence + "\n"), reference_time=REFERENCE).iloc[0]
    assert all(math.isnan(row[c]) for c in (POSITION.SOG, POSITION.COG, POSITION.HEADING))


def test_no_time_and_no_reference_raises_naming_file_and_line() -> None:
    with pytest.raises(ReferenceTimeError) as caught:
        read_nmea(NMEA / "gpsd_sample.aivdm")
    assert caught.value.source.endswith("gpsd_sample.aivdm")
    assert caught.value.line == 10  # the first sentence, after nine comment lines


def test_naive_reference_time_is_refused() -> None:
    with pytest.raises(ReferenceTimeError, match="naive"):
        read_nmea(NMEA / "pyais_mixed.txt", reference_time=datetime(2024, 1, 1))  # naive on purpose


def test_bad_tag_block_time_is_flagged_and_the_previous_time_applies() -> None:
    sentence = "!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13"
    log = f"\\c:12415440354*{_xor('c:12415440354')}\\{sentence}\n"  # 11 digits: neither s nor ms
    frame = read_nmea(io.StringIO(log), reference_time=REFERENCE)
    assert frame[POSITION.TIMESTAMP].tolist() == [pd.Timestamp(REFERENCE)]
    report = report_of(frame)
    assert report.warnings == {"bad tag block time": 1}
    assert report.accepted == 1


def test_fields_after_the_checksum_are_ignored() -> None:
    # dma_aislib_stream_example.txt line 4187: a receiver timestamp appended after "*0F"
    lines = (NMEA / "dma_aislib_stream_example.txt").read_text(encoding="utf-8").splitlines()
    assert lines[4186].endswith("*0F,1276256770")
    frame = read_nmea(io.StringIO("\n".join(lines[4185:4187]) + "\n"))
    report = report_of(frame)
    assert (report.records, report.accepted, len(frame)) == (2, 2, 1)
    assert report.notes["trailing fields after checksum ignored"] == 1


def test_binary_junk_lines_are_counted_not_fatal() -> None:
    good = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n"
    junk = b"\xff\xfe\x00junk\n!AIVDM,1,1,,A,15RTgt0PAso;90TKc\xe9M8h6g208CQ,0*4A\n"
    report = report_of(read_nmea(io.BytesIO(good + junk), reference_time=REFERENCE))
    assert (report.records, report.accepted) == (3, 1)
    assert report.reasons == {"not an NMEA sentence": 1, "malformed sentence": 1}


# --- issue 11: input robustness --------------------------------------------------------------

KYSTVERKET = "kystverket_2019-08-07_1000lines.nm4"
DMA_LOG = "dma_aislib_stream_example.txt"
GFW_TAGBLOCK = "gfw_ais_listener_tagblock_2022-11-10.txt"


def test_kystverket_group_tag_blocks_keep_their_static_messages() -> None:
    # every multipart sentence of this feed is "\g:1-2-9999,c:1565218798*53\!BSVDM,2,1,...":
    # 53 is the checksum of "c:1565218798" alone; the sentences' own checksums hold
    frame = read(KYSTVERKET)
    report = report_of(frame)
    assert report.warnings == {"tag block checksum mismatch": 246, "invalid IMO": 1}
    flagged = [s for s in report.samples if s.reason.startswith("tag block checksum mismatch")]
    assert (flagged[0].line, flagged[0].kept) == (13, True)
    assert flagged[0].reason == "tag block checksum mismatch: it covers only 'c:1565218798'"
    assert report.notes["message type 5"] == 123  # none before: all rejected as "bad checksum: tag block"
    ship = frame[frame[POSITION.MMSI] == 257266000].iloc[0]
    assert (ship[POSITION.NAME], ship[POSITION.IMO], ship[POSITION.CALL_SIGN]) == (
        "KYSTBUNKER II",
        9821366,
        "LETE",
    )
    assert (ship[POSITION.DESTINATION], ship[POSITION.DRAUGHT]) == ("HELLSFJORDEN", 3.7)
    assert ship[POSITION.TIMESTAMP] == pd.Timestamp(1565218827, unit="s", tz="UTC")  # the covered c: field


def test_a_tag_block_checksum_that_covers_nothing_is_ignored_not_the_sentence() -> None:
    sentence = "!AIVDM,1,1,,B,15N4cJ005Jrek0H@9nDW5608EP,0*13"
    earlier = f"\\c:1000000000*{_xor('c:1000000000')}\\{sentence}"
    broken = f"\\s:r1,c:1241544035*00\\{sentence}"  # "00" is the checksum of neither field
    frame = read_nmea(io.StringIO(f"{earlier}\n{broken}\n"))
    report = report_of(frame)
    assert (report.records, report.accepted, len(frame)) == (2, 2, 2)
    assert report.warnings == {"tag block checksum mismatch": 1}
    second = frame.iloc[1]  # its tag block's time and station are not trusted
    assert second[POSITION.TIMESTAMP] == pd.Timestamp(1000000000, unit="s", tz="UTC")
    assert second[POSITION.SOURCE] == "nmea"


def test_gfw_tag_block_sample_is_read_not_rejected_in_bulk() -> None:
    report = report_of(read(GFW_TAGBLOCK))
    assert report.accepted / report.records > 0.99
    assert report.notes["message type 27"] == 3317  # satellite long-range reports
    assert report.notes["message type 5"] == 612


def test_a_payload_character_outside_the_armour_rejects_the_sentence() -> None:
    # gpsd's type 1 sentence with '}' for ';' and its checksum made to match: pyais would
    # decode it into longitude -125.79837 instead of -123.395383
    bad = "!AIVDM,1,1,,A,15RTgt0PAso}90TKcjM8h6g208CQ,0*0C"
    assert pyais.decode(bad).lon == -125.79837
    good = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    frame = read_nmea(io.StringIO(f"{good}\n{bad}\n"), reference_time=REFERENCE)
    assert frame[POSITION.LON].tolist() == [-123.395383]
    report = report_of(frame)
    assert report.reasons == {"invalid payload character": 1}
    assert (report.samples[0].line, report.samples[0].reason) == (2, "invalid payload character: '}' at 12")


def test_a_byte_order_mark_and_stray_binary_lines_are_not_fatal() -> None:
    text = (NMEA / "dma_aislib_stream_example.txt").read_bytes()
    expected = read_nmea(io.BytesIO(text))
    with_bom = read_ais(io.BytesIO(b"\xef\xbb\xbf" + text))
    pd.testing.assert_frame_equal(with_bom, expected)
    assert report_of(with_bom).notes["byte order mark skipped"] == 1
    first_line_end = text.index(b"\n") + 1
    with_nul = read_ais(io.BytesIO(text[:first_line_end] + b"\x00\x01\n" + text[first_line_end:]))
    report = report_of(with_nul)
    assert (report.records, report.accepted) == (8552, 8525)
    assert report.reasons == {"invalid MMSI": 15, "invalid latitude": 11, "not an NMEA sentence": 1}
    assert len(with_nul) == len(expected)


# --- issue 13: streaming -------------------------------------------------------------------------

IDENTITY = [POSITION.IMO, POSITION.NAME, POSITION.CALL_SIGN, POSITION.SHIP_TYPE, POSITION.DESTINATION]


def _sorted(frames: list[pd.DataFrame]) -> pd.DataFrame:
    both = pd.concat(frames, ignore_index=True)
    return both.sort_values([POSITION.MMSI, POSITION.TIMESTAMP], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize(
    ("name", "chunksize"),
    [(KYSTVERKET, 7), (KYSTVERKET, 97), (GFW_TAGBLOCK, 997), (GFW_TAGBLOCK, 4000), (DMA_LOG, 333)],
)
def test_chunks_add_up_to_the_whole_log(name: str, chunksize: int) -> None:
    whole = read(name)
    chunks = list(iter_nmea(NMEA / name, chunksize=chunksize))
    assert all(len(chunk) <= chunksize for chunk in chunks)
    reports = [report_of(chunk) for chunk in chunks]
    expected = report_of(whole)
    assert sum(r.records for r in reports) == expected.records
    assert sum(r.accepted for r in reports) == expected.accepted
    for reason, count in expected.reasons.items():
        assert sum(r.reasons.get(reason, 0) for r in reports) == count
    combined = _sorted(chunks)
    others = [column for column in whole.columns if column not in IDENTITY and column != POSITION.DRAUGHT]
    pd.testing.assert_frame_equal(combined[others], whole[others])
    # identity travels forward in file order across chunks: a chunk's row has the whole log's
    # value or none (a static message later in the file but earlier in time stays in its chunk)
    for column in [*IDENTITY, POSITION.DRAUGHT]:
        known = combined[column].notna()
        assert (combined.loc[known, column] == whole.loc[known, column]).all()


@pytest.mark.parametrize("name", [KYSTVERKET, GFW_TAGBLOCK, DMA_LOG])
def test_a_log_read_whole_in_small_blocks_gives_the_same_frame_and_report(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = read(name)
    monkeypatch.setattr(nmea, "BLOCK_BYTES", 4096)  # dozens of blocks, multipart messages across them
    reference = REFERENCE if name in NEEDS_REFERENCE else None
    blocks = read_nmea(NMEA / name, reference_time=reference)
    pd.testing.assert_frame_equal(blocks, whole)
    assert report_of(blocks) == report_of(whole)  # samples too: the file's first ones, in order
    report = report_of(whole)
    assert len(report.samples) == min(MAX_SAMPLES, report.rejected + sum(report.warnings.values()))


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_log_under_one_block_is_cut_into_one_block_per_worker(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (NMEA / GFW_TAGBLOCK).read_bytes()  # 690 KB, 10,000 lines
    monkeypatch.setattr(nmea, "BLOCK_BYTES", 2 * len(data))  # the whole log under one block
    monkeypatch.setattr(nmea, "WORKERS", workers)
    blocks = list(nmea._blocks(io.BytesIO(data), None))
    assert len(blocks) == workers
    assert [block.last for block in blocks] == [False] * (workers - 1) + [True]
    padded = [block.padded_data() for block in blocks]  # each block's lines, then PAD zero bytes
    assert all(block.endswith(bytes(PAD)) for block in padded)
    pieces = [block[:-PAD] for block in padded]
    assert b"".join(pieces) == data
    assert all(piece.endswith(b"\n") for piece in pieces)
    firsts = [block.first for block in blocks]
    assert firsts == [data[: sum(len(piece) for piece in pieces[:i])].count(b"\n") for i in range(workers)]
    frame = read_nmea(NMEA / GFW_TAGBLOCK)
    pd.testing.assert_frame_equal(frame, read(GFW_TAGBLOCK))
    assert report_of(frame) == report_of(read(GFW_TAGBLOCK))


def test_a_multipart_message_split_between_chunks_is_joined() -> None:
    # lines 24-25 of pyais_mixed: a type 5 in two tag-blocked fragments; chunks of one line each
    lines = (NMEA / "pyais_mixed.txt").read_text(encoding="utf-8").splitlines()
    position = pyais.encode_dict({"type": 1, "mmsi": 366989380, "lat": 37.8, "lon": -122.4}, talker_id="AI")[
        0
    ]
    log = "\n".join([lines[23], lines[24], position]) + "\n"
    chunks = list(iter_nmea(io.StringIO(log), chunksize=1))
    assert [len(chunk) for chunk in chunks] == [0, 0, 1]
    assert [report_of(chunk).records for chunk in chunks] == [0, 2, 1]  # the message counts where it ends
    row = chunks[2].iloc[0]
    assert (row[POSITION.NAME], row[POSITION.CALL_SIGN], row[POSITION.SHIP_TYPE]) == (
        "MARE ISLAND",
        "WDC2198",
        60,
    )


def test_an_incomplete_multipart_message_at_the_end_is_counted_in_the_last_chunk() -> None:
    lines = (NMEA / "pyais_mixed.txt").read_text(encoding="utf-8").splitlines()
    chunks = list(iter_nmea(io.StringIO(lines[23] + "\n"), chunksize=5))
    assert len(chunks) == 1
    report = report_of(chunks[0])
    assert (report.records, report.reasons) == (1, {"incomplete multipart message": 1})


def test_read_ais_streams_nmea_in_chunks() -> None:
    chunks = list(read_ais(NMEA / GFW_TAGBLOCK, chunksize=2500))
    assert len(chunks) == 4  # 10,000 lines, 2,500 at a time
    assert sum(report_of(chunk).records for chunk in chunks) == 10_000


def test_imo_check_in_bulk_agrees_with_the_identifier_rule() -> None:
    rng = np.random.default_rng(13)
    numbers = np.concatenate(
        (
            np.arange(9_074_700, 9_074_800),  # one of each check digit, around a real IMO
            rng.integers(0, 2**30, 5_000),
            np.array([0, 1, 999_999, 1_000_000, 1_000_007, 9_999_999, 10_000_000, 2**30]),
        )
    ).astype(np.int64)
    assert _valid_imos(numbers).tolist() == [is_valid_imo(int(number)) for number in numbers]
