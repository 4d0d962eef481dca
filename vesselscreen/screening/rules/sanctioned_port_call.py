"""``sanctioned_port_call``: any ship's call at a port of a sanctioned jurisdiction.

A call is judged against the jurisdictions in force on its arrival date
(`ScreeningConfig.sanctioned_jurisdictions`; the defaults and their legal basis are in
`vesselscreen.screening.jurisdictions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import FINDING, PORT_CALL
from vesselscreen.screening.jurisdictions import Jurisdiction
from vesselscreen.screening.rules._base import BuiltinRule, rows_of

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["SanctionedPortCallRule"]


def _in_force(arrival: pd.Series, jurisdiction: Jurisdiction) -> pd.Series:
    ok = pd.Series(True, index=arrival.index)
    if jurisdiction.valid_from is not None:
        ok &= arrival >= pd.Timestamp(jurisdiction.valid_from, tz="UTC")
    if jurisdiction.valid_to is not None:
        ok &= arrival < pd.Timestamp(jurisdiction.valid_to, tz="UTC")
    return ok


class SanctionedPortCallRule(BuiltinRule):
    """Calls at ports of sanctioned jurisdictions, by any ship; score: the call's confidence / 4.

    >>> SanctionedPortCallRule().severity
    <Severity.MEDIUM: 'medium'>
    """

    name: ClassVar[str] = "sanctioned_port_call"
    kind: ClassVar[str] = FindingKind.SANCTIONED_PORT_CALL
    weight: float = Field(default=20.0, ge=0, description="Points per call in a sanctioned jurisdiction.")
    severity: Severity = Field(default=Severity.MEDIUM, description="Severity of such a call.")

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        calls = context.port_calls
        countries, port_ids = calls[PORT_CALL.COUNTRY], calls[PORT_CALL.PORT_ID]
        records = []
        for jurisdiction in context.config.sanctioned_jurisdictions:  # a handful, each over all calls
            there = countries.isin(jurisdiction.countries) | port_ids.isin(jurisdiction.port_ids)
            inside = there.fillna(False)
            if not inside.any():  # the usual jurisdiction: no call there, no frame taken
                continue
            picked = calls[inside & _in_force(calls[PORT_CALL.ARRIVAL], jurisdiction)]
            valid_from = jurisdiction.valid_from.isoformat() if jurisdiction.valid_from else None
            valid_to = jurisdiction.valid_to.isoformat() if jurisdiction.valid_to else None
            for call in rows_of(picked):
                port = f"{call[PORT_CALL.PORT_NAME]} ({call[PORT_CALL.PORT_ID]})"
                confidence = int(call[PORT_CALL.CONFIDENCE])
                records.append(
                    {
                        FINDING.KIND: self.kind,
                        FINDING.RULE: self.name,
                        FINDING.SEVERITY: self.severity.value,
                        FINDING.MMSI: call[PORT_CALL.MMSI],
                        FINDING.IMO: call[PORT_CALL.IMO],
                        FINDING.VESSEL_NAME: call[PORT_CALL.NAME],
                        FINDING.START: call[PORT_CALL.ARRIVAL],
                        FINDING.END: call[PORT_CALL.DEPARTURE],
                        FINDING.PORT_ID: call[PORT_CALL.PORT_ID],
                        FINDING.SCORE: confidence / 4,
                        FINDING.EXPLANATION: f"called at {port} in sanctioned jurisdiction "
                        f"{jurisdiction.name} ({jurisdiction.legal_basis})",
                        FINDING.PARAMETERS: {
                            "jurisdiction": jurisdiction.name,
                            "legal_basis": jurisdiction.legal_basis,
                            "valid_from": valid_from,
                            "valid_to": valid_to,
                            "port_call_confidence": confidence,
                        },
                    }
                )
        return records
