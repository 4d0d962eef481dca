"""``spoofing``: a track that cannot be one honest ship's (any vessel, listed or not).

One finding per event of `vesselscreen.events.spoofing`: two places at once, a position
off the track, an impossible jump, on land, a draught change while dark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import FINDING, SPOOFING
from vesselscreen.screening.rules._base import BuiltinRule, rows_of, thresholds

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["SpoofingRule"]

_SEVERITIES: dict[str, Severity] = {
    "two_places": Severity.HIGH,
    "off_track": Severity.MEDIUM,
    "on_land": Severity.MEDIUM,
    "draught_change": Severity.MEDIUM,
    "jump": Severity.LOW,
}


class SpoofingRule(BuiltinRule):
    """Position spoofing and manipulation, by kind of event.

    >>> SpoofingRule().severities["two_places"]
    <Severity.HIGH: 'high'>
    """

    name: ClassVar[str] = "spoofing"
    kind: ClassVar[str] = FindingKind.SPOOFING
    weight: float = Field(default=15.0, ge=0, description="Points per spoofing event.")
    severities: dict[str, Severity] = Field(
        default_factory=lambda: dict(_SEVERITIES),
        description="Severity per kind of spoofing event (low for kinds not listed).",
    )
    min_quoted_positions: int = Field(
        default=4, ge=0, description="Quote at least this many positions: the jump is the evidence."
    )

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        used = thresholds(context.config.spoofing, context.config.limits)
        quote = max(context.config.evidence_positions, self.min_quoted_positions)
        return [
            {
                FINDING.KIND: self.kind,
                FINDING.RULE: self.name,
                FINDING.SEVERITY: self.severities.get(str(r[SPOOFING.KIND]), Severity.LOW).value,
                FINDING.MMSI: r[SPOOFING.MMSI],
                FINDING.IMO: r[SPOOFING.IMO],
                FINDING.VESSEL_NAME: r[SPOOFING.NAME],
                FINDING.START: r[SPOOFING.START],
                FINDING.END: r[SPOOFING.END],
                FINDING.SCORE: 1.0,
                FINDING.EXPLANATION: f"{str(r[SPOOFING.KIND]).replace('_', ' ')}: {r[SPOOFING.DETAIL]}",
                FINDING.PARAMETERS: {
                    "kind": str(r[SPOOFING.KIND]),
                    "value": float(r[SPOOFING.VALUE]),
                    **used,
                },
                FINDING.QUOTE: quote,
            }
            for r in rows_of(context.spoofing)
        ]
