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
from vesselscreen.screening.rules._base import BuiltinRule, rows_of

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

    def records(self, context: ScreeningContext) -> list[dict[str, Any]]:
        return [*self._mmsi_imo(context), *self._imo_on_two_mmsis(context)]

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
        identities = context.identities
        spans = identities[identities[POSITION.IMO].isin(listed[WATCHLIST.IMO]).to_numpy(dtype=bool)]
        if spans[POSITION.MMSI].nunique() < 2:  # one MMSI cannot conflict with itself
            return []
        # a handful of identities at most (those broadcasting a listed IMO): plain Python, per
        # (IMO, MMSI) the last name given and the first and last report
        spells: dict[tuple[int, int], list[Any]] = {}
        for imo, mmsi, name, first, last in zip(
            spans[POSITION.IMO].tolist(), spans[POSITION.MMSI].tolist(), spans[POSITION.NAME].tolist(),
            spans[IDENTITY.FIRST_SEEN].tolist(), spans[IDENTITY.LAST_SEEN].tolist(), strict=True,
        ):  # fmt: skip
            spell = spells.setdefault((int(imo), int(mmsi)), [pd.NA, first, last])
            spell[0] = spell[0] if pd.isna(name) else name
            spell[1], spell[2] = min(spell[1], first), max(spell[2], last)
        entries: dict[int, list[str]] = {}
        for entry_id, imo in zip(
            listed[WATCHLIST.ENTRY_ID].tolist(), listed[WATCHLIST.IMO].tolist(), strict=True
        ):
            entries.setdefault(int(imo), []).append(str(entry_id))
        records = []
        keys = sorted(spells)
        for (imo, a), (name_a, first_a, last_a) in ((key, spells[key]) for key in keys):
            for other_imo, b in keys:
                first_b, last_b = spells[(other_imo, b)][1:]
                if other_imo != imo or not a < b or not (first_a <= last_b and first_b <= last_a):
                    continue
                for entry_id in entries.get(imo, []):
                    records.append(
                        {
                            FINDING.KIND: self.kind,
                            FINDING.RULE: "imo_on_two_mmsis",
                            FINDING.SEVERITY: Severity.HIGH.value,
                            FINDING.MMSI: a,
                            FINDING.IMO: imo,
                            FINDING.VESSEL_NAME: name_a,
                            FINDING.START: max(first_a, first_b),
                            FINDING.END: min(last_a, last_b),
                            FINDING.COUNTERPART_MMSI: b,
                            FINDING.ENTRY_IDS: (entry_id,),
                            FINDING.SCORE: 1.0,
                            FINDING.EXPLANATION: f"listed IMO {imo} ({entry_id}) was broadcast by "
                            f"MMSI {a} and MMSI {b} over the same period",
                            FINDING.PARAMETERS: {"mmsi_a": a, "mmsi_b": b},
                            FINDING.QUOTE_COUNTERPART: True,
                        }
                    )
        return records
