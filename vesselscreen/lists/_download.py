"""Bounded HTTP downloads of list files, shared by ``fetch_watchlist`` and ``load_watchlist(url)``.

Every download is bounded four ways, and each failure is an
:class:`~vesselscreen.errors.InputError` naming the URL:

- **size**: at most ``max_bytes`` of content, counted *after* HTTP decompression
  (``Content-Encoding: gzip``...), so a compressed bomb stops at the cap; a larger
  ``Content-Length`` is refused before anything is read;
- **time**: connect and read timeouts per network operation, and an overall
  ``deadline`` for the whole file (a server trickling a byte every few seconds never
  trips a read timeout, but it trips this);
- **redirects**: followed only to the same host and port (``http`` to ``https`` on the
  same host is an upgrade and allowed), or to a host in ``redirect_hosts``; never from
  ``https`` down to ``http``; at most :data:`MAX_REDIRECTS` hops;
- **length**: a body shorter or longer than its ``Content-Length`` is an error, not a
  silently cut file.

>>> redirect_refusal("https://a.example/x", "https://a.example/y", ()) is None
True
>>> redirect_refusal("https://a.example/x", "https://b.example/y", ())
'to another host (b.example)'
>>> redirect_refusal("https://a.example/x", "https://b.example/y", ("b.example",)) is None
True
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from tqdm import tqdm

from vesselscreen._version import __version__
from vesselscreen.errors import ConfigError, InputError

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Download",
    "Downloader",
    "redirect_refusal",
]

USER_AGENT: Final = f"vesselscreen/{__version__} (+https://pypi.org/project/vesselscreen/)"
"""The User-Agent every request carries, so publishers can see who is downloading."""

DEFAULT_MAX_BYTES: Final = 500_000_000
"""Size cap per file (decompressed): OFAC's SDN_ADVANCED.XML, the largest list, is about 120 MB."""

DEFAULT_DEADLINE: Final = 900.0
"""Overall seconds per file, redirects included: 120 MB takes 8 minutes at 2 Mbit/s."""

MAX_REDIRECTS: Final = 5
"""Redirect hops followed per file (publishers use one or two)."""

_CHUNK: Final = 1 << 16
# how long to listen for bytes after the announced body: a server that sends too much sends
# it in the same breath; a connection that stays open and silent costs this once per file
_TRAILING_WAIT: Final = 0.05
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS: Final[Mapping[str, int]] = {"http": 80, "https": 443}
_GENERIC_AGENT: Final = requests.utils.default_user_agent()


@dataclass(frozen=True, slots=True)
class Download:
    """One answered request: the body (``None`` for 304 Not Modified) and its validators."""

    url: str
    data: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def redirect_refusal(origin: str, target: str, allowed_hosts: Collection[str]) -> str | None:
    """Why a redirect from ``origin`` to ``target`` is not followed, or ``None`` if it is allowed.

    Allowed: the same host and port; ``http`` to ``https`` on the same host with default
    ports; a host named in ``allowed_hosts`` (``"host"`` for the scheme's default port,
    ``"host:port"`` for another). Never ``https`` down to ``http``.
    """
    o_scheme, o_host, o_port = _origin(origin)
    t_scheme, t_host, t_port = _origin(target)
    if t_scheme not in _DEFAULT_PORTS or not t_host:
        return f"to a URL that is not http(s) ({target})"
    if t_port == -1:
        return f"to a URL with an invalid port ({target})"
    if o_scheme == "https" and t_scheme == "http":
        return "from https down to plain http"
    if t_host == o_host and (
        t_port == o_port or (o_scheme, t_scheme, o_port, t_port) == ("http", "https", 80, 443)
    ):
        return None
    listed = {entry.lower() for entry in allowed_hosts}
    default = _DEFAULT_PORTS[t_scheme]
    if (t_host in listed and t_port == default) or f"{t_host}:{t_port}" in listed:
        return None
    if t_host == o_host:
        return f"to another port ({t_port})"
    return f"to another host ({t_host})"


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _tries(response: requests.Response) -> str:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ())
    return f" after {len(history) + 1} attempts" if history else ""


class Downloader:
    """A configured downloader: one session, its limits, a progress bar on demand.

    ``timeout`` is seconds, or (connect, read) seconds, per network operation;
    ``deadline`` bounds each file as a whole. An own session (``session=None``) is a
    plain :class:`requests.Session`, closed by :meth:`close`.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float | tuple[float, float],
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = DEFAULT_DEADLINE,
        redirect_hosts: Collection[str] = (),
        progress: bool = False,
    ) -> None:
        if max_bytes <= 0:
            raise ConfigError(f"max_bytes must be positive, not {max_bytes}")
        if not deadline > 0:
            raise ConfigError(f"deadline must be a positive number of seconds, not {deadline}")
        self.own_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.redirect_hosts = tuple(redirect_hosts)
        self.progress = progress

    def close(self) -> None:
        """Close the session if this downloader made it."""
        if self.own_session:
            self.session.close()

    def _timeouts(self) -> str:
        t = self.timeout
        return f"(connect {t[0]:g} s, read {t[1]:g} s)" if isinstance(t, tuple) else f"after {t:g} s"

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        agent = self.session.headers.get("User-Agent")
        # an injected session keeps a User-Agent its owner chose, but not requests' generic one
        chosen = USER_AGENT if not agent or agent == _GENERIC_AGENT else str(agent)
        return {"User-Agent": chosen, **extra}

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        label: str = "",
        redirect_hosts: Collection[str] | None = None,
    ) -> Download:
        """GET ``url`` within the limits; a 304 gives ``data=None``; errors name ``url``.

        ``redirect_hosts`` replaces the downloader's allow-list for this request.
        """
        ends = time.monotonic() + self.deadline
        allowed = self.redirect_hosts if redirect_hosts is None else tuple(redirect_hosts)
        current = url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                with self.session.get(
                    current,
                    headers=self._headers(headers or {}),
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                ) as response:
                    self._check_deadline(url, ends)
                    if response.status_code in _REDIRECTS:
                        current = self._redirect(url, current, response, allowed)
                        continue
                    if response.status_code == 304:
                        return Download(url, None, response.headers.get("ETag"),
                                        response.headers.get("Last-Modified"))  # fmt: skip
                    if response.status_code >= 400:
                        raise InputError(
                            url, f"HTTP {response.status_code} {response.reason}".rstrip() + _tries(response)
                        )
                    data = self._body(response, url, label or url, ends)
                    return Download(
                        url, data, response.headers.get("ETag"), response.headers.get("Last-Modified")
                    )
            raise InputError(url, f"more than {MAX_REDIRECTS} redirects")
        except requests.Timeout as exc:
            raise InputError(url, f"timed out {self._timeouts()}") from exc
        except requests.ConnectionError as exc:
            # read timeouts that exhausted the retries arrive wrapped as connection errors
            reason = getattr(exc.args[0] if exc.args else None, "reason", None)
            refused = isinstance(reason, urllib3.exceptions.NewConnectionError)  # a TimeoutError subclass
            if not refused and isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError):
                raise InputError(url, f"timed out {self._timeouts()}") from exc
            raise InputError(url, f"download failed: {exc}") from exc
        except requests.exceptions.RetryError as exc:
            raise InputError(url, f"gave up after retries: {exc}") from exc
        except requests.RequestException as exc:
            raise InputError(url, f"download failed: {exc}") from exc

    def _check_deadline(self, url: str, ends: float) -> None:
        if time.monotonic() > ends:
            raise InputError(url, f"download aborted: over the overall deadline of {self.deadline:g} s")

    def _redirect(self, url: str, current: str, response: requests.Response, allowed: Collection[str]) -> str:
        location = response.headers.get("Location")
        if not location:
            raise InputError(url, f"HTTP {response.status_code} redirect without a Location")
        target = urljoin(current, location)
        refusal = redirect_refusal(url, target, allowed)
        if refusal is not None:
            raise InputError(
                url,
                f"redirected {refusal}: {target} not followed (allow a host with redirect_hosts=...)",
            )
        return target

    def _body(self, response: requests.Response, url: str, label: str, ends: float) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        encoded = encoding not in ("", "identity")
        announced = _int(response.headers.get("Content-Length"))
        if announced is not None and not encoded and announced > self.max_bytes:
            raise InputError(
                url, f"{announced:,} bytes announced, over the size cap of {self.max_bytes:,} bytes"
            )
        raw = response.raw
        # read1 returns what one network read gave, so the deadline is checked at least that often;
        # urllib3 < 2.3 has no read1, and its read() of small pieces is checked less often
        read1 = getattr(raw, "read1", None)
        piece = _CHUNK if read1 is not None else 1024
        chunks: list[bytes] = []
        received = 0
        try:
            with (
                _Wire(raw, response.url) as wire,
                tqdm(
                    total=announced if not encoded else None,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=label,
                    disable=not self.progress,
                    delay=1.0,  # only downloads that take a while show a bar
                    leave=False,
                ) as bar,
            ):
                while True:
                    self._check_deadline(url, ends)
                    if announced is not None and wire.buffered_beyond(announced):
                        raise InputError(url, _too_long(announced))
                    chunk = (read1(piece, decode_content=True) if read1 is not None
                             else raw.read(piece, decode_content=True))  # fmt: skip
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > self.max_bytes:
                        what = " (decompressed)" if encoded else ""
                        raise InputError(
                            url, f"download aborted: over the size cap of {self.max_bytes:,} bytes{what}"
                        )
                    chunks.append(chunk)
                    bar.update(len(chunk))
                got = wire.read()
                if announced is not None and got is not None and got < announced:
                    raise InputError(url, f"truncated download: {got:,} of {announced:,} bytes")
                if announced is not None and ((got is not None and got > announced) or wire.pending()):
                    raise InputError(url, _too_long(announced))
        except urllib3.exceptions.DecodeError as exc:
            raise InputError(url, f"cannot decompress the {encoding} body: {exc}") from exc
        except (urllib3.exceptions.ProtocolError, http.client.IncompleteRead) as exc:
            raise InputError(url, f"truncated download: the connection ended early ({exc})") from exc
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            raise InputError(url, f"timed out {self._timeouts()}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise InputError(url, f"download failed: {exc}") from exc
        return b"".join(chunks)


def _too_long(announced: int) -> str:
    return f"the body is longer than its Content-Length of {announced:,} bytes"


class _Wire:
    """What the transport below requests holds: bytes read off the wire, bytes waiting after the body.

    These look into urllib3's and http.client's objects, because neither says when a
    server sends more than it announced (http.client stops at Content-Length and drops
    the rest). Where the objects are not what is expected (another adapter), the checks
    are skipped and only the count of bytes received is compared. Bytes that arrive
    after the body are looked for on a duplicate of a plain socket's descriptor (a TLS
    socket cannot be peeked at without decrypting, so there only http.client's buffer
    is checked).
    """

    def __init__(self, raw: object, url: str) -> None:
        self.tell = getattr(raw, "tell", None)
        fp = getattr(raw, "_fp", None)
        self.http = fp if isinstance(fp, http.client.HTTPResponse) else None
        self.sock: socket.socket | None = None
        buffer = getattr(self.http, "fp", None)
        if buffer is not None and urlsplit(url).scheme.lower() == "http":
            try:
                # a duplicate stays valid after http.client closes its file at the end of the body
                self.sock = socket.socket(fileno=os.dup(buffer.fileno()))
            except (OSError, ValueError):
                self.sock = None

    def __enter__(self) -> _Wire:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sock is not None:
            self.sock.close()

    def read(self) -> int | None:
        """Bytes taken off the wire so far (before decompression), if the transport says."""
        if self.tell is None:
            return None
        value = self.tell()
        return value if isinstance(value, int) else None

    def buffered_beyond(self, announced: int) -> bool:
        """True when http.client's buffer already holds bytes past the announced body."""
        done = self.read()
        buffer = getattr(self.http, "fp", None) if self.http is not None and not self.http.chunked else None
        if done is None or buffer is None or done >= announced:
            return False
        peek = getattr(buffer, "peek", None)
        if peek is None:
            return False
        # one network read at most, and only of bytes the body still needs
        return len(peek(1)) > announced - done

    def pending(self) -> bool:
        """True when bytes arrived on the (plain) socket after the announced body."""
        sock = self.sock
        if sock is None:
            return False
        try:
            ready, _, _ = select.select([sock], [], [], _TRAILING_WAIT)
            return bool(ready) and bool(sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except (BlockingIOError, OSError, ValueError):
            return False
