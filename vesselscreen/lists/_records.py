"""The one way a list file becomes a :class:`Watchlist`: records in, accounts kept, values checked.

Every list reader hands each record it reads (a CSV row, an XML element, a JSON entity)
to a :class:`WatchlistBuilder`, as a dict of raw text values. The builder keeps the
accounts in one :class:`~vesselscreen.ingest.RejectionLog`: each record is

- **accepted**: the first record of an entry;
- **merged** into the entry an earlier record started, when both carry the same id
  (the UK and EU lists repeat an entry once per name; a repeated row, a second row with
  the same IMO number on lists keyed by IMO): names that differ are kept as aliases, list
  values are collected, a scalar value that contradicts the entry's is flagged, and the
  earliest listing date wins; an exact repeat is merged as ``exact duplicate``;
- **rejected** with its reason and line: no id, or no name where the format needs one
  (readers reject what they cannot read at all, e.g. a CSV row with an extra field,
  through the same log).

So ``accepted + rejected + merged == records``. :meth:`WatchlistBuilder.build` then checks
each column at once over the distinct values (IMO ship and company check digits, MMSI,
country names to ISO2, dates), keeps every entry, and flags each bad value as a warning
with the entry's line (the value becomes NA, so it is never matched).

Vessel record keys: ``id`` (entry id without source), ``name``, ``aliases``, ``imo``,
``mmsi``, ``call_sign``, ``flag``, ``former_flags``, ``vessel_type``, ``programs``,
``listed_on``, ``delisted_on``, ``owners``, ``linked_to``, ``remarks`` and the extra
columns named in ``extras``; optionally ``entry_id`` (the whole id) and ``source``. Party
record keys: ``id``, ``entity_type``, ``name``, ``aliases``, ``company_imo``,
``countries``, ``programs``, ``listed_on``, ``linked_to``, ``remarks``.

>>> builder = WatchlistBuilder("x.csv", source="demo", format="demo", merge_reason="same IMO number")
>>> builder.add(VESSEL, {"id": "7206512", "name": "TIFON", "imo": "IMO 7206512", "flag": "Cuba"}, line=2)
>>> builder.add(VESSEL, {"id": "7206512", "name": "TIFON II", "imo": "7206512"}, line=3)
>>> builder.add(VESSEL, {"id": "7206513", "name": "BAD", "imo": "IMO 7206513"}, line=4)
>>> builder.add(VESSEL, {"id": None, "name": "NO ID"}, line=5)
>>> wl = builder.build(location="x.csv", retrieved_at=None, sha256="0" * 64)
>>> wl.vessels[["entry_id", "name", "aliases", "imo", "flag"]].to_dict("records")[0]
{'entry_id': 'demo:7206512', 'name': 'TIFON', 'aliases': ['TIFON II'], 'imo': 7206512, 'flag': 'CU'}
>>> wl.reports[0].summary()
'x.csv (demo): 4 records, 2 accepted, 1 rejected (empty id: 1), 1 merged (same IMO number: 1), 1 flagged'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import pandas as pd

from vesselscreen.identifiers import country_to_iso2, is_valid_mmsi, parse_company_imo, parse_imo
from vesselscreen.ingest import IngestReport, RejectionLog
from vesselscreen.lists._columns import parse_each
from vesselscreen.lists.watchlist import SourceSnapshot, Watchlist, WatchlistSnapshot
from vesselscreen.schema import ENTITY, ENTITY_DTYPES, WATCHLIST, empty_frame

__all__ = [
    "DATE_FORMATS",
    "ISO_DATE",
    "LIST_KEYS",
    "PARTY",
    "VESSEL",
    "Record",
    "WatchlistBuilder",
    "split_values",
]

Record = dict[str, object]
"""One record's raw values: str (or anything printable), a list of those, or None."""

VESSEL: Final = "vessel"
PARTY: Final = "entity"
ISO_DATE: Final = "%Y-%m-%d"
DATE_FORMATS: Final = (ISO_DATE, "%d/%m/%Y", "%d.%m.%Y")
"""Listing dates as the lists write them: ISO, day first with slashes (UK, UN), with dots (EU OJ)."""
LIST_KEYS: Final = frozenset(
    {"aliases", "former_flags", "programs", "owners", "linked_to", "countries", "listed_on"}
)
"""Record keys that collect values over merged records (``listed_on``: the earliest is kept)."""

_ID: Final = "id"
_ENTRY_ID: Final = "entry_id"
_SOURCE: Final = "source"
_NAME: Final = "name"
_NUMBERS: Final = frozenset({"imo", "mmsi", "company_imo"})
_NOT_A_COUNTRY: Final = frozenset({"none identified", "unknown", "not known", "n/a", ""})


def split_values(text: str | None, separator: str = ";") -> list[str]:
    """Split a multi-valued text cell, dropping blanks.

    >>> split_values("Panama; Comoros ;;")
    ['Panama', 'Comoros']
    """
    if text is None:
        return []
    return [part.strip() for part in text.split(separator) if part.strip()]


def _text(value: object) -> str | None:
    """A record value as stripped text; None, NA, NaN and blanks are missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _texts(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [text for item in items if (text := _text(item)) is not None]


def _normalised(record: Mapping[str, object]) -> dict[str, str | list[str]]:
    """Stripped text for scalars, lists of stripped text for list keys; missing values left out."""
    out: dict[str, str | list[str]] = {}
    for key, value in record.items():
        if key in LIST_KEYS:
            values = _texts(value)
            if values:
                out[key] = values
        elif (text := _text(value)) is not None:
            out[key] = text
    return out


def _comparable(key: str, value: str) -> str:
    """What two values of ``key`` must share to agree: digits of numbers, the country, the words."""
    if key in _NUMBERS:
        return "".join(ch for ch in value if ch.isdigit())
    if key == "flag":
        return country_to_iso2(value) or value.casefold()
    return " ".join(value.split()).casefold()


def _fingerprint(values: Mapping[str, str | list[str]]) -> int:
    """A hash of all values: equal records, equal hashes (kept per entry instead of the values)."""
    return hash(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items())))


@dataclass(slots=True)
class _Entry:
    """One listed vessel or party, as merged so far, and where its first record was.

    ``fingerprint`` is the hash of the first record's values; ``merged`` those of the
    records merged into it (None until one is: most entries have one record).
    """

    kind: str
    values: dict[str, str | list[str]]
    line: int | None
    fingerprint: int
    merged: set[int] | None = None


class WatchlistBuilder:
    """Collects one file's records and their accounts, then builds the :class:`Watchlist`.

    ``label`` names the file in the report; ``source`` is the list label (entry ids are
    ``"<source>:<id>"``); ``id_name`` says in rejections what the id is called in the file;
    ``merge_reason`` says why records with the same id are one entry (``same id``);
    ``name_required`` rejects records without a name; ``date_formats`` are tried in order
    on the first ten characters of a date. ``extras`` name extra vessel columns (text, or
    the dtype in ``extra_dtypes``). Readers reject what they cannot read through
    :attr:`log` (or pass the ``log`` they kept while reading), and count records that are
    not entries (e.g. OpenSanctions sanctions) with :meth:`accept`.
    """

    def __init__(
        self,
        label: str,
        *,
        source: str,
        format: str,
        id_name: str = _ID,
        merge_reason: str = "same id",
        name_required: bool = False,
        date_formats: Sequence[str] = DATE_FORMATS,
        extras: Sequence[str] = (),
        extra_dtypes: Mapping[str, str] | None = None,
        log: RejectionLog | None = None,
    ) -> None:
        self.log = log if log is not None else RejectionLog(label)
        self.source = source
        self.format = format
        self.id_name = id_name
        self.merge_reason = merge_reason
        self.name_required = name_required
        self.date_formats = tuple(date_formats)
        self.extras = tuple(extras)
        self.extra_dtypes = dict(extra_dtypes or {})
        self._entries: dict[str, _Entry] = {}

    def accept(self, n: int = 1) -> None:
        """Count ``n`` records that were read and used but are not entries themselves."""
        self.log.accept(n)

    def entry_id(self, record: Mapping[str, object]) -> str | None:
        """The entry id a record belongs to (``None`` without an id)."""
        whole = _text(record.get(_ENTRY_ID))
        if whole is not None:
            return whole
        own = _text(record.get(_ID))
        return None if own is None else f"{_text(record.get(_SOURCE)) or self.source}:{own}"

    def add(self, kind: str, record: Mapping[str, object], *, line: int | None = None, raw: str = "") -> None:
        """Count one record of a vessel (``VESSEL``) or party (``PARTY``): accepted, merged or rejected."""
        entry_id = self.entry_id(record)
        if entry_id is None:
            self.log.reject(f"empty {self.id_name}: a record needs one", line=line, raw=raw)
            return
        values = _normalised(record)
        if self.name_required and _NAME not in values and entry_id not in self._entries:
            self.log.reject(f"empty name: {entry_id} has no name", line=line, raw=raw)
            return
        entry = self._entries.get(entry_id)
        fingerprint = _fingerprint(values)
        if entry is None:
            self._entries[entry_id] = _Entry(kind, values, line, fingerprint)
            self.log.accept()
            return
        if entry.merged is None:
            entry.merged = set()
        duplicate = fingerprint == entry.fingerprint or fingerprint in entry.merged
        entry.merged.add(fingerprint)
        name = self._merge(entry, kind, values, entry_id, line, raw)
        self.log.merge(
            "exact duplicate" if duplicate else self.merge_reason,
            into=entry_id,
            line=line,
            name=name,
            raw=raw,
        )

    def _merge(
        self,
        entry: _Entry,
        kind: str,
        values: Mapping[str, str | list[str]],
        entry_id: str,
        line: int | None,
        raw: str,
    ) -> str | None:
        """Fold ``values`` into ``entry``; returns the record's name when it became an alias."""
        kept = entry.values
        if kind != entry.kind:
            self.log.warn(
                f"conflicting kind in merged records: {entry_id} kept as {entry.kind}", line=line, raw=raw
            )
        alias: str | None = None
        for key, value in values.items():
            if key in (_ID, _ENTRY_ID, _SOURCE):
                continue
            if isinstance(value, list):
                existing = kept.setdefault(key, [])
                if isinstance(existing, list):
                    existing.extend(value)
                continue
            current = kept.get(key)
            if not isinstance(current, str):  # not set yet (scalar keys never hold lists)
                kept[key] = value
            elif key == _NAME:
                if value != current:
                    aliases = kept.setdefault("aliases", [])
                    if isinstance(aliases, list):
                        aliases.append(value)
                    alias = value
            elif value != current and _comparable(key, value) != _comparable(key, current):
                self.log.warn(
                    f"conflicting {key} in merged records: {entry_id} kept {current!r}, not {value!r}",
                    line=line,
                    raw=raw,
                )
        return alias

    # ------------------------------------------------------------------------------ build

    def build(
        self,
        *,
        location: str,
        retrieved_at: datetime | None,
        sha256: str,
        reports: Iterable[IngestReport] = (),
    ) -> Watchlist:
        """Check every value, assemble the watchlist with its snapshot, this report and ``reports``.

        A file without a single record gives an empty watchlist whose report says so
        (``empty list`` warning).
        """
        log = self.log
        if log.accepted + log.rejected + log.merged == 0:
            log.warn("empty list: the file has no records")
        vessels = [(entry_id, e) for entry_id, e in self._entries.items() if e.kind == VESSEL]
        parties = [(entry_id, e) for entry_id, e in self._entries.items() if e.kind != VESSEL]
        frame = self._vessel_frame(vessels)
        entity_frame = self._party_frame(parties) if parties else empty_frame(ENTITY_DTYPES)
        snapshot = SourceSnapshot(
            source=self.source,
            format=self.format,
            location=location,
            retrieved_at=retrieved_at or datetime.now(UTC),
            sha256=sha256,
            vessels=len(frame),
            entities=len(entity_frame),
        )
        return Watchlist(
            frame,
            entity_frame,
            snapshot=WatchlistSnapshot(sources=(snapshot,)),
            reports=(log.report(format=self.format), *reports),
        )

    def _vessel_frame(self, entries: Sequence[tuple[str, _Entry]]) -> pd.DataFrame:
        where = _Where(entries, self.log)
        records = [e.values for _, e in entries]
        frame = pd.DataFrame(
            {
                WATCHLIST.ENTRY_ID: pd.Series([entry_id for entry_id, _ in entries], dtype="string"),
                WATCHLIST.SOURCE: pd.Series(
                    [str(e.values.get(_SOURCE, self.source)) for _, e in entries], dtype="string"
                ),
                WATCHLIST.NAME: _column(records, _NAME),
                WATCHLIST.ALIASES: _aliases(records),
                WATCHLIST.IMO: where.numbers(_column(records, "imo"), parse_imo, "IMO"),
                WATCHLIST.MMSI: where.mmsis(_column(records, "mmsi")),
                WATCHLIST.CALL_SIGN: _column(records, "call_sign"),
                WATCHLIST.FLAG: where.countries(_column(records, "flag"), "flag"),
                WATCHLIST.FORMER_FLAGS: where.country_lists(
                    _list_column(records, "former_flags"), "former flag"
                ),
                WATCHLIST.VESSEL_TYPE: _column(records, "vessel_type"),
                WATCHLIST.PROGRAMS: _list_column(records, "programs"),
                WATCHLIST.LISTED_ON: where.earliest(_list_column(records, "listed_on"), self.date_formats),
                WATCHLIST.DELISTED_ON: where.earliest(
                    _as_lists(_column(records, "delisted_on")), self.date_formats
                ),
                WATCHLIST.OWNERS: _list_column(records, "owners"),
                WATCHLIST.LINKED_TO: _list_column(records, "linked_to"),
                WATCHLIST.REMARKS: _column(records, "remarks"),
            },
            index=pd.RangeIndex(len(entries)),
        )
        for name in self.extras:
            column = _column(records, name)
            dtype = self.extra_dtypes.get(name, "string")
            if dtype == "string":
                frame[name] = column
            else:
                numbers = pd.to_numeric(column.str.replace(",", "", regex=False), errors="coerce")
                frame[name] = numbers.astype(dtype)  # type: ignore[call-overload]  # dtype is a runtime string
        return frame

    def _party_frame(self, entries: Sequence[tuple[str, _Entry]]) -> pd.DataFrame:
        where = _Where(entries, self.log)
        records = [e.values for _, e in entries]
        return pd.DataFrame(
            {
                ENTITY.ENTRY_ID: pd.Series([entry_id for entry_id, _ in entries], dtype="string"),
                ENTITY.SOURCE: pd.Series(
                    [str(e.values.get(_SOURCE, self.source)) for _, e in entries], dtype="string"
                ),
                ENTITY.ENTITY_TYPE: _column(records, "entity_type").fillna(PARTY).str.lower(),
                ENTITY.NAME: _column(records, _NAME),
                ENTITY.ALIASES: _aliases(records),
                ENTITY.COMPANY_IMO: where.numbers(
                    _column(records, "company_imo"), parse_company_imo, "company IMO"
                ),
                ENTITY.COUNTRIES: where.country_lists(_list_column(records, "countries"), "country"),
                ENTITY.PROGRAMS: _list_column(records, "programs"),
                ENTITY.LISTED_ON: where.earliest(_list_column(records, "listed_on"), self.date_formats),
                ENTITY.LINKED_TO: _list_column(records, "linked_to"),
                ENTITY.REMARKS: _column(records, "remarks"),
            },
            index=pd.RangeIndex(len(entries)),
        )


def _column(records: Sequence[Mapping[str, str | list[str]]], key: str) -> pd.Series:
    return pd.Series([record.get(key) for record in records], dtype="string")


def _list_column(records: Sequence[Mapping[str, str | list[str]]], key: str) -> pd.Series:
    values = []
    for record in records:
        items = record.get(key)
        values.append(list(dict.fromkeys(items)) if isinstance(items, list) else [])
    return pd.Series(values, dtype=object)


def _as_lists(values: pd.Series) -> pd.Series:
    return pd.Series([[] if pd.isna(v) else [v] for v in values], index=values.index, dtype=object)


def _aliases(records: Sequence[Mapping[str, str | list[str]]]) -> pd.Series:
    """Aliases without repeats and without the entry's own name."""
    values = []
    for record in records:
        items = record.get("aliases")
        name = record.get(_NAME)
        values.append([a for a in dict.fromkeys(items) if a != name] if isinstance(items, list) else [])
    return pd.Series(values, dtype=object)


class _Where:
    """Checks columns of entries and flags each bad value with its entry's line and id."""

    def __init__(self, entries: Sequence[tuple[str, _Entry]], log: RejectionLog) -> None:
        self.ids = [entry_id for entry_id, _ in entries]
        self.lines = [e.line for _, e in entries]
        self.log = log

    def warn(self, messages: pd.Series) -> None:
        """``messages`` indexed by entry position (repeats allowed)."""
        for row, message in zip(messages.index, messages.to_numpy(), strict=True):
            self.log.warn(str(message), line=self.lines[row], raw=self.ids[row])

    def numbers(self, values: pd.Series, parse: Callable[[object], int], what: str) -> pd.Series:
        numbers, errors = parse_each(values, parse)
        self.warn(f"invalid {what}: " + errors.dropna())
        return numbers

    def mmsis(self, values: pd.Series) -> pd.Series:
        text = values.dropna()
        ok = text.map(is_valid_mmsi).astype(bool)
        self.warn("invalid MMSI: not 9 digits: " + text[~ok])
        return pd.to_numeric(text.where(ok), errors="coerce").reindex(values.index).astype("Int64")

    def countries(self, values: pd.Series, what: str) -> pd.Series:
        lookup = {str(name): country_to_iso2(str(name)) for name in pd.unique(values.dropna())}
        codes = values.map(lookup)
        unknown = values.notna() & codes.isna() & ~values.str.lower().isin(_NOT_A_COUNTRY)
        self.warn("unknown country: " + values[unknown] + f" ({what})")
        return codes.astype("string")

    def country_lists(self, values: pd.Series, what: str) -> pd.Series:
        long = values.explode().dropna().astype("string")
        codes = self.countries(long, what) if len(long) else pd.Series([], dtype="string")
        grouped: dict[object, list[str]] = {}
        for row, code in zip(codes.index, codes.to_numpy(), strict=True):
            if isinstance(code, str) and code not in grouped.setdefault(row, []):
                grouped[row].append(code)
        return pd.Series([grouped.get(row, []) for row in values.index], index=values.index, dtype=object)

    def earliest(self, values: pd.Series, formats: Sequence[str]) -> pd.Series:
        """The earliest valid date of each entry's dates (midnight UTC), NaT without one."""
        long = values.explode().dropna().astype("string")
        if long.empty:
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
        head = long.str.slice(0, 10)
        parsed = pd.Series(pd.NaT, index=long.index, dtype="datetime64[ns, UTC]")
        for fmt in formats:
            attempt = pd.to_datetime(head, format=fmt, errors="coerce", utc=True)
            # other units hold dates a nanosecond timestamp cannot: those are invalid here
            in_range = attempt.where(attempt.between(_MIN_TIME, _MAX_TIME))
            parsed = parsed.fillna(in_range.astype("datetime64[ns, UTC]"))
        self.warn("invalid date: " + long[parsed.isna()])
        return parsed.groupby(level=0).min().reindex(values.index).astype("datetime64[ns, UTC]")


_MIN_TIME: Final = pd.Timestamp.min.tz_localize("UTC").ceil("D")
_MAX_TIME: Final = pd.Timestamp.max.tz_localize("UTC").floor("D")
