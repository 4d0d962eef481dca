"""Event detectors: each a function of positions (DataFrame in, DataFrame out).

Each detector is usable on its own, takes a canonical positions frame (many vessels at
once) and returns a new frame in a documented schema (`vesselscreen.schema`): port
calls, stops, voyages, AIS gaps, encounters, loitering and position spoofing. Every
threshold is a field of the detector's frozen config, with the published default.

>>> from vesselscreen.events import EncounterConfig, PortCallConfig, port_calls
>>> PortCallConfig().stop_speed_kn, EncounterConfig().min_duration_h
(0.2, 2.0)
"""

from vesselscreen.events.config import (
    EncounterConfig,
    GapConfig,
    LoiteringConfig,
    SpoofingConfig,
    StopConfig,
    VoyageConfig,
)
from vesselscreen.events.encounters import encounters
from vesselscreen.events.gaps import gaps
from vesselscreen.events.loitering import loitering
from vesselscreen.events.port_calls import PortCallConfig, port_calls
from vesselscreen.events.spoofing import land_mask_available, spoofing
from vesselscreen.events.stops import stops
from vesselscreen.events.voyages import voyages

__all__ = [
    "EncounterConfig",
    "GapConfig",
    "LoiteringConfig",
    "PortCallConfig",
    "SpoofingConfig",
    "StopConfig",
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
