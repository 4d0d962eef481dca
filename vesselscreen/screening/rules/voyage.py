"""``voyage``: a port-to-port voyage (both ends known) of a listed vessel; status as of departure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind
from vesselscreen.schema import FINDING, LISTED, VOYAGE
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

__all__ = ["VoyageRule"]


class VoyageRule(BuiltinRule):
    """Voyages of listed vessels (evidence rule ``voyage_of_listed_vessel``).

    >>> VoyageRule().weight
    5.0
    """

    name: ClassVar[str] = "voyage"
    kind: ClassVar[str] = FindingKind.VOYAGE
    weight: float = Field(default=5.0, ge=0, description="Points per voyage of a listed vessel.")

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        voyages = context.voyages
        complete = voyages.dropna(subset=[VOYAGE.ORIGIN_PORT_ID, VOYAGE.DESTINATION_PORT_ID])
        rows = context.events_of_listed(complete, VOYAGE.DEPARTURE, VOYAGE.ARRIVAL)
        used = thresholds(context.config.port_calls, context.config.stops)
        records = []
        for r in rows_of(rows):
            origin = f"{r[VOYAGE.ORIGIN_PORT_NAME]} ({r[VOYAGE.ORIGIN_PORT_ID]})"
            destination = f"{r[VOYAGE.DESTINATION_PORT_NAME]} ({r[VOYAGE.DESTINATION_PORT_ID]})"
            km = float(r[VOYAGE.DISTANCE_M]) / 1000
            longest_gap_h = pd.Timedelta(r[VOYAGE.LONGEST_GAP]).total_seconds() / 3600
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: "voyage_of_listed_vessel",
                    FINDING.SEVERITY: listed_severity(r).value,
                    FINDING.MMSI: r[VOYAGE.MMSI],
                    FINDING.IMO: r[VOYAGE.IMO],
                    FINDING.VESSEL_NAME: r[VOYAGE.NAME],
                    FINDING.START: r[VOYAGE.DEPARTURE],
                    FINDING.END: r[VOYAGE.ARRIVAL],
                    FINDING.PORT_ID: r[VOYAGE.DESTINATION_PORT_ID],
                    FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: r[LISTED.STATUS],
                    FINDING.MATCH_TIER: r[LISTED.TIER],
                    FINDING.SCORE: r[LISTED.MATCH_SCORE],
                    FINDING.EXPLANATION: f"{listed_party(r)} sailed from {origin} to {destination}, "
                    f"{km:.0f} km, longest AIS gap {longest_gap_h:.1f} h; {status_words(r, 'departure')}"
                    f"{against(r)}",
                    FINDING.PARAMETERS: {
                        "origin_port_id": str(r[VOYAGE.ORIGIN_PORT_ID]),
                        "destination_port_id": str(r[VOYAGE.DESTINATION_PORT_ID]),
                        "distance_km": round(km, 1),
                        "longest_gap_h": round(longest_gap_h, 2),
                        "stops_on_the_way": int(r[VOYAGE.N_STOPS]),
                        **listing_parameters(r),
                        **used,
                    },
                    FINDING.MATCH_METHODS: r[METHODS],
                }
            )
        return records
