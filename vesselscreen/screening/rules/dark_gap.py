"""``dark_gap``: a listed vessel went dark, or any vessel went dark in a risk area.

An AIS gap marked dark (12 h or more, starting away from port; `vesselscreen.events.gaps`)
of a matched vessel (evidence rule ``dark_gap_of_listed_vessel``), or of any vessel whose
gap starts or ends in one of `ScreeningConfig.risk_areas` (``dark_gap_in_risk_area``).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import FINDING, GAP, LISTED
from vesselscreen.screening.rules._base import (
    BuiltinRule,
    against,
    listed_party,
    listed_severity,
    listing_parameters,
    rows_of,
    thresholds,
)

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["DarkGapRule"]


class DarkGapRule(BuiltinRule):
    """Dark gaps of listed vessels, and of any vessel in a configured risk area.

    >>> DarkGapRule().area_severity
    <Severity.MEDIUM: 'medium'>
    """

    name: ClassVar[str] = "dark_gap"
    kind: ClassVar[str] = FindingKind.DARK_GAP
    weight: float = Field(default=15.0, ge=0, description="Points per dark gap.")
    area_severity: Severity = Field(
        default=Severity.MEDIUM,
        description="Severity of a dark gap in a risk area by a vessel that is not listed.",
    )

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        gaps = context.gaps
        dark = gaps[gaps[GAP.DARK]]
        of_listed = context.events_of_listed(dark, GAP.START, GAP.END)
        used = thresholds(context.config.gaps)
        used["max_speed_kn"] = context.config.limits.max_speed_kn
        records = [
            {
                **self._record(
                    r,
                    "dark_gap_of_listed_vessel",
                    listed_severity(r),
                    r[LISTED.STATUS],
                    (str(r[LISTED.ENTRY_ID]),),
                    float(r[LISTED.MATCH_SCORE]),
                    listed_party(r),
                    {**listing_parameters(r), **used},
                    against(r),
                ),
                FINDING.MATCH_TIER: r[LISTED.TIER],
            }
            for r in rows_of(of_listed)
        ]
        listed_keys = set(zip(of_listed[GAP.MMSI], of_listed[GAP.START], strict=True))
        for area in context.config.risk_areas:  # a few named areas, each tested over all gaps at once
            inside = area.contains(dark[GAP.START_LAT], dark[GAP.START_LON]) | area.contains(
                dark[GAP.END_LAT], dark[GAP.END_LON]
            )
            for r in rows_of(dark[inside]):
                if (r[GAP.MMSI], r[GAP.START]) in listed_keys:
                    continue
                records.append(
                    self._record(
                        r,
                        "dark_gap_in_risk_area",
                        self.area_severity,
                        None,
                        (),
                        1.0,
                        f"vessel in risk area {area.name}",
                        {**used, "area": area.name},
                        "",
                    )
                )
        return records

    def _record(
        self,
        r: dict[Hashable, Any],
        rule: str,
        severity: Severity,
        status: str | None,
        entry_ids: tuple[str, ...],
        score: float,
        who: str,
        used: dict[str, Any],
        caveat: str,
    ) -> dict[str, Any]:
        start, end = pd.Timestamp(r[GAP.START]), pd.Timestamp(r[GAP.END])
        hours = (end - start).total_seconds() / 3600
        km = float(r[GAP.DISTANCE_M]) / 1000
        return {
            FINDING.KIND: self.kind,
            FINDING.RULE: rule,
            FINDING.SEVERITY: severity.value,
            FINDING.MMSI: r[GAP.MMSI],
            FINDING.IMO: r[GAP.IMO],
            FINDING.VESSEL_NAME: r[GAP.NAME],
            FINDING.START: start,
            FINDING.END: end,
            FINDING.ENTRY_IDS: entry_ids,
            FINDING.DESIGNATION_STATUS: status,
            FINDING.SCORE: score,
            FINDING.EXPLANATION: f"{who} sent no AIS for {hours:.1f} h at sea and reappeared {km:.0f} km "
            f"away (implied {float(r[GAP.IMPLIED_SPEED_KN]):.1f} kn){caveat}",
            FINDING.PARAMETERS: {
                "duration_h": round(hours, 2),
                "distance_km": round(km, 1),
                "impossible_speed": bool(r[GAP.IMPOSSIBLE_SPEED]),
                **used,
            },
        }
