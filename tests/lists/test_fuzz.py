"""Properties of every list reader on hostile input: only library errors, and accounts that add up.

Each public reader (and format sniffing, and ``load_watchlist`` from bytes and from a path)
gets random bytes and mutations of the real samples of its format (bytes inserted,
deleted, replaced, lines repeated or dropped, the file cut short; the inserted bytes
favour those that break list files: quotes, CR, 0x1A, invalid UTF-8, XML and JSON
punctuation, deep nesting). Whatever comes in, a reader either raises a
``VesselScreenError`` or returns a watchlist whose every report has
``accepted + rejected + merged == records``, whose frames conform to the schema, and whose
entry ids are unique.

``VESSELSCREEN_FUZZ_EXAMPLES`` scales the number of generated inputs per test (default 30;
the suite's bound). A longer run: ``VESSELSCREEN_FUZZ_EXAMPLES=2000 pytest tests/lists/test_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vesselscreen as vs
from vesselscreen.errors import VesselScreenError
from vesselscreen.lists import (
    Watchlist,
    read_eu_annex_xlii,
    read_eu_fsf_csv,
    read_eu_fsf_xml,
    read_frame,
    read_ofac_sdn_xml,
    read_ofac_xml,
    read_opensanctions,
    read_opensanctions_maritime,
    read_uk_csv,
    read_uk_xml,
    read_un_1718_csv,
    read_un_xml,
)
from vesselscreen.lists.custom_csv import read_custom_csv
from vesselscreen.lists.load import FORMATS, sniff_format
from vesselscreen.lists.ofac_csv import read_ofac_csv
from vesselscreen.schema import ENTITY, ENTITY_DTYPES, WATCHLIST, WATCHLIST_DTYPES, validate

DATA = Path(__file__).parent.parent / "data" / "lists"
EXAMPLES = int(os.environ.get("VESSELSCREEN_FUZZ_EXAMPLES", "30"))


def sample(*parts: str) -> bytes:
    return DATA.joinpath(*parts).read_bytes()


# each reader with the real samples of its format (the OFAC consolidated excerpt is cut to its
# first entity, so one call stays cheap)
CONS = sample("ofac", "cons_enhanced_excerpt.xml")
CONS_SHORT = CONS[: CONS.index(b"</entity>") + 9] + b"</entities></sanctionsData>\n"
READERS: dict[str, tuple[Callable[[bytes], Watchlist], Sequence[bytes]]] = {
    "ofac_csv": (read_ofac_csv, [sample("ofac", "sdn.csv")[:6000]]),
    "custom_csv": (
        read_custom_csv,
        [sample("custom", "caspian_watchlist.csv"), sample("custom", "bad_rows.csv")],
    ),
    "uk_csv": (read_uk_csv, [sample("uk", "UK_Sanctions_List.csv")]),
    "uk_xml": (read_uk_xml, [sample("uk", "UK_Sanctions_List.xml")]),
    "eu_annex_xlii": (read_eu_annex_xlii, [sample("eu", "annex_xlii_vessels.csv")]),
    "eu_fsf_csv": (read_eu_fsf_csv, [sample("eu", "fsf_export.csv")]),
    "eu_fsf_xml": (read_eu_fsf_xml, [sample("eu", "fsf_export.xml")]),
    "un_xml": (read_un_xml, [sample("un", "consolidated_excerpt.xml")]),
    "un_1718_csv": (read_un_1718_csv, [sample("un", "1718_designated_vessels.csv")]),
    "opensanctions_ftm": (
        read_opensanctions,
        [sample("opensanctions", "entities.ftm.json"), sample("opensanctions", "targets.nested.json")],
    ),
    "opensanctions_maritime": (read_opensanctions_maritime, [sample("opensanctions", "maritime.csv")]),
    "ofac_xml": (
        read_ofac_xml,
        [sample("ofac", "sdn_advanced.xml"), sample("ofac", "sdn_enhanced.xml"), CONS_SHORT],
    ),
    "ofac_sdn_xml": (read_ofac_sdn_xml, [sample("ofac", "sdn.xml")]),
}
ALL_SAMPLES = [data for _, samples in READERS.values() for data in samples]
READERS["load_watchlist"] = (vs.load_watchlist, ALL_SAMPLES)

# bytes that break list files
TOKENS = [
    b'"',
    b"'",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x1a",
    b"\x00",
    b"\x0b",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xef\xbb\xbf",
    b",",
    b";",
    b"-0- ",
    b"IMO 9187629",
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&#0;",
    b"&undefined;",
    b"<![CDATA[",
    b"<!--",
    b"<!DOCTYPE x>",
    b"<?xml",
    b'encoding="latin-1"',
    b"{",
    b"}",
    b"[" * 3000,
    b'{"id": "x", "schema": "Vessel", "properties": {}}',
    b"\\",
    b"\t",
]


@st.composite
def mutated(draw: st.DrawFn, samples: Sequence[bytes]) -> bytes:
    """A real sample with 1 to 6 damages."""
    data = bytearray(draw(st.sampled_from(samples)))
    # hypothesis favours small integers (the start of a file); half the damages go anywhere
    anywhere = draw(st.randoms(use_true_random=False))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data))) if draw(st.booleans()) else anywhere.randint(0, len(data))
        kind = draw(
            st.sampled_from(["insert", "insert", "delete", "replace", "repeat line", "drop line", "cut"])
        )
        if kind == "insert":
            data[at:at] = draw(st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "replace":
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=1))
        elif kind in ("repeat line", "drop line"):
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            if kind == "repeat line":
                data[end:end] = data[start:end]
            else:
                del data[start:end]
        else:
            del data[at:]
    return bytes(data)


def check(read: Callable[[], Watchlist]) -> Watchlist | None:
    """Call a reader: a library error, or a watchlist whose accounts add up."""
    try:
        wl = read()
    except VesselScreenError:
        return None
    for report in wl.reports:
        assert report.accepted + report.rejected + report.merged == report.records, report
        assert min(report.accepted, report.rejected, report.merged) >= 0
        assert sum(report.reasons.values()) == report.rejected
        assert sum(report.merges.values()) == report.merged
    validate(wl.vessels, WATCHLIST_DTYPES, what="vessels")
    validate(wl.entities, ENTITY_DTYPES, what="entities")
    assert wl.vessels[WATCHLIST.ENTRY_ID].is_unique
    assert wl.entities[ENTITY.ENTRY_ID].is_unique
    entries = len(wl.vessels) + len(wl.entities)
    if wl.snapshot.sources and wl.snapshot.sources[0].format != "opensanctions_ftm":
        # every accepted record of the file is one entry (OpenSanctions also accepts sanctions and links)
        assert entries == wl.reports[0].accepted
    else:
        assert entries <= sum(report.accepted for report in wl.reports)
    return wl


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(READERS))
def test_random_bytes(name: str) -> None:
    read, _ = READERS[name]

    @FUZZ
    @given(st.binary(max_size=600))
    def run(data: bytes) -> None:
        check(lambda: read(data))

    run()


@pytest.mark.parametrize("name", sorted(READERS))
def test_mutated_real_files(name: str) -> None:
    read, samples = READERS[name]

    @FUZZ
    @given(mutated(samples))
    def run(data: bytes) -> None:
        check(lambda: read(data))

    run()


def test_every_format_has_a_fuzzed_reader() -> None:
    fuzzed = {READERS[name][0] for name in READERS}
    # load_watchlist wraps two readers; the others are the readers themselves
    assert {f for f in FORMATS.values() if f.__module__ != "vesselscreen.lists.load"} <= fuzzed


@FUZZ
@given(st.one_of(st.binary(max_size=600), mutated(ALL_SAMPLES)))
def test_sniffing_never_raises(data: bytes) -> None:
    assert sniff_format(data) in (None, *FORMATS)


@FUZZ
@given(mutated(ALL_SAMPLES))
def test_load_watchlist_from_a_path(data: bytes) -> None:
    """A local path takes the streaming branch for XML and JSON lines."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.dat"
        path.write_bytes(data)
        check(lambda: vs.load_watchlist(path))


OFAC = DATA / "ofac"


@FUZZ
@given(
    st.sampled_from(["alt", "add", "comments"]),
    mutated([sample("ofac", "alt.csv"), sample("ofac", "add.csv"), sample("ofac", "sdn_comments.csv")]),
)
def test_ofac_companion_files(kind: str, data: bytes) -> None:
    sdn = sample("ofac", "sdn.csv")[:6000]
    check(lambda: read_ofac_csv(sdn, **{kind: data}))  # type: ignore[arg-type]  # alt=, add= or comments=


cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.from_regex(r"\A(IMO )?[0-9]{7}\Z"),
    st.lists(st.text(max_size=6), max_size=3),
)


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries({"id": cells, "name": cells, "imo": cells, "kind": cells, "aliases": cells}),
        max_size=12,
    )
)
def test_read_frame_of_anything(rows: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(rows, columns=["id", "name", "imo", "kind", "aliases"])
    check(
        lambda: read_frame(
            frame, {"name": "name", "imo": "imo", "aliases": "aliases"}, id_column="id", kind="kind"
        )
    )
