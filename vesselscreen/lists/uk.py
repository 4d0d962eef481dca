"""The UK Sanctions List (FCDO), CSV and XML, into a Watchlist.

Layout: the first row is metadata (``Report Date: ...``), the second the header; one row
per designation per name (``Name type`` = ``Primary Name`` or ``Alias``), grouped here by
``Unique ID`` (entry id ``"uk:<Unique ID>"``). Rows with ``Designation Type`` = ``Ship``
become vessels, all others (Individual, Entity) parties.

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

from datetime import datetime
from typing import Final
from xml.etree.ElementTree import Element

import pandas as pd

from vesselscreen.errors import FormatError
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource, read_raw
from vesselscreen.lists._stream import (
    StreamInput,
    iter_records,
    namespace_of,
    qualified,
    root_element,
    text_of,
)
from vesselscreen.lists._tabular import read_csv_frame, require
from vesselscreen.lists.frame import _build
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
_NAMES: Final = [f"Name {i}" for i in range(1, 7)]
_PRIMARY: Final = "_primary_name"
_ALIAS: Final = "_alias_name"
_MAPPING: Final = {
    "name": _PRIMARY,
    "aliases": _ALIAS,
    "imo": "IMO number",
    "flag": "Current believed flag of ship",
    "former_flags": "Previous flags",
    "vessel_type": "Type of ship",
    "owners": "Current owner/operator (s)",
    "linked_to": "Previous owner/operator (s)",
    "programs": "Regime Name",
    "listed_on": "Date Designated",
    "remarks": "Other Information",
    "countries": "Address Country",
    "tonnage": "Tonnage of ship",
    "length": "Length of ship",
    "year_built": "Year Built",
    "hin": "Hull identification number (HIN)",
}


def looks_like_uk_csv(text: str) -> bool:
    """Whether the start of a file is the UK Sanctions List CSV (metadata row, then header)."""
    head = "\n".join(text.lstrip("\ufeff").splitlines()[:2])
    return "Unique ID" in head and "Designation Type" in head


def read_uk_csv(data: ListSource | RawSource, *, source: str = DEFAULT_SOURCE) -> Watchlist:
    """Read the UK Sanctions List CSV (layout in the module docstring) into a :class:`Watchlist`."""
    raw = data if isinstance(data, RawSource) else read_raw(data)
    has_metadata_row = b"Unique ID" not in raw.data.split(b"\n", 1)[0]
    frame, stream = read_csv_frame(raw, skip_rows=1 if has_metadata_row else 0)
    require(frame, ["Unique ID", "Designation Type"], stream.label)
    return _from_frame(
        frame,
        source=source,
        format=CSV_FORMAT,
        location=stream.location,
        label=stream.label,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
    )


def _from_frame(
    frame: pd.DataFrame,
    *,
    source: str,
    format: str,
    location: str,
    label: str,
    retrieved_at: datetime,
    sha256: str,
    log: RejectionLog | None = None,
) -> Watchlist:
    """The watchlist from rows in the CSV's layout (one row per designation per name)."""
    present = [c for c in _NAMES if c in frame.columns]
    full = frame[present].apply(lambda col: col.str.strip()).fillna("")
    joined = full.agg(" ".join, axis=1).str.split().str.join(" ").astype("string")
    joined = joined.mask(joined == "")
    primary = frame.get("Name type", pd.Series("Primary Name", index=frame.index)).fillna("Primary Name")
    is_primary = primary.str.strip().str.lower().str.startswith("primary")
    frame = frame.assign(**{_PRIMARY: joined.where(is_primary), _ALIAS: joined.where(~is_primary)})
    mapping = {k: v for k, v in _MAPPING.items() if v in frame.columns}
    # a current owner is also a link, so ownership screening finds the ship from either side
    if "owners" in mapping:
        previous = (
            frame[mapping["linked_to"]] if "linked_to" in mapping else pd.Series(pd.NA, index=frame.index)
        )
        frame = frame.assign(_links=frame[mapping["owners"]].str.cat(previous, sep="; ", na_rep=""))
        mapping["linked_to"] = "_links"
    return _build(
        frame,
        mapping,
        source=source,
        format=format,
        id_column="Unique ID",
        kind="Designation Type",
        vessel_kinds=("ship",),
        list_separator=";",
        location=location,
        label=label,
        retrieved_at=retrieved_at,
        sha256=sha256,
        log=log,
        extras=EXTRA_COLUMNS,
    )


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

    Each ``Designation`` becomes the CSV's rows (one per ``Names/Name``) and goes through
    the CSV reader's mapping, so both forms of the list give the same watchlist:
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
    log = RejectionLog(stream.label)
    rows: list[dict[str, str | None]] = []
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != XML_ROOT:
            raise FormatError(
                stream.label, f"not a UK Sanctions List XML (root element {root!r}, expected {XML_ROOT!r})"
            )
        for _, designation in iter_records(fh, stream.label, {"Designation"}):
            rows.extend(_designation_rows(designation))
    frame = pd.DataFrame(rows, columns=[*_XML_FIELDS.values(), *_XML_NAME_PARTS.values(), "Name type"])
    frame = frame.astype("string")
    missing_id = frame["Unique ID"].isna()
    for _ in range(int(missing_id.sum())):
        log.reject("Designation without UniqueID")
    return _from_frame(
        frame.loc[~missing_id.to_numpy(dtype=bool)],
        source=source,
        format=XML_FORMAT,
        location=stream.location,
        label=stream.label,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
        log=log,
    )


def _designation_rows(designation: Element) -> list[dict[str, str | None]]:
    ns = namespace_of(designation.tag)
    common: dict[str, str | None] = {}
    for path, column in _XML_FIELDS.items():
        values = [v for e in designation.iterfind(qualified(path, ns)) if (v := text_of(e))]
        common[column] = "; ".join(values) if values else None
    rows = []
    for name in designation.iterfind(qualified("Names/Name", ns)):
        row = dict(common)
        for part, column in _XML_NAME_PARTS.items():
            row[column] = text_of(name.find(ns + part))
        row["Name type"] = text_of(name.find(ns + "NameType"))
        rows.append(row)
    return rows or [common]
