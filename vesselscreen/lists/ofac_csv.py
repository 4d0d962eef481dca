"""OFAC's legacy CSV set (sdn.csv with alt.csv, add.csv, sdn_comments.csv) into a Watchlist.

OFAC publishes the SDN list as four header-less CSV files (CRLF line ends, ``-0- `` for
an empty field, a trailing 0x1A end-of-file byte), joined on ``ent_num``:

- ``sdn.csv``: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
  Tonnage, GRT, Vess_flag, Vess_owner, Remarks;
- ``alt.csv``: ent_num, alt_num, alt_type, alt_name, alt_remarks (aliases);
- ``add.csv``: ent_num, add_num, address, city/state/postal, country, add_remarks;
- ``sdn_comments.csv``: ent_num, remarks_extended: the rest of a Remarks field that
  overflowed, which starts mid-word and is joined directly onto it.

SDN_Type ``vessel`` rows become ``Watchlist.vessels``; every other row (individuals,
aircraft, and ``-0-``, which OFAC uses for organisations) becomes ``Watchlist.entities``.
Identifiers live in the Remarks text, a ``; ``-separated list of clauses:

- ``Vessel Registration Identification IMO 9187629`` -> ``imo`` (ship check digit checked;
  a 7-digit number without the ``IMO`` prefix is taken when its check digit holds);
- ``MMSI 572469210`` -> ``mmsi``;
- ``Former Vessel Flag Malta`` / ``alt. Former Vessel Flag Tuvalu`` -> ``former_flags`` (ISO2);
- ``a.k.a. 'X'``, ``f.k.a. 'X'``, ``n.k.a. 'X'`` and alt.csv names -> ``aliases``;
- ``Linked To: X`` -> ``linked_to``;
- ``Company Number IMO n`` / ``Identification Number IMO n`` -> ``company_imo`` of an
  entity (company check digit checked).

The legacy CSV carries no listing date, so ``listed_on`` is NA.

>>> row = (b'15036,"ARTAVIL","vessel","IRAN",-0- ,"T2EU4","Crude/Oil Products Tanker","99,144",'
...        b'"56,068","Iran",-0- ,"Former Vessel Flag Malta; Vessel Registration Identification '
...        b"IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'; "
...        b'Linked To: NATIONAL IRANIAN TANKER COMPANY."\\r\\n\\x1a')
>>> wl = read_ofac_csv(row)
>>> v = wl.vessels.iloc[0]
>>> v["entry_id"], int(v["imo"]), int(v["mmsi"]), v["flag"], v["former_flags"], v["aliases"], v["linked_to"]
('ofac_sdn:15036', 9187629, 572469210, 'IR', ['MT'], ['ALPHA'], ['NATIONAL IRANIAN TANKER COMPANY'])
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from vesselscreen.errors import FormatError
from vesselscreen.identifiers import (
    country_to_iso2,
    is_valid_mmsi,
    parse_company_imo,
    parse_imo,
)
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._columns import lists_by_row, parse_each
from vesselscreen.lists._io import ListSource, RawSource, read_raw, sha256_of
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder
from vesselscreen.lists._text import BLANK, decode_lines, read_csv_table
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "ADD_FIELDS",
    "ALT_FIELDS",
    "COMMENTS_FIELDS",
    "DEFAULT_SOURCE",
    "FORMAT",
    "SDN_FIELDS",
    "looks_like_sdn_csv",
    "read_ofac_csv",
]

FORMAT: Final = "ofac_csv"
DEFAULT_SOURCE: Final = "ofac_sdn"

SDN_FIELDS: Final = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ALT_FIELDS: Final = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_FIELDS: Final = ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")
COMMENTS_FIELDS: Final = ("ent_num", "remarks_extended")

# file names OFAC publishes next to sdn.csv
_SIBLINGS: Final = {"alt": "alt.csv", "add": "add.csv", "comments": "sdn_comments.csv"}
_NULL: Final = "-0-"
_SDN_TYPES: Final = frozenset({"vessel", "individual", "aircraft", _NULL})
_VESSEL: Final = "vessel"
_LINE: Final = "_line"

# A Remarks text ends with a period that closes the whole text, except when the last
# word is an initialism such as "S.A." or "C.V.", whose period belongs to the name.
_INITIALISM_END = r"(?:\b[A-Za-z]\.){2,}$"
_IMO_CLAUSE = r"^(?:alt\. )?Vessel Registration Identification (?P<prefix>IMO )?(?P<value>\d{7})(?: \(.*\))?$"
_MMSI_CLAUSE = r"^(?:alt\. )?MMSI (?P<value>\S+)$"
_FORMER_FLAG_CLAUSE = r"^(?:alt\. )?Former Vessel Flag (?P<value>.+)$"
_ALIAS_CLAUSE = r"^(?:alt\. )?[afn]\.k\.a\. '(?P<value>.*)'$"
_LINKED_CLAUSE = r"^Linked To: (?P<value>.+)$"
_COMPANY_IMO_CLAUSE = (
    r"^(?:alt\. )?(?:Company Number|Identification Number) IMO (?P<value>\d{7})(?: \(.*\))?$"
)
_NOT_A_COUNTRY: Final = frozenset({"none identified", "unknown"})


def looks_like_sdn_csv(text: str) -> bool:
    """Whether ``text`` (the start of a file) looks like OFAC's header-less sdn.csv.

    True when one of the first five non-blank lines starts ``<integer>,"<name>"`` and has
    12 fields or an SDN_Type field (``vessel``, ``individual``, ``aircraft``, ``-0-``).

    >>> looks_like_sdn_csv('4238,"MAR AZUL","vessel","CUBA",-0- ,"CL2192"')
    True
    >>> looks_like_sdn_csv("name,imo\\nPORT OLYA-3,")
    False
    """
    lines = [line for line in text.lstrip("\ufeff").split("\n") if line.strip()][:5]
    for line in lines:
        fields = _split(line.rstrip("\r"))
        if (
            len(fields) >= 3
            and _is_number(fields[0].strip())
            and re.match(r'^\s*\d+\s*,\s*"', line) is not None
            and (len(fields) == len(SDN_FIELDS) or fields[2].strip().lower() in _SDN_TYPES)
        ):
            return True
    return False


def read_ofac_csv(
    sdn: ListSource,
    *,
    alt: ListSource | None = None,
    add: ListSource | None = None,
    comments: ListSource | None = None,
    siblings: bool = True,
    source: str = DEFAULT_SOURCE,
) -> Watchlist:
    """Read OFAC's legacy sdn.csv (and its companion files) into a :class:`Watchlist`.

    ``sdn`` and the companions may each be a path, bytes or a binary file object. When
    ``sdn`` is a path and ``siblings`` is true, ``alt.csv``, ``add.csv`` and
    ``sdn_comments.csv`` in the same folder are merged unless passed explicitly.

    Malformed rows (wrong number of fields, a quote left open, non-numeric ent_num, empty
    name) are rejected and counted in the file's report, with their line; a repeated
    ent_num is merged into its first row (a different name kept as an alias); companion
    rows whose ent_num is not in sdn.csv are rejected as ``unknown ent_num``. Each line is
    decoded on its own (UTF-8, else Windows-1252, flagged). Identifiers
    that fail their check, and country names that cannot be mapped to ISO2, keep the
    entry but are flagged (``IngestReport.warnings``). A file that is not in this format
    at all raises :class:`~vesselscreen.errors.FormatError` naming it.

    Entry ids are ``"<source>:<ent_num>"``.

    >>> wl = read_ofac_csv(b'4249,"TIFON","vessel","CUBA",-0- ,"CL2059","Tug",-0- ,"189","Cuba",'
    ...                    b'-0- ,"Vessel Registration Identification IMO 7206512."\\r\\n')
    >>> wl.vessels[["entry_id", "name", "imo", "call_sign", "flag"]].to_dict("records")
    [{'entry_id': 'ofac_sdn:4249', 'name': 'TIFON', 'imo': 7206512, 'call_sign': 'CL2059', 'flag': 'CU'}]
    """
    raw = read_raw(sdn)
    companions = {
        kind: read_raw(value)
        for kind, value in (("alt", alt), ("add", add), ("comments", comments))
        if value is not None
    }
    if siblings:
        companions = sibling_sources(raw, companions)
    return from_raw(raw, companions, source=source)


def sibling_sources(raw: RawSource, given: Mapping[str, RawSource]) -> dict[str, RawSource]:
    """``given`` plus the companion files found next to a local sdn.csv (none for streams/URLs)."""
    companions = dict(given)
    if raw.path is None:
        return companions
    for kind, filename in _SIBLINGS.items():
        sibling = raw.path.with_name(filename)
        if kind not in companions and sibling.is_file() and not _same_file(sibling, raw.path):
            companions[kind] = read_raw(sibling)
    return companions


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


@dataclass(slots=True)
class _Table:
    frame: pd.DataFrame
    log: RejectionLog
    lines: list[str]


def from_raw(raw: RawSource, companions: Mapping[str, RawSource], *, source: str) -> Watchlist:
    """Build the watchlist from already-read bytes (used by :func:`load_watchlist` too)."""
    builder = WatchlistBuilder(
        raw.label,
        source=source,
        format=FORMAT,
        id_name="ent_num",
        merge_reason="same ent_num",
        name_required=True,
    )
    lines = decode_lines(raw.data, builder.log)
    head = "".join(lines[:50])
    if not looks_like_sdn_csv(head):
        what = "empty file" if not head.strip(BLANK) else "not an OFAC sdn.csv file"
        raise FormatError(raw.label, f'{what}: expected header-less rows like 4238,"MAR AZUL","vessel",...')
    sdn = _parse_table(raw, lines, SDN_FIELDS, builder.log)
    tables = {
        kind: _parse_companion(companions[kind], fields)
        for kind, fields in (("alt", ALT_FIELDS), ("add", ADD_FIELDS), ("comments", COMMENTS_FIELDS))
        if kind in companions
    }
    frame = sdn.frame
    known = pd.Index(frame.loc[frame["SDN_Name"].notna(), "ent_num"])
    for table in tables.values():
        _reject_unknown(table, known)
    # a repeated ent_num is merged into its first row by the builder; the companions join the first
    repeated = frame["ent_num"].duplicated(keep="first").to_numpy(dtype=bool)
    firsts = frame.loc[~repeated].set_index("ent_num", drop=False)
    entries = _entries(firsts, tables, builder.log)
    if repeated.any():
        entries += _entries(frame.loc[repeated].reset_index(drop=True), {}, builder.log)
    for line, kind, record in sorted(entries, key=lambda item: item[0]):
        builder.add(kind, record, line=line, raw=sdn.lines[line - 1])
    raws = [raw, *(companions[k] for k in ("alt", "add", "comments") if k in companions)]
    return builder.build(
        location=raw.location,
        retrieved_at=raw.retrieved_at,
        sha256=sha256_of(r.data for r in raws),
        reports=[
            tables[k].log.report(format=f"{FORMAT}:{k}") for k in ("alt", "add", "comments") if k in tables
        ],
    )


def _entries(
    frame: pd.DataFrame, tables: Mapping[str, _Table], log: RejectionLog
) -> list[tuple[int, str, Record]]:
    """One record per row of ``frame`` (index unique): ``(line, VESSEL or PARTY, record)``."""
    frame = frame.assign(Remarks=_rejoin_remarks(frame["Remarks"], tables.get("comments")))
    parsed = _parse_remarks(frame, log)
    aliases = _merge_aliases(frame, parsed["aliases"], tables.get("alt"))
    programs = lists_by_row(
        frame["Program"].str.split(r"\]\s*\[", regex=True).explode().str.strip("[] "), frame.index
    )
    columns = {
        "id": frame["ent_num"].astype("string"),
        "name": frame["SDN_Name"],
        "aliases": aliases,
        "imo": parsed["imo"],
        "mmsi": parsed["mmsi"],
        "call_sign": frame["Call_Sign"],
        "flag": frame["Vess_flag"],
        "former_flags": parsed["former_flags"],
        "vessel_type": frame["Vess_type"],
        "programs": programs,
        "owners": lists_by_row(frame["Vess_owner"], frame.index),
        "linked_to": parsed["linked_to"],
        "remarks": frame["Remarks"],
        "company_imo": parsed["company_imo"],
        "countries": _countries(frame.index, tables.get("add")),
        "entity_type": frame["SDN_Type"].str.lower(),
    }
    cells = {
        key: values.astype(object).where(values.notna(), None).tolist() for key, values in columns.items()
    }
    out: list[tuple[int, str, Record]] = []
    for position, line in enumerate(frame[_LINE].tolist()):
        record: Record = {key: values[position] for key, values in cells.items()}
        drop: tuple[str, ...]
        if record["entity_type"] == _VESSEL:
            kind, drop = VESSEL, _PARTY_ONLY
        else:
            record["entity_type"] = record["entity_type"] or PARTY  # "-0-": OFAC's organisations
            kind, drop = PARTY, _VESSEL_ONLY
        for key in drop:
            record.pop(key)
        out.append((int(line), kind, record))
    return out


_PARTY_ONLY: Final = ("company_imo", "countries", "entity_type")
_VESSEL_ONLY: Final = ("imo", "mmsi", "call_sign", "flag", "former_flags", "vessel_type", "owners")


# ---------------------------------------------------------------------------- parsing


def _is_number(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also takes "²", which ``int`` refuses)."""
    return text.isascii() and text.isdigit()


def _split(line: str) -> list[str]:
    """The fields of one line ([] when the csv module cannot read it)."""
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def _parse_table(raw: RawSource, lines: list[str], fields: tuple[str, ...], log: RejectionLog) -> _Table:
    """Header-less rows: damaged rows are rejected with their line, never swallow the next ones."""
    table = read_csv_table(lines, log, label=raw.label, header=False, width=len(fields))
    rows: list[list[str]] = []
    numbers: list[int] = []
    for index, (line, values) in enumerate(zip(table.lines, table.rows, strict=True)):
        ent_num = values[0].strip()
        if index == 0 and ent_num.lower() == fields[0].lower():
            log.note("header line skipped")
            continue
        if not _is_number(ent_num):
            log.reject(f"invalid ent_num: {ent_num!r}", line=line, raw=lines[line - 1])
            continue
        rows.append(values)
        numbers.append(line)
    frame = pd.DataFrame(rows, columns=list(fields), dtype="string")
    for name in fields[1:]:
        stripped = frame[name].str.strip(BLANK)
        frame[name] = stripped.mask(stripped.isin([_NULL, ""]))
    frame["ent_num"] = frame["ent_num"].str.strip().astype("int64")
    frame[_LINE] = np.asarray(numbers, dtype="int64")
    return _Table(frame, log, lines)


def _parse_companion(raw: RawSource, fields: tuple[str, ...]) -> _Table:
    log = RejectionLog(raw.label)
    lines = decode_lines(raw.data, log)
    first = next((line for line in lines if line.strip(BLANK)), None)
    if first is None:
        raise FormatError(raw.label, f"empty file, expected OFAC rows of {', '.join(fields)}")
    values = _split(first.rstrip("\r\n"))
    is_header = bool(values) and values[0].strip().lower() == fields[0].lower()
    if not is_header and (len(values) != len(fields) or not _is_number(values[0].strip())):
        raise FormatError(
            raw.label, f"not an OFAC companion file: expected header-less rows of {', '.join(fields)}"
        )
    return _parse_table(raw, lines, fields, log)


def _reject_unknown(table: _Table, known: pd.Index) -> None:
    """Accept companion rows that attach to an sdn.csv entry; reject (and drop) the others."""
    frame = table.frame
    unknown = ~frame["ent_num"].isin(known)
    for line, ent in zip(frame.loc[unknown, _LINE], frame.loc[unknown, "ent_num"], strict=True):
        raw = table.lines[int(line) - 1]
        table.log.reject(f"unknown ent_num: {ent} is not in sdn.csv", line=int(line), raw=raw)
    table.log.accept(int((~unknown).sum()))
    table.frame = frame.loc[~unknown]


def _rejoin_remarks(remarks: pd.Series, comments: _Table | None) -> pd.Series:
    """Append each entry's sdn_comments.csv text directly (it continues mid-word)."""
    if comments is None or comments.frame.empty:
        return remarks
    extra = comments.frame.dropna(subset=["remarks_extended"])
    overflow = extra.groupby("ent_num", sort=False)["remarks_extended"].agg("".join)
    overflow = overflow.reindex(remarks.index).astype("string")
    joined = remarks.fillna("") + overflow.fillna("")
    return joined.mask(remarks.isna() & overflow.isna())


# ---------------------------------------------------------------------------- remarks


def _clauses(remarks: pd.Series) -> pd.Series:
    """Remarks split into clauses, one per row of a long Series indexed like ``remarks``."""
    text = remarks.dropna()
    body = text.where(
        text.str.contains(_INITIALISM_END, regex=True), text.str.replace(r"\.$", "", regex=True)
    )
    return body.str.split("; ", regex=False).explode().astype("string").str.strip()


def _extract(clauses: pd.Series, pattern: str, hint: str) -> pd.DataFrame:
    """Named groups of ``pattern`` in the clauses that contain the literal ``hint``."""
    # the literal pre-filter runs in Arrow; the regex then sees only candidate clauses
    candidates = clauses[clauses.str.contains(hint, regex=False)]
    return candidates.str.extract(pattern, expand=True).dropna(subset=["value"])


def _warn_rows(log: RejectionLog, lines: pd.Series, messages: pd.Series) -> None:
    """Flag kept rows; ``messages`` is indexed by row label like ``lines``."""
    for line, message in zip(lines.reindex(messages.index).to_numpy(), messages.to_numpy(), strict=True):
        log.warn(str(message), line=int(line))


def _parse_remarks(frame: pd.DataFrame, log: RejectionLog) -> dict[str, pd.Series]:
    clauses = _clauses(frame["Remarks"])
    lines = frame[_LINE]
    is_vessel = frame["SDN_Type"].str.lower().fillna("") == _VESSEL

    imo = _extract(clauses, _IMO_CLAUSE, "Vessel Registration Identification")
    imo = imo.loc[is_vessel.reindex(imo.index).to_numpy(dtype=bool)]
    imo_numbers, imo_errors = parse_each(imo["value"], parse_imo)
    prefixed = imo["prefix"].notna()
    # a bare 7-digit registration number is taken as an IMO only if its check digit holds
    bare_invalid = ~prefixed & imo_numbers.isna()
    if bare_invalid.any():
        log.note("registration numbers that are not IMO numbers", int(bare_invalid.sum()))
    if (~prefixed & imo_numbers.notna()).any():
        log.note("IMO numbers stated without the IMO prefix", int((~prefixed & imo_numbers.notna()).sum()))
    _warn_rows(log, lines, ("invalid IMO: " + imo_errors[prefixed & imo_errors.notna()]))

    mmsi = _extract(clauses, _MMSI_CLAUSE, "MMSI ")["value"]
    mmsi_ok = mmsi.map(is_valid_mmsi).astype(bool)
    _warn_rows(log, lines, "invalid MMSI: " + mmsi[~mmsi_ok].astype("string"))
    mmsi_numbers = pd.to_numeric(mmsi.where(mmsi_ok), errors="coerce").astype("Int64")

    company = _extract(clauses, _COMPANY_IMO_CLAUSE, "Number IMO ")["value"]
    company_numbers, company_errors = parse_each(company, parse_company_imo)
    _warn_rows(log, lines, "invalid company IMO: " + company_errors.dropna())

    former = _extract(clauses, _FORMER_FLAG_CLAUSE, "Former Vessel Flag ")["value"]
    former_iso = _country_codes(former, log, lines, what="former flag")

    return {
        "imo": _first(imo_numbers, frame.index, log, lines, what="IMO"),
        "mmsi": _first(mmsi_numbers, frame.index, log, lines, what="MMSI"),
        "company_imo": _first(company_numbers, frame.index, log, lines, what="company IMO"),
        "former_flags": lists_by_row(former_iso, frame.index),
        "aliases": _extract(clauses, _ALIAS_CLAUSE, ".k.a. '")["value"],
        "linked_to": lists_by_row(_extract(clauses, _LINKED_CLAUSE, "Linked To: ")["value"], frame.index),
    }


def _first(
    numbers: pd.Series, index: pd.Index, log: RejectionLog, lines: pd.Series, *, what: str
) -> pd.Series:
    """The first valid number per row; a row stating two different ones is flagged."""
    valid = numbers.dropna()
    distinct = valid.groupby(level=0).nunique()
    for row in distinct.index[distinct.to_numpy() > 1]:
        stated = ", ".join(str(v) for v in valid.loc[[row]].tolist())
        log.warn(f"several {what} numbers: {stated}; kept the first", line=int(lines.loc[row]))
    first = valid.groupby(level=0).first()
    return first.reindex(index).astype("Int64")


def _country_codes(names: pd.Series, log: RejectionLog, lines: pd.Series, *, what: str) -> pd.Series:
    """Country names -> ISO2; "None Identified" is dropped, an unknown name is flagged and dropped."""
    names = names.dropna()
    lookup = {str(name): country_to_iso2(str(name)) for name in pd.unique(names)}
    codes = names.map(lookup)
    unknown = codes.isna() & ~names.str.lower().isin(_NOT_A_COUNTRY)
    _warn_rows(log, lines, "unknown country: " + names[unknown] + f" ({what})")
    return codes.dropna()


def _merge_aliases(frame: pd.DataFrame, from_remarks: pd.Series, alt: _Table | None) -> pd.Series:
    """Aliases from remarks, then alt.csv names, without repeats or the entry's own name."""
    parts = [from_remarks]
    if alt is not None:
        names = alt.frame.dropna(subset=["alt_name"])
        parts.append(pd.Series(names["alt_name"].to_numpy(), index=pd.Index(names["ent_num"])))
    combined = pd.concat(parts)
    own = frame["SDN_Name"].reindex(combined.index)
    return lists_by_row(combined.mask(combined == own), frame.index)


def _countries(index: pd.Index, add: _Table | None) -> pd.Series:
    if add is None:
        return lists_by_row(pd.Series([], dtype="string"), index)
    frame = add.frame.dropna(subset=["country"])
    names = pd.Series(frame["country"].to_numpy(), index=pd.Index(frame["ent_num"]), dtype="string")
    lines = pd.Series(frame[_LINE].to_numpy(), index=names.index)
    # several address rows per entry: warn per address line, so index by position
    positional = names.reset_index(drop=True)
    codes = _country_codes(positional, add.log, lines.reset_index(drop=True), what="address country")
    codes.index = names.index[codes.index]
    return lists_by_row(codes, index)
