"""Screening: match AIS identities to list entries and turn events into findings.

`screen` builds one `ScreeningContext` and runs the finding rules
(`vesselscreen.screening.rules`) over it; `screen_archive` does the same for an archive or
a Dask frame, partition by partition; `Screener` screens a feed as it arrives.
"""

from vesselscreen.screening.areas import RiskArea
from vesselscreen.screening.config import MatchingConfig, PortCallConfig, ScreeningConfig
from vesselscreen.screening.context import ScreeningContext
from vesselscreen.screening.distributed import screen_archive
from vesselscreen.screening.engine import screen
from vesselscreen.screening.jurisdictions import DEFAULT_JURISDICTIONS, RUSSIA, Jurisdiction
from vesselscreen.screening.live import Screener
from vesselscreen.screening.quick import VesselCheck, screen_vessel
from vesselscreen.screening.result import ScreeningMetadata, ScreeningReport, ScreeningResult
from vesselscreen.screening.rules import (
    DEFAULT_RISK_WEIGHTS,
    DEFAULT_RULES,
    BuiltinRule,
    Rule,
)

__all__ = [
    "DEFAULT_JURISDICTIONS",
    "DEFAULT_RISK_WEIGHTS",
    "DEFAULT_RULES",
    "RUSSIA",
    "BuiltinRule",
    "Jurisdiction",
    "MatchingConfig",
    "PortCallConfig",
    "RiskArea",
    "Rule",
    "Screener",
    "ScreeningConfig",
    "ScreeningContext",
    "ScreeningMetadata",
    "ScreeningReport",
    "ScreeningResult",
    "VesselCheck",
    "screen",
    "screen_archive",
    "screen_vessel",
]
