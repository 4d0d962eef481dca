"""``identity_conflict``: contradictions between AIS and a list, never a silent match or miss.

Two evidence rules:

- ``mmsi_imo_conflict``: a listed MMSI broadcasts an IMO other than the listed one (a
  re-used or spoofed MMSI, or an error in the list);
- ``imo_on_two_mmsis``: a listed IMO is broadcast by two MMSIs over overlapping intervals
  (one ship cannot be in two places: one of them is not what it claims).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd
from pydantic import Field

from vesselscreen.models import FindingKind, Severity
from vesselscreen.schema import FINDING, IDENTITY, MATCH, POSITION, WATCHLIST
from vesselscreen.screening.evidence import opt_int
from vesselscreen.screening.matching import CONFLICT, LISTED_IMO
from vesselscreen.screening.rules._base import BuiltinRule, finding_frame, rows_of

if TYPE_CHECKING:
    from vesselscreen.screening.context import ScreeningContext

__all__ = ["IdentityConflictRule"]


class IdentityConflictRule(BuiltinRule):
    """AIS identities that contradict a list entry.

    >>> IdentityConflictRule().weight
    30.0
    """

    name: ClassVar[str] = "identity_conflict"
    kind: ClassVar[str] = FindingKind.IDENTITY_CONFLICT
    weight: float = Field(default=30.0, ge=0, description="Points per identity conflict.")

    def frame(self, context: ScreeningContext) -> pd.DataFrame:
        return finding_frame([*self._mmsi_imo(context), *self._imo_on_two_mmsis(context)])

    def _mmsi_imo(self, context: ScreeningContext) -> list[dict[str, Any]]:
        rows = context.matches[context.matches[CONFLICT].notna()]
        return [
            {
                FINDING.KIND: self.kind,
                FINDING.RULE: "mmsi_imo_conflict",
                FINDING.SEVERITY: Severity.HIGH.value,
                FINDING.MMSI: r[MATCH.MMSI],
                FINDING.IMO: r[MATCH.IMO],
                FINDING.VESSEL_NAME: r[MATCH.NAME],
                FINDING.START: r[MATCH.FIRST_SEEN],
                FINDING.END: r[MATCH.LAST_SEEN],
                FINDING.ENTRY_IDS: (str(r[MATCH.ENTRY_ID]),),
                FINDING.SCORE: 1.0,
                FINDING.EXPLANATION: f"{r[CONFLICT]} ({r[MATCH.ENTRY_ID]})",
                FINDING.PARAMETERS: {"ais_imo": opt_int(r[MATCH.IMO]), "listed_imo": opt_int(r[LISTED_IMO])},
            }
            for r in rows_of(rows)
        ]

    def _imo_on_two_mmsis(self, context: ScreeningContext) -> list[dict[str, Any]]:
        vessels = context.watchlist.vessels
        listed = vessels[[WATCHLIST.ENTRY_ID, WATCHLIST.IMO]].dropna()
        cols = [POSITION.MMSI, POSITION.IMO, POSITION.NAME, IDENTITY.FIRST_SEEN, IDENTITY.LAST_SEEN]
        spans = context.identities.dropna(subset=[POSITION.IMO])[cols]
        spans = spans[spans[POSITION.IMO].isin(listed[WATCHLIST.IMO])]
        if spans[POSITION.MMSI].nunique() < 2:  # one MMSI cannot conflict with itself
            return []
        spans = spans.groupby([POSITION.IMO, POSITION.MMSI], as_index=False).agg(
            name=(POSITION.NAME, "last"),
            first_seen=(IDENTITY.FIRST_SEEN, "min"),
            last_seen=(IDENTITY.LAST_SEEN, "max"),
        )
        pairs = spans.merge(spans, on=POSITION.IMO, suffixes=("_a", "_b"))
        pairs = pairs[
            (pairs["mmsi_a"] < pairs["mmsi_b"])
            & (pairs["first_seen_a"] <= pairs["last_seen_b"])
            & (pairs["first_seen_b"] <= pairs["last_seen_a"])
        ]
        pairs = pairs.merge(listed, left_on=POSITION.IMO, right_on=WATCHLIST.IMO)
        records = []
        for r in rows_of(pairs):
            a, b, imo = int(r["mmsi_a"]), int(r["mmsi_b"]), int(r[POSITION.IMO])
            records.append(
                {
                    FINDING.KIND: self.kind,
                    FINDING.RULE: "imo_on_two_mmsis",
                    FINDING.SEVERITY: Severity.HIGH.value,
                    FINDING.MMSI: a,
                    FINDING.IMO: imo,
                    FINDING.VESSEL_NAME: r["name_a"],
                    FINDING.START: max(r["first_seen_a"], r["first_seen_b"]),
                    FINDING.END: min(r["last_seen_a"], r["last_seen_b"]),
                    FINDING.COUNTERPART_MMSI: b,
                    FINDING.ENTRY_IDS: (str(r[WATCHLIST.ENTRY_ID]),),
                    FINDING.SCORE: 1.0,
                    FINDING.EXPLANATION: f"listed IMO {imo} ({r[WATCHLIST.ENTRY_ID]}) was broadcast by "
                    f"MMSI {a} and MMSI {b} over the same period",
                    FINDING.PARAMETERS: {"mmsi_a": a, "mmsi_b": b},
                    FINDING.QUOTE_COUNTERPART: True,
                }
            )
        return records
