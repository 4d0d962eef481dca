"""Evidence helpers: quote the AIS positions behind a finding, convert pandas scalars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vesselscreen.events.track import Track
from vesselscreen.models import EvidencePosition
from vesselscreen.schema import POSITION

__all__ = ["PositionLookup", "opt_int", "opt_str"]


class PositionLookup:
    """Fast slicing of a track (sorted by mmsi and time) for the positions a finding quotes."""

    def __init__(self, track: Track) -> None:
        self._frame = track.frame
        self._mmsi = track.mmsi
        self._time = track.ts.view("datetime64[ns]")

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
        columns = [POSITION.MMSI, POSITION.TIMESTAMP, POSITION.LAT, POSITION.LON, POSITION.SOG]
        rows = self._frame.iloc[picks][[*columns, POSITION.NAME, POSITION.IMO]]
        return [
            EvidencePosition(
                mmsi=int(r[POSITION.MMSI]),
                timestamp=r[POSITION.TIMESTAMP].to_pydatetime(),
                lat=float(r[POSITION.LAT]),
                lon=float(r[POSITION.LON]),
                sog=None if pd.isna(r[POSITION.SOG]) else float(r[POSITION.SOG]),
                name=opt_str(r[POSITION.NAME]),
                imo=opt_int(r[POSITION.IMO]),
            )
            for r in rows.to_dict("records")
        ]


def opt_int(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]  # pandas scalar, NA checked


def opt_str(value: object) -> str | None:
    return None if pd.isna(value) else str(value)  # type: ignore[call-overload]  # pandas scalar, NA checked
