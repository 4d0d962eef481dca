"""AIS ingestion: readers that turn AIS files into the canonical positions frame.

:func:`read_ais` is the entry point (format sniffed, gzip undone, lists of files
concatenated); :func:`read_marinecadastre` and :func:`read_nmea` read one format;
:func:`validate_positions` checks a positions frame built by hand.

>>> from vesselscreen.schema import POSITION_DTYPES, empty_frame
>>> validate_positions(empty_frame(POSITION_DTYPES))
"""

from vesselscreen.ais._io import AISSource
from vesselscreen.ais.marinecadastre import read_marinecadastre
from vesselscreen.ais.nmea import read_nmea
from vesselscreen.ais.read import FORMATS, read_ais, sniff_format, validate_positions

__all__ = [
    "FORMATS",
    "AISSource",
    "read_ais",
    "read_marinecadastre",
    "read_nmea",
    "sniff_format",
    "validate_positions",
]
