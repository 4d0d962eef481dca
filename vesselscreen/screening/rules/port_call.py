"""``port_call``: a listed vessel called at a port while it carried the matching identity.

Its designation status is judged as of the arrival.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import DesignationStatus, FindingKind
from vesselscreen.schema import FINDING, LISTED, PORT_CALL
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.rules._base import SEVERITY_BY_STATUS, BuiltinRule, thresholds

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["PortCallRule"]


class PortCallRule(BuiltinRule):
    """Port calls of listed vessels (evidence rule ``port_call_of_listed_vessel``).

    >>> PortCallRule().weight
    10.0
    """

    name: ClassVar[str] = "port_call"
    kind: ClassVar[str] = FindingKind.PORT_CALL
    weight: float = Field(default=10.0, ge=0, description="Points per port call of a listed vessel.")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        rows = context.events_of_listed(context.port_calls, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE)
        used = thresholds(context.config.port_calls)
        explanations, parameters = [], []
        for r in rows.to_dict("records"):
            status = DesignationStatus(r[LISTED.STATUS])
            hours = (r[PORT_CALL.DEPARTURE] - r[PORT_CALL.ARRIVAL]).total_seconds() / 3600
            port = f"{r[PORT_CALL.PORT_NAME]} ({r[PORT_CALL.PORT_ID]})"
            explanations.append(
                f"listed vessel ({r[LISTED.ENTRY_ID]}, listed as {r[LISTED.LISTED_NAME]}) called at "
                f"{port} for {hours:.1f} h; {status.value.replace('_', ' ')} at arrival"
            )
            parameters.append(
                {
                    "port_id": str(r[PORT_CALL.PORT_ID]),
                    "confidence": int(r[PORT_CALL.CONFIDENCE]),
                    "duration_h": round(hours, 2),
                    "method": r[LISTED.METHOD],
                    **used,
                }
            )
        return pd.DataFrame(
            {
                FINDING.KIND: self.kind,
                FINDING.RULE: "port_call_of_listed_vessel",
                FINDING.SEVERITY: [
                    SEVERITY_BY_STATUS[DesignationStatus(s)].value for s in rows[LISTED.STATUS]
                ],
                FINDING.MMSI: rows[PORT_CALL.MMSI],
                FINDING.IMO: rows[PORT_CALL.IMO],
                FINDING.VESSEL_NAME: rows[PORT_CALL.NAME],
                FINDING.START: rows[PORT_CALL.ARRIVAL],
                FINDING.END: rows[PORT_CALL.DEPARTURE],
                FINDING.PORT_ID: rows[PORT_CALL.PORT_ID],
                FINDING.ENTRY_IDS: [(e,) for e in rows[LISTED.ENTRY_ID]],
                FINDING.DESIGNATION_STATUS: rows[LISTED.STATUS],
                FINDING.SCORE: rows[LISTED.MATCH_SCORE],
                FINDING.EXPLANATION: explanations,
                FINDING.PARAMETERS: parameters,
                FINDING.MATCH_METHODS: rows[METHODS],
            }
        )
