"""OFAC's legacy ``sdn.xml`` into a Watchlist, streamed.

The XML twin of the legacy CSV set (root ``sdnList``, namespace
``https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML``, or
``http://tempuri.org/sdnList.xsd`` in older files): one ``sdnEntry`` per listed party with
``uid``, ``firstName``, ``lastName``, ``sdnType`` (Vessel, Individual, Entity, Aircraft),
``programList/program``, ``idList/id/{idType, idNumber}``, ``akaList/aka/{firstName,
lastName}``, ``addressList/address/country``, ``vesselInfo/{callSign, vesselType,
vesselFlag, vesselOwner, tonnage, grossRegisteredTonnage}`` and ``remarks``.

Mapping (as the CSV reader's, so both forms give the same entries): ``ofac_sdn:<uid>``;
``lastName`` (``"LAST, First"`` when there is a first name) -> ``name``; akas -> ``aliases``;
``idType`` ``Vessel Registration Identification`` -> ``imo``, ``MMSI`` -> ``mmsi``,
``Vessel Flag`` (when ``vesselInfo`` has none) -> ``flag``, ``Former Vessel Flag`` ->
``former_flags``, ``Other Vessel Flag`` -> extra ``other_flags``, ``Vessel Year of Build`` ->
extra ``year_built``, ``Linked To`` (or a ``Linked To: X`` clause of ``remarks``) ->
``linked_to``; ``vesselInfo`` -> ``call_sign``, ``vessel_type``, ``flag``, ``owners``, extra
``tonnage`` and ``gross_tonnage`` (Int64); ``Company Number`` / ``Identification Number``
``IMO n`` on a party -> ``company_imo``. Like the CSV, the file carries no listing date.

>>> xml = (b'<sdnList xmlns="http://tempuri.org/sdnList.xsd"><sdnEntry><uid>4249</uid>'
...        b'<lastName>TIFON</lastName><sdnType>Vessel</sdnType><programList><program>CUBA</program>'
...        b'</programList><idList><id><uid>1</uid><idType>Vessel Registration Identification</idType>'
...        b'<idNumber>IMO 7206512</idNumber></id></idList><vesselInfo><callSign>CL2059</callSign>'
...        b'<vesselType>Tug</vesselType><vesselFlag>Cuba</vesselFlag></vesselInfo></sdnEntry></sdnList>')
>>> read_ofac_sdn_xml(xml).vessels[["entry_id", "imo", "call_sign", "flag"]].to_dict("records")
[{'entry_id': 'ofac_sdn:4249', 'imo': 7206512, 'call_sign': 'CL2059', 'flag': 'CU'}]
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element

from vesselscreen.errors import FormatError
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
from vesselscreen.lists.ofac_xml import _company_imo
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["DEFAULT_SOURCE", "EXTRA_COLUMNS", "FORMAT", "ROOT", "read_ofac_sdn_xml"]

FORMAT: Final = "ofac_sdn_xml"
ROOT: Final = "sdnList"
DEFAULT_SOURCE: Final = "ofac_sdn"
EXTRA_COLUMNS: Final = ("other_flags", "tonnage", "gross_tonnage", "year_built")
_EXTRA_DTYPES: Final = {"tonnage": "Int64", "gross_tonnage": "Int64", "year_built": "Int64"}
_LINKED = re.compile(r"(?:^|;\s*)Linked To:\s*([^;]+?)\.?\s*(?=;|$)")
# idType (lower case) -> record key of a vessel; list keys collect every value
_VESSEL_IDS: Final = {
    "vessel registration identification": "imo",
    "mmsi": "mmsi",
    "vessel flag": "flag",
    "former vessel flag": "former_flags",
    "other vessel flag": "other_flags",
    "vessel year of build": "year_built",
    "linked to": "linked_to",
}
_LIST_KEYS: Final = frozenset({"former_flags", "other_flags", "linked_to"})


def read_ofac_sdn_xml(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read OFAC's legacy ``sdn.xml`` (or ``consolidated.xml``) into a :class:`Watchlist`."""
    stream = StreamInput.of(data)
    builder = WatchlistBuilder(
        stream.label,
        source=source,
        format=FORMAT,
        id_name="uid",
        merge_reason="same uid",
        extras=EXTRA_COLUMNS,
        extra_dtypes=_EXTRA_DTYPES,
    )
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != ROOT:
            raise FormatError(stream.label, f"not an OFAC sdn.xml (root element {root!r}, expected {ROOT!r})")
        for number, (_, entry) in enumerate(iter_records(fh, stream.label, {"sdnEntry"}, builder.log), 1):
            ns = namespace_of(entry.tag)
            uid = text_of(entry.find(ns + "uid"))
            where = f"<sdnEntry> record {number}"
            kind = (text_of(entry.find(ns + "sdnType")) or "entity").lower()
            record = _common(entry, ns, uid)
            if kind == "vessel":
                builder.add(VESSEL, _vessel(entry, ns, record), raw=where)
            else:
                record["entity_type"] = kind
                ids = _ids(entry, ns)
                record["company_imo"] = next((imo for t, n in ids if (imo := _company_imo(t, n))), None)
                record["countries"] = [
                    text_of(e) for e in entry.iterfind(qualified("addressList/address/country", ns))
                ]
                record["linked_to"] = _links(record.get("remarks"), ids)
                builder.add(PARTY, record, raw=where)
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=stream.sha256())


def _full_name(element: Element, ns: str) -> str | None:
    first, last = text_of(element.find(ns + "firstName")), text_of(element.find(ns + "lastName"))
    return f"{last}, {first}" if first and last else last or first


def _common(entry: Element, ns: str, uid: str | None) -> Record:
    return {
        "id": uid,
        "name": _full_name(entry, ns),
        "aliases": [_full_name(aka, ns) for aka in entry.iterfind(qualified("akaList/aka", ns))],
        "programs": [text_of(p) for p in entry.iterfind(qualified("programList/program", ns))],
        "remarks": text_of(entry.find(ns + "remarks")),
    }


def _ids(entry: Element, ns: str) -> list[tuple[str | None, str | None]]:
    return [
        (text_of(i.find(ns + "idType")), text_of(i.find(ns + "idNumber")))
        for i in entry.iterfind(qualified("idList/id", ns))
    ]


def _links(remarks: object, ids: list[tuple[str | None, str | None]]) -> list[str]:
    links = [n for t, n in ids if n and (t or "").strip().rstrip(":").lower() == "linked to"]
    if isinstance(remarks, str):
        links += [m.strip() for m in _LINKED.findall(remarks)]
    return links


def _vessel(entry: Element, ns: str, record: Record) -> Record:
    info = entry.find(ns + "vesselInfo")

    def field(name: str) -> str | None:
        return text_of(info.find(ns + name)) if info is not None else None

    ids = _ids(entry, ns)
    for id_type, number in ids:
        key = _VESSEL_IDS.get((id_type or "").strip().rstrip(":").lower())
        if key is None or number is None or key == "linked_to":
            continue
        if key in _LIST_KEYS:
            values = record.setdefault(key, [])
            if isinstance(values, list):
                values.append(number)
        elif record.get(key) is None:
            record[key] = number
    others = record.get("other_flags")
    record["other_flags"] = "; ".join(others) if isinstance(others, list) and others else None
    record["flag"] = field("vesselFlag") or record.get("flag")
    record["call_sign"] = field("callSign")
    record["vessel_type"] = field("vesselType")
    owner = field("vesselOwner")
    record["owners"] = [owner] if owner else []
    record["tonnage"] = (field("tonnage") or "").replace(",", "") or None
    record["gross_tonnage"] = (field("grossRegisteredTonnage") or "").replace(",", "") or None
    record["linked_to"] = _links(record.get("remarks"), ids)
    return record
