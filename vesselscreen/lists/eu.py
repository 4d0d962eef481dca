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

Entry ids are ``"eu_annex_xlii:<IMO number>"`` (the row number when the IMO is empty);
``programs`` is ``["RUSSIA (833/2014 Annex XLII)"]``.

>>> wl = read_eu_annex_xlii(b"Vessel name,IMO number,Date of listing\\nFIXTURE TANKER,9999993,24.06.2024\\n")
>>> wl.vessels.loc[0, "entry_id"], str(wl.vessels.loc[0, "listed_on"].date())
('eu_annex_xlii:9999993', '2024-06-24')
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from vesselscreen.errors import FormatError, IdentifierError
from vesselscreen.identifiers import parse_imo
from vesselscreen.ingest import RejectionLog
from vesselscreen.lists._io import ListSource, RawSource
from vesselscreen.lists._records import Record, build_watchlist
from vesselscreen.lists._stream import StreamInput, iter_records, namespace_of, root_element, text_of
from vesselscreen.lists._tabular import read_csv_frame, require
from vesselscreen.lists.frame import _build
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
    frame, stream = read_csv_frame(data)
    require(frame, list(ANNEX_XLII_COLUMNS), stream.label)
    rows = pd.Series(range(1, len(frame) + 1), index=frame.index).astype("string")
    dates = frame["Date of listing"].str.strip()
    # dd.mm.yyyy as the Official Journal prints it, to ISO
    dotted = dates.str.fullmatch(r"\d{2}\.\d{2}\.\d{4}").fillna(False)
    iso = dates.where(
        ~dotted, dates.str.slice(6, 10) + "-" + dates.str.slice(3, 5) + "-" + dates.str.slice(0, 2)
    )
    frame = frame.assign(_id=frame["IMO number"].str.strip().fillna(rows), _listed=iso, _program=_PROGRAM)
    mapping = {"name": "Vessel name", "imo": "IMO number", "listed_on": "_listed", "programs": "_program"}
    return _build(
        frame,
        mapping,
        source=source,
        format=ANNEX_XLII_FORMAT,
        id_column="_id",
        kind=None,
        vessel_kinds=(),
        list_separator=None,
        location=stream.location,
        label=stream.label,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
    )


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
    entry_id: str, subject: str, names: list[str], imos: list[str], **values: object
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
        return "vessel", {**common, "imo": ship_imo}
    company = next(iter(imos), None)
    kind = "individual" if subject == _PERSON else subject or "enterprise"
    return "entity", {
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
    log = RejectionLog(stream.label)
    vessels: list[Record] = []
    parties: list[Record] = []
    with stream.open() as fh:
        root = root_element(fh.peek(4096)[:4096])
        if root != FSF_ROOT:
            raise FormatError(
                stream.label, f"not an EU Financial Sanctions File (root {root!r}, expected 'export')"
            )
        for _, element in iter_records(fh, stream.label, {_FSF_RECORD}):
            ns = namespace_of(element.tag)
            entry_id = element.get("logicalId")
            if not entry_id:
                log.reject("sanctionEntity without a logicalId")
                continue
            log.accept()
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
            (vessels if kind == "vessel" else parties).append(record)
    return build_watchlist(
        vessels,
        parties,
        source=source,
        format=FSF_XML_FORMAT,
        location=stream.location,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
        log=log,
    )


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
    frame, stream = read_csv_frame(data, separator=";")
    require(frame, list(_FSF_CSV_REQUIRED), stream.label)
    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
    ids = frame["Entity_LogicalId"].str.strip()
    code = frame.get("Identification_TypeCode", empty).str.strip().str.lower()
    number = frame.get("Identification_Number", empty).str.strip()
    imo = number.where(code == _IMO_CODE)
    subject = frame["Entity_SubjectType"].str.strip().str.lower()
    ship = imo.map(_is_ship_imo, na_action="ignore").astype("boolean").fillna(False) & (subject != _PERSON)
    vessel_ids = set(ids[ship.to_numpy(dtype=bool)].dropna())
    kind = subject.where(~ids.isin(vessel_ids), "vessel").replace({_PERSON: "individual"})
    published = frame.get("Entity_Regulation_PublicationDate", empty)
    in_force = frame.get("Entity_Regulation_EntryIntoForceDate", empty)
    dates = published.fillna(in_force).str.strip()
    # the earliest regulation date per entity is its listing date (the rows are not in date order)
    first_date = dates.groupby(ids).transform("min")
    name = frame["NameAlias_WholeName"].str.strip()
    first_name = name.groupby(ids).transform("first")
    countries = frame.get("Address_CountryIso2Code", empty).fillna(
        frame.get("Citizenship_CountryIso2Code", empty)
    )
    frame = frame.assign(
        _kind=kind,
        _imo=imo.where(ship) if len(frame) else imo,
        _company_imo=imo.where(~ship),
        _listed=first_date,
        _name=first_name,
        _alias=name.where(name != first_name),
        _countries=countries.where(countries != "00"),
    )
    common = {
        "name": "_name",
        "aliases": "_alias",
        "programs": "Entity_Regulation_Programme",
        "listed_on": "_listed",
        "remarks": "Entity_Remark",
    }
    present = set(frame.columns)
    return _build(
        frame,
        {k: v for k, v in {**common, "imo": "_imo"}.items() if v in present},
        entity_mapping={
            k: v
            for k, v in {**common, "company_imo": "_company_imo", "countries": "_countries"}.items()
            if v in present
        },
        source=source,
        format=FSF_CSV_FORMAT,
        id_column="Entity_LogicalId",
        kind="_kind",
        vessel_kinds=("vessel",),
        list_separator=None,
        location=stream.location,
        label=stream.label,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
    )
