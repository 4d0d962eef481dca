"""Event detectors: each a function of positions (DataFrame in, DataFrame out).

>>> from vesselscreen.events import PortCallConfig, port_calls
>>> PortCallConfig().stop_speed_kn
0.2
"""

from vesselscreen.events.port_calls import PortCallConfig, port_calls

__all__ = ["PortCallConfig", "port_calls"]
