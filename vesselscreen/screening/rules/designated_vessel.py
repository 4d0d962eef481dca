"""``designated_vessel``: an AIS identity matches a list entry.

One finding per matched (AIS identity, entry): its status as of the identity's last
report, its score the match's, its severity the status's capped by the match tier
(`vesselscreen.MatchTier`: a possible match is a lead to verify, never high), its
explanation the match rule's own words, what speaks against the match, and for a match
short of confirmed, what would confirm it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from vesselscreen.models import FindingKind, MatchTier
from vesselscreen.schema import FINDING, LISTED, MATCH
from vesselscreen.screening.matching import METHODS
from vesselscreen.screening.rules._base import (
    BuiltinRule,
    against,
    listed_severity,
    listing_parameters,
    listing_words,
    rows_of,
    thresholds,
    to_confirm,
)
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

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        listed = context.listed
        status = designation_status(
            listed[LISTED.MATCH_LAST],
            listed[LISTED.LISTED_ON],
            listed[LISTED.DELISTED_ON],
            listed_not_before=listed[LISTED.LISTED_NOT_BEFORE],
            delisted_not_before=listed[LISTED.DELISTED_NOT_BEFORE],
        )
        identity = context.matches[[MATCH.MMSI, MATCH.IMO, MATCH.NAME, MATCH.ENTRY_ID, MATCH.EXPLANATION,
                                    MATCH.FIRST_SEEN]]  # fmt: skip
        rows = listed.assign(**{LISTED.STATUS: status}).merge(
            identity,
            left_on=[LISTED.MMSI, LISTED.ENTRY_ID, LISTED.MATCH_FIRST],
            right_on=[MATCH.MMSI, MATCH.ENTRY_ID, MATCH.FIRST_SEEN],
            how="left",
            suffixes=("", "_match"),
        )
        used = thresholds(context.config.matching)
        records = []
        for r in rows_of(rows):
            tier = MatchTier(str(r[LISTED.TIER]))
            lead = "" if tier is MatchTier.CONFIRMED else f"{tier.value} match, verify before acting: "
            tail = "" if tier is MatchTier.CONFIRMED else f"; {to_confirm(r)}"
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: self.name,
                    FINDING.SEVERITY: listed_severity(r).value,
                    FINDING.MMSI: r[LISTED.MMSI],
                    FINDING.IMO: r[MATCH.IMO],
                    FINDING.VESSEL_NAME: r[MATCH.NAME],
                    FINDING.START: r[LISTED.MATCH_FIRST],
                    FINDING.END: r[LISTED.MATCH_LAST],
                    FINDING.ENTRY_IDS: (str(r[LISTED.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: r[LISTED.STATUS],
                    FINDING.MATCH_TIER: tier.value,
                    FINDING.SCORE: r[LISTED.MATCH_SCORE],
                    FINDING.EXPLANATION: f"{lead}{r[MATCH.EXPLANATION]} ({r[LISTED.ENTRY_ID]}, listed as "
                    f"{r[LISTED.LISTED_NAME]}, {listing_words(r)}){against(r)}{tail}",
                    FINDING.PARAMETERS: {"method": r[LISTED.METHOD], **listing_parameters(r), **used},
                    FINDING.MATCH_METHODS: r[METHODS],
                }
            )
        return records
