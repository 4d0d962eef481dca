"""Sanctioned jurisdictions: where any port call is a finding (``sanctioned_port_call``).

A port call in a sanctioned jurisdiction is a finding for *any* ship, listed or not
(`vesselscreen.screening.rules.SanctionedPortCallRule`).
The default set and its legal basis are documented here; ports of Russia are an opt-in
set (a risk indicator for some policies, not a port ban). Each jurisdiction has dates
of validity: a call is judged against the set in force on its arrival date.

>>> [j.name for j in DEFAULT_JURISDICTIONS]
['Iran', 'North Korea', 'Syria', 'Cuba', 'Crimea']
>>> SYRIA.valid_to.isoformat()
'2025-07-01'
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CRIMEA",
    "CUBA",
    "DEFAULT_JURISDICTIONS",
    "IRAN",
    "NORTH_KOREA",
    "RUSSIA",
    "SYRIA",
    "Jurisdiction",
]


class Jurisdiction(BaseModel):
    """A sanctioned place: whole countries (ISO2) and/or listed ports, valid between two dates."""

    model_config = ConfigDict(frozen=True)

    name: str
    countries: tuple[str, ...] = ()
    port_ids: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    legal_basis: str


IRAN = Jurisdiction(
    name="Iran",
    countries=("IR",),
    legal_basis="US Iranian Transactions and Sanctions Regulations (31 CFR part 560)",
)
NORTH_KOREA = Jurisdiction(
    name="North Korea",
    countries=("KP",),
    legal_basis="UN Security Council resolutions under the 1718 regime (e.g. 2397 (2017)); "
    "US North Korea Sanctions Regulations (31 CFR part 510)",
)
SYRIA = Jurisdiction(
    name="Syria",
    countries=("SY",),
    valid_to=date(2025, 7, 1),
    legal_basis="US Syrian Sanctions Regulations (31 CFR part 542), revoked by the US executive order "
    "of 30 June 2025 with effect from 1 July 2025",
)
CUBA = Jurisdiction(
    name="Cuba",
    countries=("CU",),
    legal_basis="US Cuban Assets Control Regulations (31 CFR part 515)",
)
CRIMEA = Jurisdiction(
    name="Crimea",
    # the Crimean ports of the bundled gazetteer (not the Kherson coast north of Perekop)
    port_ids=("UASVP", "UAKEH", "UAFEO", "UAYAL", "UAZKA", "WPI43745", "WPI43780", "WPI43810", "WPI43835"),
    valid_from=date(2014, 12, 19),
    legal_basis="US Executive Order 13685 (19 December 2014); EU Council Regulation (EU) No 692/2014",
)
RUSSIA = Jurisdiction(
    name="Russia",
    countries=("RU",),
    valid_from=date(2022, 2, 24),
    legal_basis="opt-in risk indicator (not a port ban): Russian port calls since the invasion of Ukraine, "
    "for policies under EU Council Regulation (EU) No 833/2014 or the G7 oil price cap",
)

DEFAULT_JURISDICTIONS: tuple[Jurisdiction, ...] = (IRAN, NORTH_KOREA, SYRIA, CUBA, CRIMEA)
