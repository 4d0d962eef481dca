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
flagged in the report's ``warnings``; a row with an empty name or a wrong number of fields
is rejected and counted with its line; a row repeating an ``entry_id`` is merged into the
first (its name kept as an alias, counted as merged); other columns are ignored and noted
in the report (``notes``). Each line is decoded on its own (UTF-8, else Windows-1252,
flagged). Every row is a vessel: ``Watchlist.entities`` is empty.

>>> wl = read_custom_csv(b"name,flag,programs\\nPORT OLYA-3,RU,CASPIAN DEMO;RUSSIA\\n")
>>> wl.vessels[["entry_id", "name", "flag", "programs"]].to_dict("records")
[{'entry_id': 'custom:1', 'name': 'PORT OLYA-3', 'flag': 'RU', 'programs': ['CASPIAN DEMO', 'RUSSIA']}]
>>> str(wl.vessels.loc[0, "imo"])
'<NA>'
"""

from __future__ import annotations

import re
from typing import Final

from vesselscreen.errors import ColumnsError, FormatError
from vesselscreen.lists._io import ListSource, RawSource, read_raw, sha256_of
from vesselscreen.lists._records import ISO_DATE, VESSEL, WatchlistBuilder, split_values
from vesselscreen.lists._text import decode_lines, read_csv_table
from vesselscreen.lists.watchlist import Watchlist
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
    builder = WatchlistBuilder(
        raw.label,
        source=source,
        format=FORMAT,
        id_name=WATCHLIST.ENTRY_ID,
        merge_reason="same entry_id",
        name_required=True,
        date_formats=(ISO_DATE,),
    )
    log = builder.log
    lines = decode_lines(raw.data, log)
    table = read_csv_table(lines, log, label=raw.label)
    if not table.header:
        raise FormatError(raw.label, "empty file: expected a header row with a 'name' column")
    header = [_header_key(v) for v in table.header]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ColumnsError(raw.label, missing=missing)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FormatError(raw.label, f"repeated columns in the header: {', '.join(repeated)}", line=1)
    for name in header:
        if name not in COLUMNS:
            log.note(f"ignored column: {name}")
    known = [(position, name) for position, name in enumerate(header) if name in COLUMNS]
    for line, number, values in zip(table.lines, table.ordinals, table.rows, strict=True):
        record: dict[str, object] = {}
        for position, name in known:
            value = values[position].strip()
            if not value:
                continue
            record[name] = split_values(value, LIST_SEPARATOR) if name in _LIST_COLUMNS else value
        row_source = str(record.get(WATCHLIST.SOURCE) or source)
        record[WATCHLIST.SOURCE] = row_source
        record.setdefault(WATCHLIST.ENTRY_ID, f"{row_source}:{number}")
        builder.add(VESSEL, record, line=line, raw=lines[line - 1])
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
