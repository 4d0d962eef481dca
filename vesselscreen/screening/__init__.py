"""Screening: match AIS identities to list entries and turn events into findings."""

from vesselscreen.screening.config import PortCallConfig, ScreeningConfig
from vesselscreen.screening.result import ScreeningMetadata, ScreeningReport, ScreeningResult
from vesselscreen.screening.screen import screen

__all__ = [
    "PortCallConfig",
    "ScreeningConfig",
    "ScreeningMetadata",
    "ScreeningReport",
    "ScreeningResult",
    "screen",
]
