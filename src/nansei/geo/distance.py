"""Geodesic distances on the WGS84 ellipsoid.

All positions are geodetic latitude and longitude in degrees (WGS84); all distances are in
kilometres. The solver is Karney's algorithm from ``geographiclib``, accurate to nanometres.

Examples
--------
>>> round(geodesic_km(0.0, 0.0, 0.0, 1.0), 3)
111.319
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from geographiclib.geodesic import Geodesic

__all__ = ["distance_matrix_km", "geodesic_km"]

_WGS84 = Geodesic.WGS84


def _check_position(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"position must be finite, got lat={lat!r}, lon={lon!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude must be in [-90, 90] degrees, got {lat!r}")
    if not -180.0 <= lon <= 360.0:
        raise ValueError(f"longitude must be in [-180, 360] degrees, got {lon!r}")


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance between two points on the WGS84 ellipsoid.

    Parameters
    ----------
    lat1, lon1 : float
        First point, degrees (latitude in [-90, 90]).
    lat2, lon2 : float
        Second point, degrees.

    Returns
    -------
    float
        Shortest distance along the ellipsoid, km.

    Raises
    ------
    ValueError
        If a coordinate is not finite or a latitude is out of range.
    """
    lat1, lon1, lat2, lon2 = float(lat1), float(lon1), float(lat2), float(lon2)
    _check_position(lat1, lon1)
    _check_position(lat2, lon2)
    return _inverse_km(lat1, lon1, lat2, lon2)


@lru_cache(maxsize=1 << 17)
def _inverse_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Karney's inverse solution, memoised: sweeps recompile the same sites many times."""
    return _WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE)["s12"] / 1000.0


def distance_matrix_km(lats, lons) -> np.ndarray:
    """Pairwise geodesic distances between points.

    Parameters
    ----------
    lats, lons : array_like, shape (n,)
        Latitudes and longitudes, degrees.

    Returns
    -------
    numpy.ndarray, shape (n, n), float64
        ``D[i, j]`` is the geodesic distance from point ``i`` to point ``j``, km. The matrix
        is symmetric with a zero diagonal.

    Raises
    ------
    ValueError
        If the inputs are not one-dimensional arrays of equal length, or a coordinate is
        invalid.
    """
    lat = np.asarray(lats, dtype=np.float64)
    lon = np.asarray(lons, dtype=np.float64)
    if lat.ndim != 1 or lon.ndim != 1 or lat.shape != lon.shape:
        raise ValueError(
            f"lats and lons must be 1-D arrays of equal length, got shapes {lat.shape} "
            f"and {lon.shape}"
        )
    n = lat.shape[0]
    for i in range(n):
        _check_position(float(lat[i]), float(lon[i]))
    out = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            d = _WGS84.Inverse(lat[i], lon[i], lat[j], lon[j], Geodesic.DISTANCE)["s12"] / 1000.0
            out[i, j] = d
            out[j, i] = d
    return out
