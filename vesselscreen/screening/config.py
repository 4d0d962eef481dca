"""Screening configuration: every threshold a named, documented field with its default.

>>> ScreeningConfig().match_by_name_and_flag
True
>>> ScreeningConfig(port_calls=PortCallConfig(min_duration_h=2.0)).port_calls.min_duration_h
2.0
>>> ScreeningConfig().risk_weights["designated_vessel"]
60.0
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.events.config import EncounterConfig, GapConfig, LoiteringConfig, SpoofingConfig, StopConfig
from vesselscreen.events.port_calls import PortCallConfig
from vesselscreen.screening.behaviour import RiskArea
from vesselscreen.screening.jurisdictions import DEFAULT_JURISDICTIONS, Jurisdiction

__all__ = ["DEFAULT_RISK_WEIGHTS", "PortCallConfig", "ScreeningConfig"]

DEFAULT_RISK_WEIGHTS: dict[str, float] = {
    "designated_vessel": 60.0,
    "owner_designated": 40.0,
    "identity_conflict": 30.0,
    "sts_encounter": 25.0,
    "sanctioned_port_call": 20.0,
    "dark_gap": 15.0,
    "spoofing": 15.0,
    "port_call": 10.0,
    "voyage": 5.0,
    "identity_change": 5.0,
}
"""Points a finding of each kind adds to a vessel's risk (times the finding's score).

Designation outweighs everything; behaviour indicators (dark gaps, encounters, calls in
sanctioned jurisdictions) add up. A vessel's risk is the sum, capped at 100.
"""


class ScreeningConfig(BaseModel):
    """Parameters of :func:`vesselscreen.screen`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port_calls: PortCallConfig = Field(
        default_factory=PortCallConfig, description="Port-call detection (Global Fishing Watch defaults)."
    )
    stops: StopConfig = Field(default_factory=StopConfig, description="Port-less stops on voyages.")
    gaps: GapConfig = Field(
        default_factory=GapConfig, description="AIS gaps (6 h) and dark gaps (12 h, GFW)."
    )
    encounters: EncounterConfig = Field(
        default_factory=EncounterConfig, description="Ship-to-ship encounters (GFW: 500 m, 2 h, < 2 kn)."
    )
    loitering: LoiteringConfig = Field(
        default_factory=LoiteringConfig, description="Loitering (< 2 kn, 4 h)."
    )
    spoofing: SpoofingConfig = Field(default_factory=SpoofingConfig, description="Position spoofing.")
    dark_gap_areas: tuple[RiskArea, ...] = Field(
        default=(),
        description="Sea areas where a dark gap of *any* vessel is a finding (dark gaps of listed "
        "vessels are findings everywhere).",
    )
    match_by_name_and_flag: bool = Field(
        default=True,
        description=(
            "Match list entries by normalised name (or alias) when the MMSI's MID corroborates the "
            "listed flag. Needed for entries listed without IMO or MMSI; a name alone never matches."
        ),
    )
    fuzzy_names: bool = Field(
        default=True,
        description="Also match names at least 90 % alike (with equal numbers) when the flag corroborates.",
    )
    sanctioned_jurisdictions: tuple[Jurisdiction, ...] = Field(
        default=DEFAULT_JURISDICTIONS,
        description="Where any port call is a finding (default: Iran, North Korea, Syria until "
        "1 July 2025, Cuba, Crimea); add ``jurisdictions.RUSSIA`` to opt in to Russian ports.",
    )
    evidence_positions: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="How many AIS positions each finding quotes as evidence (first and last of the event).",
    )
    risk_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS),
        description="Points per finding kind for the per-vessel risk score (see DEFAULT_RISK_WEIGHTS).",
    )
