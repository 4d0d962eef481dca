"""Evidence helpers: quote the AIS positions behind a finding, convert pandas scalars."""

from __future__ import annotations

from datetime import UTC

import numpy as np
import pandas as pd

from vesselscreen.events.track import Track
from vesselscreen.models import EvidencePosition
from vesselscreen.schema import POSITION

__all__ = ["PositionLookup", "opt_int", "opt_str"]


class PositionLookup:
    """Fast slicing of a track (sorted by mmsi and time) for the positions a finding quotes."""

    def __init__(self, track: Track) -> None:
        self._mmsi = track.mmsi
        self._time = track.ts.view("datetime64[ns]")
        self._lat, self._lon, self._sog = track.lat, track.lon, track.sog
        # a finding quotes a handful of rows of millions: their names and IMOs are read from
        # where the track's values are, not from a copy of every row
        frame, self._at = track.value_source()
        self._name = frame[POSITION.NAME].array
        self._imo = frame[POSITION.IMO].array

    def between(
        self, mmsi: int, start: pd.Timestamp, end: pd.Timestamp, limit: int
    ) -> list[EvidencePosition]:
        """Up to ``limit`` positions of ``mmsi`` in [start, end]: first, last, evenly spaced between."""
        if limit <= 0:
            return []
        lo, hi = np.searchsorted(self._mmsi, mmsi, "left"), np.searchsorted(self._mmsi, mmsi, "right")
        times = self._time[lo:hi]
        t0 = np.datetime64(start.tz_convert(None).as_unit("ns"))
        t1 = np.datetime64(end.tz_convert(None).as_unit("ns"))
        a = int(lo + np.searchsorted(times, t0, "left"))
        b = int(lo + np.searchsorted(times, t1, "right"))
        if b <= a:
            return []
        picks = np.unique(np.linspace(a, b - 1, num=min(limit, b - a)).round().astype(int))
        # the picked rows' values gathered at once (a scalar read of a pandas array costs more)
        times = self._time[picks].astype("datetime64[us]").tolist()  # datetimes: AIS has no nanoseconds
        sogs = self._sog[picks]
        rows = picks if self._at is None else self._at[picks]
        names = self._name.take(rows).to_numpy(dtype=object, na_value=None)
        imos = self._imo.take(rows).to_numpy(dtype=object, na_value=None)
        return [
            EvidencePosition(
                mmsi=mmsi,
                timestamp=time.replace(tzinfo=UTC),
                lat=lat,
                lon=lon,
                sog=None if np.isnan(sog) else float(sog),
                name=None if name is None else str(name),
                imo=None if imo is None else int(imo),
            )
            for mmsi, time, lat, lon, sog, name, imo in zip(
                self._mmsi[picks].tolist(), times, self._lat[picks].tolist(), self._lon[picks].tolist(),
                sogs, names, imos, strict=True,
            )
        ]  # fmt: skip


def opt_int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]  # pandas scalar, NA checked


def opt_str(value: object) -> str | None:
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]  # pandas scalar, NA checked
