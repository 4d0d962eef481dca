"""Great-circle distances on the WGS84 mean sphere, vectorised over numpy arrays.

Haversine on a sphere of the IUGG mean Earth radius (6,371,008.8 m) is within 0.5 % of
the ellipsoidal distance everywhere, far below the size of a port area or AIS position
noise, and it is fast on millions of points.

>>> round(float(haversine_m(36.78333, 53.35, 37.46667, 49.46667)))  # Amirabad -> Anzali
352545
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_M", "haversine_m", "haversine_steps"]

EARTH_RADIUS_M: Final = 6_371_008.8
"""IUGG mean Earth radius R1, metres."""

FloatArray = npt.NDArray[np.float64]


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> FloatArray:
    """Great-circle distance in metres between points given in WGS84 degrees.

    Arguments broadcast like numpy arrays; NaN in, NaN out. Always returns an array
    (0-d for scalar input).

    >>> haversine_m([0.0, 0.0], [0.0, 179.5], [0.0, 0.0], [1.0, -179.5]).round()
    array([111195., 111195.])
    >>> bool(np.isnan(haversine_m(np.nan, 0.0, 0.0, 0.0)))
    True
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in (lat1, lon1, lat2, lon2)]
    n = arrays[0].size
    if n <= _CHUNK or any(a.ndim != 1 or a.size != n for a in arrays):
        return _haversine(*arrays)
    # long arrays in slices: the same elementwise arithmetic, without a dozen full-length
    # temporaries alive at once (a 3M-row track would hold ~200 MB of them)
    out = np.empty(n, dtype=np.float64)
    for start in range(0, n, _CHUNK):
        piece = slice(start, start + _CHUNK)
        out[piece] = _haversine(*(a[piece] for a in arrays))
    return out


def haversine_steps(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """Metres from each point to the next (``n - 1`` of them): ``haversine_m(lat[:-1], lon[:-1],
    lat[1:], lon[1:])`` to the last bit, with each point's cosine computed once, not twice.

    >>> haversine_steps([0.0, 0.0, 1.0], [0.0, 1.0, 1.0]).round()
    array([111195., 111195.])
    """
    lat_a = np.asarray(lat, dtype=np.float64).ravel()
    lon_a = np.asarray(lon, dtype=np.float64).ravel()
    if lat_a.shape != lon_a.shape:
        raise ValueError(f"lat and lon differ in length: {lat_a.shape[0]} != {lon_a.shape[0]}")
    out = np.empty(max(len(lat_a) - 1, 0), dtype=np.float64)
    for start in range(0, len(out), _CHUNK):  # slices of points, each overlapping the next by one
        points = slice(start, min(start + _CHUNK, len(out)) + 1)
        phi = np.radians(lat_a[points])
        cos_phi = np.cos(phi)  # trigonometry is most of the cost: each point's cosine serves two steps
        dphi = phi[1:] - phi[:-1]
        dlmb = np.radians(np.diff(lon_a[points]))
        a = np.sin(dphi / 2.0) ** 2 + cos_phi[:-1] * cos_phi[1:] * np.sin(dlmb / 2.0) ** 2
        out[start : start + len(a)] = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


_CHUNK: Final = 1 << 16
"""Elements per slice of a long `haversine_m` call (temporaries of 512 kB: cache-sized)."""


def _haversine(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    # clip guards against a > 1 from rounding for antipodal points
    return np.asarray(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)
