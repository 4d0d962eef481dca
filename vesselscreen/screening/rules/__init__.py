"""Finding rules: one module per finding kind, in a registry users extend.

A rule is anything with a stable ``name`` and ``apply(context) -> Iterable[Finding]``
(`Rule`); it reads the `vesselscreen.ScreeningContext` built once per screening. The
built-in rules are `BuiltinRule` models with a finding ``kind``, a risk ``weight`` and
their own settings; `DEFAULT_RULES` lists them in the order of `vesselscreen.FindingKind`,
the order in which findings are reported.

>>> [rule.name for rule in DEFAULT_RULES][:4]
['designated_vessel', 'port_call', 'voyage', 'sts_encounter']
>>> DEFAULT_RISK_WEIGHTS["dark_gap"]
15.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from vesselscreen.screening.rules._base import (
    SEVERITY_BY_STATUS,
    BuiltinRule,
    Rule,
    build_findings,
    finding_frame,
)
from vesselscreen.screening.rules.dark_gap import DarkGapRule
from vesselscreen.screening.rules.designated_vessel import DesignatedVesselRule
from vesselscreen.screening.rules.identity_change import IdentityChangeRule
from vesselscreen.screening.rules.identity_conflict import IdentityConflictRule
from vesselscreen.screening.rules.loitering import LoiteringRule
from vesselscreen.screening.rules.owner_designated import OwnerDesignatedRule
from vesselscreen.screening.rules.port_call import PortCallRule
from vesselscreen.screening.rules.sanctioned_port_call import SanctionedPortCallRule
from vesselscreen.screening.rules.spoofing import SpoofingRule
from vesselscreen.screening.rules.sts_encounter import StsEncounterRule
from vesselscreen.screening.rules.voyage import VoyageRule

__all__ = [
    "DEFAULT_RISK_WEIGHTS",
    "DEFAULT_RULES",
    "DEFAULT_USER_RULE_WEIGHT",
    "SEVERITY_BY_STATUS",
    "BuiltinRule",
    "DarkGapRule",
    "DesignatedVesselRule",
    "IdentityChangeRule",
    "IdentityConflictRule",
    "LoiteringRule",
    "OwnerDesignatedRule",
    "PortCallRule",
    "Rule",
    "SanctionedPortCallRule",
    "SpoofingRule",
    "StsEncounterRule",
    "VoyageRule",
    "build_findings",
    "finding_frame",
]

DEFAULT_RULES: Final[tuple[BuiltinRule, ...]] = (
    DesignatedVesselRule(),
    PortCallRule(),
    VoyageRule(),
    StsEncounterRule(),
    DarkGapRule(),
    SanctionedPortCallRule(),
    IdentityChangeRule(),
    SpoofingRule(),
    OwnerDesignatedRule(),
    IdentityConflictRule(),
    LoiteringRule(),
)
"""The built-in rules, with their default settings and weights."""

DEFAULT_RISK_WEIGHTS: Final[Mapping[str, float]] = {str(rule.kind): rule.weight for rule in DEFAULT_RULES}
"""Points a finding of each built-in kind adds to its vessel's risk (times the finding's score)."""

DEFAULT_USER_RULE_WEIGHT: Final = 10.0
"""Risk points per finding of a rule that declares no ``weight``."""
