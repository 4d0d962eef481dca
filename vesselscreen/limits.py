"""Physical limits of ship motion, defined once and shared by cleaning, gaps and spoofing.

What a ship can physically do is one question, so it has one answer here: track
cleaning (:func:`vesselscreen.clean_ais`), the ``impossible_speed`` flag of AIS gaps and
the jumps behind spoofing all read the same :class:`MotionLimits` (through
`vesselscreen.ScreeningConfig.limits` when screening).

>>> MotionLimits().max_speed_kn, MotionLimits().min_jump_m
(50.0, 1000.0)
>>> MotionLimits(max_speed_kn=40).max_speed_kn
40.0
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["KNOT_M_PER_S", "M_PER_NM", "MotionLimits"]

M_PER_NM: Final = 1852.0
"""Metres per international nautical mile."""
KNOT_M_PER_S: Final = M_PER_NM / 3600.0
"""Metres per second in one knot."""


class MotionLimits(BaseModel):
    """When a step between two consecutive reports of one vessel is physically impossible.

    A step is impossible when its implied speed (great-circle distance over the time
    between the reports, at least ``min_interval_s``) is above ``max_speed_kn`` *and* it is
    longer than ``min_jump_m``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_speed_kn: float = Field(
        default=50.0,
        gt=0,
        description=(
            "Implied speed (kn) above which a step is impossible: no merchant ship sustains 50 kn "
            "(container ships ~25 kn, fast ferries ~40 kn). GFW's segmenter splits tracks at implied "
            "speeds above 25-30 kn; 50 kn flags only the physically impossible."
        ),
    )
    min_jump_m: float = Field(
        default=1000.0,
        ge=0,
        description=(
            "Steps shorter than this (m) are never impossible: GPS noise and the one-second "
            "resolution of report times make short hops between close reports look fast."
        ),
    )
    min_interval_s: float = Field(
        default=1.0,
        gt=0,
        description=(
            "Time floor (s) of the implied-speed calculation: most sources time reports to the "
            "second, so two reports in the same second are taken to be at least this far apart."
        ),
    )
