"""OpenSanctions exports into a Watchlist: FollowTheMoney JSON lines and ``maritime.csv``.

Three published files are read, each sniffed from its content:

- ``entities.ftm.json`` (format ``opensanctions_ftm``): one FollowTheMoney entity per
  line, ``{id, caption, schema, properties, datasets, referents, target, first_seen,
  last_seen}``, properties as lists of strings, references to other entities by id;
- ``targets.nested.json`` (the same format name): one target per line, with adjacent
  entities (sanctions, ownerships, owners) nested as objects inside its properties;
- ``maritime.csv`` (format ``opensanctions_maritime_csv``): columns ``type, caption,
  imo, risk, countries, flag, mmsi, id, url, datasets, aliases``, multi-values ``;``-joined.

JSON lines are streamed: one line is held at a time, and only vessels, parties,
sanctions and links are kept. Mapping: schema ``Vessel`` -> ``wl.vessels`` (``imoNumber``
-> ``imo``, ``mmsi``, ``callSign`` -> ``call_sign``, ``flag``, ``pastFlags`` ->
``former_flags``, ``type`` -> ``vessel_type``, further ``name`` values, ``alias``,
``previousName`` -> ``aliases``); ``Company``, ``Organization``, ``LegalEntity``,
``Person``, ``PublicBody`` -> ``wl.entities`` (``imoNumber`` -> ``company_imo``, checked
with the company check digit; ``country``, ``jurisdiction``, ``nationality`` ->
``countries``). A ``Sanction`` entity gives its ``entity`` the ``program`` values (the
``authority`` when it names none) and the earliest ``listingDate`` (else ``startDate``)
as ``listed_on``. ``Ownership`` (owner -> asset) and a vessel's ``owner`` property make
``owners``; every ``Ownership``, ``Directorship``, ``UnknownLink``, ``Employment``,
``Representation`` and a vessel's ``operator`` link both ends by name in ``linked_to``.
Extra vessel columns: ``tonnage``, ``gross_tonnage``, ``year_built`` (Int64) and
``datasets`` (``;``-joined). The source label is ``opensanctions``.

>>> line = (b'{"id": "os-fixture-1", "schema": "Vessel", "caption": "FIXTURE TANKER",'
...         b' "properties": {"name": ["FIXTURE TANKER"], "imoNumber": ["IMO 9999993"], "flag": ["ga"]},'
...         b' "datasets": ["us_ofac_sdn"], "target": true}\\n')
>>> wl = read_opensanctions(line)
>>> wl.vessels[["entry_id", "imo", "flag"]].to_dict("records")
[{'entry_id': 'opensanctions:os-fixture-1', 'imo': 9999993, 'flag': 'GA'}]
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from vesselscreen.errors import FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists import limits
from vesselscreen.lists._io import ListSource, RawSource, sha256_of
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder
from vesselscreen.lists._stream import StreamInput
from vesselscreen.lists._tabular import as_raw, read_table, records_of, require
from vesselscreen.lists._text import windows_1252
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "CSV_FORMAT",
    "DEFAULT_SOURCE",
    "EXTRA_COLUMNS",
    "FTM_FORMAT",
    "MARITIME_COLUMNS",
    "looks_like_ftm",
    "looks_like_maritime_csv",
    "read_opensanctions",
    "read_opensanctions_maritime",
]

FTM_FORMAT: Final = "opensanctions_ftm"
CSV_FORMAT: Final = "opensanctions_maritime_csv"
DEFAULT_SOURCE: Final = "opensanctions"
EXTRA_COLUMNS: Final = ("tonnage", "gross_tonnage", "year_built", "datasets")
MARITIME_COLUMNS: Final = (
    "type",
    "caption",
    "imo",
    "risk",
    "countries",
    "flag",
    "mmsi",
    "id",
    "url",
    "datasets",
    "aliases",
)
_EXTRA_DTYPES: Final = {"tonnage": "Int64", "gross_tonnage": "Int64", "year_built": "Int64"}
_PARTY_SCHEMAS: Final = frozenset({"Company", "Organization", "LegalEntity", "Person", "PublicBody"})
# link schema -> (the two ends); the first end "owns" the second for Ownership
_LINKS: Final[Mapping[str, tuple[str, str]]] = {
    "Ownership": ("owner", "asset"),
    "Directorship": ("director", "organization"),
    "UnknownLink": ("subject", "object"),
    "Employment": ("employee", "employer"),
    "Representation": ("agent", "client"),
}
# nested reverse property -> (the nested entity's property that points back to the parent)
_REVERSE: Final[Mapping[str, str]] = {
    "sanctions": "entity",
    "ownershipAsset": "asset",
    "ownershipOwner": "owner",
    "directorshipOrganization": "organization",
    "directorshipDirector": "director",
    "unknownLinkFrom": "object",
    "unknownLinkTo": "subject",
    "employers": "employee",
    "employees": "employer",
    "agencyClient": "client",
    "agentRepresentation": "agent",
}
_PARTY_COUNTRIES: Final = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")


def looks_like_ftm(head: bytes) -> bool:
    """Whether a file starts with a FollowTheMoney entity line (``{"id": ..., "schema": ...}``).

    >>> looks_like_ftm(b'{"id": "x", "schema": "Vessel", "properties": {}}\\n')
    True
    >>> looks_like_ftm(b'{"MessageType": "PositionReport"}')
    False
    """
    first = head.lstrip(b"\xef\xbb\xbf \r\n\t").split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    return b'"schema"' in first and b'"properties"' in first and b'"id"' in first


@dataclass(slots=True)
class _Graph:
    """What the reader keeps of the entity graph: vessel and party records, sanctions, links."""

    records: list[tuple[str, Record, int]] = field(default_factory=list)  # (kind, record, line)
    names: dict[str, str | None] = field(default_factory=dict)  # entity id -> first name seen
    listed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    programs: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # (sanction id, program)
    owns: set[tuple[str, str]] = field(default_factory=set)  # (owner id, asset id)
    links: set[tuple[str, str]] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # ids of sanctions and links already read


def read_opensanctions(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read ``entities.ftm.json`` or ``targets.nested.json`` (JSON lines) into a :class:`Watchlist`.

    ``data`` is a path (streamed line by line), bytes or a binary file object. Each entity
    (a line, and each entity nested in it) is a record: a line that is not a JSON object
    is rejected with its line number; an entity seen before (the same owner nested under
    two targets) is merged into the first; schemas the watchlist does not use (addresses,
    identifications, family links...) are accepted and counted as ``skipped``. A line that
    is not UTF-8 is decoded as Windows-1252 and flagged.
    """
    stream = StreamInput.of(data)
    builder = WatchlistBuilder(
        stream.label,
        source=source,
        format=FTM_FORMAT,
        merge_reason="same entity id",
        extras=EXTRA_COLUMNS,
        extra_dtypes=_EXTRA_DTYPES,
    )
    log = builder.log
    graph = _Graph()
    with stream.open() as fh:
        if not looks_like_ftm(fh.peek(4096)[:4096]):
            raise FormatError(stream.label, "not OpenSanctions FollowTheMoney JSON lines")
        for number, line in enumerate(fh, start=1):
            if not line.strip(b" \t\r\n\x1a"):
                if b"\x1a" in line:  # a DOS end-of-file byte
                    log.note("EOF marker (0x1A) skipped")
                continue
            entity = _entity(line, number, log)
            if entity is None:
                continue
            for flat in _flatten(entity, parent=None, via=None, depth=0, line=number, log=log):
                _add(graph, flat, number, source, log)
    for kind, record, number in _resolve(graph, log):
        builder.add(kind, record, line=number)
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=stream.sha256())


def _entity(line: bytes, number: int, log: RejectionLog) -> dict[str, object] | None:
    """One line as a FollowTheMoney entity, or ``None`` after rejecting it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = windows_1252(line)
        log.warn("not UTF-8: line decoded as Windows-1252", line=number, raw=text)
    try:
        entity = json.loads(text)
    except RecursionError:
        log.reject("invalid JSON: nested too deeply to read", line=number, raw=text[:200])
        return None
    except ValueError as exc:
        log.reject(f"invalid JSON: {exc}", line=number, raw=text[:200])
        return None
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or not entity["id"].strip():
        log.reject("not a FollowTheMoney entity (no id)", line=number, raw=text[:200])
        return None
    return entity


def _values(props: Mapping[str, object], key: str) -> list[str]:
    value = props.get(key)
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v).strip() for v in items if isinstance(v, str | int | float) and str(v).strip()]


def _flatten(
    entity: Mapping[str, object],
    parent: str | None,
    via: str | None,
    depth: int,
    line: int,
    log: RejectionLog,
) -> Iterator[dict[str, object]]:
    """The entity with nested entities replaced by their ids, then each nested entity, flat."""
    props_in = entity.get("properties")
    props: dict[str, object] = dict(props_in) if isinstance(props_in, dict) else {}
    nested: list[tuple[str, Mapping[str, object]]] = []
    for key, value in list(props.items()):
        if not isinstance(value, list):
            continue
        ids: list[object] = []
        for item in value:
            if isinstance(item, dict):
                if isinstance(item.get("id"), str):
                    nested.append((key, item))
                    ids.append(item["id"])
            else:
                ids.append(item)
        props[key] = ids
    back = _REVERSE.get(via or "")
    if parent is not None and back is not None and not _values(props, back):
        props[back] = [parent]  # a nested adjacent entity may leave out its reference to the target
    yield {**entity, "properties": props}
    own_id = str(entity["id"])
    if nested and depth >= limits.MAX_NESTING:
        log.warn(f"nested too deeply: {len(nested)} entities below level {depth} not read", line=line)
        return
    for key, item in nested:
        yield from _flatten(item, own_id, key, depth + 1, line, log)


def _add(graph: _Graph, entity: Mapping[str, object], line: int, source: str, log: RejectionLog) -> None:
    """Count one entity: a vessel or party record for the builder, or a sanction or link used here."""
    schema = str(entity.get("schema") or "")
    entity_id = str(entity["id"])
    props = entity["properties"]
    assert isinstance(props, dict)
    if schema == "Vessel" or schema in _PARTY_SCHEMAS:
        record = (
            _vessel(entity_id, entity, props)
            if schema == "Vessel"
            else _party(entity_id, schema, entity, props)
        )
        graph.records.append((VESSEL if schema == "Vessel" else PARTY, record, line))
        name = record.get("name")
        graph.names.setdefault(entity_id, name if isinstance(name, str) else None)
        if schema == "Vessel":
            for owner in _values(props, "owner"):
                graph.owns.add((owner, entity_id))
                graph.links.add((owner, entity_id))
            for operator in _values(props, "operator"):
                graph.links.add((operator, entity_id))
        return
    if schema not in _LINKS and schema != "Sanction":
        log.accept()
        log.note("skipped")
        return
    if entity_id in graph.seen:
        log.merge("same entity id", into=f"{source}:{entity_id}", line=line)
        return
    graph.seen.add(entity_id)
    log.accept()
    if schema == "Sanction":
        dates = [d for d in _values(props, "listingDate") if len(d) >= 10]
        dates = dates or [d for d in _values(props, "startDate") if len(d) >= 10]
        programs = _values(props, "program") or _values(props, "authority")
        for target in _values(props, "entity"):
            graph.listed[target].extend(d[:10] for d in dates)
            graph.programs[target].extend((entity_id, p) for p in programs)
        return
    first, second = _LINKS[schema]
    for a in _values(props, first):
        for b in _values(props, second):
            graph.links.add((a, b))
            if schema == "Ownership":
                graph.owns.add((a, b))


def _names(entity: Mapping[str, object], props: Mapping[str, object]) -> tuple[str | None, list[str]]:
    names = _values(props, "name")
    caption = entity.get("caption")
    name = names[0] if names else caption if isinstance(caption, str) else None
    aliases = names[1:] + _values(props, "alias") + _values(props, "previousName")
    return name, aliases


def _vessel(entity_id: str, entity: Mapping[str, object], props: Mapping[str, object]) -> Record:
    name, aliases = _names(entity, props)
    datasets = entity.get("datasets")
    build = [d[:4] for d in _values(props, "buildDate") if d[:4].isascii() and d[:4].isdigit()]
    return {
        "id": entity_id,
        "name": name,
        "aliases": aliases,
        "imo": next(iter(_values(props, "imoNumber")), None),
        "mmsi": next(iter(_values(props, "mmsi")), None),
        "call_sign": next(iter(_values(props, "callSign")), None),
        "flag": next(iter(_values(props, "flag")), None),
        "former_flags": _values(props, "pastFlags"),
        "vessel_type": next(iter(_values(props, "type")), None),
        "remarks": next(iter(_values(props, "notes")), None),
        "tonnage": next(iter(_values(props, "tonnage")), None),
        "gross_tonnage": next(iter(_values(props, "grossRegisteredTonnage")), None),
        "year_built": build[0] if build else None,
        "datasets": "; ".join(str(d) for d in datasets) if isinstance(datasets, list) and datasets else None,
    }


def _party(entity_id: str, schema: str, entity: Mapping[str, object], props: Mapping[str, object]) -> Record:
    name, aliases = _names(entity, props)
    return {
        "id": entity_id,
        "entity_type": "individual" if schema == "Person" else schema.lower(),
        "name": name,
        "aliases": aliases,
        "company_imo": next(iter(_values(props, "imoNumber")), None),
        "countries": [c for key in _PARTY_COUNTRIES for c in _values(props, key)],
        "remarks": next(iter(_values(props, "notes")), None),
    }


def _resolve(graph: _Graph, log: RejectionLog) -> list[tuple[str, Record, int]]:
    """Attach sanctions and links by id to each entity's first record, now that every name is known."""
    first: dict[str, Record] = {}
    for _, record, _ in graph.records:
        first.setdefault(str(record["id"]), record)
    for entity_id, record in first.items():
        record["listed_on"] = graph.listed.get(entity_id, [])
        # in sanction id order, so the result does not depend on the order of lines in the file
        record["programs"] = [p for _, p in sorted(graph.programs.get(entity_id, []))]
        record["linked_to"] = []
        record["owners"] = []
    kinds = {str(record["id"]): kind for kind, record, _ in reversed(graph.records)}
    for owner, asset in sorted(graph.owns):
        if kinds.get(asset) == VESSEL and owner in first:
            _append(first[asset], "owners", graph.names.get(owner))
    for a, b in sorted(graph.links):
        if a not in first or b not in first:
            log.note("links to entities not in the file")
            continue
        _append(first[a], "linked_to", graph.names.get(b))
        _append(first[b], "linked_to", graph.names.get(a))
    return graph.records


def _append(record: Record, key: str, value: object) -> None:
    values = record.setdefault(key, [])
    if isinstance(values, list) and isinstance(value, str):
        values.append(value)


# ----------------------------------------------------------------------------- maritime.csv


def looks_like_maritime_csv(text: str) -> bool:
    """Whether the first line is the ``maritime.csv`` header.

    >>> looks_like_maritime_csv("type,caption,imo,risk,countries,flag,mmsi,id,url,datasets,aliases\\n")
    True
    """
    header = {part.strip().strip('"') for part in text.lstrip("\ufeff").split("\n", 1)[0].split(",")}
    return {"type", "caption", "imo", "risk", "id", "datasets"} <= header


def read_opensanctions_maritime(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read OpenSanctions' ``maritime.csv`` into a :class:`Watchlist`.

    Rows of ``type`` ``VESSEL`` are vessels (``imo``, ``mmsi``, ``flag``); the others
    (organisations) are parties, their ``imo`` a company IMO number. ``datasets`` (the
    lists naming the entry) become ``programs``; ``risk`` (OpenSanctions topics such as
    ``sanction``) is kept in the extra column ``risk``; ``url`` in ``remarks``.

    >>> csv = (b"type,caption,imo,risk,countries,flag,mmsi,id,url,datasets,aliases\\n"
    ...        b"VESSEL,FIXTURE TANKER,IMO9999993,sanction,ru,ga,,os-fx-1,,eu_fsf;us_ofac_sdn,FIXTURE OLD\\n")
    >>> read_opensanctions_maritime(csv).vessels[["imo", "flag", "programs"]].to_dict("records")
    [{'imo': 9999993, 'flag': 'GA', 'programs': ['eu_fsf', 'us_ofac_sdn']}]
    """
    raw = as_raw(data)
    builder = WatchlistBuilder(raw.label, source=source, format=CSV_FORMAT, extras=("risk",))
    frame, _ = read_table(raw, builder.log)
    require(frame, ["type", "caption", "id"], raw.label)
    mapping = {
        "id": "id",
        "type": "type",
        "name": "caption",
        "aliases": "aliases",
        "imo": "imo",
        "mmsi": "mmsi",
        "flag": "flag",
        "countries": "countries",
        "programs": "datasets",
        "remarks": "url",
        "risk": "risk",
    }
    for line, record in records_of(frame, mapping):
        kind = str(record.pop("type", "") or "")
        if kind.lower() == VESSEL:
            record.pop("countries", None)
            builder.add(VESSEL, record, line=line)
        else:
            record.update(entity_type=kind or None, company_imo=record.pop("imo", None))
            for key in ("mmsi", "flag", "risk"):
                record.pop(key, None)
            builder.add(PARTY, record, line=line)
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))
