"""OFAC Sanctions List Service XML (advanced and enhanced) into a Watchlist, streamed.

OFAC publishes each list (``SDN_*``, consolidated ``CONS_*``) in two XML forms, both read
here with bounded memory (one party at a time; ``defusedxml`` refuses DTDs and entities):

- **enhanced** (``SDN_ENHANCED.XML``, ``CONS_ENHANCED.XML``; root ``sanctionsData``):
  self-contained ``entities/entity`` records with ``generalInfo/entityType`` (Individual,
  Entity, Vessel, Aircraft), ``names``, ``identityDocuments`` (type + documentNumber),
  ``features`` (type + value), ``relationships/relatedEntity``, ``sanctionsPrograms``
  and ``sanctionsLists/@datePublished``;
- **advanced** (``SDN_ADVANCED.XML``, ``CONS_ADVANCED.XML``; root ``Sanctions``): values
  cross-referenced by id: ``ReferenceValueSets``, ``Locations``, ``IDRegDocuments``
  (by IdentityID), ``DistinctParties/DistinctParty/Profile`` (``PartySubTypeID`` 1 =
  Vessel), ``ProfileRelationships`` and ``SanctionsEntries`` (programmes, entry date).

Mapping (both forms): vessel = entity type / party sub-type ``Vessel``; ``imo`` = ID document
``Vessel Registration Identification`` (type 1626, ``IMO 9187629``); ``mmsi`` = ID document
``MMSI`` (91264); features ``Vessel Call Sign`` -> ``call_sign``, ``Vessel Flag`` -> ``flag``,
``Former Vessel Flag`` -> ``former_flags``, ``Other Vessel Flag`` -> extra ``other_flags``,
``VESSEL TYPE`` -> ``vessel_type``, ``Vessel Owner`` -> ``owners``, ``Vessel Tonnage`` ->
``tonnage``, ``Vessel Gross Registered Tonnage`` -> ``gross_tonnage``, ``Vessel Year of
Build`` -> ``year_built`` (extra columns); related parties -> ``linked_to`` (both ends);
earliest listing date -> ``listed_on``. Parties' ``Company Number`` / ``Identification
Number`` documents reading ``IMO nnnnnnn`` -> ``company_imo`` (company check digit).
The source label is ``ofac_cons`` when the file is a consolidated (non-SDN) list, else
``ofac_sdn``; entry ids are ``"<source>:<entity id / FixedRef>"``.

>>> xml = (b'<sanctionsData xmlns="https://x/ENHANCED_XML"><entities><entity id="15036">'
...        b'<generalInfo><entityType refId="602">Vessel</entityType></generalInfo>'
...        b'<sanctionsPrograms><sanctionsProgram>IRAN</sanctionsProgram></sanctionsPrograms>'
...        b'<names><name><isPrimary>true</isPrimary><translations><translation><isPrimary>true'
...        b'</isPrimary><formattedFullName>ARTAVIL</formattedFullName></translation></translations>'
...        b'</name></names><identityDocuments><identityDocument><type refId="1626">Vessel Registration'
...        b' Identification</type><documentNumber>IMO 9187629</documentNumber></identityDocument>'
...        b'</identityDocuments></entity></entities></sanctionsData>')
>>> wl = read_ofac_xml(xml)
>>> wl.vessels[["entry_id", "name", "imo", "programs"]].to_dict("records")
[{'entry_id': 'ofac_sdn:15036', 'name': 'ARTAVIL', 'imo': 9187629, 'programs': ['IRAN']}]
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Final
from xml.etree.ElementTree import Element

from vesselscreen.errors import FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder
from vesselscreen.lists._stream import (
    StreamInput,
    iter_records,
    namespace_of,
    qualified,
    root_element,
    text_of,
)
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "ADVANCED_FORMAT",
    "ADVANCED_ROOT",
    "CONS_SOURCE",
    "ENHANCED_FORMAT",
    "ENHANCED_ROOT",
    "EXTRA_COLUMNS",
    "SDN_SOURCE",
    "read_ofac_xml",
]

ENHANCED_FORMAT: Final = "ofac_enhanced_xml"
ADVANCED_FORMAT: Final = "ofac_advanced_xml"
ENHANCED_ROOT: Final = "sanctionsData"
ADVANCED_ROOT: Final = "Sanctions"
SDN_SOURCE: Final = "ofac_sdn"
CONS_SOURCE: Final = "ofac_cons"
EXTRA_COLUMNS: Final = ("other_flags", "tonnage", "gross_tonnage", "year_built")
"""Columns after the WATCHLIST schema: ``other_flags`` (text, ``;``-joined), the rest Int64."""
_EXTRA_DTYPES: Final = {"tonnage": "Int64", "gross_tonnage": "Int64", "year_built": "Int64"}

_IMO_DOC: Final = "vessel registration identification"
_MMSI_DOC: Final = "mmsi"
_COMPANY_DOCS: Final = frozenset({"company number", "identification number"})
_IMO_NUMBER = re.compile(r"^\s*IMO\s*(\d{7})\b", re.IGNORECASE)
_SDN_LIST: Final = "sdn list"
# feature type (lower case) -> record key; list-valued keys collect every value
_VESSEL_FEATURES: Final = {
    "vessel call sign": "call_sign",
    "vessel flag": "flag",
    "former vessel flag": "former_flags",
    "other vessel flag": "other_flags",
    "vessel type": "vessel_type",
    "other vessel type": "other_vessel_type",
    "vessel owner": "owners",
    "vessel tonnage": "tonnage",
    "vessel gross registered tonnage": "gross_tonnage",
    "vessel year of build": "year_built",
}
_LIST_KEYS: Final = frozenset({"former_flags", "other_flags", "owners", "aliases", "programs", "countries"})
_FALLBACK_SUBTYPES: Final = {"1": "Vessel", "2": "Aircraft", "3": "Entity", "4": "Individual"}


def read_ofac_xml(
    data: ListSource | RawSource, *, source: str | None = None, vessels_only: bool = False
) -> Watchlist:
    """Read an OFAC advanced or enhanced XML file (SDN or consolidated) into a :class:`Watchlist`.

    ``data`` is a path (streamed from disk), bytes or a binary file object. ``source``
    overrides the label (default: ``ofac_sdn`` or ``ofac_cons`` from the file's list names).
    Invalid IMO numbers, MMSIs and unknown countries keep the entry with NA and are flagged
    in the report; XML with a DTD or entities raises :class:`~vesselscreen.errors.FormatError`.

    ``vessels_only=True`` leaves ``wl.entities`` empty and keeps nothing of the other
    parties (the names of those linked to vessels are read in a second pass over an
    advanced file, as its relationships come last): memory then stays flat however many
    parties the file lists. Use it for screening runs that do not screen ownership.
    """
    stream = StreamInput.of(data)
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root == ENHANCED_ROOT:
            parsed, fmt = _read_enhanced(fh, stream.label, vessels_only), ENHANCED_FORMAT
        elif root == ADVANCED_ROOT:
            advanced, fmt = _read_advanced(fh, stream.label, vessels_only), ADVANCED_FORMAT
        else:
            raise FormatError(
                stream.label,
                f"not an OFAC advanced or enhanced XML file (root element {root!r}, "
                f"expected {ADVANCED_ROOT!r} or {ENHANCED_ROOT!r})",
            )
    sha256 = stream.sha256()
    if fmt == ADVANCED_FORMAT:
        names: dict[str, str | None] = {}
        if wanted := advanced.left_out_links():
            # relationships come after the parties: a second pass reads the few names needed
            with stream.open() as fh:
                names = _left_out_names(fh, stream.label, wanted, advanced.refs)
            if stream.sha256() != sha256:
                raise FormatError(stream.label, "the file changed while it was being read")
        parsed = advanced.link(names)
    builder = WatchlistBuilder(
        stream.label,
        source=source or (CONS_SOURCE if parsed.consolidated else SDN_SOURCE),
        format=fmt,
        merge_reason="same id",
        extras=EXTRA_COLUMNS,
        extra_dtypes=_EXTRA_DTYPES,
        log=parsed.log,
    )
    records = parsed.records
    records.reverse()
    while records:  # each raw record is dropped once the builder has its values
        kind, record, number = records.pop()
        builder.add(kind, record, raw=f"<{_RECORD[fmt]}> #{number}")
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=sha256)


@dataclass(slots=True)
class _Parsed:
    log: RejectionLog
    # (kind, record, position of its element among the file's entries, from 1)
    records: list[tuple[str, Record, int]] = field(default_factory=list)
    consolidated: bool = False


def _number(text: str | None) -> str | None:
    """ "99,144" -> "99144"; OFAC writes tonnages with thousands separators."""
    return None if text is None else text.replace(",", "").strip() or None


def _add_feature(record: Record, feature: str | None, value: str | None) -> None:
    key = _VESSEL_FEATURES.get((feature or "").strip().rstrip(":").lower())
    if key is None or value is None:
        return
    if key in _LIST_KEYS:
        values = record.setdefault(key, [])
        if isinstance(values, list):
            values.append(value)
    elif record.get(key) is None:
        record[key] = _number(value) if key in _EXTRA_DTYPES else value


def _finish_vessel(record: Record) -> Record:
    other_type = record.pop("other_vessel_type", None)
    if record.get("vessel_type") is None:
        record["vessel_type"] = other_type
    others = record.get("other_flags")
    record["other_flags"] = "; ".join(others) if isinstance(others, list) and others else None
    return record


def _company_imo(doc_type: str | None, number: str | None) -> str | None:
    if doc_type is None or number is None or doc_type.strip().lower() not in _COMPANY_DOCS:
        return None
    match = _IMO_NUMBER.match(number)
    return match.group(1) if match else None


# ----------------------------------------------------------------------------- enhanced


def _read_enhanced(stream: IO[bytes], label: str, vessels_only: bool = False) -> _Parsed:
    parsed = _Parsed(RejectionLog(label))
    iso_codes: dict[str, str] = {}  # COUNTRY reference id -> ISO2, as the file states it
    entities = 0
    for name, element in iter_records(
        stream, label, {"entity", "publicationInfo", "referenceValue"}, parsed.log
    ):
        _NAMESPACE.set(namespace_of(element.tag))
        if name == "referenceValue":
            if (code := text_of(element.find(_q("isoCode")))) and (ref_id := element.get("refId")):
                iso_codes[ref_id] = code
            continue
        if name == "publicationInfo":
            lists = [text_of(e) or "" for e in element.iterfind(_q(".//sanctionsList"))]
            parsed.consolidated = any(item.strip().lower() != _SDN_LIST for item in lists)
            continue
        entities += 1
        entry_id = element.get("id")
        if not entry_id:
            parsed.log.reject("entity without an id", raw=f"<entity> #{entities}")
            continue
        if vessels_only and (text_of(element.find(_q("generalInfo/entityType"))) or "").lower() != "vessel":
            parsed.log.accept()
            parsed.log.note("parties left out (vessels_only)")
            continue
        kind, record = _enhanced_entity(element, entry_id, iso_codes)
        parsed.records.append((kind, record, entities))
    return parsed


def _enhanced_entity(entity: Element, entry_id: str, iso_codes: dict[str, str]) -> tuple[str, Record]:
    entity_type = (text_of(entity.find(_q("generalInfo/entityType"))) or "entity").lower()
    name: str | None = None
    aliases: list[str] = []
    for alias in entity.iterfind(_q("names/name")):
        primary = text_of(alias.find(_q("isPrimary"))) == "true"
        for translation in alias.iterfind(_q("translations/translation")):
            full = text_of(translation.find(_q("formattedFullName")))
            if full is None:
                continue
            if primary and name is None and text_of(translation.find(_q("isPrimary"))) == "true":
                name = full
            else:
                aliases.append(full)
    dates = [d for e in entity.iterfind(_q("sanctionsLists/sanctionsList")) if (d := e.get("datePublished"))]
    record: Record = {
        "id": entry_id,
        "name": name,
        "aliases": aliases,
        "programs": [text_of(e) for e in entity.iterfind(_q("sanctionsPrograms/sanctionsProgram"))],
        "listed_on": min(dates) if dates else None,
        "linked_to": [text_of(e) for e in entity.iterfind(_q("relationships/relationship/relatedEntity"))],
        "remarks": text_of(entity.find(_q("generalInfo/remarks"))),
    }
    documents = [
        (text_of(doc.find(_q("type"))), text_of(doc.find(_q("documentNumber"))))
        for doc in entity.iterfind(_q("identityDocuments/identityDocument"))
    ]
    if entity_type == "vessel":
        for doc_type, number in documents:
            kind = (doc_type or "").lower()
            if kind == _IMO_DOC and record.get("imo") is None:
                record["imo"] = number
            elif kind == _MMSI_DOC and record.get("mmsi") is None:
                record["mmsi"] = number
        for feature in entity.iterfind(_q("features/feature")):
            _add_feature(record, text_of(feature.find(_q("type"))), text_of(feature.find(_q("value"))))
        return VESSEL, _finish_vessel(record)
    record["entity_type"] = entity_type
    record["company_imo"] = next(
        (imo for doc_type, number in documents if (imo := _company_imo(doc_type, number))), None
    )
    record["countries"] = [
        iso_codes.get(e.get("refId") or "") or text_of(e)
        for e in entity.iterfind(_q("addresses/address/country"))
    ]
    return PARTY, record


# ----------------------------------------------------------------------------- advanced


@dataclass(slots=True)
class _Refs:
    """Reference values of an advanced file: set name -> id -> text (and country ISO2)."""

    values: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    party_types: dict[str, str] = field(default_factory=dict)  # sub-type id -> party type id

    def text(self, kind: str, ref: str | None) -> str | None:
        return None if ref is None else self.values[kind].get(ref)


_RECORD: Final = {ENHANCED_FORMAT: "entity", ADVANCED_FORMAT: "DistinctParty"}
"""The element of each form that holds one entry (named in the report's samples)."""

_ADVANCED_RECORDS: Final = frozenset(
    {
        "ReferenceValueSets",
        "Location",
        "IDRegDocument",
        "DistinctParty",
        "ProfileRelationship",
        "SanctionsEntry",
    }
)


@dataclass(slots=True)
class _Advanced:
    """What the first pass over an advanced file collects, before links are resolved."""

    parsed: _Parsed
    vessels_only: bool
    refs: _Refs = field(default_factory=_Refs)
    records: dict[str, Record] = field(default_factory=dict)  # profile id -> its first record
    kinds: dict[str, str] = field(default_factory=dict)  # profile id -> VESSEL / PARTY
    positions: dict[str, int] = field(default_factory=dict)  # profile id -> position of its first record
    repeated: list[tuple[str, Record, int]] = field(default_factory=list)  # later records of a profile id
    parties_read: int = 0
    links: list[tuple[str, str]] = field(default_factory=list)
    lists_seen: set[str] = field(default_factory=set)

    def left_out_links(self) -> set[str]:
        """Ids of the parties left out (vessels_only) that a kept vessel is linked to."""
        if not self.vessels_only:
            return set()
        records = self.records
        return {
            other
            for source_id, target_id in self.links
            if (source_id in records) != (target_id in records)
            for other in (source_id, target_id)
            if other not in records
        }

    def link(self, left_out: dict[str, str | None]) -> _Parsed:
        """Resolve links into ``linked_to``; ``left_out`` names linked parties not kept."""
        parsed, records = self.parsed, self.records
        for source_id, target_id in self.links:
            source_record, target_record = records.get(source_id), records.get(target_id)
            if self.vessels_only and (source_record is None) != (target_record is None):
                kept, other = (
                    (source_record, target_id) if source_record is not None else (target_record, source_id)
                )
                if kept is not None and other in left_out:
                    _append(kept, "linked_to", left_out[other])
                    continue
            if source_record is None or target_record is None:
                parsed.log.note("relationships to parties not in the file")
                continue
            _append(source_record, "linked_to", target_record.get("name"))
            _append(target_record, "linked_to", source_record.get("name"))
        parsed.consolidated = any(item.lower() != _SDN_LIST for item in self.lists_seen)
        for profile_id, record in records.items():
            kind = self.kinds[profile_id]
            parsed.records.append(
                (kind, _finish_vessel(record) if kind == VESSEL else record, self.positions[profile_id])
            )
        for kind, record, number in self.repeated:  # merged into the first by the builder
            parsed.records.append((kind, _finish_vessel(record) if kind == VESSEL else record, number))
        # the parsed records are the only references left, so each is freed once built
        self.records.clear()
        self.repeated.clear()
        return parsed


def _read_advanced(stream: IO[bytes], label: str, vessels_only: bool = False) -> _Advanced:
    state = _Advanced(_Parsed(RejectionLog(label)), vessels_only)
    refs = state.refs
    locations: dict[str, str] = {}  # location id -> country name
    documents: dict[str, list[tuple[str, str]]] = defaultdict(list)  # identity id -> (type, number)
    for name, element in iter_records(stream, label, _ADVANCED_RECORDS, state.parsed.log):
        _NAMESPACE.set(namespace_of(element.tag))
        if name == "ReferenceValueSets":
            _read_refs(element, refs)
        elif name == "Location":
            country = refs.text("Country", _attr(element.find(_q("LocationCountry")), "CountryID"))
            if country is not None and (location_id := element.get("ID")):
                locations[location_id] = country
        elif name == "IDRegDocument":
            doc_type = (refs.text("IDRegDocType", element.get("IDRegDocTypeID")) or "").lower()
            number = text_of(element.find(_q("IDRegistrationNo")))
            identity = element.get("IdentityID")
            # keep only the documents this reader uses, so memory stays small
            if identity and number and (doc_type in (_IMO_DOC, _MMSI_DOC) or _company_imo(doc_type, number)):
                documents[identity].append((doc_type, number))
        elif name == "DistinctParty":
            _advanced_party(element, refs, locations, documents, state)
        elif name == "ProfileRelationship":
            source_id, target_id = element.get("From-ProfileID"), element.get("To-ProfileID")
            if source_id and target_id:
                state.links.append((source_id, target_id))
        else:
            _advanced_entry(element, refs, state.records, state.lists_seen)
    return state


def _left_out_names(stream: IO[bytes], label: str, wanted: set[str], refs: _Refs) -> dict[str, str | None]:
    """Second pass: the primary names of the non-vessel parties whose ids are ``wanted``."""
    names: dict[str, str | None] = {}
    for name, party in iter_records(stream, label, {"DistinctParty", "ProfileRelationship"}):
        if name == "ProfileRelationship":
            break  # the parties come before the relationships: all read
        _NAMESPACE.set(namespace_of(party.tag))
        profile = party.find(_q("Profile"))
        profile_id = _attr(profile, "ID") or party.get("FixedRef")
        if profile is None or profile_id is None or profile_id not in wanted:
            continue
        if _party_kind(refs, profile.get("PartySubTypeID")) != "vessel":
            identity = profile.find(_q("Identity"))
            names[profile_id] = _names(identity, refs)[0] if identity is not None else None
    return names


# the namespace of the file being read, set by the readers as records arrive
_NAMESPACE: ContextVar[str] = ContextVar("ofac_xml_namespace", default="")


def _q(path: str) -> str:
    return qualified(path, _NAMESPACE.get())


def _attr(element: Element | None, name: str) -> str | None:
    return None if element is None else element.get(name)


def _append(record: Record, key: str, value: object) -> None:
    values = record.setdefault(key, [])
    if isinstance(values, list) and value is not None:
        values.append(value)


def _read_refs(element: Element, refs: _Refs) -> None:
    for group in element:
        for value in group:
            kind = value.tag.rsplit("}", 1)[-1]
            ref_id = value.get("ID")
            if ref_id is None:
                continue
            refs.values[kind][ref_id] = (value.text or "").strip()
            if kind == "PartySubType" and (party_type := value.get("PartyTypeID")):
                refs.party_types[ref_id] = party_type


def _party_kind(refs: _Refs, sub_type_id: str | None) -> str:
    sub_type = refs.text("PartySubType", sub_type_id) or _FALLBACK_SUBTYPES.get(sub_type_id or "", "Entity")
    if sub_type.lower() == "unknown":
        sub_type = refs.text("PartyType", refs.party_types.get(sub_type_id or "")) or "Entity"
    return sub_type.lower()


def _names(identity: Element, refs: _Refs) -> tuple[str | None, list[str]]:
    name: str | None = None
    aliases: list[str] = []
    for alias in identity.iterfind(_q("Alias")):
        primary = alias.get("Primary") == "true"
        for documented in alias.iterfind(_q("DocumentedName")):
            parts = [text_of(p) for p in documented.iterfind(_q("DocumentedNamePart/NamePartValue"))]
            full = " ".join(p for p in parts if p)
            if not full:
                continue
            if primary and name is None:
                name = full
            else:
                aliases.append(full)
    return name, aliases


def _feature_value(feature: Element, refs: _Refs, locations: dict[str, str]) -> str | None:
    version = feature.find(_q("FeatureVersion"))
    if version is None:
        return None
    location = version.find(_q("VersionLocation"))
    if location is not None:
        return locations.get(location.get("LocationID") or "")
    detail = version.find(_q("VersionDetail"))
    if detail is None:
        return None
    reference = detail.get("DetailReferenceID")
    return refs.text("DetailReference", reference) if reference else text_of(detail)


def _advanced_party(
    party: Element,
    refs: _Refs,
    locations: dict[str, str],
    documents: dict[str, list[tuple[str, str]]],
    state: _Advanced,
) -> None:
    log = state.parsed.log
    state.parties_read += 1
    position = state.parties_read
    profile = party.find(_q("Profile"))
    profile_id = _attr(profile, "ID") or party.get("FixedRef")
    if profile is None or not profile_id:
        log.reject("DistinctParty without a Profile ID", raw=f"<DistinctParty> #{position}")
        return
    party_kind = _party_kind(refs, profile.get("PartySubTypeID"))
    if state.vessels_only and party_kind != "vessel":
        for identity_element in profile.iterfind(_q("Identity")):
            documents.pop(identity_element.get("ID") or "", None)
        log.accept()
        log.note("parties left out (vessels_only)")
        return
    record: Record = {
        "id": party.get("FixedRef") or profile_id,
        "remarks": text_of(party.find(_q("Comment"))),
    }
    identity_ids: list[str] = []
    for identity in profile.iterfind(_q("Identity")):
        name, aliases = _names(identity, refs)
        if record.get("name") is None:
            record["name"] = name
        _extend(record, "aliases", aliases)
        if identity_id := identity.get("ID"):
            identity_ids.append(identity_id)
    docs = [doc for identity_id in identity_ids for doc in documents.pop(identity_id, [])]
    if party_kind == "vessel":
        for doc_type, number in docs:
            key = "imo" if doc_type == _IMO_DOC else "mmsi" if doc_type == _MMSI_DOC else None
            if key is not None and record.get(key) is None:
                record[key] = number
        for feature in profile.iterfind(_q("Feature")):
            feature_type = refs.text("FeatureType", feature.get("FeatureTypeID"))
            _add_feature(record, feature_type, _feature_value(feature, refs, locations))
        kind = VESSEL
    else:
        record["entity_type"] = party_kind
        record["company_imo"] = next((imo for t, n in docs if (imo := _company_imo(t, n))), None)
        countries = [
            _feature_value(feature, refs, locations)
            for feature in profile.iterfind(_q("Feature"))
            if (refs.text("FeatureType", feature.get("FeatureTypeID")) or "").lower() == "location"
        ]
        record["countries"] = countries
        kind = PARTY
    if profile_id in state.records:
        state.repeated.append((kind, record, position))
        return
    state.records[profile_id] = record
    state.kinds[profile_id] = kind
    state.positions[profile_id] = position


def _extend(record: Record, key: str, values: Iterable[str]) -> None:
    for value in values:
        _append(record, key, value)


def _advanced_entry(entry: Element, refs: _Refs, records: dict[str, Record], lists_seen: set[str]) -> None:
    list_name = refs.text("List", entry.get("ListID"))
    if list_name:
        lists_seen.add(list_name)
    record = records.get(entry.get("ProfileID") or "")
    if record is None:
        return
    for measure in entry.iterfind(_q("SanctionsMeasure")):
        if (refs.text("SanctionsType", measure.get("SanctionsTypeID")) or "Program") == "Program":
            _append(record, "programs", text_of(measure.find(_q("Comment"))))
    for event in entry.iterfind(_q("EntryEvent")):
        date = event.find(_q("Date"))
        if date is None:
            continue
        year, month, day = (text_of(date.find(_q(part))) for part in ("Year", "Month", "Day"))
        if year and month and day:
            # every entry date is kept: the builder takes the earliest and flags a bad one
            _append(record, "listed_on", f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}")
