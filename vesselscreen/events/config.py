"""Thresholds of the event detectors: frozen pydantic models, one per detector.

Every field is documented with its published default and its source. Global Fishing
Watch (GFW) publishes the definitions most analysts use:

* encounters: "two vessels within 500 meters of each other for at least 2 hours and
  traveling at < 2 knots, while at least 10 kilometers from a coastal anchorage"
  (Miller et al. 2018, Frontiers in Marine Science 5:240; GFW technical documentation);
  positions resampled to 10-minute intervals;
* loitering: "a carrier vessel travelled at speeds of < 2 knots for at least 4 hours"
  (GFW / Pew transshipment reports), at least 20 nm from shore;
* AIS gaps and disabling: gaps of 12 hours or more are "suspected disabling" events
  when the vessel is away from the coast (Welch et al. 2022, Science Advances 8:eabq2109);
  GFW's gap events start at 6 hours.
* port visits and stops: see `vesselscreen.events.PortCallConfig`.

>>> EncounterConfig().max_distance_m, LoiteringConfig().max_sog_kn, GapConfig().dark_gap_h
(500.0, 2.0, 12.0)
>>> EncounterConfig(min_duration_h=3).min_duration_h
3.0
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vesselscreen.events.port_calls import PortCallConfig

__all__ = [
    "EncounterConfig",
    "GapConfig",
    "LoiteringConfig",
    "SpoofingConfig",
    "StopConfig",
    "VoyageConfig",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class GapConfig(BaseModel):
    """Parameters of `vesselscreen.events.gaps`.

    >>> GapConfig().min_gap_h, GapConfig().dark_min_port_distance_m
    (6.0, 10000.0)
    """

    model_config = _FROZEN

    min_gap_h: float = Field(
        default=6.0,
        gt=0,
        description="Record every silence of at least this long (h). GFW gap events: 6 h.",
    )
    dark_gap_h: float = Field(
        default=12.0,
        gt=0,
        description=(
            "A gap of at least this long (h) that starts away from port is `dark` (suspected AIS "
            "disabling). GFW / Welch et al. 2022: 12 h."
        ),
    )
    dark_min_port_distance_m: float = Field(
        default=10_000.0,
        ge=0,
        description=(
            "'Away from port': the last position before the gap is farther than this (m) from every "
            "gazetteer port. 10 km as GFW's encounters (10 km from an anchorage). Welch et al. use 50 nm "
            "from shore, which needs a coastline; a port distance keeps the check offline and fast, and "
            "is stricter (more gaps count as dark) along empty coasts."
        ),
    )
    max_speed_kn: float = Field(
        default=50.0,
        gt=0,
        description=(
            "A gap whose implied speed (great-circle distance / duration) is above this (kn) is "
            "impossible: no merchant ship sustains 50 kn (fast ferries reach about 40). GFW's segmenter "
            "splits tracks at implied speeds above 25-30 kn; 50 kn only flags the physically impossible."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.dark_gap_h < self.min_gap_h:
            raise ValueError("dark_gap_h must be >= min_gap_h (a dark gap is a recorded gap)")
        return self


class StopConfig(BaseModel):
    """Parameters of `vesselscreen.events.stops` (GFW's stop hysteresis, as for port calls).

    >>> StopConfig().stop_speed_kn, StopConfig().min_duration_h
    (0.2, 1.0)
    """

    model_config = _FROZEN

    stop_speed_kn: float = Field(
        default=0.2, ge=0, description="A stop begins at or below this speed (kn). GFW stopping_speed_knots."
    )
    resume_speed_kn: float = Field(
        default=0.5, ge=0, description="A stop ends at or above this speed (kn). GFW starting_speed_knots."
    )
    min_duration_h: float = Field(
        default=1.0,
        ge=0,
        description="Report stops lasting at least this long (h), as PortCallConfig.min_duration_h.",
    )
    max_gap_h: float = Field(
        default=6.0,
        gt=0,
        description=(
            "A silence longer than this (h) ends a stop: nothing is known about what the vessel did "
            "meanwhile. 6 h is where `gaps` starts recording."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.resume_speed_kn < self.stop_speed_kn:
            raise ValueError("resume_speed_kn must be >= stop_speed_kn (stop hysteresis)")
        return self


class VoyageConfig(BaseModel):
    """Parameters of `vesselscreen.events.voyages`: its port calls and port-less stops.

    >>> VoyageConfig().port_calls.stop_speed_kn
    0.2
    """

    model_config = _FROZEN

    port_calls: PortCallConfig = Field(
        default_factory=PortCallConfig, description="How port calls (the ends of voyages) are found."
    )
    stops: StopConfig = Field(
        default_factory=StopConfig, description="How stops on the way (outside any port) are found."
    )


class EncounterConfig(BaseModel):
    """Parameters of `vesselscreen.events.encounters`; defaults: GFW's published encounters.

    >>> EncounterConfig().min_port_distance_m, EncounterConfig().grid_minutes
    (10000.0, 10)
    """

    model_config = _FROZEN

    max_distance_m: float = Field(
        default=500.0, gt=0, description="Vessels at most this far apart (m) are together. GFW: 500 m."
    )
    min_duration_h: float = Field(
        default=2.0, gt=0, description="Together for at least this long (h). GFW: 2 h."
    )
    max_median_sog_kn: float = Field(
        default=2.0,
        gt=0,
        description="Each vessel's median speed over the encounter is below this (kn). GFW: < 2 kn.",
    )
    min_port_distance_m: float = Field(
        default=10_000.0,
        ge=0,
        description=(
            "Every point of the encounter is at least this far (m) from every gazetteer port. GFW: 10 km "
            "from a coastal anchorage."
        ),
    )
    grid_minutes: int = Field(
        default=10,
        gt=0,
        le=24 * 60,
        description=(
            "Positions are interpolated onto a common time grid of this step (min), so vessels with "
            "different report rates are compared at the same instants. GFW: 10 minutes."
        ),
    )
    max_interpolation_gap_h: float = Field(
        default=1.0,
        gt=0,
        description=(
            "Interpolate between two positions of a vessel only when they are at most this far apart "
            "in time (h); across a longer silence the vessel's whereabouts are unknown and no grid "
            "point is made."
        ),
    )


class LoiteringConfig(BaseModel):
    """Parameters of `vesselscreen.events.loitering`; defaults: GFW's published loitering.

    >>> LoiteringConfig().min_duration_h
    4.0
    """

    model_config = _FROZEN

    max_sog_kn: float = Field(
        default=2.0, gt=0, description="Slow: speed over ground below this (kn). GFW loitering: < 2 kn."
    )
    min_duration_h: float = Field(
        default=4.0, gt=0, description="Slow for at least this long (h). GFW loitering: 4 h."
    )
    min_port_distance_m: float = Field(
        default=20 * 1852.0,
        ge=0,
        description=(
            "Every position of the spell is at least this far (m) from every gazetteer port. GFW's "
            "carrier loitering: 20 nm from shore; measured here from ports (no coastline offline)."
        ),
    )
    max_gap_h: float = Field(
        default=6.0,
        gt=0,
        description="A silence longer than this (h) ends a spell (see `gaps`, which records it).",
    )


# Inland seas the 1-km GLOBE land mask (global-land-mask) counts as land, as
# (lat_min, lat_max, lon_min, lon_max): the Caspian Sea and the Laurentian Great Lakes.
_INLAND_SEAS: tuple[tuple[float, float, float, float], ...] = (
    (36.5, 47.5, 46.5, 55.0),
    (41.0, 49.5, -93.0, -75.5),
)


class SpoofingConfig(BaseModel):
    """Parameters of `vesselscreen.events.spoofing`.

    >>> SpoofingConfig().max_speed_kn, SpoofingConfig().min_repeats
    (50.0, 3)
    """

    model_config = _FROZEN

    max_speed_kn: float = Field(
        default=50.0,
        gt=0,
        description="An implied speed above this (kn) between two positions is impossible (see GapConfig).",
    )
    min_jump_m: float = Field(
        default=10_000.0,
        ge=0,
        description=(
            "Only jumps longer than this (m) count as impossible, so GPS jitter between reports seconds "
            "apart is not spoofing."
        ),
    )
    min_repeats: int = Field(
        default=3,
        ge=2,
        description=(
            "'Two places at once': at least this many impossible jumps of one MMSI, each within "
            "`repeat_window_h` of the previous one (two transmitters sharing an MMSI, or a spoofed "
            "track interleaved with the real one)."
        ),
    )
    repeat_window_h: float = Field(
        default=24.0, gt=0, description="Impossible jumps this close in time (h) belong to one episode."
    )
    check_land: bool = Field(
        default=False,
        description=(
            "Flag positions on land, with the optional package global-land-mask (1 km GLOBE mask, data "
            "inside the package; skipped when it is not installed). Off by default: the mask has no "
            "rivers or canals, so on the real MarineCadastre sample 290 of 1,000 US positions (inland "
            "waterways, more than 5 km from a port) are 'on land'. Turn it on for open-sea areas."
        ),
    )
    land_port_buffer_m: float = Field(
        default=5_000.0,
        ge=0,
        description=(
            "Positions within this distance (m) of a port are never 'on land': berths lie on the 1 km "
            "mask's coastline cells."
        ),
    )
    inland_seas: tuple[tuple[float, float, float, float], ...] = Field(
        default=_INLAND_SEAS,
        description=(
            "Boxes (lat_min, lat_max, lon_min, lon_max) where the land check is off: the GLOBE mask "
            "counts the Caspian Sea and the Great Lakes as land."
        ),
    )
    draught_change_m: float = Field(
        default=1.0,
        gt=0,
        description=(
            "A change of reported draught of at least this (m) across a gap that starts away from port "
            "suggests cargo loaded or discharged while dark."
        ),
    )
    gaps: GapConfig = Field(
        default_factory=GapConfig, description="Which silences count as gaps for the draught check."
    )
