"""Screening: match AIS identities to list entries and turn events into findings."""

from vesselscreen.screening.behaviour import RiskArea
from vesselscreen.screening.config import DEFAULT_RISK_WEIGHTS, PortCallConfig, ScreeningConfig
from vesselscreen.screening.jurisdictions import DEFAULT_JURISDICTIONS, RUSSIA, Jurisdiction
from vesselscreen.screening.live import Screener
from vesselscreen.screening.quick import VesselCheck, screen_vessel
from vesselscreen.screening.result import ScreeningMetadata, ScreeningReport, ScreeningResult
from vesselscreen.screening.screen import screen

__all__ = [
    "DEFAULT_JURISDICTIONS",
    "DEFAULT_RISK_WEIGHTS",
    "RUSSIA",
    "Jurisdiction",
    "PortCallConfig",
    "RiskArea",
    "Screener",
    "ScreeningConfig",
    "ScreeningMetadata",
    "ScreeningReport",
    "ScreeningResult",
    "VesselCheck",
    "screen",
    "screen_vessel",
]
