"""Bounded downloads against a real local server: caps, bombs, deadlines, redirects, lengths.

Each fault is served by pytest-httpserver and met by both download paths:
``load_watchlist(url)`` and ``fetch_watchlist`` / ``update_source``.
"""

from __future__ import annotations

import functools
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from vesselscreen.errors import ConfigError, InputError, VesselScreenError
from vesselscreen.lists import load_watchlist
from vesselscreen.lists._download import MAX_REDIRECTS, Downloader, redirect_refusal
from vesselscreen.lists.fetch import ListSpec, fetch_watchlist, update_source
from vesselscreen.lists.store import SnapshotStore

DATA = Path(__file__).parent.parent / "data" / "lists"
CUSTOM = (DATA / "custom" / "caspian_watchlist.csv").read_bytes()
SDN = (DATA / "ofac" / "sdn.csv").read_bytes()


def via_load(url: str, **limits: object) -> object:
    return load_watchlist(url, format="custom_csv", **limits)  # type: ignore[arg-type]  # limits


def via_fetch(url: str, **limits: object) -> object:
    spec = ListSpec("caspian", url, "custom_csv")
    return fetch_watchlist(spec, retries=0, progress=False, **limits)  # type: ignore[arg-type]  # limits


PATHS = pytest.mark.parametrize("get", [via_load, via_fetch], ids=["load_watchlist", "fetch_watchlist"])
Get = Callable[..., object]


# ---------------------------------------------------------------------------- size


@functools.cache
def bomb() -> bytes:
    """100 MB of CSV in about 100 kB of gzip, compressed piece by piece (never 100 MB in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    piece = b"A" * 1_000_000
    return packer.compress(b"name\n") + b"".join(packer.compress(piece) for _ in range(100)) + packer.flush()


@PATHS
def test_a_gzip_bomb_stops_at_the_cap_after_decompression(httpserver: HTTPServer, get: Get) -> None:
    httpserver.expect_request("/bomb.csv").respond_with_response(
        Response(bomb(), headers={"Content-Encoding": "gzip", "Content-Type": "text/csv"})
    )
    tracemalloc.start()
    try:
        with pytest.raises(
            InputError, match=r"over the size cap of 5,000,000 bytes \(decompressed\)"
        ) as caught:
            get(httpserver.url_for("/bomb.csv"), max_bytes=5_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.source == httpserver.url_for("/bomb.csv")
    assert peak < 40_000_000  # the cap and a few decompressed chunks, never the 100 MB


@PATHS
def test_an_announced_length_over_the_cap_is_refused_before_reading(httpserver: HTTPServer, get: Get) -> None:
    httpserver.expect_request("/big.csv").respond_with_data(SDN)
    with pytest.raises(InputError, match=rf"{len(SDN):,} bytes announced, over the size cap of 1,000 bytes"):
        get(httpserver.url_for("/big.csv"), max_bytes=1000)


@PATHS
def test_a_compressed_list_within_the_cap_loads(httpserver: HTTPServer, get: Get) -> None:
    httpserver.expect_request("/list.csv").respond_with_response(
        Response(gzip.compress(CUSTOM), headers={"Content-Encoding": "gzip"})
    )
    wl = get(httpserver.url_for("/list.csv"), max_bytes=len(CUSTOM))
    assert len(wl) == 4  # type: ignore[arg-type]  # a Watchlist


# ---------------------------------------------------------------------------- time


def trickle(body: bytes, pause: float) -> Iterator[bytes]:
    for i in range(len(body)):
        yield body[i : i + 1]
        time.sleep(pause)


@PATHS
@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_a_trickling_server_meets_the_overall_deadline(
    httpserver: HTTPServer, get: Get, announced: bool
) -> None:
    headers = {"Content-Length": str(len(CUSTOM))} if announced else {}
    httpserver.expect_request("/slow.csv").respond_with_response(
        Response(trickle(CUSTOM, 0.5), headers=headers)  # every read returns in time: no read timeout
    )
    started = time.monotonic()
    with pytest.raises(InputError, match=r"over the overall deadline of 1\.5 s"):
        get(httpserver.url_for("/slow.csv"), deadline=1.5, timeout=5.0)
    assert time.monotonic() - started < 4.0


def test_deadline_and_cap_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="deadline"):
        Downloader(timeout=1.0, deadline=0)
    with pytest.raises(ConfigError, match="max_bytes"):
        Downloader(timeout=1.0, max_bytes=0)


# ---------------------------------------------------------------------------- redirects


@PATHS
def test_a_redirect_on_the_same_host_is_followed(httpserver: HTTPServer, get: Get) -> None:
    httpserver.expect_request("/old.csv").respond_with_response(
        Response(status=301, headers={"Location": "/new.csv"})
    )
    httpserver.expect_request("/new.csv").respond_with_data(CUSTOM)
    assert len(get(httpserver.url_for("/old.csv"))) == 4  # type: ignore[arg-type]  # a Watchlist


@PATHS
def test_a_redirect_to_another_port_is_refused_unless_allowed(httpserver: HTTPServer, get: Get) -> None:
    other = HTTPServer(host=httpserver.host)
    other.start()
    try:
        other.expect_request("/list.csv").respond_with_data(CUSTOM)
        target = other.url_for("/list.csv")
        httpserver.expect_request("/list.csv").respond_with_response(
            Response(status=302, headers={"Location": target})
        )
        with pytest.raises(
            InputError, match=rf"redirected to another port \({other.port}\): {target} not followed"
        ):
            get(httpserver.url_for("/list.csv"))
        assert other.log == []  # nothing was asked of the other server
        allowed = [f"{other.host}:{other.port}"]
        assert len(get(httpserver.url_for("/list.csv"), redirect_hosts=allowed)) == 4  # type: ignore[arg-type]  # a Watchlist
    finally:
        other.clear()
        other.stop()


@PATHS
def test_a_redirect_loop_ends(httpserver: HTTPServer, get: Get) -> None:
    httpserver.expect_request("/a.csv").respond_with_response(
        Response(status=302, headers={"Location": "/b.csv"})
    )
    httpserver.expect_request("/b.csv").respond_with_response(
        Response(status=302, headers={"Location": "/a.csv"})
    )
    with pytest.raises(InputError, match=f"more than {MAX_REDIRECTS} redirects"):
        get(httpserver.url_for("/a.csv"))
    assert len(httpserver.log) == MAX_REDIRECTS + 1


def test_a_redirect_without_location_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x.csv").respond_with_response(Response(status=302))
    with pytest.raises(InputError, match="redirect without a Location"):
        via_load(httpserver.url_for("/x.csv"))


def test_redirect_policy() -> None:
    allowed: tuple[str, ...] = ()
    assert redirect_refusal("http://a.example/x", "https://a.example/x", allowed) is None  # upgrade
    assert (
        redirect_refusal("https://a.example/x", "http://a.example/x", allowed)
        == "from https down to plain http"
    )
    assert (
        redirect_refusal("https://a.example/x", "https://a.example:8443/x", allowed)
        == "to another port (8443)"
    )
    assert (
        redirect_refusal("https://a.example/x", "ftp://a.example/x", allowed)
        == "to a URL that is not http(s) (ftp://a.example/x)"
    )
    assert redirect_refusal("https://a.example/x", "https://a.example:99999/x", allowed) == (
        "to a URL with an invalid port (https://a.example:99999/x)"
    )
    assert redirect_refusal("https://a.example/x", "https://CDN.example/x", ("cdn.example",)) is None
    assert redirect_refusal("https://a.example/x", "https://cdn.example:8443/x", ("cdn.example",)) == (
        "to another host (cdn.example)"
    )
    assert (
        redirect_refusal("https://a.example/x", "https://cdn.example:8443/x", ("cdn.example:8443",)) is None
    )


def test_a_publishers_own_redirect_hosts_are_trusted(httpserver: HTTPServer) -> None:
    other = HTTPServer(host=httpserver.host)
    other.start()
    try:
        other.expect_request("/list.csv").respond_with_data(CUSTOM)
        httpserver.expect_request("/list.csv").respond_with_response(
            Response(status=307, headers={"Location": other.url_for("/list.csv")})
        )
        spec = ListSpec("caspian", httpserver.url_for("/list.csv"), "custom_csv",
                        redirect_hosts=(f"{other.host}:{other.port}",))  # fmt: skip
        assert len(fetch_watchlist(spec, retries=0, progress=False)) == 4
    finally:
        other.clear()
        other.stop()


# ---------------------------------------------------------------------------- lengths


@PATHS
def test_a_body_longer_than_its_content_length_is_an_error(httpserver: HTTPServer, get: Get) -> None:
    # one write of the whole list under a Content-Length that covers only its first rows
    httpserver.expect_request("/list.csv").respond_with_response(
        Response(iter([CUSTOM]), headers={"Content-Length": "120"})
    )
    with pytest.raises(InputError, match="the body is longer than its Content-Length of 120 bytes"):
        get(httpserver.url_for("/list.csv"))


@PATHS
def test_a_body_shorter_than_its_content_length_is_an_error(httpserver: HTTPServer, get: Get) -> None:
    headers = {"Content-Length": str(len(CUSTOM)), "Connection": "close"}
    httpserver.expect_request("/list.csv").respond_with_response(
        Response(iter([CUSTOM[:100]]), headers=headers)
    )
    with pytest.raises(InputError, match="truncated download"):
        get(httpserver.url_for("/list.csv"))


def test_an_exact_body_on_a_kept_alive_connection_is_fine(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/list.csv").respond_with_data(CUSTOM)
    downloader = Downloader(timeout=5.0)
    try:
        for _ in range(3):  # the connection is reused; nothing is left on it
            assert downloader.get(httpserver.url_for("/list.csv")).data == CUSTOM
    finally:
        downloader.close()


# ---------------------------------------------------------------------------- the last good copy stays


def test_a_failed_bounded_download_keeps_the_last_good_snapshot(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    store = SnapshotStore(tmp_path / "s.sqlite3")
    spec = ListSpec("caspian", httpserver.url_for("/list.csv"), "custom_csv")
    httpserver.expect_oneshot_request("/list.csv").respond_with_data(CUSTOM)
    good = update_source(spec, store=store, retries=0, progress=False).snapshot
    httpserver.expect_request("/list.csv").respond_with_response(
        Response(iter([CUSTOM]), headers={"Content-Length": "120"})
    )
    with pytest.raises(VesselScreenError, match=r"longer than its Content-Length.*snapshot #1 .* is kept"):
        update_source(spec, store=store, retries=0, progress=False)
    assert store.latest("caspian") == good


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        (lambda r: Response(status=404), "HTTP 404 NOT FOUND"),
        (
            lambda r: Response(b"\x1f\x8b\x08 not gzip at all", headers={"Content-Encoding": "gzip"}),
            "cannot decompress the gzip body",
        ),
        (
            lambda r: Response(status=302, headers={"Location": "ftp://localhost/list.csv"}),
            r"redirected to a URL that is not http\(s\) \(ftp://localhost/list.csv\)",
        ),
    ],
    ids=["404", "bad-gzip", "bad-location"],
)
def test_every_fault_is_a_vesselscreen_error(
    httpserver: HTTPServer, respond: Callable[[Request], Response], message: str
) -> None:
    httpserver.expect_request("/list.csv").respond_with_handler(respond)
    with pytest.raises(VesselScreenError, match=message):
        via_load(httpserver.url_for("/list.csv"))
