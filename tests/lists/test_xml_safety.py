"""Hostile XML: entity expansion (billion laughs) and external entities (XXE) are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from vesselscreen.errors import FormatError
from vesselscreen.lists import load_watchlist
from vesselscreen.lists.ofac_xml import read_ofac_xml
from vesselscreen.lists.un import read_un_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE sanctionsData [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sanctionsData><entities><entity id="1"><generalInfo><remarks>&lol9;</remarks></generalInfo>
</entity></entities></sanctionsData>
"""


def xxe(target: Path, root: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY secret SYSTEM "file://{target}">]>\n'
        f"<{root}><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>&secret;</FIRST_NAME></ENTITY>"
        f"</ENTITIES></{root}>"
    ).encode()


def test_billion_laughs_is_refused_naming_the_source(tmp_path: Path) -> None:
    path = tmp_path / "SDN_ENHANCED.XML"
    path.write_bytes(BILLION_LAUGHS)
    with pytest.raises(FormatError, match="refused") as info:
        load_watchlist(path)  # sniffed as OFAC enhanced despite the DOCTYPE, then refused
    assert info.value.source == str(path)
    with pytest.raises(FormatError, match="refused"):
        read_ofac_xml(BILLION_LAUGHS)


def test_external_entity_is_refused_and_nothing_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    path = tmp_path / "consolidated.xml"
    path.write_bytes(xxe(secret, "CONSOLIDATED_LIST"))
    with pytest.raises(FormatError, match="refused") as info:
        load_watchlist(path)
    assert info.value.source == str(path)
    assert "TOP SECRET" not in str(info.value)
    with pytest.raises(FormatError, match="refused"):
        read_un_xml(path.read_bytes())


def test_a_plain_doctype_is_refused_too() -> None:
    with pytest.raises(FormatError, match="refused"):
        read_un_xml(b'<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/x.dtd"><CONSOLIDATED_LIST/>')
