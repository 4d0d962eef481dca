"""Fetching lists from their publishers: the built-in registry, safe downloads, validation.

:func:`fetch_watchlist` downloads each named list from its publisher (:data:`SOURCES`),
checks it, and, given a :class:`~vesselscreen.lists.store.SnapshotStore`, keeps it as a
new snapshot. Downloads use a :class:`requests.Session` (inject your own for proxies or
certificates; :func:`make_session` builds the default one), a descriptive User-Agent,
connect/read timeouts, retries with exponential backoff on connection errors and 5xx
answers, conditional GET (``If-None-Match``/``If-Modified-Since`` from the last snapshot;
a 304 reuses it), a progress bar on a terminal, and the bounds of
:mod:`vesselscreen.lists._download`: a size cap (after decompression), an overall
deadline per file, redirects only to the same host (or an allow-list), exact lengths.

A download is accepted only if it parses with its format's reader, has at least one
entry, and has at least ``min_fraction`` (default 50 %) of the vessels, and of the other
entries, of the last snapshot. Anything else (HTTP errors, timeouts, truncated bodies,
HTML pages, files over the cap, implausibly small lists) raises
:class:`~vesselscreen.errors.InputError` naming the URL, and the last good snapshot stays
current.

>>> SOURCES["ofac_sdn"].format, sorted(SOURCES["ofac_sdn"].companions)
('ofac_csv', ['add', 'alt', 'comments'])
>>> resolve("mine", urls={"mine": "https://example.org/list.csv"}).format is None  # sniffed
True
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from vesselscreen.errors import ConfigError, FormatError, InputError
from vesselscreen.lists import ofac_csv
from vesselscreen.lists._download import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_BYTES,
    MAX_REDIRECTS,
    USER_AGENT,
    Downloader,
)
from vesselscreen.lists._io import RawSource, sha256_of
from vesselscreen.lists.load import FORMATS, sniff_format
from vesselscreen.lists.store import RawFile, SnapshotInfo, SnapshotStore
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import WATCHLIST

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MIN_FRACTION",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "SOURCES",
    "USER_AGENT",
    "ListSpec",
    "UpdateResult",
    "fetch_watchlist",
    "make_session",
    "resolve",
    "update_source",
]

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = (10.0, 60.0)
"""(connect, read) timeouts in seconds; the read timeout is per network read, not for the whole file."""

DEFAULT_MIN_FRACTION: Final = 0.5
"""A new list with fewer entries than this fraction of the last snapshot's is rejected."""

_RETRY_STATUS: Final = frozenset({500, 502, 503, 504})
_MAIN: Final = "main"
_OFAC_EXPORTS: Final = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True, slots=True)
class ListSpec:
    """Where a list is published and how to read it.

    ``format`` is a name in :data:`vesselscreen.lists.load.FORMATS` (``None``: sniffed from
    the content). ``companions`` are further files of the same list (OFAC's CSV set:
    roles ``alt``, ``add``, ``comments``), as URLs relative to ``url``. ``redirect_hosts``
    are other hosts the publisher may redirect its downloads to (redirects to the same
    host and port are always followed).
    """

    name: str
    url: str
    format: str | None = None
    companions: Mapping[str, str] = field(default_factory=dict)
    title: str = ""
    docs: str = ""
    redirect_hosts: tuple[str, ...] = ()


SOURCES: Final[Mapping[str, ListSpec]] = MappingProxyType(
    {
        "ofac_sdn": ListSpec(
            "ofac_sdn",
            _OFAC_EXPORTS + "SDN.CSV",
            "ofac_csv",
            {"alt": "ALT.CSV", "add": "ADD.CSV", "comments": "SDN_COMMENTS.CSV"},
            title="OFAC Specially Designated Nationals (SDN) list, legacy CSV set",
            docs="https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas",
        ),
        "ofac_sdn_advanced": ListSpec(
            "ofac_sdn_advanced",
            _OFAC_EXPORTS + "SDN_ADVANCED.XML",
            "ofac_advanced_xml",
            title="OFAC SDN list, advanced XML (listing dates; about 120 MB)",
            docs="https://ofac.treasury.gov/sdn-list-data-formats-data-schemas",
        ),
        "ofac_cons": ListSpec(
            "ofac_cons",
            _OFAC_EXPORTS + "CONS_PRIM.CSV",
            "ofac_csv",
            {"alt": "CONS_ALT.CSV", "add": "CONS_ADD.CSV", "comments": "CONS_COMMENTS.CSV"},
            title="OFAC Consolidated (non-SDN) list, CSV set in the SDN layout",
            docs="https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
        ),
        "uk": ListSpec(
            "uk",
            "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",
            None,  # sniffed: the UK reader is being added alongside
            title="UK Sanctions List (FCDO), CSV",
            docs="https://www.gov.uk/government/publications/the-uk-sanctions-list",
        ),
        "eu_fsf": ListSpec(
            "eu_fsf",
            # the token is the public one the EU's Financial Sanctions Files page uses
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
            "?token=dG9rZW4tMjAxNw",
            None,  # sniffed: the EU reader is being added alongside
            title="EU Financial Sanctions Files (FSF), consolidated XML 1.1",
            docs="https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions",
        ),
        "un": ListSpec(
            "un",
            "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
            "un_xml",
            title="UN Security Council Consolidated List, XML",
            docs="https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        ),
    }
)
"""The built-in publishers' lists by source name (URLs overridable per call with ``urls=``)."""


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What :func:`update_source` did for one source.

    ``status``: ``"added"`` (a new snapshot), ``"unchanged"`` (downloaded, identical to
    the last snapshot), ``"not_modified"`` (the server answered 304).
    """

    source: str
    status: Literal["added", "unchanged", "not_modified"]
    snapshot: SnapshotInfo

    def summary(self) -> str:
        """One line for the command line, e.g. ``ofac_sdn: new snapshot #2 (80 vessels, ...)``."""
        s = self.snapshot
        what = {"added": "new snapshot", "unchanged": "unchanged, snapshot", "not_modified": "not modified,"}
        if self.status == "added" and s.retrieved_at != s.checked_at:
            what["added"] = "changed back to snapshot"  # content the store had seen before
        return (
            f"{self.source}: {what[self.status]} #{s.id} ({s.vessels} vessels, {s.entities} entities, "
            f"sha256 {s.sha256[:12]}, retrieved {s.retrieved_at:%Y-%m-%d %H:%M}Z)"
        )


def make_session(*, retries: int = 3, backoff: float = 1.0, user_agent: str = USER_AGENT) -> requests.Session:
    """A session with vesselscreen's User-Agent and retries with exponential backoff.

    Connection errors, read errors before the response and HTTP 500/502/503/504 are
    retried ``retries`` times, waiting ``backoff`` x 2^(n-1) seconds (capped at 60 s, and
    honouring ``Retry-After``). Configure it further (``proxies``, ``verify``) and pass it
    as ``session=``.

    >>> make_session().headers["User-Agent"].startswith("vesselscreen/")
    True
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        backoff_max=60,
        status_forcelist=_RETRY_STATUS,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,  # the last 5xx answer is returned and reported with its status
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def resolve(source: str | ListSpec, *, urls: Mapping[str, str] | None = None) -> ListSpec:
    """The :class:`ListSpec` for a source name (``urls`` overrides its URL) or a spec as given.

    A name not in :data:`SOURCES` needs a URL in ``urls``; its format is then sniffed.
    Companion URLs stay relative to the (overridden) main URL.

    >>> resolve("ofac_sdn", urls={"ofac_sdn": "http://mirror.example/ofac/SDN.CSV"}).url
    'http://mirror.example/ofac/SDN.CSV'
    """
    if isinstance(source, ListSpec):
        return source
    override = (urls or {}).get(source)
    if source in SOURCES:
        spec = SOURCES[source]
        return replace(spec, url=override) if override else spec
    if override:
        return ListSpec(source, override)
    raise ConfigError(
        f"unknown list source {source!r}: known sources are {', '.join(SOURCES)}; "
        f"for another list give its URL (urls={{{source!r}: 'https://...'}} or --url {source}=URL)"
    )


@dataclass(frozen=True, slots=True)
class _Download:
    file: RawFile
    not_modified: bool


class _Fetcher:
    """One configured downloader (session, limits, progress) shared by the sources of a call."""

    def __init__(
        self,
        session: requests.Session | None,
        *,
        timeout: float | tuple[float, float],
        max_bytes: int,
        deadline: float,
        redirect_hosts: Collection[str],
        progress: bool | None,
        retries: int,
        backoff: float,
    ) -> None:
        own = session is None
        self.downloader = Downloader(
            session if session is not None else make_session(retries=retries, backoff=backoff),
            timeout=timeout,
            max_bytes=max_bytes,
            deadline=deadline,
            redirect_hosts=redirect_hosts,
            progress=sys.stderr.isatty() if progress is None else progress,
        )
        self.downloader.own_session = own

    def close(self) -> None:
        self.downloader.close()

    def get(self, spec: ListSpec, role: str, url: str, previous: RawFile | None, label: str) -> _Download:
        headers = {}
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous is not None and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        # a publisher's own CDN, named in its spec, is as trusted as the publisher
        allowed = (*self.downloader.redirect_hosts, *spec.redirect_hosts)
        download = self.downloader.get(url, headers=headers, label=label, redirect_hosts=allowed)
        if download.data is None:
            if previous is None:
                raise InputError(url, "HTTP 304 Not Modified, but there is no stored copy to reuse")
            return _Download(previous, not_modified=True)
        file = RawFile(role, url, download.data, etag=download.etag, last_modified=download.last_modified)
        return _Download(file, not_modified=False)


def _looks_like_html(file: RawFile) -> bool:
    head = file.data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _parse(spec: ListSpec, files: Sequence[RawFile], retrieved_at: datetime) -> Watchlist:
    """Read the downloaded files with the spec's format reader, labelled with the spec's name."""
    raws = {f.role: RawSource(f.data, f.url, f.url, None, retrieved_at) for f in files}
    main = raws[_MAIN]
    for file in files:
        if _looks_like_html(file):
            raise FormatError(file.url, "the server sent an HTML page, not the list")
    name = spec.format or sniff_format(main.data)
    if name is None:
        raise FormatError(
            main.label, f"not a recognised list format; known formats: {', '.join(sorted(FORMATS))}"
        )
    if name not in FORMATS:
        raise ConfigError(
            f"{spec.name}: list format {name!r} is not available; known formats: {', '.join(sorted(FORMATS))}"
        )
    companions = {role: raw for role, raw in raws.items() if role != _MAIN}
    if name == ofac_csv.FORMAT:
        wl = ofac_csv.from_raw(main, companions, source=spec.name)
    elif companions:
        raise ConfigError(f"{spec.name}: format {name!r} takes one file, not companions {sorted(companions)}")
    else:
        wl = _relabel(FORMATS[name](main), spec.name)
    if len(wl.vessels) + len(wl.entities) == 0:
        raise FormatError(main.label, "the list has no entries")
    snapshot = SourceSnapshot(
        source=spec.name,
        format=name,
        location=spec.url,
        retrieved_at=retrieved_at,
        sha256=sha256_of(f.data for f in files),
        vessels=len(wl.vessels),
        entities=len(wl.entities),
    )
    return Watchlist(
        wl.vessels, wl.entities, snapshot=WatchlistSnapshot(sources=(snapshot,)), reports=wl.reports
    )


def _relabel(wl: Watchlist, source: str) -> Watchlist:
    """Entries a reader labelled with its default source name get the registry's name instead.

    ``WATCHLIST`` and ``ENTITY`` share the ``entry_id`` and ``source`` column names.
    """
    defaults = {s.source for s in wl.snapshot.sources} - {source}
    frames = []
    for frame in (wl.vessels, wl.entities):
        out = frame.copy()
        for default in defaults:
            mine = out[WATCHLIST.SOURCE].eq(default).fillna(False)
            ids = out[WATCHLIST.ENTRY_ID]
            prefixed = mine & ids.str.startswith(default + ":").fillna(False)
            out.loc[prefixed, WATCHLIST.ENTRY_ID] = source + ":" + ids[prefixed].str.slice(len(default) + 1)
            out.loc[mine, WATCHLIST.SOURCE] = source
        frames.append(out)
    return Watchlist(frames[0], frames[1], snapshot=wl.snapshot, reports=wl.reports)


def _previous_files(
    store: SnapshotStore | None, source: str
) -> tuple[SnapshotInfo | None, dict[str, RawFile]]:
    if store is None:
        return None, {}
    latest = store.latest(source)
    if latest is None:
        return None, {}
    return latest, {f.role: f for f in store.files(latest.id)}


def _kept(previous: SnapshotInfo | None) -> str:
    if previous is None:
        return "; nothing stored"
    when = f"{previous.retrieved_at:%Y-%m-%d %H:%M}Z"
    return f"; not stored, the last good snapshot #{previous.id} ({when}) is kept"


def _update(
    spec: ListSpec, fetcher: _Fetcher, store: SnapshotStore | None, min_fraction: float
) -> tuple[Watchlist, UpdateResult | None]:
    previous, stored = _previous_files(store, spec.name)
    retrieved_at = datetime.now(UTC)
    roles = {_MAIN: spec.url, **{role: urljoin(spec.url, rel) for role, rel in spec.companions.items()}}
    try:
        downloads = [
            fetcher.get(spec, role, url, stored.get(role), f"{spec.name} {url.rsplit('/', 1)[-1]}")
            for role, url in roles.items()
        ]
        if store is not None and previous is not None and all(d.not_modified for d in downloads):
            return store.load(previous.id), UpdateResult(
                spec.name, "not_modified", store.mark_checked(previous.id, retrieved_at)
            )
        files = [d.file for d in downloads]
        wl = _parse(spec, files, retrieved_at)
    except InputError as exc:
        kind = FormatError if isinstance(exc, FormatError) else InputError
        raise kind(exc.source, exc.message + _kept(previous), line=exc.line) from exc
    if store is None:
        return wl, None
    info = store.add(wl, files, min_fraction=min_fraction)  # a refusal says which snapshot is kept
    status: Literal["added", "unchanged"] = (
        "unchanged" if previous is not None and info.id == previous.id else "added"
    )
    return store.load(info.id), UpdateResult(spec.name, status, info)


def update_source(
    source: str | ListSpec,
    *,
    store: SnapshotStore,
    session: requests.Session | None = None,
    urls: Mapping[str, str] | None = None,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float = DEFAULT_DEADLINE,
    redirect_hosts: Collection[str] = (),
    min_fraction: float = DEFAULT_MIN_FRACTION,
    progress: bool | None = None,
    retries: int = 3,
    backoff: float = 1.0,
) -> UpdateResult:
    """Fetch one source into ``store`` and say what happened (options as :func:`fetch_watchlist`)."""
    fetcher = _Fetcher(session, timeout=timeout, max_bytes=max_bytes, deadline=deadline,
                       redirect_hosts=redirect_hosts, progress=progress, retries=retries,
                       backoff=backoff)  # fmt: skip
    try:
        result = _update(resolve(source, urls=urls), fetcher, store, min_fraction)[1]
    finally:
        fetcher.close()
    assert result is not None  # a store always gives a result
    return result


def fetch_watchlist(
    sources: str | ListSpec | Iterable[str | ListSpec],
    *,
    store: SnapshotStore | None = None,
    session: requests.Session | None = None,
    urls: Mapping[str, str] | None = None,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float = DEFAULT_DEADLINE,
    redirect_hosts: Collection[str] = (),
    min_fraction: float = DEFAULT_MIN_FRACTION,
    progress: bool | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    fallback: bool = False,
) -> Watchlist:
    """Download lists from their publishers into one :class:`Watchlist`, validated, optionally stored.

    ``sources`` are names in :data:`SOURCES` (``"ofac_sdn"``, ``"ofac_cons"``, ``"uk"``,
    ``"eu_fsf"``, ``"un"``...), other names with a URL in ``urls``, or :class:`ListSpec`
    objects. ``urls`` maps a source name to the URL to use instead of the built-in one.

    With a ``store``, the request is conditional on the last snapshot (a 304 reuses it),
    an accepted download becomes a new snapshot (identical content only updates its
    ``checked_at``), and the returned entries carry the store's history (``listed_on``
    from ``first_seen`` where the list has no date). Without one, nothing is kept.

    ``session``: a :class:`requests.Session` used as given (e.g. from :func:`make_session`,
    with your proxies or CA bundle); by default one with ``retries`` retries and
    exponential ``backoff``. ``timeout``: seconds, or (connect, read), per network
    operation. ``max_bytes``: the size cap per file, after HTTP decompression.
    ``deadline``: overall seconds per file. ``redirect_hosts``: hosts besides the
    publisher's own that redirects may lead to (see :mod:`vesselscreen.lists._download`).
    ``min_fraction``: a list with fewer vessels (or fewer other entries) than this
    fraction of the last snapshot's is rejected. ``progress``: a progress bar on stderr
    for downloads that take over a second (default: when stderr is a terminal).

    Every source is attempted. A failed one raises its
    :class:`~vesselscreen.errors.InputError` after the others are done (other failures
    are attached as notes), unless ``fallback`` is true and the store has a snapshot of
    it: then that last good snapshot is used and the failure is logged.

    >>> import tempfile
    >>> store = SnapshotStore(tempfile.mkdtemp() + "/s.sqlite3")
    >>> fetch_watchlist("nowhere", store=store)
    Traceback (most recent call last):
    ...
    vesselscreen.errors.ConfigError: unknown list source 'nowhere': known sources are ...
    """
    items = [sources] if isinstance(sources, str | ListSpec) else list(sources)
    specs = [resolve(item, urls=urls) for item in items]
    if not specs:
        raise ConfigError("no list sources given")
    fetcher = _Fetcher(session, timeout=timeout, max_bytes=max_bytes, deadline=deadline,
                       redirect_hosts=redirect_hosts, progress=progress, retries=retries,
                       backoff=backoff)  # fmt: skip
    watchlists: list[Watchlist] = []
    failures: list[InputError] = []
    try:
        for spec in specs:
            try:
                watchlists.append(_update(spec, fetcher, store, min_fraction)[0])
            except InputError as exc:
                latest = store.latest(spec.name) if store is not None and fallback else None
                if store is None or latest is None:
                    failures.append(exc)
                    continue
                _log.warning("%s; using snapshot #%d of %s", exc, latest.id, spec.name)
                watchlists.append(store.load(latest.id))
    finally:
        fetcher.close()
    if failures:
        first = failures[0]
        for other in failures[1:]:
            first.add_note(f"also failed: {other}")
        raise first
    return Watchlist.concat(watchlists)
