"""``sts_encounter``: two vessels side by side at sea, at least one of them listed.

Both ships of the meeting get a finding, so whoever screens either of them sees it:

- the listed vessel's (evidence rule ``encounter_with_listed_vessel``): ``mmsi`` the
  listed vessel, ``counterpart_mmsi`` the ship it met;
- the counterpart's (``met_listed_vessel``): ``mmsi`` the ship that met it, with the
  listed vessel's entry ids, designation status and match tier; it counts towards the
  counterpart's risk.

When both are listed, each gets both. Every finding quotes both vessels' positions.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind
from vesselscreen.schema import ENCOUNTER, FINDING, LISTED
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

__all__ = ["StsEncounterRule"]

_LISTED = "listed_side"
_OTHER = "other_side"


class StsEncounterRule(BuiltinRule):
    """Encounters (possible ship-to-ship transfers) involving a listed vessel, told from both sides.

    >>> StsEncounterRule().weight
    25.0
    """

    name: ClassVar[str] = "sts_encounter"
    kind: ClassVar[str] = FindingKind.STS_ENCOUNTER
    weight: float = Field(default=25.0, ge=0, description="Points per meeting with a listed vessel.")

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        encounters = context.encounters
        sides = []
        for listed_column, other_column in (
            (ENCOUNTER.MMSI_1, ENCOUNTER.MMSI_2),
            (ENCOUNTER.MMSI_2, ENCOUNTER.MMSI_1),
        ):
            side = encounters.assign(**{_LISTED: encounters[listed_column], _OTHER: encounters[other_column]})
            sides.append(context.events_of_listed(side, ENCOUNTER.START, ENCOUNTER.END, mmsi=_LISTED))
        rows = pd.concat(sides, ignore_index=True).sort_values([_LISTED, ENCOUNTER.START], kind="stable")
        used = thresholds(context.config.encounters)
        records = []
        for r in rows_of(rows):
            records.append(self._record(r, context, used, counterpart_view=False))
            records.append(self._record(r, context, used, counterpart_view=True))
        return records

    def _record(
        self,
        r: dict[Hashable, Any],
        context: ScreeningContext,
        used: dict[str, Any],
        *,
        counterpart_view: bool,
    ) -> dict[str, Any]:
        names = context.vessel_names
        listed, other = int(r[_LISTED]), int(r[_OTHER])
        listed_name, other_name = names.get(listed, f"MMSI {listed}"), names.get(other, f"MMSI {other}")
        hours = (r[ENCOUNTER.END] - r[ENCOUNTER.START]).total_seconds() / 3600
        distance = float(r[ENCOUNTER.MEDIAN_DISTANCE_M])
        where = f"{float(r[ENCOUNTER.LAT]):.3f}, {float(r[ENCOUNTER.LON]):.3f}"
        meeting = f"within {distance:.0f} m of each other for {hours:.1f} h at {where}"
        status = status_words(r, "the meeting")
        if counterpart_view:
            mmsi, counterpart, vessel_name = other, listed, other_name
            explanation = (
                f"{other_name} (MMSI {other}) met {listed_name} (MMSI {listed}), {listed_party(r)}: "
                f"{meeting}; {status}{against(r)}"
            )
        else:
            mmsi, counterpart, vessel_name = listed, other, listed_name
            explanation = (
                f"{listed_name} (MMSI {listed}), {listed_party(r)}, met {other_name} (MMSI {other}): "
                f"{meeting}; {status}{against(r)}"
            )
        return {
            FINDING.KIND: self.kind,
            FINDING.RULE: "met_listed_vessel" if counterpart_view else "encounter_with_listed_vessel",
            FINDING.SEVERITY: listed_severity(r).value,
            FINDING.MMSI: mmsi,
            FINDING.VESSEL_NAME: str(vessel_name),
            FINDING.START: r[ENCOUNTER.START],
            FINDING.END: r[ENCOUNTER.END],
            FINDING.COUNTERPART_MMSI: counterpart,
            FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
            FINDING.DESIGNATION_STATUS: r[LISTED.STATUS],
            FINDING.MATCH_TIER: r[LISTED.TIER],
            FINDING.SCORE: r[LISTED.MATCH_SCORE],
            FINDING.EXPLANATION: explanation,
            FINDING.PARAMETERS: {
                "listed_mmsi": listed,
                "counterpart_name": str(names.get(counterpart, f"MMSI {counterpart}")),
                "duration_h": round(hours, 2),
                "median_distance_m": round(distance, 1),
                "lat": round(float(r[ENCOUNTER.LAT]), 5),
                "lon": round(float(r[ENCOUNTER.LON]), 5),
                **listing_parameters(r),
                **used,
            },
            FINDING.MATCH_METHODS: r[METHODS],
            FINDING.QUOTE_COUNTERPART: True,
        }
