"""EU lists: the Financial Sanctions File (XML and CSV) and Annex XLII vessels of Regulation 833/2014.

The Financial Sanctions File (FSF) lists the parties under EU restrictive measures
(:func:`read_eu_fsf_xml`, :func:`read_eu_fsf_csv`, source ``eu_fsf``); vessels appear in
it only as enterprises with an ``imo`` identification.

Annex XLII lists the vessels subject to the port-access and services ban by name, IMO
number and date of listing. The EU publishes it inside the Official Journal, not as a
data file, so vesselscreen reads it in this documented CSV layout (UTF-8, comma-separated,
one row per vessel, header names as below, column order free):

================= =====================================================
column            meaning
================= =====================================================
``Vessel name``   name as listed
``IMO number``    IMO ship number (check digit checked)
``Date of listing`` ISO date (``2024-06-24``) or ``dd.mm.yyyy``
================= =====================================================

Entry ids are ``"eu_annex_xlii:<IMO number>"`` (the row number when the IMO is empty); a
second row with the same IMO number is merged into the first (counted as merged, its name
kept as an alias); ``programs`` is ``["RUSSIA (833/2014 Annex XLII)"]``.

>>> wl = read_eu_annex_xlii(b"Vessel name,IMO number,Date of listing\\nFIXTURE TANKER,9999993,24.06.2024\\n")
>>> wl.vessels.loc[0, "entry_id"], str(wl.vessels.loc[0, "listed_on"].date())
('eu_annex_xlii:9999993', '2024-06-24')
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from vesselscreen.errors import FormatError, IdentifierError
from vesselscreen.identifiers import parse_imo
from vesselscreen.lists._io import ListSource, RawSource, sha256_of
from vesselscreen.lists._records import PARTY, VESSEL, Record, WatchlistBuilder
from vesselscreen.lists._stream import StreamInput, iter_records, namespace_of, root_element, text_of
from vesselscreen.lists._tabular import as_raw, read_table, records_of, require
from vesselscreen.lists.watchlist import Watchlist

__all__ = [
    "ANNEX_XLII_COLUMNS",
    "ANNEX_XLII_FORMAT",
    "ANNEX_XLII_SOURCE",
    "FSF_CSV_FORMAT",
    "FSF_ROOT",
    "FSF_SOURCE",
    "FSF_XML_FORMAT",
    "looks_like_eu_fsf_csv",
    "read_eu_annex_xlii",
    "read_eu_fsf_csv",
    "read_eu_fsf_xml",
]

ANNEX_XLII_FORMAT: Final = "eu_annex_xlii_csv"
ANNEX_XLII_SOURCE: Final = "eu_annex_xlii"
ANNEX_XLII_COLUMNS: Final = ("Vessel name", "IMO number", "Date of listing")
_PROGRAM: Final = "RUSSIA (833/2014 Annex XLII)"


def read_eu_annex_xlii(data: ListSource | RawSource, *, source: str = ANNEX_XLII_SOURCE) -> Watchlist:
    """Read an Annex XLII vessel CSV (layout in the module docstring) into a :class:`Watchlist`."""
    raw = as_raw(data)
    builder = WatchlistBuilder(
        raw.label,
        source=source,
        format=ANNEX_XLII_FORMAT,
        id_name="IMO number",
        merge_reason="same IMO number",
    )
    frame, numbers = read_table(raw, builder.log)
    require(frame, ANNEX_XLII_COLUMNS, raw.label)
    mapping = {"name": "Vessel name", "imo": "IMO number", "listed_on": "Date of listing"}
    for (line, record), number in zip(records_of(frame, mapping, list_separator=None), numbers, strict=True):
        record.update(id=record.get("imo") or str(number), programs=[_PROGRAM])
        builder.add(VESSEL, record, line=line)
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))


# ----------------------------------------------------------------------------- Financial Sanctions File

FSF_XML_FORMAT: Final = "eu_fsf_xml"
FSF_CSV_FORMAT: Final = "eu_fsf_csv"
FSF_SOURCE: Final = "eu_fsf"
FSF_ROOT: Final = "export"
_FSF_RECORD: Final = "sanctionEntity"
_IMO_CODE: Final = "imo"
_PERSON: Final = "person"


def _is_ship_imo(number: str | None) -> bool:
    """A check-digit-valid IMO *ship* number: the EU lists vessels as enterprises with one."""
    if number is None:
        return False
    try:
        parse_imo(number)
    except IdentifierError:
        return False
    return True


def _fsf_record(
    entry_id: str | None, subject: str, names: list[str], imos: list[str], **values: object
) -> tuple[str, Record]:
    """A vessel record when the entity carries a ship IMO, else a party record."""
    ship_imo = next((n for n in imos if _is_ship_imo(n)), None)
    common: Record = {
        "id": entry_id,
        "name": names[0] if names else None,
        "aliases": names[1:],
        "programs": values.get("programs"),
        "listed_on": values.get("listed_on"),
        "remarks": values.get("remarks"),
    }
    if ship_imo is not None and subject != _PERSON:
        return VESSEL, {**common, "imo": ship_imo}
    company = next(iter(imos), None)
    kind = "individual" if subject == _PERSON else subject or "enterprise"
    return PARTY, {
        **common,
        "entity_type": kind,
        "company_imo": company,
        "countries": values.get("countries"),
    }


def read_eu_fsf_xml(data: ListSource | RawSource, *, source: str = FSF_SOURCE) -> Watchlist:
    """Read the EU Financial Sanctions File XML (root ``export``) into a :class:`Watchlist`, streamed.

    Each ``sanctionEntity`` (``logicalId`` -> ``eu_fsf:<logicalId>``) has ``nameAlias/@wholeName``
    (the first is the name, the rest aliases), ``identification`` (``identificationTypeCode``
    ``imo`` + ``number``), ``regulation`` (``programme``; the earliest ``publicationDate``,
    else ``entryIntoForceDate`` -> ``listed_on``), ``subjectType/@code`` (``person`` or
    ``enterprise``), ``address`` / ``citizenship`` ``countryIso2Code`` and ``remark``.
    An enterprise whose ``imo`` identification is a valid IMO *ship* number is a vessel;
    any other IMO identification is a company number (``company_imo``).

    >>> xml = (b'<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="9001">'
    ...        b'<regulation programme="RUS" publicationDate="2024-06-24"/><subjectType code="enterprise"/>'
    ...        b'<nameAlias wholeName="FIXTURE TANKER"/>'
    ...        b'<identification identificationTypeCode="imo" number="9999993"/></sanctionEntity></export>')
    >>> read_eu_fsf_xml(xml).vessels[["entry_id", "imo", "programs"]].to_dict("records")
    [{'entry_id': 'eu_fsf:9001', 'imo': 9999993, 'programs': ['RUS']}]
    """
    stream = StreamInput.of(data)
    builder = WatchlistBuilder(stream.label, source=source, format=FSF_XML_FORMAT, id_name="logicalId")
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != FSF_ROOT:
            raise FormatError(
                stream.label, f"not an EU Financial Sanctions File (root {root!r}, expected 'export')"
            )
        for number, (_, element) in enumerate(iter_records(fh, stream.label, {_FSF_RECORD}, builder.log), 1):
            ns = namespace_of(element.tag)
            entry_id = element.get("logicalId")
            subject_el = element.find(ns + "subjectType")
            subject = (subject_el.get("code") or "").lower() if subject_el is not None else ""
            names = [
                n for a in element.iterfind(ns + "nameAlias") if (n := (a.get("wholeName") or "").strip())
            ]
            imos = [
                (i.get("number") or "").strip()
                for i in element.iterfind(ns + "identification")
                if (i.get("identificationTypeCode") or "").lower() == _IMO_CODE
            ]
            regulations = list(element.iterfind(ns + "regulation"))
            dates = [d for r in regulations if (d := r.get("publicationDate") or r.get("entryIntoForceDate"))]
            countries = [
                c
                for tag in ("address", "citizenship")
                for e in element.iterfind(ns + tag)
                if (c := (e.get("countryIso2Code") or "").strip()) and c != "00"
            ]
            kind, record = _fsf_record(
                entry_id,
                subject,
                list(dict.fromkeys(names)),
                imos,
                programs=[p for r in regulations if (p := r.get("programme"))],
                listed_on=min(dates) if dates else None,
                remarks=text_of(element.find(ns + "remark")),
                countries=countries,
            )
            builder.add(kind, record, raw=f"<sanctionEntity> record {number}")
    return builder.build(location=stream.location, retrieved_at=stream.retrieved_at, sha256=stream.sha256())


_FSF_CSV_REQUIRED: Final = ("Entity_LogicalId", "Entity_SubjectType", "NameAlias_WholeName")


def looks_like_eu_fsf_csv(text: str) -> bool:
    """Whether the first line is the FSF CSV header (``;``-separated, ``Entity_LogicalId``...).

    >>> looks_like_eu_fsf_csv("\\ufefffileGenerationDate;Entity_LogicalId;Entity_SubjectType\\n")
    True
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "Entity_LogicalId" in first and ";" in first


def read_eu_fsf_csv(data: ListSource | RawSource, *, source: str = FSF_SOURCE) -> Watchlist:
    """Read the EU Financial Sanctions File CSV (``;``-separated, BOM) into a :class:`Watchlist`.

    One row per entity per name, address, identification... (the columns as published:
    ``Entity_LogicalId``, ``Entity_SubjectType``, ``Entity_Regulation_Programme``,
    ``Entity_Regulation_PublicationDate``, ``NameAlias_WholeName``,
    ``Identification_TypeCode``, ``Identification_Number``, ``Address_CountryIso2Code``,
    ``Citizenship_CountryIso2Code``, ``Entity_Remark``), grouped by ``Entity_LogicalId``
    with the same mapping and vessel rule as :func:`read_eu_fsf_xml`.
    """
    raw = as_raw(data)
    builder = WatchlistBuilder(
        raw.label,
        source=source,
        format=FSF_CSV_FORMAT,
        id_name="Entity_LogicalId",
        merge_reason="another row of the same Entity_LogicalId",
    )
    frame, _ = read_table(raw, builder.log, separator=";")
    require(frame, _FSF_CSV_REQUIRED, raw.label)
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    ids = frame["Entity_LogicalId"]
    code = frame.get("Identification_TypeCode", empty).str.lower()
    imo = frame.get("Identification_Number", empty).where(code == _IMO_CODE)
    subject = frame["Entity_SubjectType"].str.lower()
    not_person = subject.ne(_PERSON).fillna(True)  # no subject type: not a person either
    ship = (imo.map(_is_ship_imo, na_action="ignore").astype("boolean") & not_person).fillna(False)
    # an entity is a vessel when any of its rows carries a ship IMO (as in the XML)
    vessel_ids = set(ids[ship.to_numpy(dtype=bool)].dropna())
    published = frame.get("Entity_Regulation_PublicationDate", empty)
    countries = frame.get("Address_CountryIso2Code", empty).fillna(
        frame.get("Citizenship_CountryIso2Code", empty)
    )
    frame = frame.assign(
        _date=published.fillna(frame.get("Entity_Regulation_EntryIntoForceDate", empty)),
        _imo=imo.where(ship),
        _company_imo=imo.where(~ship),
        _countries=countries.where(countries != "00"),
    )
    mapping = {
        "id": "Entity_LogicalId",
        "name": "NameAlias_WholeName",
        "programs": "Entity_Regulation_Programme",
        "listed_on": "_date",
        "remarks": "Entity_Remark",
        "subject": "Entity_SubjectType",
        "imo": "_imo",
        "company_imo": "_company_imo",
        "countries": "_countries",
    }
    for line, record in records_of(frame, mapping, list_separator=None):
        subject_type = str(record.pop("subject", "") or "").lower()
        if record.get("id") in vessel_ids:
            record.pop("company_imo", None)
            record.pop("countries", None)
            builder.add(VESSEL, record, line=line)
        else:
            record.pop("imo", None)
            record["entity_type"] = "individual" if subject_type == _PERSON else subject_type or "enterprise"
            builder.add(PARTY, record, line=line)
    return builder.build(location=raw.location, retrieved_at=raw.retrieved_at, sha256=sha256_of([raw.data]))
