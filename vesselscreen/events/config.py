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

What is physically impossible (the 50 kn limit behind ``GAP.IMPOSSIBLE_SPEED`` and the
jumps of spoofing) is not a detector threshold: it is `vesselscreen.MotionLimits`,
defined once and carried by the `vesselscreen.events.Track` every detector reads.

>>> EncounterConfig().max_distance_m, LoiteringConfig().max_sog_kn, GapConfig().dark_gap_h
(500.0, 2.0, 12.0)
>>> EncounterConfig(min_duration_h=3).min_duration_h
3.0
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vesselscreen.geo.ports import DEFAULT_RADIUS_M

__all__ = [
    "EncounterConfig",
    "GapConfig",
    "LoiteringConfig",
    "PortCallConfig",
    "SpoofingConfig",
    "StopConfig",
    "StopSpeeds",
    "VoyageConfig",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class StopSpeeds(BaseModel):
    """GFW's stop hysteresis, shared by port calls and stops: when a vessel counts as stopped.

    A vessel is stopped from a report at or below ``stop_speed_kn`` until one at or above
    ``resume_speed_kn``; a report in between (or with no speed) keeps the current state.
    Source: ``GlobalFishingWatch/pipe-anchorages``, ``PortVisitsConfig``
    (stopping_speed_knots 0.2, starting_speed_knots 0.5).

    >>> StopSpeeds().stop_speed_kn, StopSpeeds().resume_speed_kn
    (0.2, 0.5)
    """

    model_config = _FROZEN

    stop_speed_kn: float = Field(
        default=0.2,
        ge=0,
        description="A stop begins at or below this speed over ground (kn). GFW stopping_speed_knots 0.2.",
    )
    resume_speed_kn: float = Field(
        default=0.5,
        ge=0,
        description="A stop ends at or above this speed over ground (kn). GFW starting_speed_knots 0.5.",
    )

    @model_validator(mode="after")
    def _check_hysteresis(self) -> Self:
        if self.resume_speed_kn < self.stop_speed_kn:
            raise ValueError("resume_speed_kn must be >= stop_speed_kn (stop hysteresis)")
        return self


class PortCallConfig(StopSpeeds):
    """Parameters of `port_calls`; defaults from Global Fishing Watch's port visits.

    Source of the GFW values: ``GlobalFishingWatch/pipe-anchorages``, ``PortVisitsConfig``
    (anchorage_entry_dist_km 3.0, anchorage_exit_dist_km 4.0, stopping_speed_knots 0.2,
    starting_speed_knots 0.5, min_anchorage_gap_minutes 240), and GFW's carrier-portal
    FAQ ("within three kilometers of an anchorage ... stopped (speed of less than 0.2
    knots) ... exit when it travels more than four kilometers").

    >>> PortCallConfig().min_duration_h, PortCallConfig(min_duration_h=3).min_duration_h
    (1.0, 3.0)
    """

    default_radius_m: float = Field(
        default=DEFAULT_RADIUS_M,
        gt=0,
        description=(
            "Entry distance (m) for ports whose table gives no radius_m. GFW: entry within 3 km of "
            "an anchorage point. Bundled ports carry their own radius (3-8 km by WPI harbour size)."
        ),
    )
    exit_margin_m: float = Field(
        default=1000.0,
        ge=0,
        description=(
            "Exit distance = the port's radius_m + this margin (m): hysteresis, so jitter at the edge "
            "does not split a visit. GFW: enter within 3 km, exit beyond 4 km."
        ),
    )
    min_duration_h: float = Field(
        default=1.0,
        ge=0,
        description=(
            "A visit is a port call when the vessel spent at least this long (h) stopped or silent in "
            "the port. 1 h keeps short cargo calls at small terminals; GFW's carrier portal uses 3 h."
        ),
    )
    max_gap_h: float = Field(
        default=24.0,
        gt=0,
        description=(
            "AIS silences inside a port up to this long (h) are bridged into one visit; a longer one "
            "ends the visit. 24 h spans a berth stay with a transponder switched off overnight."
        ),
    )
    port_gap_h: float = Field(
        default=4.0,
        gt=0,
        description=(
            "A silence of at least this long (h) inside a port counts like a stop (GFW 'port gap', "
            "min_anchorage_gap_minutes 240)."
        ),
    )


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

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.dark_gap_h < self.min_gap_h:
            raise ValueError("dark_gap_h must be >= min_gap_h (a dark gap is a recorded gap)")
        return self


class StopConfig(StopSpeeds):
    """Parameters of `vesselscreen.events.stops` (GFW's stop hysteresis, as for port calls).

    >>> StopConfig().stop_speed_kn, StopConfig().min_duration_h
    (0.2, 1.0)
    """

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

    >>> SpoofingConfig().min_displacement_m, SpoofingConfig().min_repeats
    (10000.0, 3)
    """

    model_config = _FROZEN

    min_displacement_m: float = Field(
        default=10_000.0,
        ge=0,
        description=(
            "Only impossible steps (see `vesselscreen.MotionLimits`) longer than this (m) are evidence of "
            "spoofing: a bad fix a few kilometres off is a data-quality matter for cleaning, a position "
            "tens of kilometres away is not noise."
        ),
    )
    min_stream_reports: int = Field(
        default=5,
        ge=1,
        description=(
            "A stream of positions persists when it has at least this many reports (and spans "
            "``min_stream_h``): stale rows carried into a daily file come in bursts of two or three, a "
            "bad fix alone; a transmitter that is really somewhere keeps reporting from there."
        ),
    )
    min_stream_h: float = Field(
        default=1.0,
        ge=0,
        description=(
            "...and spans at least this long (h), from its first report to its last: Class A "
            "transponders report every 2 s to 3 min (ITU-R M.1371), so an hour holds dozens of reports."
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
