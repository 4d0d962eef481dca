"""Sanctioned jurisdictions and the ``sanctioned_port_call`` rule.

A port call in a sanctioned jurisdiction is a finding for *any* ship, listed or not.
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

import pandas as pd
from pydantic import BaseModel, ConfigDict

from vesselscreen.models import Evidence, Finding, FindingKind, Severity
from vesselscreen.schema import PORT_CALL
from vesselscreen.screening.evidence import PositionLookup, opt_int, opt_str

__all__ = [
    "CRIMEA",
    "CUBA",
    "DEFAULT_JURISDICTIONS",
    "IRAN",
    "NORTH_KOREA",
    "RUSSIA",
    "SYRIA",
    "Jurisdiction",
    "sanctioned_port_call_findings",
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


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _in_force(arrival: pd.Series, jurisdiction: Jurisdiction) -> pd.Series:
    ok = pd.Series(True, index=arrival.index)
    if jurisdiction.valid_from is not None:
        ok &= arrival >= pd.Timestamp(jurisdiction.valid_from, tz="UTC")
    if jurisdiction.valid_to is not None:
        ok &= arrival < pd.Timestamp(jurisdiction.valid_to, tz="UTC")
    return ok


def sanctioned_port_call_findings(
    port_calls: pd.DataFrame,
    jurisdictions: tuple[Jurisdiction, ...],
    lookup: PositionLookup,
    *,
    evidence: int,
) -> list[Finding]:
    """A finding for every call, by any ship, at a port of a jurisdiction in force on arrival."""
    findings: list[Finding] = []
    for jurisdiction in jurisdictions:  # a handful of jurisdictions, each matched over all calls at once
        inside = port_calls[PORT_CALL.COUNTRY].isin(jurisdiction.countries) | port_calls[
            PORT_CALL.PORT_ID
        ].isin(jurisdiction.port_ids)
        calls = port_calls[inside.fillna(False) & _in_force(port_calls[PORT_CALL.ARRIVAL], jurisdiction)]
        for call in calls.to_dict("records"):
            arrival, departure = call[PORT_CALL.ARRIVAL], call[PORT_CALL.DEPARTURE]
            mmsi = int(call[PORT_CALL.MMSI])
            port = f"{call[PORT_CALL.PORT_NAME]} ({call[PORT_CALL.PORT_ID]})"
            confidence = int(call[PORT_CALL.CONFIDENCE])
            findings.append(
                Finding(
                    kind=FindingKind.SANCTIONED_PORT_CALL,
                    severity=Severity.MEDIUM,
                    mmsi=mmsi,
                    imo=opt_int(call[PORT_CALL.IMO]),
                    vessel_name=opt_str(call[PORT_CALL.NAME]),
                    start=arrival.to_pydatetime(),
                    end=departure.to_pydatetime(),
                    port_id=str(call[PORT_CALL.PORT_ID]),
                    score=confidence / 4,
                    evidence=Evidence(
                        rule="sanctioned_port_call",
                        explanation=f"called at {port} in sanctioned jurisdiction {jurisdiction.name} "
                        f"({jurisdiction.legal_basis})",
                        parameters={
                            "jurisdiction": jurisdiction.name,
                            "legal_basis": jurisdiction.legal_basis,
                            "valid_from": jurisdiction.valid_from.isoformat()
                            if jurisdiction.valid_from
                            else None,
                            "valid_to": jurisdiction.valid_to.isoformat() if jurisdiction.valid_to else None,
                            "port_call_confidence": confidence,
                        },
                        positions=tuple(lookup.between(mmsi, arrival, departure, evidence)),
                    ),
                )
            )
    return findings
