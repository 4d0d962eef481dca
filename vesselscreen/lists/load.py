"""``load_watchlist``: one entry point for every list format and kind of source.

A source is a path, an ``http(s)://`` URL, raw bytes, a binary file object, or a list
of those (their watchlists are concatenated). The format is sniffed from the content
unless given:

- ``ofac_csv``: OFAC's legacy sdn.csv (no header; rows start ``<ent_num>,"<name>",``);
  sibling alt.csv, add.csv and sdn_comments.csv are merged for a local path;
- ``custom_csv``: a CSV with a header row that has a ``name`` column;
- ``ofac_advanced_xml`` / ``ofac_enhanced_xml``: OFAC Sanctions List Service XML
  (root ``Sanctions`` / ``sanctionsData``), SDN or consolidated;
- ``un_xml``: the UN Security Council consolidated list (root ``CONSOLIDATED_LIST``);
- ``uk_csv``: the UK Sanctions List CSV (a ``Report Date`` row, then ``Unique ID``,
  ``Designation Type``, ... );
- ``eu_annex_xlii_csv``: EU Regulation 833/2014 Annex XLII vessels in vesselscreen's
  documented CSV layout (``Vessel name``, ``IMO number``, ``Date of listing``);
- ``opensanctions_ftm``: OpenSanctions FollowTheMoney JSON lines (``entities.ftm.json``,
  ``targets.nested.json``); ``opensanctions_maritime_csv``: their ``maritime.csv``;
- ``un_1718_csv``: the UN 1718 Committee designated vessels (documented CSV layout);
- ``eu_fsf_xml`` / ``eu_fsf_csv``: the EU Financial Sanctions File (root ``export`` /
  ``;``-separated header with ``Entity_LogicalId``);
- ``uk_xml``: the UK Sanctions List XML (root ``Designations``);
- ``ofac_sdn_xml``: OFAC's legacy ``sdn.xml`` (root ``sdnList``).

XML formats are recognised by their root element and, for a local path, parsed as a
stream from disk (the file is never held in memory).

>>> wl = load_watchlist(b"name,flag\\nPORT OLYA-3,RU\\n")
>>> wl.snapshot.sources[0].format, wl.vessels.loc[0, "flag"]
('custom_csv', 'RU')
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final, cast

import requests

from vesselscreen.errors import ConfigError, FormatError, InputError
from vesselscreen.lists import custom_csv, eu, ofac_csv, ofac_sdn_xml, ofac_xml, opensanctions, uk, un
from vesselscreen.lists._download import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, Downloader
from vesselscreen.lists._io import ListSource, RawSource, decode_text, read_raw
from vesselscreen.lists._stream import root_element
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["FORMATS", "WatchlistSource", "load_watchlist", "sniff_format"]

WatchlistSource = ListSource
"""A path (``str`` or ``os.PathLike``), an http(s) URL string, bytes, or a binary file object."""

_Reader = Callable[[RawSource], Watchlist]


def _ofac(raw: RawSource) -> Watchlist:
    # only a local sdn.csv has siblings to merge (raw.path is None for URLs and streams)
    return ofac_csv.from_raw(raw, ofac_csv.sibling_sources(raw, {}), source=ofac_csv.DEFAULT_SOURCE)


def _custom(raw: RawSource) -> Watchlist:
    return custom_csv.from_raw(raw, source=custom_csv.DEFAULT_SOURCE)


_StreamReader = Callable[[ListSource | RawSource], Watchlist]

# formats whose readers stream a local file from disk instead of reading it whole
_STREAMED: Final[Mapping[str, _StreamReader]] = {
    ofac_xml.ADVANCED_FORMAT: ofac_xml.read_ofac_xml,
    ofac_xml.ENHANCED_FORMAT: ofac_xml.read_ofac_xml,
    un.FORMAT: un.read_un_xml,
    opensanctions.FTM_FORMAT: opensanctions.read_opensanctions,
    eu.FSF_XML_FORMAT: eu.read_eu_fsf_xml,
    uk.XML_FORMAT: uk.read_uk_xml,
    ofac_sdn_xml.FORMAT: ofac_sdn_xml.read_ofac_sdn_xml,
}

FORMATS: Final[Mapping[str, _Reader]] = {
    ofac_csv.FORMAT: _ofac,
    custom_csv.FORMAT: _custom,
    uk.CSV_FORMAT: uk.read_uk_csv,
    eu.ANNEX_XLII_FORMAT: eu.read_eu_annex_xlii,
    eu.FSF_CSV_FORMAT: eu.read_eu_fsf_csv,
    un.UN_1718_FORMAT: un.read_un_1718_csv,
    opensanctions.CSV_FORMAT: opensanctions.read_opensanctions_maritime,
    **_STREAMED,
}
"""Known format names and their readers."""

_XML_ROOTS: Final[Mapping[str, str]] = {
    ofac_xml.ADVANCED_ROOT: ofac_xml.ADVANCED_FORMAT,
    ofac_xml.ENHANCED_ROOT: ofac_xml.ENHANCED_FORMAT,
    un.ROOT: un.FORMAT,
    eu.FSF_ROOT: eu.FSF_XML_FORMAT,
    uk.XML_ROOT: uk.XML_FORMAT,
    ofac_sdn_xml.ROOT: ofac_sdn_xml.FORMAT,
}

_SNIFF_BYTES: Final = 65_536


def sniff_format(head: bytes) -> str | None:
    """The format name the start of a file looks like, or ``None`` if none fits.

    >>> sniff_format(b'4238,"MAR AZUL","vessel","CUBA",-0- ,"CL2192","Tug",-0- ,"212","Cuba",-0- ,-0- \\r\\n')
    'ofac_csv'
    >>> sniff_format(b"Name,IMO,Flag\\r\\nPORT OLYA-3,,RU\\r\\n")
    'custom_csv'
    >>> sniff_format(b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27">')
    'un_xml'
    >>> sniff_format(b"!AIVDM,1,1,,A,33P;Tw0tjBQO22:E7dm66DrB20UP,0*2E") is None
    True
    """
    text = head[:_SNIFF_BYTES].decode("utf-8-sig", errors="replace").lstrip()
    if not text:
        return None
    if text.startswith("<"):  # XML lists by their root element; HTML error pages are none of them
        root = root_element(head[:_SNIFF_BYTES])
        return _XML_ROOTS.get(root) if root is not None else None
    if text.startswith("{"):
        return opensanctions.FTM_FORMAT if opensanctions.looks_like_ftm(head[:_SNIFF_BYTES]) else None
    if ofac_csv.looks_like_sdn_csv(text):
        return ofac_csv.FORMAT
    if uk.looks_like_uk_csv(text):
        return uk.CSV_FORMAT
    if eu.looks_like_eu_fsf_csv(text):
        return eu.FSF_CSV_FORMAT
    if opensanctions.looks_like_maritime_csv(text):
        return opensanctions.CSV_FORMAT
    if un.looks_like_un_1718_csv(text):
        return un.UN_1718_FORMAT
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header = {part.strip().strip('"').strip().lower() for part in first_line.split(",")}
    if {c.lower() for c in eu.ANNEX_XLII_COLUMNS} <= header:
        return eu.ANNEX_XLII_FORMAT
    if "name" in header:
        return custom_csv.FORMAT
    return None


def load_watchlist(
    source: WatchlistSource | Sequence[WatchlistSource],
    *,
    format: str | None = None,
    session: requests.Session | None = None,
    timeout: float = 30.0,
    vessels_only: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    deadline: float = DEFAULT_DEADLINE,
    redirect_hosts: Collection[str] = (),
) -> Watchlist:
    """Load a watchlist from a path, URL, bytes, file object, or a list of them.

    ``format`` (one of :data:`FORMATS`) skips sniffing. URLs are fetched with
    ``session`` (a new :class:`requests.Session` if not given) with a
    ``vesselscreen/<version>`` User-Agent, ``timeout`` seconds per network operation,
    at most ``max_bytes`` (after HTTP decompression), ``deadline`` seconds overall,
    redirects only to the same host or to ``redirect_hosts``, and the body's length
    checked against its ``Content-Length``; for a URL to an OFAC sdn.csv, sibling files
    are not fetched. ``vessels_only=True`` leaves ``wl.entities``
    empty; the OFAC XML readers then do not build the parties at all, so memory does not
    grow with the number of parties (for screening runs that do not screen ownership).

    Errors: a missing file raises :class:`~vesselscreen.errors.SourceNotFoundError`;
    content in no known format (an empty file, an NMEA log, an HTML page) raises
    :class:`~vesselscreen.errors.FormatError` naming the source; an unknown format name
    raises :class:`~vesselscreen.errors.ConfigError`; an HTTP error or timeout raises
    :class:`~vesselscreen.errors.InputError` naming the URL.

    >>> wl = load_watchlist([b"name\\nPORT OLYA-3\\n", b"name\\nPORT OLYA-4\\n"], format="custom_csv")
    >>> wl.vessels["name"].tolist(), len(wl.snapshot.sources)
    (['PORT OLYA-3', 'PORT OLYA-4'], 2)
    """
    if format is not None and format not in FORMATS:
        raise ConfigError(f"unknown watchlist format {format!r}; known formats: {', '.join(sorted(FORMATS))}")
    if isinstance(source, list | tuple):
        return Watchlist.concat(
            load_watchlist(
                item,
                format=format,
                session=session,
                timeout=timeout,
                vessels_only=vessels_only,
                max_bytes=max_bytes,
                deadline=deadline,
                redirect_hosts=redirect_hosts,
            )
            for item in source
        )
    single = cast(WatchlistSource, source)  # not a list here
    if isinstance(single, str | os.PathLike) and not _is_url(single):
        head = _head(single)
        name = format or sniff_format(head)
        if name is not None and name in _STREAMED:
            return _vessels_only(_STREAMED[name], name, vessels_only)(single)
    if isinstance(single, str) and _is_url(single):
        downloader = Downloader(
            session, timeout=timeout, max_bytes=max_bytes, deadline=deadline, redirect_hosts=redirect_hosts
        )
        try:
            raw = _fetch(single, downloader)
        finally:
            downloader.close()
    else:
        raw = read_raw(single)
    name = format or sniff_format(raw.data)
    if name is None:
        raise FormatError(raw.label, _unrecognised(raw))
    return _vessels_only(FORMATS[name], name, vessels_only)(raw)


def _vessels_only(reader: Callable[[RawSource], Watchlist], name: str, vessels_only: bool) -> _StreamReader:
    if not vessels_only:
        return reader  # type: ignore[return-value]  # streamed readers also take paths; callers pass what fits
    if name in (ofac_xml.ADVANCED_FORMAT, ofac_xml.ENHANCED_FORMAT):
        return partial(ofac_xml.read_ofac_xml, vessels_only=True)

    def read(data: ListSource | RawSource) -> Watchlist:
        wl = reader(data)  # type: ignore[arg-type]  # as above
        return Watchlist(wl.vessels, None, snapshot=wl.snapshot, reports=wl.reports)

    return read


def _is_url(source: str | os.PathLike[str]) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def _head(path: str | os.PathLike[str]) -> bytes:
    """The first bytes of a local file for sniffing (b"" if it cannot be read; read_raw says why)."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return b""


def _unrecognised(raw: RawSource) -> str:
    text = decode_text(raw).lstrip("\ufeff \r\n\t\x1a")
    if not text:
        return "empty file: not a watchlist"
    preview = text.split("\n", 1)[0][:60].rstrip("\r")
    return (
        f"not a recognised watchlist format (first line {preview!r}); "
        f"known formats: {', '.join(sorted(FORMATS))}"
    )


def _fetch(url: str, downloader: Downloader) -> RawSource:
    retrieved_at = datetime.now(UTC)
    download = downloader.get(url)
    if download.data is None:  # a 304 to an unconditional request
        raise InputError(url, "HTTP 304 Not Modified to a request that was not conditional")
    return RawSource(download.data, url, url, None, retrieved_at)
