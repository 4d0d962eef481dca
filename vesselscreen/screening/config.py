"""Screening configuration: every threshold a named, documented field with its default.

One `ScreeningConfig` holds what a screening needs to be reproduced: the physical
limits, each detector's thresholds, the matching thresholds and the screening policy
(risk areas, sanctioned jurisdictions). The finding rules carry their own settings and
risk weights (`vesselscreen.screening.rules`).

>>> ScreeningConfig().matching.by_name_and_flag
True
>>> ScreeningConfig(port_calls=PortCallConfig(min_duration_h=2.0)).port_calls.min_duration_h
2.0
>>> ScreeningConfig().limits.max_speed_kn
50.0
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vesselscreen.ais.cleaning import CleaningConfig
from vesselscreen.events.config import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    PortCallConfig,
    SpoofingConfig,
    StopConfig,
)
from vesselscreen.limits import MotionLimits
from vesselscreen.models import MatchTier
from vesselscreen.screening.areas import RiskArea
from vesselscreen.screening.jurisdictions import DEFAULT_JURISDICTIONS, Jurisdiction

__all__ = ["MatchingConfig", "PortCallConfig", "ScreeningConfig"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class MatchingConfig(BaseModel):
    """How AIS identities are tied to list entries (`vesselscreen.screening.matching`).

    >>> MatchingConfig().fuzzy_min_similarity
    90.0
    """

    model_config = _FROZEN

    by_name_and_flag: bool = Field(
        default=True,
        description=(
            "Match list entries by normalised name (or alias) when the MMSI's MID corroborates the "
            "listed flag. Needed for entries listed without IMO or MMSI; a name alone never matches."
        ),
    )
    fuzzy_names: bool = Field(
        default=True,
        description="Also match near-equal names (with equal numbers) when the flag corroborates.",
    )
    min_tier: MatchTier = Field(
        default=MatchTier.POSSIBLE,
        description=(
            "The weakest match tier that raises findings (``confirmed``, ``probable`` or ``possible``); "
            "weaker matches are still in ``result.matches``. By default every match is reported, a "
            "possible one at low severity with what would confirm it."
        ),
    )
    fuzzy_min_similarity: float = Field(
        default=90.0,
        ge=50.0,
        le=100.0,
        description=(
            "Least rapidfuzz ``ratio`` (0-100) of two normalised names for a fuzzy match. 90 tolerates "
            "one or two typing or transliteration differences in a ship name (PORT OLIA 3 / PORT OLYA 3) "
            "and keeps different words apart; the digits must also agree."
        ),
    )


class ScreeningConfig(BaseModel):
    """Parameters of :func:`vesselscreen.screen`."""

    model_config = _FROZEN

    limits: MotionLimits = Field(
        default_factory=MotionLimits,
        description="What a ship can physically do (impossible steps): shared by cleaning, gaps, spoofing.",
    )
    clean: bool = Field(
        default=True,
        description="Leave the artefacts of real feeds out of the detectors (duplicate and near-duplicate "
        "receptions, midnight carry-over rows of daily files, lone impossible fixes), counted in the "
        "result's cleaning report: a data artefact is never a finding.",
    )
    cleaning: CleaningConfig = Field(
        default_factory=CleaningConfig, description="What counts as an artefact (see vs.clean_ais)."
    )
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
    matching: MatchingConfig = Field(
        default_factory=MatchingConfig, description="How AIS identities are matched to list entries."
    )
    risk_areas: tuple[RiskArea, ...] = Field(
        default=(),
        description="Sea areas where a dark gap of *any* vessel is a finding (dark gaps of listed "
        "vessels are findings everywhere).",
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
