"""From raw per-entry records to a :class:`Watchlist`: identifiers checked, countries mapped.

Private helper shared by the list readers that collect one record (a dict of raw text
values) per listed vessel or party while they stream a file. :func:`build_watchlist`
validates each column at once over the distinct values (IMO ship and company check
digits, MMSI, country names to ISO2, ISO dates), keeps every entry, and flags each bad
value in the report as a warning (the value becomes NA, so it is never matched).

Vessel record keys: ``id`` (entry id without source), ``name``, ``aliases``, ``imo``,
``mmsi``, ``call_sign``, ``flag``, ``former_flags``, ``vessel_type``, ``programs``,
``listed_on``, ``owners``, ``linked_to``, ``remarks`` and any extra columns named in
``extras``. Entity record keys: ``id``, ``entity_type``, ``name``, ``aliases``,
``company_imo``, ``countries``, ``programs``, ``listed_on``, ``linked_to``, ``remarks``.

>>> from vesselscreen.ingest import RejectionLog
>>> log = RejectionLog("x.xml")
>>> wl = build_watchlist([{"id": "7", "name": "TIFON", "imo": "IMO 7206512", "flag": "Cuba"},
...                       {"id": "8", "name": "BAD", "imo": "IMO 7206513"}], [],
...                      source="demo", format="demo", location="x.xml",
...                      retrieved_at=None, sha256="0" * 64, log=log)
>>> wl.vessels["entry_id"].tolist(), wl.vessels["imo"].tolist(), wl.vessels["flag"].tolist()
(['demo:7', 'demo:8'], [7206512, <NA>], ['CU', <NA>])
>>> wl.reports[0].warnings
{'invalid IMO': 1}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

import pandas as pd

from vesselscreen.identifiers import country_to_iso2, is_valid_mmsi, parse_company_imo, parse_imo
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._columns import parse_each
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import ENTITY, WATCHLIST

__all__ = ["Record", "build_watchlist", "split_values"]

Record = dict[str, object]
"""One entry's raw values: str, list of str, or None."""

_ID: Final = "id"
_NOT_A_COUNTRY: Final = frozenset({"none identified", "unknown", "not known", "n/a", ""})


def split_values(text: str | None, separator: str = ";") -> list[str]:
    """Split a multi-valued text cell, dropping blanks.

    >>> split_values("Panama; Comoros ;;")
    ['Panama', 'Comoros']
    """
    if text is None:
        return []
    return [part.strip() for part in text.split(separator) if part.strip()]


def _column(records: Sequence[Record], key: str) -> pd.Series:
    return pd.Series([record.get(key) for record in records], dtype=object)


def _list_column(records: Sequence[Record], key: str) -> pd.Series:
    values = []
    for record in records:
        value = record.get(key)
        items = value if isinstance(value, list) else ([] if value is None else [value])
        values.append(list(dict.fromkeys(str(v).strip() for v in items if v is not None and str(v).strip())))
    return pd.Series(values, dtype=object)


def _text(series: pd.Series) -> pd.Series:
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def _warn(log: RejectionLog, ids: pd.Series, messages: pd.Series) -> None:
    for entry, message in zip(ids.reindex(messages.index).to_numpy(), messages.to_numpy(), strict=True):
        log.warn(f"{message} (entry {entry})", raw=str(entry))


def _numbers(
    values: pd.Series, parse: Callable[[object], int], ids: pd.Series, log: RejectionLog, what: str
) -> pd.Series:
    numbers, errors = parse_each(_text(values), parse)
    _warn(log, ids, f"invalid {what}: " + errors.dropna())
    return numbers


def _mmsis(values: pd.Series, ids: pd.Series, log: RejectionLog) -> pd.Series:
    text = _text(values).dropna()
    ok = text.map(is_valid_mmsi).astype(bool)
    _warn(log, ids, "invalid MMSI: " + text[~ok])
    return pd.to_numeric(text.where(ok), errors="coerce").reindex(values.index).astype("Int64")


def _country_lookup(names: pd.Series) -> dict[str, str | None]:
    return {str(name): country_to_iso2(str(name)) for name in pd.unique(names.dropna())}


def _countries(values: pd.Series, ids: pd.Series, log: RejectionLog, what: str) -> pd.Series:
    text = _text(values)
    codes = text.map(_country_lookup(text))
    unknown = text.notna() & codes.isna() & ~text.str.lower().isin(_NOT_A_COUNTRY)
    _warn(log, ids, "unknown country: " + text[unknown] + f" ({what})")
    return codes.astype("string")


def _country_lists(values: pd.Series, ids: pd.Series, log: RejectionLog, what: str) -> pd.Series:
    long = values.explode().dropna()
    codes = _countries(long, ids, log, what) if len(long) else pd.Series([], dtype="string")
    grouped: dict[object, list[str]] = {}
    for row, code in zip(codes.index, codes.to_numpy(), strict=True):
        if code is not pd.NA and isinstance(code, str) and code not in grouped.setdefault(row, []):
            grouped[row].append(code)
    return pd.Series([grouped.get(row, []) for row in values.index], index=values.index, dtype=object)


def _dates(values: pd.Series, ids: pd.Series, log: RejectionLog) -> pd.Series:
    text = _text(values)
    # dates are listed as 2024-05-03, 03/05/2024 (day first, UK and UN) or with a time part
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce", utc=True)
    day_first = pd.to_datetime(text.str.slice(0, 10), format="%d/%m/%Y", errors="coerce", utc=True)
    parsed = iso.fillna(day_first)
    _warn(log, ids, "invalid date: " + text[text.notna() & parsed.isna()])
    return parsed


def build_watchlist(
    vessels: Sequence[Record],
    entities: Sequence[Record],
    *,
    source: str,
    format: str,
    location: str,
    retrieved_at: datetime | None,
    sha256: str,
    log: RejectionLog,
    extras: Sequence[str] = (),
    extra_dtypes: Mapping[str, str] | None = None,
) -> Watchlist:
    """Validate the records' values and assemble the watchlist with its snapshot and report."""
    v_ids = _column(vessels, _ID).astype("string")
    frame = pd.DataFrame(
        {
            WATCHLIST.ENTRY_ID: source + ":" + v_ids,
            WATCHLIST.SOURCE: source,
            WATCHLIST.NAME: _text(_column(vessels, "name")),
            WATCHLIST.ALIASES: _list_column(vessels, "aliases"),
            WATCHLIST.IMO: _numbers(_column(vessels, "imo"), parse_imo, v_ids, log, "IMO"),
            WATCHLIST.MMSI: _mmsis(_column(vessels, "mmsi"), v_ids, log),
            WATCHLIST.CALL_SIGN: _text(_column(vessels, "call_sign")),
            WATCHLIST.FLAG: _countries(_column(vessels, "flag"), v_ids, log, "flag"),
            WATCHLIST.FORMER_FLAGS: _country_lists(
                _list_column(vessels, "former_flags"), v_ids, log, "former flag"
            ),
            WATCHLIST.VESSEL_TYPE: _text(_column(vessels, "vessel_type")),
            WATCHLIST.PROGRAMS: _list_column(vessels, "programs"),
            WATCHLIST.LISTED_ON: _dates(_column(vessels, "listed_on"), v_ids, log),
            WATCHLIST.OWNERS: _list_column(vessels, "owners"),
            WATCHLIST.LINKED_TO: _list_column(vessels, "linked_to"),
            WATCHLIST.REMARKS: _text(_column(vessels, "remarks")),
        },
        index=pd.RangeIndex(len(vessels)),
    )
    for name in extras:
        dtype = (extra_dtypes or {}).get(name, "string")
        column = _text(_column(vessels, name))
        if dtype == "string":
            frame[name] = column
        else:
            numbers = pd.to_numeric(column.str.replace(",", "", regex=False), errors="coerce")
            frame[name] = numbers.astype(dtype)  # type: ignore[call-overload]  # dtype is a runtime string
    e_ids = _column(entities, _ID).astype("string")
    parties = pd.DataFrame(
        {
            ENTITY.ENTRY_ID: source + ":" + e_ids,
            ENTITY.SOURCE: source,
            ENTITY.ENTITY_TYPE: _text(_column(entities, "entity_type")).fillna("entity").str.lower(),
            ENTITY.NAME: _text(_column(entities, "name")),
            ENTITY.ALIASES: _list_column(entities, "aliases"),
            ENTITY.COMPANY_IMO: _numbers(
                _column(entities, "company_imo"), parse_company_imo, e_ids, log, "company IMO"
            ),
            ENTITY.COUNTRIES: _country_lists(_list_column(entities, "countries"), e_ids, log, "country"),
            ENTITY.PROGRAMS: _list_column(entities, "programs"),
            ENTITY.LISTED_ON: _dates(_column(entities, "listed_on"), e_ids, log),
            ENTITY.LINKED_TO: _list_column(entities, "linked_to"),
            ENTITY.REMARKS: _text(_column(entities, "remarks")),
        },
        index=pd.RangeIndex(len(entities)),
    )
    snapshot = SourceSnapshot(
        source=source,
        format=format,
        location=location,
        retrieved_at=retrieved_at or datetime.now(UTC),
        sha256=sha256,
        vessels=len(frame),
        entities=len(parties),
    )
    return Watchlist(
        frame, parties, snapshot=WatchlistSnapshot(sources=(snapshot,)), reports=(log.report(format=format),)
    )
