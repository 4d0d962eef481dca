"""The UK Sanctions List (FCDO), CSV and XML, into a Watchlist.

Layout: the first row is metadata (``Report Date: ...``), the second the header; one row
per designation per name (``Name type`` = ``Primary Name`` or ``Alias``), merged here by
``Unique ID`` into one entry (entry id ``"uk:<Unique ID>"``; the report counts the extra
rows as merged). Rows with ``Designation Type`` = ``Ship`` become vessels, all others
(Individual, Entity) parties.

Mapping: ``Name 1`` .. ``Name 6`` joined -> ``name`` / ``aliases``; ``IMO number`` ->
``imo``; ``Current believed flag of ship`` -> ``flag``; ``Previous flags`` ->
``former_flags``; ``Type of ship`` -> ``vessel_type``; ``Current owner/operator (s)`` ->
``owners`` and ``linked_to``; ``Previous owner/operator (s)`` -> ``linked_to``;
``Regime Name`` -> ``programs``; ``Date Designated`` (dd/mm/yyyy) -> ``listed_on``;
``Address Country`` -> party ``countries``; ``Other Information`` -> ``remarks``. Extra vessel
columns: ``tonnage`` (``Tonnage of ship``), ``length`` (``Length of ship``), ``year_built``
(``Year Built``), ``hin`` (``Hull identification number (HIN)``), kept as text.

>>> csv_bytes = (b"Report Date: 03-May-2024\\n"
...     b"Unique ID,Name 6,Name type,Regime Name,Designation Type,Date Designated,IMO number\\n"
...     b"RUS9999,FIXTURE TANKER,Primary Name,Russia,Ship,09/05/2023,9999993\\n")
>>> wl = read_uk_csv(csv_bytes)
>>> wl.vessels.loc[0, "entry_id"], int(wl.vessels.loc[0, "imo"]), str(wl.vessels.loc[0, "listed_on"].date())
('uk:RUS9999', 9999993, '2023-05-09')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from xml.etree.ElementTree import Element

from vesselscreen.errors import FormatError
from vesselscreen.lists._io import ListSource, RawSource, sha256_of
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder, split_values
from vesselscreen.lists._stream import (
    StreamInput,
    iter_records,
    namespace_of,
    qualified,
    root_element,
    text_of,
)
from vesselscreen.lists._tabular import as_raw, read_table, require
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "CSV_FORMAT",
    "DEFAULT_SOURCE",
    "EXTRA_COLUMNS",
    "XML_FORMAT",
    "XML_ROOT",
    "looks_like_uk_csv",
    "read_uk_csv",
    "read_uk_xml",
]

CSV_FORMAT: Final = "uk_csv"
XML_FORMAT: Final = "uk_xml"
XML_ROOT: Final = "Designations"
DEFAULT_SOURCE: Final = "uk"
EXTRA_COLUMNS: Final = ("tonnage", "length", "year_built", "hin")
_ID: Final = "Unique ID"
_KIND: Final = "Designation Type"
_NAMES: Final = [f"Name {i}" for i in range(1, 7)]
_NAME_TYPE: Final = "Name type"
_SHIP: Final = "ship"
_MERGE_REASON: Final = "another row of the same Unique ID"
_SCALARS: Final = {
    "imo": "IMO number",
    "flag": "Current believed flag of ship",
    "vessel_type": "Type of ship",
    "remarks": "Other Information",
    "tonnage": "Tonnage of ship",
    "length": "Length of ship",
    "year_built": "Year Built",
    "hin": "Hull identification number (HIN)",
}
_OWNERS: Final = "Current owner/operator (s)"
_PREVIOUS_OWNERS: Final = "Previous owner/operator (s)"


def looks_like_uk_csv(text: str) -> bool:
    """Whether the start of a file is the UK Sanctions List CSV (metadata row, then header)."""
    head = "\n".join(text.lstrip("\ufeff").splitlines()[:2])
    return "Unique ID" in head and "Designation Type" in head


def _builder(label: str, source: str, format: str) -> WatchlistBuilder:
    return WatchlistBuilder(
        label, source=source, format=format, id_name=_ID, merge_reason=_MERGE_REASON, extras=EXTRA_COLUMNS
    )


def read_uk_csv(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read the UK Sanctions List CSV (layout in the module docstring) into a :class:`Watchlist`.

    Each row is a record; the rows of one ``Unique ID`` are merged into one entry (counted
    as merged), a row without a ``Unique ID`` is rejected with its line.
    """
    raw = as_raw(data)
    builder = _builder(raw.label, source, CSV_FORMAT)
    has_metadata_row = b"Unique ID" not in raw.data.split(b"\n", 1)[0]
    frame, _ = read_table(raw, builder.log, skip_rows=1 if has_metadata_row else 0)
    require(frame, [_ID, _KIND], raw.label)
    columns = list(frame.columns)
    for line, values in zip(frame.index, frame.astype(object).itertuples(index=False), strict=True):
        cells = {c: v if isinstance(v, str) else None for c, v in zip(columns, values, strict=True)}
        name = " ".join(" ".join(cells.get(part) or "" for part in _NAMES).split()) or None
        primary = (cells.get(_NAME_TYPE) or "Primary Name").lower().startswith("primary")
        kind, record = _record(cells, name if primary else None, [] if primary or name is None else [name])
        builder.add(kind, record, line=int(line))
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))


def _record(cells: Mapping[str, str | None], name: str | None, aliases: list[str]) -> tuple[str, Record]:
    """One designation's values (the CSV's columns) as a vessel or party record."""
    kind = (cells.get(_KIND) or "").strip()
    owners = split_values(cells.get(_OWNERS))
    record: Record = {
        "id": cells.get(_ID),
        "name": name,
        "aliases": aliases,
        "programs": split_values(cells.get("Regime Name")),
        "listed_on": [cells.get("Date Designated")],
        "remarks": cells.get("Other Information"),
    }
    if kind.lower() != _SHIP:
        record.update(entity_type=kind or None, countries=split_values(cells.get("Address Country")))
        return PARTY, record
    record.update({key: cells.get(column) for key, column in _SCALARS.items()})
    record["former_flags"] = split_values(cells.get("Previous flags"))
    record["owners"] = owners
    # a current owner is also a link, so ownership screening finds the ship from either side
    record["linked_to"] = owners + split_values(cells.get(_PREVIOUS_OWNERS))
    return VESSEL, record


# XML path (relative to Designation) -> the CSV column it fills; several values are "; "-joined
_XML_FIELDS: Final = {
    "LastUpdated": "Last Updated",
    "UniqueID": "Unique ID",
    "IndividualEntityShip": "Designation Type",
    "RegimeName": "Regime Name",
    "DateDesignated": "Date Designated",
    "OtherInformation": "Other Information",
    "Addresses/Address/AddressCountry": "Address Country",
    "ShipDetails/Ship/IMONumbers/IMONumber": "IMO number",
    "ShipDetails/Ship/CurrentOwnerOperators/CurrentOwnerOperator": "Current owner/operator (s)",
    "ShipDetails/Ship/PreviousOwnerOperators/PreviousOwnerOperator": "Previous owner/operator (s)",
    "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip": "Current believed flag of ship",
    "ShipDetails/Ship/PreviousFlags/PreviousFlag": "Previous flags",
    "ShipDetails/Ship/TypeOfShipDetails/TypeOfShip": "Type of ship",
    "ShipDetails/Ship/TonnageOfShipDetails/TonnageOfShip": "Tonnage of ship",
    "ShipDetails/Ship/LengthOfShipDetails/LengthOfShip": "Length of ship",
    "ShipDetails/Ship/YearBuiltDetails/YearBuilt": "Year Built",
    "ShipDetails/Ship/HullIdentificationNumbers/HullIdentificationNumber": "Hull identification number (HIN)",
}
_XML_NAME_PARTS: Final = {f"Name{i}": f"Name {i}" for i in range(1, 7)}


def read_uk_xml(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read the UK Sanctions List XML (root ``Designations``) into a :class:`Watchlist`, streamed.

    Each ``Designation`` is one record, its values taken into the CSV's columns and mapped
    like a CSV row (the first primary name is the name, the other names aliases), so both
    forms of the list give the same watchlist:
    ``UniqueID``, ``IndividualEntityShip``, ``Names/Name/{Name1..Name6, NameType}``,
    ``RegimeName``, ``DateDesignated``, ``OtherInformation``, ``Addresses/Address/AddressCountry``
    and ``ShipDetails/Ship/{IMONumbers/IMONumber, CurrentOwnerOperators/CurrentOwnerOperator,
    PreviousOwnerOperators/PreviousOwnerOperator, CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip,
    PreviousFlags/PreviousFlag, TypeOfShipDetails/TypeOfShip, TonnageOfShipDetails/TonnageOfShip,
    LengthOfShipDetails/LengthOfShip, YearBuiltDetails/YearBuilt,
    HullIdentificationNumbers/HullIdentificationNumber}``.

    >>> xml = (b"<Designations><Designation><UniqueID>RUS9999</UniqueID><Names><Name><Name6>FIXTURE"
    ...        b" TANKER</Name6><NameType>Primary Name</NameType></Name></Names><RegimeName>Russia"
    ...        b"</RegimeName><IndividualEntityShip>Ship</IndividualEntityShip><ShipDetails><Ship>"
    ...        b"<IMONumbers><IMONumber>9999993</IMONumber></IMONumbers></Ship></ShipDetails>"
    ...        b"<DateDesignated>09/05/2023</DateDesignated></Designation></Designations>")
    >>> read_uk_xml(xml).vessels[["entry_id", "name", "imo"]].to_dict("records")
    [{'entry_id': 'uk:RUS9999', 'name': 'FIXTURE TANKER', 'imo': 9999993}]
    """
    stream = StreamInput.of(data)
    builder = _builder(stream.label, source, XML_FORMAT)
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != XML_ROOT:
            raise FormatError(
                stream.label, f"not a UK Sanctions List XML (root element {root!r}, expected {XML_ROOT!r})"
            )
        for number, (_, designation) in enumerate(
            iter_records(fh, stream.label, {"Designation"}, builder.log), 1
        ):
            cells, names = _designation(designation)
            primary = next((name for name, is_primary in names if is_primary), None)
            aliases = [name for name, _ in names if name != primary]
            kind, record = _record(cells, primary, aliases)
            builder.add(kind, record, raw=f"<Designation> record {number}")
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=stream.sha256())


def _designation(designation: Element) -> tuple[dict[str, str | None], list[tuple[str, bool]]]:
    """The CSV's columns of one designation (several values "; "-joined) and its names."""
    ns = namespace_of(designation.tag)
    cells: dict[str, str | None] = {}
    for path, column in _XML_FIELDS.items():
        values = [v for e in designation.iterfind(qualified(path, ns)) if (v := text_of(e))]
        cells[column] = "; ".join(values) if values else None
    names: list[tuple[str, bool]] = []
    for element in designation.iterfind(qualified("Names/Name", ns)):
        parts = [text_of(element.find(ns + part)) for part in _XML_NAME_PARTS]
        joined = " ".join(" ".join(p for p in parts if p).split())
        if joined:
            name_type = text_of(element.find(ns + "NameType")) or "Primary Name"
            names.append((joined, name_type.lower().startswith("primary")))
    return cells, names
