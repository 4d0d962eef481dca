"""``port_call``: a listed vessel called at a port while it carried the matching identity.

Its designation status is judged during the call: at the arrival, or ``designated`` for
the part after a listing that fell while the call was in progress.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from vesselscreen.models import FindingKind
from vesselscreen.schema import FINDING, LISTED, PORT_CALL
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.rules._base import (
    BuiltinRule,
    against,
    listed_party,
    listed_severity,
    listing_parameters,
    rows_of,
    status_words,
    thresholds,
)

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

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        rows = context.events_of_listed(context.port_calls, PORT_CALL.ARRIVAL, PORT_CALL.DEPARTURE)
        used = thresholds(context.config.port_calls)
        records = []
        for r in rows_of(rows):
            hours = (r[PORT_CALL.DEPARTURE] - r[PORT_CALL.ARRIVAL]).total_seconds() / 3600
            port = f"{r[PORT_CALL.PORT_NAME]} ({r[PORT_CALL.PORT_ID]})"
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: "port_call_of_listed_vessel",
                    FINDING.SEVERITY: listed_severity(r).value,
                    FINDING.MMSI: r[PORT_CALL.MMSI],
                    FINDING.IMO: r[PORT_CALL.IMO],
                    FINDING.VESSEL_NAME: r[PORT_CALL.NAME],
                    FINDING.START: r[PORT_CALL.ARRIVAL],
                    FINDING.END: r[PORT_CALL.DEPARTURE],
                    FINDING.PORT_ID: r[PORT_CALL.PORT_ID],
                    FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: r[LISTED.STATUS],
                    FINDING.MATCH_TIER: r[LISTED.TIER],
                    FINDING.SCORE: r[LISTED.MATCH_SCORE],
                    FINDING.EXPLANATION: f"{listed_party(r)} called at {port} for {hours:.1f} h; "
                    f"{status_words(r, 'arrival')}{against(r)}",
                    FINDING.PARAMETERS: {
                        "port_id": str(r[PORT_CALL.PORT_ID]),
                        "confidence": int(r[PORT_CALL.CONFIDENCE]),
                        "duration_h": round(hours, 2),
                        "method": r[LISTED.METHOD],
                        **listing_parameters(r),
                        **used,
                    },
                    FINDING.MATCH_METHODS: r[METHODS],
                }
            )
        return records
