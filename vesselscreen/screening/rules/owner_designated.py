"""``owner_designated``: a vessel (by IMO) whose owner, operator or manager is listed.

From the ownership registry given to `vesselscreen.screen` (see
`vesselscreen.screening.ownership`): one finding per AIS vessel and listed party.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import DesignationStatus, FindingKind, Severity
from vesselscreen.schema import ENTITY, FINDING, IDENTITY, POSITION
from vesselscreen.screening.evidence import opt_int
from vesselscreen.screening.rules._base import BuiltinRule, rows_of
from vesselscreen.screening.status import designation_status

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["OwnerDesignatedRule"]


class OwnerDesignatedRule(BuiltinRule):
    """Vessels owned, operated or managed by a listed party.

    >>> OwnerDesignatedRule().weight
    40.0
    """

    name: ClassVar[str] = "owner_designated"
    kind: ClassVar[str] = FindingKind.OWNER_DESIGNATED
    weight: float = Field(default=40.0, ge=0, description="Points per listed owner, operator or manager.")

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        owner_matches = context.owner_matches
        if owner_matches.empty:
            return []
        seen = context.identities.dropna(subset=[POSITION.IMO])
        seen = seen.groupby([POSITION.MMSI, POSITION.IMO], as_index=False).agg(
            name=(POSITION.NAME, "last"),
            first_seen=(IDENTITY.FIRST_SEEN, "min"),
            last_seen=(IDENTITY.LAST_SEEN, "max"),
        )
        rows = seen.merge(owner_matches, left_on=POSITION.IMO, right_on="imo")
        empty_delisted = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns, UTC]")
        statuses = designation_status(
            rows["last_seen"],
            rows[ENTITY.LISTED_ON],
            empty_delisted,
            listed_not_before=rows[ENTITY.LISTED_NOT_BEFORE],
        )
        records = []
        for r, status in zip(rows_of(rows), statuses, strict=True):
            pre = DesignationStatus(status) is DesignationStatus.PRE_DESIGNATION
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: self.name,
                    FINDING.SEVERITY: (Severity.MEDIUM if pre else Severity.HIGH).value,
                    FINDING.MMSI: r[POSITION.MMSI],
                    FINDING.IMO: r["imo"],
                    FINDING.VESSEL_NAME: r["name"],
                    FINDING.START: r["first_seen"],
                    FINDING.END: r["last_seen"],
                    FINDING.ENTRY_IDS: (str(r[ENTITY.ENTRY_ID]),),
                    FINDING.DESIGNATION_STATUS: status,
                    FINDING.SCORE: float(r["score"]),
                    FINDING.EXPLANATION: f"{r['explanation']} (ship IMO {int(r['imo'])})",
                    FINDING.PARAMETERS: {
                        "role": str(r["role"]),
                        "party": str(r["party"]),
                        "party_imo": opt_int(r["party_imo"]),
                        "method": str(r["method"]),
                    },
                    FINDING.QUOTE: 0,
                }
            )
        return records
