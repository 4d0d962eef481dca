"""``loitering``: a listed vessel moving slowly for hours at sea, or any vessel doing so in a risk area.

A loitering spell (`vesselscreen.events.loitering`: < 2 kn for 4 h or more, 20 nm from
any port, GFW's definition) is how a ship waits for a meeting with a ship that shows no
AIS. It is a finding for a matched vessel (evidence rule ``loitering_of_listed_vessel``)
and for any vessel whose spell lies in one of `ScreeningConfig.risk_areas`
(``loitering_in_risk_area``).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import FINDING, LISTED, LOITERING
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

__all__ = ["LoiteringRule"]


class LoiteringRule(BuiltinRule):
    """Loitering of listed vessels, and of any vessel in a configured risk area.

    >>> LoiteringRule().weight, LoiteringRule().area_severity
    (10.0, <Severity.MEDIUM: 'medium'>)
    """

    name: ClassVar[str] = "loitering"
    kind: ClassVar[str] = FindingKind.LOITERING
    weight: float = Field(default=10.0, ge=0, description="Points per loitering spell.")
    area_severity: Severity = Field(
        default=Severity.MEDIUM,
        description="Severity of loitering in a risk area by a vessel that is not listed.",
    )

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        spells = context.loitering
        of_listed = context.events_of_listed(spells, LOITERING.START, LOITERING.END)
        used = thresholds(context.config.loitering)
        records = []
        for r in rows_of(of_listed):
            record = self._record(r, used)
            record.update(
                {
                    FINDING.RULE: "loitering_of_listed_vessel",
                    FINDING.SEVERITY: listed_severity(r).value,
                    FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: r[LISTED.STATUS],
                    FINDING.MATCH_TIER: r[LISTED.TIER],
                    FINDING.SCORE: r[LISTED.MATCH_SCORE],
                    FINDING.EXPLANATION: f"{listed_party(r)} {self._what(r)}; "
                    f"{status_words(r, 'its start')}{against(r)}",
                    FINDING.PARAMETERS: {**record[FINDING.PARAMETERS], **listing_parameters(r)},
                    FINDING.MATCH_METHODS: r[METHODS],
                }
            )
            records.append(record)
        listed_keys = set(zip(of_listed[LOITERING.MMSI], of_listed[LOITERING.START], strict=True))
        for area in context.config.risk_areas:  # a few named areas, each over all spells at once
            inside = area.contains(spells[LOITERING.LAT], spells[LOITERING.LON])
            for r in rows_of(spells[inside]):
                if (r[LOITERING.MMSI], r[LOITERING.START]) in listed_keys:
                    continue
                record = self._record(r, {**used, "area": area.name})
                record[FINDING.EXPLANATION] = f"vessel in risk area {area.name} {self._what(r)}"
                records.append(record)
        return records

    @staticmethod
    def _what(r: dict[Hashable, Any]) -> str:
        hours = pd.Timedelta(r[LOITERING.DURATION]).total_seconds() / 3600
        return (
            f"loitered for {hours:.1f} h at {float(r[LOITERING.MEDIAN_SOG]):.1f} kn (median) around "
            f"{float(r[LOITERING.LAT]):.3f}, {float(r[LOITERING.LON]):.3f}, away from ports"
        )

    def _record(self, r: dict[Hashable, Any], used: dict[str, Any]) -> dict[str, Any]:
        hours = pd.Timedelta(r[LOITERING.DURATION]).total_seconds() / 3600
        return {
            FINDING.KIND: self.kind,
            FINDING.RULE: "loitering_in_risk_area",
            FINDING.SEVERITY: self.area_severity.value,
            FINDING.MMSI: r[LOITERING.MMSI],
            FINDING.IMO: r[LOITERING.IMO],
            FINDING.VESSEL_NAME: r[LOITERING.NAME],
            FINDING.START: r[LOITERING.START],
            FINDING.END: r[LOITERING.END],
            FINDING.SCORE: 1.0,
            FINDING.PARAMETERS: {
                "duration_h": round(hours, 2),
                "median_sog_kn": round(float(r[LOITERING.MEDIAN_SOG]), 2),
                "distance_km": round(float(r[LOITERING.DISTANCE_M]) / 1000, 1),
                "lat": round(float(r[LOITERING.LAT]), 5),
                "lon": round(float(r[LOITERING.LON]), 5),
                **used,
            },
        }
