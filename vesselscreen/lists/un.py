"""The UN Security Council consolidated list (XML) into a Watchlist, streamed.

Root ``CONSOLIDATED_LIST`` with ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``
records. The list carries no vessels: every record goes to ``Watchlist.entities``.

Mapping: ``REFERENCE_NUMBER`` (e.g. ``KPe.020``; ``DATAID`` if missing) -> entry id
``"un:<ref>"``; ``FIRST_NAME`` .. ``FOURTH_NAME`` joined -> ``name``; ``*_ALIAS/ALIAS_NAME``
-> ``aliases``; ``UN_LIST_TYPE`` -> ``programs``; ``LISTED_ON`` -> ``listed_on``;
``*_ADDRESS/COUNTRY`` and ``NATIONALITY/VALUE`` -> ``countries``; ``COMMENTS1`` ->
``remarks``. Shipping companies state their IMO company number in the comments
(``IMO number: 5342883.``): it becomes ``company_imo``, checked with the company check
digit (an invalid one is flagged in the report and left NA).

>>> xml = (b'<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>KOREA SAMJONG'
...        b' SHIPPING</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.064'
...        b'</REFERENCE_NUMBER><LISTED_ON>2018-03-30</LISTED_ON><COMMENTS1>IMO number: 5954061.'
...        b'</COMMENTS1></ENTITY></ENTITIES></CONSOLIDATED_LIST>')
>>> read_un_xml(xml).entities[["entry_id", "name", "company_imo"]].to_dict("records")
[{'entry_id': 'un:KPe.064', 'name': 'KOREA SAMJONG SHIPPING', 'company_imo': 5954061}]
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element

from vesselscreen.errors import FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource
from vesselscreen.lists._records import Record, build_watchlist
from vesselscreen.lists._stream import StreamInput, iter_records, root_element, text_of
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["DEFAULT_SOURCE", "FORMAT", "ROOT", "read_un_xml"]

FORMAT: Final = "un_xml"
DEFAULT_SOURCE: Final = "un"
ROOT: Final = "CONSOLIDATED_LIST"
_IMO_IN_COMMENTS = re.compile(r"\bIMO\s+(?:number|no\.?)\s*:?\s*(\d{7})\b", re.IGNORECASE)
_NAME_PARTS: Final = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def read_un_xml(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read the UN consolidated list XML into a :class:`Watchlist` (entities only).

    ``data`` is a path (streamed from disk), bytes or a binary file object.
    """
    stream = StreamInput.of(data)
    log = RejectionLog(stream.label)
    entities: list[Record] = []
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != ROOT:
            raise FormatError(
                stream.label, f"not a UN consolidated list (root element {root!r}, expected {ROOT!r})"
            )
        for name, element in iter_records(fh, stream.label, {"INDIVIDUAL", "ENTITY"}):
            record = _record(element, "individual" if name == "INDIVIDUAL" else "entity")
            if record is None:
                log.reject(f"{name} without REFERENCE_NUMBER or DATAID")
                continue
            log.accept()
            entities.append(record)
    return build_watchlist(
        [],
        entities,
        source=source,
        format=FORMAT,
        location=stream.location,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
        log=log,
    )


def _record(element: Element, entity_type: str) -> Record | None:
    entry_id = text_of(element.find("REFERENCE_NUMBER")) or text_of(element.find("DATAID"))
    if entry_id is None:
        return None
    parts = [text_of(element.find(part)) for part in _NAME_PARTS]
    comments = text_of(element.find("COMMENTS1"))
    imo = _IMO_IN_COMMENTS.search(comments or "")
    countries = [text_of(e) for e in element.iterfind("*/COUNTRY")]
    countries += [text_of(e) for e in element.iterfind("NATIONALITY/VALUE")]
    return {
        "id": entry_id,
        "entity_type": entity_type,
        "name": " ".join(p for p in parts if p) or None,
        "aliases": [text_of(e) for e in element.iterfind("*/ALIAS_NAME")],
        "company_imo": imo.group(1) if imo else None,
        "countries": countries,
        "programs": [text_of(element.find("UN_LIST_TYPE"))],
        "listed_on": text_of(element.find("LISTED_ON")),
        "remarks": comments,
    }
