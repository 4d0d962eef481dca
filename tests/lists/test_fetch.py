"""fetch_watchlist against a real local server: updates, conditional GET, and every server fault."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vesselscreen.errors import ConfigError, FormatError, InputError
from vesselscreen.lists.fetch import (
    SOURCES,
    USER_AGENT,
    ListSpec,
    fetch_watchlist,
    make_session,
    resolve,
    update_source,
)
from vesselscreen.lists.store import SnapshotStore
from vesselscreen.schema import WATCHLIST

DATA = Path(__file__).parent.parent / "data" / "lists"
OFAC = DATA / "ofac"
CUSTOM = DATA / "custom" / "caspian_watchlist.csv"
EOF_BYTE = b"\x1a"


def sdn_lines() -> list[bytes]:
    """The real sdn.csv excerpt as its CRLF lines, without the trailing end-of-file byte."""
    return OFAC.joinpath("sdn.csv").read_bytes().rstrip(EOF_BYTE).splitlines(keepends=True)


def sdn_file(lines: list[bytes]) -> bytes:
    return b"".join(lines) + EOF_BYTE


def ent_num(line: bytes) -> str:
    return line.split(b",", 1)[0].decode()


def is_vessel(line: bytes) -> bool:
    return b',"vessel",' in line


def serve_ofac(server: HTTPServer, sdn: bytes, prefix: str = "/exports") -> str:
    """Serve an OFAC CSV set (sdn.csv as given, the real companions) the way the publisher names it."""
    server.clear_all_handlers()  # keeps the request log
    server.expect_request(f"{prefix}/SDN.CSV").respond_with_data(sdn, content_type="text/csv")
    for name, file in (
        ("ALT.CSV", "alt.csv"),
        ("ADD.CSV", "add.csv"),
        ("SDN_COMMENTS.CSV", "sdn_comments.csv"),
    ):
        server.expect_request(f"{prefix}/{name}").respond_with_data(
            OFAC.joinpath(file).read_bytes(), content_type="text/csv"
        )
    return server.url_for(f"{prefix}/SDN.CSV")


def custom_spec(server: HTTPServer, path: str = "/list.csv") -> ListSpec:
    return ListSpec("caspian", server.url_for(path), "custom_csv")


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "store.sqlite3")


@pytest.fixture
def quick() -> dict[str, object]:
    """Fast failure settings for fault tests: no backoff sleeps, short timeouts, no bar."""
    return {"backoff": 0.0, "timeout": (2.0, 2.0), "progress": False}


# ---------------------------------------------------------------------------- the registry


def test_registry_names_publishers_urls_and_formats() -> None:
    assert {"ofac_sdn", "ofac_cons", "uk", "eu_fsf", "un"} <= set(SOURCES)
    assert SOURCES["ofac_sdn"].url.endswith("/exports/SDN.CSV")
    assert SOURCES["un"].url == "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
    assert SOURCES["un"].format == "un_xml"
    for spec in SOURCES.values():
        assert spec.url.startswith("https://")
        assert spec.name in SOURCES


def test_unknown_source_needs_a_url() -> None:
    with pytest.raises(ConfigError, match="unknown list source 'mine'"):
        resolve("mine")
    assert resolve("mine", urls={"mine": "http://x/list.csv"}) == ListSpec("mine", "http://x/list.csv")


def test_session_has_user_agent_and_retries() -> None:
    session = make_session(retries=4, backoff=0.5)
    assert session.headers["User-Agent"] == USER_AGENT
    retry = session.get_adapter("https://example.org").max_retries  # type: ignore[attr-defined]  # HTTPAdapter
    assert (retry.total, retry.backoff_factor, 503 in retry.status_forcelist) == (4, 0.5, True)


# ---------------------------------------------------------------------------- fetching and storing


def test_two_updates_make_two_snapshots_with_right_diff_and_as_of(
    httpserver: HTTPServer, store: SnapshotStore
) -> None:
    lines = sdn_lines()
    # version 1: the real file without its last 10 rows, one vessel (ent_num 15036) still
    # called by its call sign T2EU5, and one vessel (the first) that version 2 drops
    vessels = [line for line in lines if is_vessel(line)]
    dropped, renamed = vessels[0], next(line for line in lines if line.startswith(b"15036,"))
    v1_lines = [line.replace(b'"T2EU4"', b'"T2EU5"') if line is renamed else line for line in lines[:-10]]
    v2_lines = [line for line in lines if line is not dropped]
    url = serve_ofac(httpserver, sdn_file(v1_lines))
    first = update_source("ofac_sdn", store=store, urls={"ofac_sdn": url}, progress=False)
    between = datetime.now(UTC)
    time.sleep(0.01)
    serve_ofac(httpserver, sdn_file(v2_lines))
    second = update_source("ofac_sdn", store=store, urls={"ofac_sdn": url}, progress=False)

    assert (first.status, second.status) == ("added", "added")
    assert [s.id for s in store.snapshots("ofac_sdn")] == [first.snapshot.id, second.snapshot.id]
    # every file of the set was fetched each time, with our User-Agent
    paths = [request.path for request, _ in httpserver.log]
    assert paths.count("/exports/ALT.CSV") == 2
    assert {request.headers["User-Agent"] for request, _ in httpserver.log} == {USER_AGENT}

    diff = store.diff(first.snapshot.id, second.snapshot.id)
    added_vessels = {f"ofac_sdn:{ent_num(line)}" for line in lines[-10:] if is_vessel(line)}
    assert set(diff.added[WATCHLIST.ENTRY_ID]) == added_vessels
    assert diff.removed[WATCHLIST.ENTRY_ID].tolist() == [f"ofac_sdn:{ent_num(dropped)}"]
    change = diff.changed.loc[diff.changed["field"] == WATCHLIST.CALL_SIGN]
    assert change[[WATCHLIST.ENTRY_ID, "old", "new"]].to_dict("records") == [
        {WATCHLIST.ENTRY_ID: "ofac_sdn:15036", "old": "T2EU5", "new": "T2EU4"}
    ]
    assert set(diff.changed[WATCHLIST.ENTRY_ID]) == {"ofac_sdn:15036"}

    v1 = sum(is_vessel(line) for line in v1_lines)
    v2 = sum(is_vessel(line) for line in v2_lines)
    then = store.watchlist(as_of=between)
    now = store.watchlist(as_of=datetime.now(UTC).date())
    assert (len(then), len(now)) == (v1, v2)
    assert then.snapshot.sources[0].sha256 == first.snapshot.sha256
    # OFAC's CSV has no listing dates: entries new in version 2 were listed on the day
    # this store first saw them; the ones in the first snapshot stay unknown
    listed = now.vessels.set_index(WATCHLIST.ENTRY_ID)[WATCHLIST.LISTED_ON]
    today = pd.Timestamp(second.snapshot.retrieved_at).floor("D")
    assert set(listed[listed.notna()].index) == added_vessels
    assert set(listed.dropna()) == {today}
    # the dropped vessel is delisted as of the day of the first snapshot without it
    history = store.watchlist(include_delisted=True).vessels.set_index(WATCHLIST.ENTRY_ID)
    assert history.loc[f"ofac_sdn:{ent_num(dropped)}", WATCHLIST.DELISTED_ON] == today
    assert history[WATCHLIST.DELISTED_ON].notna().sum() == 1


def test_fetch_watchlist_returns_stored_entries_and_fetches_several_sources(
    httpserver: HTTPServer, store: SnapshotStore
) -> None:
    url = serve_ofac(httpserver, OFAC.joinpath("sdn.csv").read_bytes())
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes(), content_type="text/csv")
    wl = fetch_watchlist(["ofac_sdn", custom_spec(httpserver)], store=store, urls={"ofac_sdn": url})
    assert (len(wl.vessels), len(wl.entities)) == (80 + 4, 60)
    assert [s.source for s in wl.snapshot.sources] == ["ofac_sdn", "caspian"]
    # the custom reader's default label becomes the spec's name; rows that name their own
    # source (the fixture's "caspian_demo" column) keep it
    assert set(wl.vessels[WATCHLIST.SOURCE]) == {"ofac_sdn", "caspian", "caspian_demo"}
    artavil = wl.vessels.loc[wl.vessels[WATCHLIST.ENTRY_ID] == "ofac_copy:15036"]
    assert artavil[WATCHLIST.SOURCE].tolist() == ["caspian"]
    assert {s.source for s in store.snapshots()} == {"ofac_sdn", "caspian"}
    aliases = wl.vessels.set_index(WATCHLIST.ENTRY_ID).loc["ofac_sdn:15036", WATCHLIST.ALIASES]
    assert aliases == ["ALPHA", "ABADAN", "SHONA"]  # alt.csv was fetched and merged


def test_without_a_store_nothing_is_kept(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    wl = fetch_watchlist(custom_spec(httpserver), progress=False)
    assert len(wl) == 4
    assert wl.snapshot.sources[0].location == httpserver.url_for("/list.csv")


def test_same_content_again_is_unchanged(httpserver: HTTPServer, store: SnapshotStore) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    first = update_source(custom_spec(httpserver), store=store)
    again = update_source(custom_spec(httpserver), store=store)
    assert (first.status, again.status) == ("added", "unchanged")
    assert again.snapshot.id == first.snapshot.id
    assert again.snapshot.checked_at > first.snapshot.checked_at
    assert len(store.snapshots()) == 1


def test_not_modified_reuses_the_stored_snapshot(httpserver: HTTPServer, store: SnapshotStore) -> None:
    body = CUSTOM.read_bytes()
    etag = '"caspian-v1"'
    modified = "Fri, 03 May 2024 12:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag, "Last-Modified": modified}, content_type="text/csv")

    httpserver.expect_request("/list.csv").respond_with_handler(handler)
    first = update_source(custom_spec(httpserver), store=store)
    second = update_source(custom_spec(httpserver), store=store)
    assert second.status == "not_modified"
    assert second.snapshot.id == first.snapshot.id
    assert second.snapshot.checked_at > first.snapshot.checked_at
    request = httpserver.log[-1][0]
    assert (request.headers["If-None-Match"], request.headers["If-Modified-Since"]) == (etag, modified)
    assert "not modified" in second.summary()
    wl = fetch_watchlist(custom_spec(httpserver), store=store)
    assert len(wl) == 4
    assert len(store.snapshots()) == 1


def test_injected_session_is_used_as_given(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.csv", headers={"X-Proxy-Auth": "secret"}).respond_with_data(
        CUSTOM.read_bytes()
    )
    session = requests.Session()
    session.headers["X-Proxy-Auth"] = "secret"
    assert len(fetch_watchlist(custom_spec(httpserver), session=session)) == 4
    assert httpserver.log[0][0].headers["User-Agent"] == USER_AGENT


# ---------------------------------------------------------------------------- server faults


def stored_once(httpserver: HTTPServer, store: SnapshotStore) -> int:
    """Store one good snapshot of the custom list; return its id."""
    httpserver.expect_oneshot_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    return update_source(custom_spec(httpserver), store=store).snapshot.id


def test_server_error_is_retried_then_reported_and_last_good_kept(
    httpserver: HTTPServer, store: SnapshotStore, quick: dict[str, object]
) -> None:
    good = stored_once(httpserver, store)
    httpserver.expect_request("/list.csv").respond_with_data("oops", status=500)
    with pytest.raises(InputError, match=r"HTTP 500 INTERNAL SERVER ERROR after 3 attempts.*#1 .* is kept"):
        update_source(custom_spec(httpserver), store=store, retries=2, **quick)  # type: ignore[arg-type]  # quick settings
    assert len(httpserver.log) == 1 + 3
    assert [s.id for s in store.snapshots()] == [good]
    assert len(store.watchlist()) == 4


def test_server_that_hangs_times_out(httpserver: HTTPServer, store: SnapshotStore) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(CUSTOM.read_bytes())

    httpserver.expect_request("/list.csv").respond_with_handler(slow)
    with pytest.raises(InputError, match=r"timed out \(connect 2 s, read 0.2 s\); nothing stored"):
        update_source(custom_spec(httpserver), store=store, timeout=(2.0, 0.2), retries=0)
    assert store.snapshots() == []


def test_truncated_body_is_refused(httpserver: HTTPServer, store: SnapshotStore) -> None:
    good = stored_once(httpserver, store)
    body = CUSTOM.read_bytes()

    def short() -> Iterator[bytes]:
        yield body[:60]

    headers = {"Content-Length": str(len(body)), "Connection": "close"}
    httpserver.expect_request("/list.csv").respond_with_response(Response(short(), headers=headers))
    with pytest.raises(InputError, match="truncated download") as caught:
        update_source(custom_spec(httpserver), store=store, retries=0)
    assert caught.value.source == httpserver.url_for("/list.csv")
    assert [s.id for s in store.snapshots()] == [good]


def test_html_instead_of_csv_is_refused(httpserver: HTTPServer, store: SnapshotStore) -> None:
    good = stored_once(httpserver, store)
    page = b"<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body>Back soon</body></html>\n"
    httpserver.expect_request("/list.csv").respond_with_data(page, content_type="text/html")
    with pytest.raises(FormatError, match="an HTML page, not the list"):
        update_source(custom_spec(httpserver), store=store)
    assert [s.id for s in store.snapshots()] == [good]


def test_html_for_a_sniffed_source_is_refused_too(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list").respond_with_data(b"<html><body>Forbidden</body></html>")
    with pytest.raises(FormatError, match="HTML page"):
        fetch_watchlist("mine", urls={"mine": httpserver.url_for("/list")})


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_body_over_the_size_cap_is_aborted(
    httpserver: HTTPServer, store: SnapshotStore, announced: bool
) -> None:
    body = OFAC.joinpath("sdn.csv").read_bytes()  # about 40 kB
    if announced:
        httpserver.expect_request("/SDN.CSV").respond_with_data(body)
    else:
        httpserver.expect_request("/SDN.CSV").respond_with_response(
            Response(iter([body[:20_000], body[20_000:]]))
        )
    spec = ListSpec("ofac_sdn", httpserver.url_for("/SDN.CSV"), "ofac_csv")
    with pytest.raises(InputError, match="size cap of 10,000 bytes"):
        update_source(spec, store=store, max_bytes=10_000)
    assert store.snapshots() == []


def test_implausibly_small_list_is_rejected(httpserver: HTTPServer, store: SnapshotStore) -> None:
    lines = sdn_lines()
    url = serve_ofac(httpserver, sdn_file(lines), prefix="/x")
    good = update_source("ofac_sdn", store=store, urls={"ofac_sdn": url}).snapshot
    serve_ofac(httpserver, sdn_file(lines[:20]), prefix="/x")  # 20 of 140 entries
    with pytest.raises(
        InputError,
        match=r"implausible list: 17 vessels and 3 other entries where .* had 80 and 60 "
        r"\(the minimum is 50% of each\)",
    ):
        update_source("ofac_sdn", store=store, urls={"ofac_sdn": url})
    assert [s.id for s in store.snapshots()] == [good.id]
    # a caller who expects a big cut can lower the bar
    assert update_source("ofac_sdn", store=store, urls={"ofac_sdn": url}, min_fraction=0.05).status == "added"


def test_empty_list_is_rejected(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(b"name,imo\n")
    with pytest.raises(FormatError, match="no entries"):
        fetch_watchlist(custom_spec(httpserver))


def test_connection_refused_is_an_input_error(quick: dict[str, object]) -> None:
    spec = ListSpec("gone", "http://127.0.0.1:9/list.csv", "custom_csv")  # port 9: discard, closed
    with pytest.raises(InputError, match="download failed"):
        fetch_watchlist(spec, retries=1, **quick)  # type: ignore[arg-type]  # quick settings


def test_all_sources_are_attempted_and_failures_reported(
    httpserver: HTTPServer, store: SnapshotStore
) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM.read_bytes())
    httpserver.expect_request("/bad.csv").respond_with_data("gone", status=404)
    bad = ListSpec("bad", httpserver.url_for("/bad.csv"), "custom_csv")
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_watchlist([bad, custom_spec(httpserver)], store=store)
    assert [s.source for s in store.snapshots()] == ["caspian"]  # the good one was still stored


def test_fallback_uses_the_last_good_snapshot(httpserver: HTTPServer, store: SnapshotStore) -> None:
    good = stored_once(httpserver, store)
    httpserver.expect_request("/list.csv").respond_with_data("gone", status=404)
    wl = fetch_watchlist(custom_spec(httpserver), store=store, fallback=True)
    assert len(wl) == 4
    assert wl.snapshot.sources[0].sha256 == store.info(good).sha256


def test_content_seen_before_is_reported_as_a_change_back(
    httpserver: HTTPServer, store: SnapshotStore
) -> None:
    lines = sdn_lines()
    url = serve_ofac(httpserver, sdn_file(lines[:-10]), prefix="/v")
    first = update_source("ofac_sdn", store=store, urls={"ofac_sdn": url})
    serve_ofac(httpserver, sdn_file(lines), prefix="/v")
    assert update_source("ofac_sdn", store=store, urls={"ofac_sdn": url}).snapshot.id == 2
    serve_ofac(httpserver, sdn_file(lines[:-10]), prefix="/v")  # the publisher reverted
    back = update_source("ofac_sdn", store=store, urls={"ofac_sdn": url})
    assert (back.status, back.snapshot.id) == ("added", first.snapshot.id)
    assert back.summary().startswith("ofac_sdn: changed back to snapshot #1 (73 vessels")
    assert store.latest("ofac_sdn") == back.snapshot
    assert store.observations("ofac_sdn")["snapshot_id"].tolist() == [1, 2, 1]
