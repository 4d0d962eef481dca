"""Geography: the port gazetteer, port polygons, nearest-port lookup and great-circle distances.

>>> from vesselscreen.geo import PortIndex, load_ports
>>> index = PortIndex(load_ports())
>>> pos, _ = index.within([42.9667], [47.5])
>>> index.ports.at[int(pos[0]), "port_id"]
'RUMCX'
"""

from vesselscreen.geo.distance import EARTH_RADIUS_M, haversine_m
from vesselscreen.geo.polygons import PortPolygon, load_port_polygons
from vesselscreen.geo.ports import (
    DEFAULT_RADIUS_M,
    HARBOR_SIZE,
    PORTS_DTYPES,
    PortIndex,
    load_ports,
    validate_ports,
)

__all__ = [
    "DEFAULT_RADIUS_M",
    "EARTH_RADIUS_M",
    "HARBOR_SIZE",
    "PORTS_DTYPES",
    "PortIndex",
    "PortPolygon",
    "haversine_m",
    "load_port_polygons",
    "load_ports",
    "validate_ports",
]
