"""Screening configuration: every threshold a named, documented field with its default.

>>> ScreeningConfig().match_by_name_and_flag
True
>>> ScreeningConfig(port_calls=PortCallConfig(min_duration_h=2.0)).port_calls.min_duration_h
2.0
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.events.port_calls import PortCallConfig

__all__ = ["PortCallConfig", "ScreeningConfig"]


class ScreeningConfig(BaseModel):
    """Parameters of :func:`vesselscreen.screen`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port_calls: PortCallConfig = Field(
        default_factory=PortCallConfig, description="Port-call detection (Global Fishing Watch defaults)."
    )
    match_by_name_and_flag: bool = Field(
        default=True,
        description=(
            "Match list entries by normalised name (or alias) when the MMSI's MID corroborates the "
            "listed flag. Needed for entries listed without IMO or MMSI; a name alone never matches."
        ),
    )
    evidence_positions: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="How many AIS positions each finding quotes as evidence (first and last of the event).",
    )
