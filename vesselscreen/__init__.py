"""vesselscreen: screen ships against sanctions lists using AIS data."""
