"""Event detectors: each a function of positions (DataFrame in, DataFrame out).

Each detector is usable on its own, takes a canonical positions frame (many vessels at
once) or a `Track` of one, and returns a new frame in a documented schema
(`vesselscreen.schema`): port calls, stops, voyages, AIS gaps, encounters, loitering
and position spoofing. Every threshold is a field of the detector's frozen config, with
the published default; what is physically possible is `vesselscreen.MotionLimits`,
carried by the track. A `Track` sorts the positions and locates the ports once, so
detectors that share it share that work.

>>> from vesselscreen.events import EncounterConfig, PortCallConfig, port_calls
>>> PortCallConfig().stop_speed_kn, EncounterConfig().min_duration_h
(0.2, 2.0)
"""

from vesselscreen.events._encounters import encounters
from vesselscreen.events._gaps import gaps
from vesselscreen.events._loitering import loitering
from vesselscreen.events._port_calls import port_calls
from vesselscreen.events._spoofing import land_mask_available, spoofing
from vesselscreen.events._stops import stops
from vesselscreen.events._voyages import voyages
from vesselscreen.events.config import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    PortCallConfig,
    SpoofingConfig,
    StopConfig,
    StopSpeeds,
    VoyageConfig,
)
from vesselscreen.events.track import SortedPositions, Track

__all__ = [
    "EncounterConfig",
    "GapConfig",
    "LoiteringConfig",
    "PortCallConfig",
    "SortedPositions",
    "SpoofingConfig",
    "StopConfig",
    "StopSpeeds",
    "Track",
    "VoyageConfig",
    "encounters",
    "gaps",
    "land_mask_available",
    "loitering",
    "port_calls",
    "spoofing",
    "stops",
    "voyages",
]
