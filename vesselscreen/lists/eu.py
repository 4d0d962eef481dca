"""EU vessel designations: Annex XLII of Council Regulation (EU) 833/2014, as a CSV.

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

from vesselscreen.lists._io import ListSource, RawSource
from vesselscreen.lists._tabular import read_csv_frame, require
from vesselscreen.lists.frame import _build
from vesselscreen.lists.watchlist import Watchlist

__all__ = ["ANNEX_XLII_COLUMNS", "ANNEX_XLII_FORMAT", "ANNEX_XLII_SOURCE", "read_eu_annex_xlii"]

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
