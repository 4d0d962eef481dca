"""load_watchlist: sniffing, sources of every kind, and HTTP against a real local server."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vesselscreen.errors import ConfigError, FormatError, InputError, SourceNotFoundError
from vesselscreen.lists import Watchlist, load_watchlist
from vesselscreen.lists.load import FORMATS, sniff_format
from vesselscreen.schema import WATCHLIST

DATA = Path(__file__).parent.parent / "data" / "lists"
SDN = DATA / "ofac" / "sdn.csv"
CUSTOM = DATA / "custom" / "caspian_watchlist.csv"
NMEA = (  # the first two lines of pyais_nmea_data_sample.txt (pyais test data, MIT)
    b"!AIVDM,1,1,,A,33P;Tw0tjBQO22:E7dm66DrB20UP,0*2E\r\n!AIVDM,1,1,,B,35VwAv0300QcEQ`EGcpN40jD0PUQ,0*61\r\n"
)


def aliases_of(wl: Watchlist, entry_id: str) -> list[str]:
    row = wl.vessels.loc[wl.vessels[WATCHLIST.ENTRY_ID] == entry_id]
    return list(row[WATCHLIST.ALIASES].iloc[0])


def test_ofac_path_is_sniffed_and_siblings_merged() -> None:
    wl = load_watchlist(SDN)
    assert (len(wl.vessels), len(wl.entities)) == (80, 60)
    assert wl.snapshot.sources[0].format == "ofac_csv"
    assert len(wl.reports) == 4
    assert aliases_of(wl, "ofac_sdn:15036") == ["ALPHA", "ABADAN", "SHONA"]


def test_str_path_pathlike_bytes_and_stream() -> None:
    assert len(load_watchlist(str(CUSTOM))) == 4
    assert len(load_watchlist(CUSTOM)) == 4
    assert len(load_watchlist(CUSTOM.read_bytes())) == 4
    with SDN.open("rb") as fh:
        wl = load_watchlist(fh)
    assert len(wl) == 80
    assert len(wl.reports) == 1  # a stream has no siblings


def test_lone_sdn_copy_has_no_siblings(tmp_path: Path) -> None:
    shutil.copy(SDN, tmp_path / "sdn.csv")
    wl = load_watchlist(tmp_path / "sdn.csv")
    assert aliases_of(wl, "ofac_sdn:15036") == ["ALPHA"]


def test_a_list_of_sources_is_concatenated() -> None:
    wl = load_watchlist([SDN, CUSTOM])
    assert len(wl) == 84
    assert [s.format for s in wl.snapshot.sources] == ["ofac_csv", "custom_csv"]
    assert wl.vessels[WATCHLIST.ENTRY_ID].iloc[-4:].tolist() == [
        "caspian_demo:1",
        "caspian_demo:2",
        "ofac_copy:15036",
        "caspian_demo:4",
    ]
    assert len(wl.reports) == 5
    assert len(load_watchlist([])) == 0


def test_explicit_format() -> None:
    wl = load_watchlist(CUSTOM, format="custom_csv")
    assert len(wl) == 4
    with pytest.raises(FormatError) as info:
        load_watchlist(CUSTOM, format="ofac_csv")
    assert info.value.source == str(CUSTOM)


def test_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(
        ConfigError,
        match="known formats: custom_csv, eu_annex_xlii_csv, eu_fsf_csv, eu_fsf_xml, ofac_advanced_xml, ",
    ):
        load_watchlist(SDN, format="ofac_xml")


def test_missing_file() -> None:
    with pytest.raises(SourceNotFoundError) as info:
        load_watchlist(DATA / "nope.csv")
    assert info.value.source == str(DATA / "nope.csv")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (NMEA, "not a recognised watchlist format"),
        (b"", "empty file"),
        (b"\r\n\r\n", "empty file"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "not a recognised watchlist format"),
        (b"ent_num,alt_num\n12688,13804\n", "not a recognised watchlist format"),
    ],
)
def test_unrecognised_content_names_the_source(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message) as info:
        load_watchlist(path)
    assert info.value.source == str(path)
    assert "known formats: custom_csv, eu_annex_xlii_csv" in str(info.value) or "empty" in message


def test_sniff_format() -> None:
    assert sniff_format(SDN.read_bytes()) == "ofac_csv"
    assert sniff_format(CUSTOM.read_bytes()) == "custom_csv"
    assert sniff_format((DATA / "ofac" / "alt.csv").read_bytes()) is None
    assert sniff_format(NMEA) is None
    assert sniff_format((DATA / "ofac" / "sdn_advanced.xml").read_bytes()) == "ofac_advanced_xml"
    assert sniff_format((DATA / "ofac" / "sdn_enhanced.xml").read_bytes()) == "ofac_enhanced_xml"
    assert sniff_format((DATA / "un" / "consolidated_excerpt.xml").read_bytes()) == "un_xml"
    assert sniff_format(b"<html><body>Not found</body></html>") is None
    assert sniff_format((DATA / "uk" / "UK_Sanctions_List.csv").read_bytes()) == "uk_csv"
    assert sniff_format((DATA / "eu" / "annex_xlii_vessels.csv").read_bytes()) == "eu_annex_xlii_csv"
    assert {"ofac_csv", "custom_csv", "ofac_advanced_xml", "ofac_enhanced_xml", "un_xml"} <= set(FORMATS)


# --------------------------------------------------------------------------- HTTP


def test_served_sdn_csv_loads(httpserver: HTTPServer) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(SDN.read_bytes(), content_type="text/csv")

    httpserver.expect_request("/ofac/sdn.csv").respond_with_handler(handler)
    url = httpserver.url_for("/ofac/sdn.csv")
    wl = load_watchlist(url)
    assert (len(wl.vessels), len(wl.entities)) == (80, 60)
    assert len(wl.reports) == 1  # siblings are not fetched for a URL
    assert wl.snapshot.sources[0].location == url
    assert wl.reports[0].source == url
    assert seen[0].startswith("vesselscreen/")


def test_injected_session_is_used(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/w.csv").respond_with_data(CUSTOM.read_bytes())
    calls: list[str] = []

    def record(response: requests.Response, *args: object, **kwargs: object) -> None:
        calls.append(response.url)

    with requests.Session() as session:
        session.hooks["response"].append(record)
        wl = load_watchlist(httpserver.url_for("/w.csv"), session=session)
    assert len(wl) == 4
    assert calls == [httpserver.url_for("/w.csv")]


def test_http_500_is_an_input_error_naming_the_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data("boom", status=500)
    url = httpserver.url_for("/sdn.csv")
    with pytest.raises(InputError, match="HTTP 500") as info:
        load_watchlist(url)
    assert info.value.source == url


def test_timeout_is_an_input_error_naming_the_url(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(SDN.read_bytes())

    httpserver.expect_request("/slow.csv").respond_with_handler(slow)
    url = httpserver.url_for("/slow.csv")
    with pytest.raises(InputError, match=r"timed out after 0\.2 s") as info:
        load_watchlist(url, timeout=0.2)
    assert info.value.source == url


def test_html_page_is_a_format_error_naming_the_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/sdn.csv").respond_with_data(
        "<html><body>Please enable JavaScript</body></html>", content_type="text/html"
    )
    url = httpserver.url_for("/sdn.csv")
    with pytest.raises(FormatError) as info:
        load_watchlist(url)
    assert info.value.source == url


def test_connection_refused_is_an_input_error() -> None:
    with pytest.raises(InputError, match="download failed") as info:
        load_watchlist("http://127.0.0.1:9/sdn.csv", timeout=2)
    assert info.value.source == "http://127.0.0.1:9/sdn.csv"
