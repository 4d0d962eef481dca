"""``designated_vessel``: an AIS identity matches a list entry.

One finding per matched (AIS identity, entry): its status as of the identity's last
report, its score the match's, its explanation the match rule's own words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import DesignationStatus, FindingKind
from vesselscreen.schema import FINDING, LISTED, MATCH
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.rules._base import SEVERITY_BY_STATUS, BuiltinRule, thresholds
from vesselscreen.screening.status import designation_status

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["DesignatedVesselRule"]


class DesignatedVesselRule(BuiltinRule):
    """A vessel on the watchlist: every AIS identity that matched a list entry.

    >>> DesignatedVesselRule().weight
    60.0
    """

    name: ClassVar[str] = "designated_vessel"
    kind: ClassVar[str] = FindingKind.DESIGNATED_VESSEL
    weight: float = Field(default=60.0, ge=0, description="Designation outweighs every behaviour indicator.")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        matches = context.matches
        entries = context.listed[[LISTED.ENTRY_ID, LISTED.LISTED_NAME, LISTED.LISTED_ON, LISTED.DELISTED_ON]]
        rows = matches.merge(entries.drop_duplicates(LISTED.ENTRY_ID), on=MATCH.ENTRY_ID, how="left")
        status = designation_status(rows[MATCH.LAST_SEEN], rows[LISTED.LISTED_ON], rows[LISTED.DELISTED_ON])
        used = thresholds(context.config.matching)
        return pd.DataFrame(
            {
                FINDING.KIND: self.kind,
                FINDING.RULE: self.name,
                FINDING.SEVERITY: [SEVERITY_BY_STATUS[DesignationStatus(s)].value for s in status],
                FINDING.MMSI: rows[MATCH.MMSI],
                FINDING.IMO: rows[MATCH.IMO],
                FINDING.VESSEL_NAME: rows[MATCH.NAME],
                FINDING.START: rows[MATCH.FIRST_SEEN],
                FINDING.END: rows[MATCH.LAST_SEEN],
                FINDING.ENTRY_IDS: [(e,) for e in rows[MATCH.ENTRY_ID]],
                FINDING.DESIGNATION_STATUS: status,
                FINDING.SCORE: rows[MATCH.SCORE],
                FINDING.EXPLANATION: [
                    f"{text} ({entry}, listed as {listed})"
                    for text, entry, listed in zip(
                        rows[MATCH.EXPLANATION], rows[MATCH.ENTRY_ID], rows[LISTED.LISTED_NAME], strict=True
                    )
                ],
                FINDING.PARAMETERS: [{"method": m, **used} for m in rows[MATCH.METHOD]],
                FINDING.MATCH_METHODS: rows[METHODS],
            }
        )
