"""UN consolidated list XML, against a verbatim excerpt of the real file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from vesselscreen.errors import FormatError
from vesselscreen.lists import load_watchlist
from vesselscreen.lists.un import read_un_xml
from vesselscreen.schema import ENTITY

UN = Path(__file__).parent.parent / "data" / "lists" / "un" / "consolidated_excerpt.xml"


def test_entities_with_company_imo_from_comments() -> None:
    wl = load_watchlist(UN)
    assert wl.snapshot.sources[0].format == "un_xml"
    assert (len(wl.vessels), len(wl.entities)) == (0, 5)
    parties = wl.entities.set_index(ENTITY.ENTRY_ID)
    assert parties[ENTITY.ENTITY_TYPE].value_counts().to_dict() == {"individual": 2, "entity": 3}
    assert parties.loc["un:KPe.022", ENTITY.COMPANY_IMO] == 5342883  # valid company, not ship, number
    assert parties.loc["un:KPe.064", ENTITY.COMPANY_IMO] == 5954061
    assert pd.isna(parties.loc["un:CDe.001", ENTITY.COMPANY_IMO])
    assert parties.loc["un:CDe.001", ENTITY.ALIASES][:2] == [
        "Allied Democratic Forces",
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
    ]
    assert parties.loc["un:CDe.001", ENTITY.LISTED_ON] == pd.Timestamp("2014-06-30", tz="UTC")
    assert parties.loc["un:KPe.064", ENTITY.PROGRAMS] == ["DPRK"]
    assert parties.loc["un:KPe.064", ENTITY.COUNTRIES] == ["KP"]


def test_invalid_company_imo_is_flagged() -> None:
    text = UN.read_bytes().replace(b"IMO number: 5954061", b"IMO number: 5954062")
    wl = read_un_xml(text)
    parties = wl.entities.set_index(ENTITY.ENTRY_ID)
    assert pd.isna(parties.loc["un:KPe.064", ENTITY.COMPANY_IMO])
    assert wl.reports[0].warnings["invalid company IMO"] == 1


def test_not_a_un_list() -> None:
    with pytest.raises(FormatError, match="not a UN consolidated list"):
        read_un_xml(b"<sanctionsData/>")
