"""``sts_encounter``: two vessels side by side at sea, at least one of them listed.

The finding is told from the listed side (``mmsi`` the listed vessel, ``counterpart_mmsi``
the other; evidence rule ``encounter_with_listed_vessel``) and quotes both vessels'
positions. A meeting of two listed vessels is one finding, from the lower MMSI's side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import DesignationStatus, FindingKind
from vesselscreen.schema import ENCOUNTER, FINDING, LISTED
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.rules._base import SEVERITY_BY_STATUS, BuiltinRule, finding_frame, thresholds

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["StsEncounterRule"]

_OWN = "own"
_OTHER = "other"


class StsEncounterRule(BuiltinRule):
    """Encounters (possible ship-to-ship transfers) involving a listed vessel.

    >>> StsEncounterRule().weight
    25.0
    """

    name: ClassVar[str] = "sts_encounter"
    kind: ClassVar[str] = FindingKind.STS_ENCOUNTER
    weight: float = Field(default=25.0, ge=0, description="Points per meeting with a listed vessel.")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        encounters = context.encounters
        sides = []
        for own_column, other_column in (
            (ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2),
            (ENCOUNTER.MMSI_2, ENCOUNTER.MMSI_1),
        ):
            side = encounters.assign(**{_OWN: encounters[own_column], _OTHER: encounters[other_column]})
            sides.append(context.events_of_listed(side, ENCOUNTER.START, ENCOUNTER.END, mmsi=_OWN))
        rows = pd.concat(sides, ignore_index=True)
        rows = rows.sort_values(_OWN, kind="stable").drop_duplicates(
            [ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2, ENCOUNTER.START]
        )
        names = context.vessel_names
        used = thresholds(context.config.encounters)
        records = []
        for r in rows.to_dict("records"):
            status = DesignationStatus(r[LISTED.STATUS])
            own, other = int(r[_OWN]), int(r[_OTHER])
            hours = (r[ENCOUNTER.END] - r[ENCOUNTER.START]).total_seconds() / 3600
            own_name, other_name = names.get(own, f"MMSI {own}"), names.get(other, f"MMSI {other}")
            distance = float(r[ENCOUNTER.MEDIAN_DISTANCE_M])
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: "encounter_with_listed_vessel",
                    FINDING.SEVERITY: SEVERITY_BY_STATUS[status].value,
                    FINDING.MMSI: own,
                    FINDING.VESSEL_NAME: str(own_name),
                    FINDING.START: r[ENCOUNTER.START],
                    FINDING.END: r[ENCOUNTER.END],
                    FINDING.COUNTERPART_MMSI: other,
                    FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: status.value,
                    FINDING.SCORE: r[LISTED.MATCH_SCORE],
                    FINDING.EXPLANATION: f"listed vessel {own_name} (MMSI {own}, {r[LISTED.ENTRY_ID]}) and "
                    f"{other_name} (MMSI {other}) were within {distance:.0f} m of each other for "
                    f"{hours:.1f} h at {float(r[ENCOUNTER.LAT]):.3f}, {float(r[ENCOUNTER.LON]):.3f}",
                    FINDING.PARAMETERS: {
                        "counterpart_name": str(other_name),
                        "duration_h": round(hours, 2),
                        "median_distance_m": round(distance, 1),
                        "lat": round(float(r[ENCOUNTER.LAT]), 5),
                        "lon": round(float(r[ENCOUNTER.LON]), 5),
                        **used,
                    },
                    FINDING.MATCH_METHODS: r[METHODS],
                    FINDING.QUOTE_COUNTERPART: True,
                }
            )
        return finding_frame(records)
