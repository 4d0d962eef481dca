"""Your own watchlist as a CSV file: one row per vessel, with a header row.

Layout (UTF-8, comma-separated, header names case-insensitive, column order free):

============ ======== =====================================================================
column       required meaning
============ ======== =====================================================================
name         yes      vessel name as listed; a row with an empty name is rejected
imo          no       IMO ship number, ``9187629`` or ``IMO 9187629`` (check digit checked)
mmsi         no       9-digit MMSI
call_sign    no       radio call sign
flag         no       flag state, ISO 3166-1 alpha-2 (``RU``) or a country name (``Russia``)
listed_on    no       ISO date of listing, ``2024-05-03``
delisted_on  no       ISO date of delisting
programs     no       ``;``-separated programme or list names
source       no       list name for this row (default: the reader's ``source``, ``custom``)
aliases      no       ``;``-separated other names
former_flags no       ``;``-separated former flags (ISO2 or country names)
owners       no       ``;``-separated owners
linked_to    no       ``;``-separated linked parties
vessel_type  no       free text, e.g. ``Crude Oil Tanker``
remarks      no       free text
entry_id     no       stable id; default ``"<source>:<row number>"`` (data rows counted from 1)
============ ======== =====================================================================

An invalid IMO, MMSI, flag or date keeps the entry, leaves that value empty and is
flagged in the report's ``warnings``; a row with an empty name, a wrong number of
fields or a repeated entry_id is rejected and counted; other columns are ignored and
noted in the report (``notes``). Every row is a vessel: ``Watchlist.entities`` is empty.

>>> wl = read_custom_csv(b"name,flag,programs\\nPORT OLYA-3,RU,CASPIAN DEMO;RUSSIA\\n")
>>> wl.vessels[["entry_id", "name", "flag", "programs"]].to_dict("records")
[{'entry_id': 'custom:1', 'name': 'PORT OLYA-3', 'flag': 'RU', 'programs': ['CASPIAN DEMO', 'RUSSIA']}]
>>> wl.vessels.loc[0, "imo"] is pd.NA
True
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.identifiers import country_to_iso2, is_valid_mmsi, mid_table, parse_imo
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._columns import lists_by_row, parse_each
from vesselscreen.lists._io import ListSource, RawSource, decode_text, read_raw, sha256_of
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import WATCHLIST

__all__ = ["COLUMNS", "DEFAULT_SOURCE", "FORMAT", "LIST_SEPARATOR", "REQUIRED", "read_custom_csv"]

FORMAT: Final = "custom_csv"
DEFAULT_SOURCE: Final = "custom"
LIST_SEPARATOR: Final = ";"
REQUIRED: Final = (WATCHLIST.NAME,)
_LIST_COLUMNS: Final = (
    WATCHLIST.PROGRAMS,
    WATCHLIST.ALIASES,
    WATCHLIST.FORMER_FLAGS,
    WATCHLIST.OWNERS,
    WATCHLIST.LINKED_TO,
)
_TEXT_COLUMNS: Final = (WATCHLIST.CALL_SIGN, WATCHLIST.VESSEL_TYPE, WATCHLIST.REMARKS)
_DATE_COLUMNS: Final = (WATCHLIST.LISTED_ON, WATCHLIST.DELISTED_ON)
COLUMNS: Final = (
    WATCHLIST.NAME,
    WATCHLIST.IMO,
    WATCHLIST.MMSI,
    WATCHLIST.CALL_SIGN,
    WATCHLIST.FLAG,
    *_DATE_COLUMNS,
    WATCHLIST.SOURCE,
    *_LIST_COLUMNS,
    WATCHLIST.VESSEL_TYPE,
    WATCHLIST.REMARKS,
    WATCHLIST.ENTRY_ID,
)
"""Every column the custom CSV understands."""

_LINE: Final = "_line"
_ROW: Final = "_row_number"


def read_custom_csv(data: ListSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read a custom watchlist CSV (layout in the module docstring) into a :class:`Watchlist`.

    ``data`` is a path, bytes or a binary file object. A file without a ``name`` column
    raises :class:`~vesselscreen.errors.ColumnsError` naming it.

    >>> wl = read_custom_csv(b"name,imo,listed_on\\nARTAVIL,IMO 9187629,2019-09-04\\nX,1234568,soon\\n")
    >>> wl.vessels["imo"].tolist()
    [9187629, <NA>]
    >>> dict(wl.reports[0].warnings)
    {'invalid IMO': 1, 'invalid date': 1}
    """
    return from_raw(read_raw(data), source=source)


def from_raw(raw: RawSource, *, source: str) -> Watchlist:
    """Build the watchlist from already-read bytes (used by :func:`load_watchlist` too)."""
    log = RejectionLog(raw.label)
    header, rows, lines, numbers = _read_rows(raw, decode_text(raw), log)
    frame = pd.DataFrame(rows, columns=header, dtype="string")
    frame[_LINE] = np.asarray(lines, dtype="int64")
    frame[_ROW] = np.asarray(numbers, dtype="int64")
    for name in header:
        stripped = frame[name].str.strip()
        frame[name] = stripped.mask(stripped == "")

    empty_name = frame[WATCHLIST.NAME].isna()
    for line in frame.loc[empty_name, _LINE]:
        log.reject("empty name: a vessel needs a name", line=int(line))
    frame = frame.loc[~empty_name]

    row_source = frame.get(WATCHLIST.SOURCE, pd.Series(pd.NA, index=frame.index, dtype="string"))
    row_source = row_source.fillna(source)
    default_ids = row_source + ":" + frame[_ROW].astype("string")
    entry_ids = frame.get(WATCHLIST.ENTRY_ID, default_ids).fillna(default_ids)
    duplicate = entry_ids.duplicated(keep="first")
    for line, entry_id in zip(frame.loc[duplicate, _LINE], entry_ids[duplicate], strict=True):
        log.reject(f"duplicate entry_id: {entry_id}", line=int(line))
    frame, entry_ids, row_source = frame.loc[~duplicate], entry_ids[~duplicate], row_source[~duplicate]
    log.accept(len(frame))

    lines_by_row = frame[_LINE]
    out = pd.DataFrame(
        {WATCHLIST.ENTRY_ID: entry_ids, WATCHLIST.SOURCE: row_source, WATCHLIST.NAME: frame[WATCHLIST.NAME]},
        index=frame.index,
    )
    if WATCHLIST.IMO in frame:
        out[WATCHLIST.IMO] = _imos(frame[WATCHLIST.IMO], lines_by_row, log)
    if WATCHLIST.MMSI in frame:
        out[WATCHLIST.MMSI] = _mmsis(frame[WATCHLIST.MMSI], lines_by_row, log)
    if WATCHLIST.FLAG in frame:
        out[WATCHLIST.FLAG] = _countries(frame[WATCHLIST.FLAG], lines_by_row, log, what="flag")
    for name in _DATE_COLUMNS:
        if name in frame:
            out[name] = _dates(frame[name], lines_by_row, log, what=name)
    for name in _TEXT_COLUMNS:
        if name in frame:
            out[name] = frame[name]
    for name in _LIST_COLUMNS:
        if name in frame:
            out[name] = _split_lists(frame[name])
    if WATCHLIST.FORMER_FLAGS in frame:
        out[WATCHLIST.FORMER_FLAGS] = _former_flags(out[WATCHLIST.FORMER_FLAGS], lines_by_row, log)

    vessels = out.reset_index(drop=True)
    snapshot = SourceSnapshot(
        source=source,
        format=FORMAT,
        location=raw.location,
        retrieved_at=raw.retrieved_at,
        sha256=sha256_of([raw.data]),
        vessels=len(vessels),
        entities=0,
    )
    return Watchlist(
        vessels, snapshot=WatchlistSnapshot(sources=(snapshot,)), reports=(log.report(format=FORMAT),)
    )


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _read_rows(
    raw: RawSource, text: str, log: RejectionLog
) -> tuple[list[str], list[list[str]], list[int], list[int]]:
    """The header (normalised names), the data rows, their first physical line and row number."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    numbers: list[int] = []
    data_rows = 0
    previous = 0
    try:
        for values in reader:
            line, previous = previous + 1, reader.line_num
            if not any(v.strip() for v in values):
                if header is not None:
                    log.note("blank lines skipped")
                continue
            if header is None:
                header = [_header_key(v) for v in values]
                continue
            data_rows += 1
            if len(values) != len(header):
                log.reject(
                    f"wrong number of fields: expected {len(header)}, got {len(values)}",
                    line=line,
                    raw=",".join(values),
                )
                continue
            rows.append(values)
            lines.append(line)
            numbers.append(data_rows)
    except csv.Error as exc:
        raise FormatError(raw.label, f"unreadable CSV: {exc}", line=reader.line_num) from exc
    if header is None:
        raise FormatError(raw.label, "empty file: expected a header row with a 'name' column")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ColumnsError(raw.label, missing=missing)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FormatError(raw.label, f"repeated columns in the header: {', '.join(repeated)}", line=1)
    known = [name for name in header if name in COLUMNS]
    for name in header:
        if name not in COLUMNS:
            log.note(f"ignored column: {name}")
    keep = [header.index(name) for name in known]
    return known, [[row[i] for i in keep] for row in rows], lines, numbers


def _warn(log: RejectionLog, lines: pd.Series, messages: pd.Series) -> None:
    for line, message in zip(lines.reindex(messages.index).to_numpy(), messages.to_numpy(), strict=True):
        log.warn(str(message), line=int(line))


def _imos(values: pd.Series, lines: pd.Series, log: RejectionLog) -> pd.Series:
    numbers, errors = parse_each(values, parse_imo)
    _warn(log, lines, "invalid IMO: " + errors.dropna())
    return numbers


def _mmsis(values: pd.Series, lines: pd.Series, log: RejectionLog) -> pd.Series:
    ok = values.map(lambda v: is_valid_mmsi(v) if isinstance(v, str) else False).astype(bool)
    _warn(log, lines, "invalid MMSI: not 9 digits: " + values[~ok & values.notna()])
    return pd.to_numeric(values.where(ok), errors="coerce").astype("Int64")


@cache
def _iso2_codes() -> frozenset[str]:
    return frozenset(iso2 for iso2, _ in mid_table().values())


def _country(value: str) -> str | None:
    code = country_to_iso2(value)
    return code if code in _iso2_codes() else None


def _countries(values: pd.Series, lines: pd.Series, log: RejectionLog, *, what: str) -> pd.Series:
    lookup = {str(v): _country(str(v)) for v in pd.unique(values.dropna())}
    codes = values.map(lookup).astype("string")
    unknown = codes.isna() & values.notna()
    _warn(log, lines, "unknown country: " + values[unknown] + f" ({what})")
    return codes


def _dates(values: pd.Series, lines: pd.Series, log: RejectionLog, *, what: str) -> pd.Series:
    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True)
    in_range = parsed.between(pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC"))
    bad = values.notna() & ~in_range
    _warn(log, lines, "invalid date: " + values[bad] + f" ({what}), expected YYYY-MM-DD")
    return parsed.where(in_range).astype("datetime64[ns, UTC]")


def _split_lists(values: pd.Series) -> pd.Series:
    parts = values.str.split(LIST_SEPARATOR, regex=False).explode().str.strip()
    return lists_by_row(parts.mask(parts == ""), values.index)


def _former_flags(lists: pd.Series, lines: pd.Series, log: RejectionLog) -> pd.Series:
    names = lists.explode().dropna().astype("string")
    return lists_by_row(_countries(names, lines, log, what="former_flags"), lists.index)
