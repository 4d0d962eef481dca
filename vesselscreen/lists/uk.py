"""The UK Sanctions List (FCDO) CSV into a Watchlist.

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

from typing import Final

import pandas as pd

from vesselscreen.lists._io import ListSource, RawSource, read_raw
from vesselscreen.lists._tabular import read_csv_frame, require
from vesselscreen.lists.frame import _build
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["CSV_FORMAT", "DEFAULT_SOURCE", "EXTRA_COLUMNS", "looks_like_uk_csv", "read_uk_csv"]

CSV_FORMAT: Final = "uk_csv"
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
        format=CSV_FORMAT,
        id_column="Unique ID",
        kind="Designation Type",
        vessel_kinds=("ship",),
        list_separator=";",
        location=stream.location,
        label=stream.label,
        retrieved_at=stream.retrieved_at,
        sha256=stream.sha256(),
        extras=EXTRA_COLUMNS,
    )
