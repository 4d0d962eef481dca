"""AIS ingestion: readers that turn AIS files into the canonical positions frame, cleaning, identity.

:func:`read_ais` is the entry point (format sniffed, compression undone, lists of files
concatenated, ``chunksize=`` for files larger than memory); one reader per format:
:func:`read_marinecadastre`, :func:`read_nmea`, :func:`read_dma`,
:func:`read_aisstream` (and the live :func:`stream_aisstream`), :func:`read_aishub`,
and :func:`read_mapped` for any table with a column mapping. :func:`clean_ais` cleans a
positions frame by documented rules; :func:`identity_timeline` says which identity each
MMSI broadcast when; :func:`validate_positions` checks a positions frame built by hand.

>>> from vesselscreen.schema import POSITION_DTYPES, empty_frame
>>> validate_positions(empty_frame(POSITION_DTYPES))
"""

from vesselscreen.ais._io import AISSource
from vesselscreen.ais.aishub import read_aishub
from vesselscreen.ais.aisstream import read_aisstream, stream_aisstream
from vesselscreen.ais.cleaning import CleaningConfig, CleaningReport, clean_ais, cleaning_report
from vesselscreen.ais.dma import read_dma
from vesselscreen.ais.identity import IdentityTimeline, identity_timeline
from vesselscreen.ais.mapping import read_mapped
from vesselscreen.ais.marinecadastre import read_marinecadastre
from vesselscreen.ais.nmea import read_nmea
from vesselscreen.ais.read import FORMATS, read_ais, sniff_format, validate_positions

__all__ = [
    "FORMATS",
    "AISSource",
    "CleaningConfig",
    "CleaningReport",
    "IdentityTimeline",
    "clean_ais",
    "cleaning_report",
    "identity_timeline",
    "read_ais",
    "read_aishub",
    "read_aisstream",
    "read_dma",
    "read_mapped",
    "read_marinecadastre",
    "read_nmea",
    "sniff_format",
    "stream_aisstream",
    "validate_positions",
]
