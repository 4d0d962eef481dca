"""``identity_change``: a vessel's broadcast identity changed; high severity when it is listed.

From the identity timeline (`vesselscreen.identity_timeline`): re-flagged, a new MMSI for
an IMO, an IMO, name or call-sign change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import CHANGE, FINDING, LISTED
from vesselscreen.screening.evidence import opt_str
from vesselscreen.screening.rules._base import BuiltinRule, rows_of

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["IdentityChangeRule"]


class IdentityChangeRule(BuiltinRule):
    """Identity changes of every vessel (high for listed ones).

    >>> IdentityChangeRule().weight
    5.0
    """

    name: ClassVar[str] = "identity_change"
    kind: ClassVar[str] = FindingKind.IDENTITY_CHANGE
    weight: float = Field(default=5.0, ge=0, description="Points per identity change.")

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        entries_of: dict[int, tuple[str, ...]] = {}
        for mmsi, entry_id in zip(context.listed[LISTED.MMSI], context.listed[LISTED.ENTRY_ID], strict=True):
            entries_of[int(mmsi)] = tuple(sorted({*entries_of.get(int(mmsi), ()), str(entry_id)}))
        records = []
        for r in rows_of(context.timeline.changes):
            entries = entries_of.get(int(r[CHANGE.MMSI]), ())
            detail = f" ({r[CHANGE.DETAIL]})" if opt_str(r[CHANGE.DETAIL]) else ""
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: self.name,
                    FINDING.SEVERITY: (Severity.HIGH if entries else Severity.LOW).value,
                    FINDING.MMSI: r[CHANGE.MMSI],
                    FINDING.IMO: r[CHANGE.IMO],
                    FINDING.START: r[CHANGE.TIME],
                    FINDING.END: r[CHANGE.TIME],
                    FINDING.ENTRY_IDS: entries,
                    FINDING.SCORE: 1.0,
                    FINDING.EXPLANATION: f"{str(r[CHANGE.KIND]).replace('_', ' ')}: {r[CHANGE.FIELD]} "
                    f"{r[CHANGE.BEFORE]} -> {r[CHANGE.AFTER]}{detail}",
                    FINDING.PARAMETERS: {
                        "change": str(r[CHANGE.KIND]),
                        "field": str(r[CHANGE.FIELD]),
                        "before": opt_str(r[CHANGE.BEFORE]),
                        "after": opt_str(r[CHANGE.AFTER]),
                    },
                    FINDING.QUOTE: 0,
                }
            )
        return records
