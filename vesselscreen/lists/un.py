"""UN lists: the Security Council consolidated list (XML, streamed) and the 1718 vessels table.

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

The 1718 Committee (DPRK) publishes its designated vessels as a web table, not as a data
file; :func:`read_un_1718_csv` reads it in this documented CSV layout (UTF-8,
comma-separated, one row per vessel, header names as in :data:`UN_1718_COLUMNS`, order
free; ``Vessel name``, ``IMO number`` and ``Date of designation`` are required):
``Vessel name`` -> ``name``; ``IMO number`` -> ``imo``; ``Designated owner`` -> ``owners``
and ``linked_to`` (``;``-separated); ``MMSI``; ``Flag`` -> ``flag``; ``Call sign``;
``Type`` -> ``vessel_type``; ``Date of designation`` (ISO or dd/mm/yyyy) -> ``listed_on``.
Entry ids are ``"un_1718:<IMO number>"`` (the row number without one); a second row with
the same IMO number is merged into the first (counted as merged, its name kept as an
alias); ``programs`` is ``["DPRK (UNSCR 1718)"]``.

>>> wl = read_un_1718_csv(b"Vessel name,IMO number,Designated owner,Date of designation\\n"
...                       b"FIXTURE DPRK TANKER,9999981,FIXTURE DPRK SHIPPING CO,2018-03-30\\n")
>>> wl.vessels[["entry_id", "imo", "owners"]].to_dict("records")
[{'entry_id': 'un_1718:9999981', 'imo': 9999981, 'owners': ['FIXTURE DPRK SHIPPING CO']}]
"""

from __future__ import annotations

import re
from typing import Final
from xml.etree.ElementTree import Element

from vesselscreen.errors import FormatError
from vesselscreen.lists._io import ListSource, RawSource, sha256_of
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder
from vesselscreen.lists._stream import StreamInput, iter_records, root_element, text_of
from vesselscreen.lists._tabular import as_raw, read_table, records_of, require
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "DEFAULT_SOURCE",
    "FORMAT",
    "ROOT",
    "UN_1718_COLUMNS",
    "UN_1718_FORMAT",
    "UN_1718_SOURCE",
    "looks_like_un_1718_csv",
    "read_un_1718_csv",
    "read_un_xml",
]

FORMAT: Final = "un_xml"
DEFAULT_SOURCE: Final = "un"
ROOT: Final = "CONSOLIDATED_LIST"
_IMO_IN_COMMENTS = re.compile(r"\bIMO\s+(?:number|no\.?)\s*:?\s*(\d{7})\b", re.IGNORECASE)
_NAME_PARTS: Final = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
UN_1718_FORMAT: Final = "un_1718_csv"
UN_1718_SOURCE: Final = "un_1718"
UN_1718_COLUMNS: Final = (
    "Vessel name",
    "IMO number",
    "Designated owner",
    "MMSI",
    "Flag",
    "Call sign",
    "Type",
    "Date of designation",
)
_UN_1718_REQUIRED: Final = ("Vessel name", "IMO number", "Date of designation")
_UN_1718_PROGRAM: Final = "DPRK (UNSCR 1718)"


def read_un_xml(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read the UN consolidated list XML into a :class:`Watchlist` (entities only).

    ``data`` is a path (streamed from disk), bytes or a binary file object.
    """
    stream = StreamInput.of(data)
    builder = WatchlistBuilder(
        stream.label, source=source, format=FORMAT, id_name="REFERENCE_NUMBER or DATAID"
    )
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != ROOT:
            raise FormatError(
                stream.label, f"not a UN consolidated list (root element {root!r}, expected {ROOT!r})"
            )
        records = iter_records(fh, stream.label, {"INDIVIDUAL", "ENTITY"}, builder.log)
        for number, (name, element) in enumerate(records, 1):
            record = _record(element, "individual" if name == "INDIVIDUAL" else "entity")
            builder.add(PARTY, record, raw=f"<{name}> record {number}")
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=stream.sha256())


def _record(element: Element, entity_type: str) -> Record:
    entry_id = text_of(element.find("REFERENCE_NUMBER")) or text_of(element.find("DATAID"))
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


def looks_like_un_1718_csv(text: str) -> bool:
    """Whether the first line is a 1718 designated-vessels header.

    >>> looks_like_un_1718_csv("Vessel name,IMO number,Designated owner,Date of designation\\n")
    True
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    header = {part.strip().strip('"').strip().lower() for part in first.split(",")}
    return {c.lower() for c in _UN_1718_REQUIRED} <= header and "date of designation" in header


def read_un_1718_csv(data: ListSource | RawSource, *, source: str = UN_1718_SOURCE) -> Watchlist:
    """Read the 1718 Committee designated vessels (layout in the module docstring)."""
    raw = as_raw(data)
    builder = WatchlistBuilder(
        raw.label, source=source, format=UN_1718_FORMAT, id_name="IMO number", merge_reason="same IMO number"
    )
    frame, numbers = read_table(raw, builder.log)
    require(frame, _UN_1718_REQUIRED, raw.label)
    mapping = {
        "name": "Vessel name",
        "imo": "IMO number",
        "owners": "Designated owner",
        "mmsi": "MMSI",
        "flag": "Flag",
        "call_sign": "Call sign",
        "vessel_type": "Type",
        "listed_on": "Date of designation",
    }
    for (line, record), number in zip(records_of(frame, mapping), numbers, strict=True):
        owners = record.get("owners")
        record.update(id=record.get("imo") or str(number), programs=[_UN_1718_PROGRAM], linked_to=owners)
        builder.add(VESSEL, record, line=line)
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))
