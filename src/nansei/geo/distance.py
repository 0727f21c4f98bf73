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

__all__ = ["distance_matrix_km", "geodesic_km", "within_km"]

_WGS84 = Geodesic.WGS84
#: Sphere radius (km) used only to bound the geodesic distance in :func:`within_km`.
_R_BOUND_KM = 6371.0
#: In (lat, lon) the WGS84 metric is between (M_min / R)^2 and (N_max / R)^2 times that of a
#: sphere of radius R, with M_min = a (1 - e^2) = 6335.44 km (meridian radius at the equator)
#: and N_max = a / sqrt(1 - e^2) = 6399.59 km (at the poles). So for R = 6371 km the geodesic
#: distance lies in [0.9944, 1.0045] x the great-circle distance; these margins are wider.
_LOW, _HIGH = 0.99, 1.01


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


def within_km(lat1: float, lon1: float, lat2: float, lon2: float, km: float) -> bool:
    """``geodesic_km(lat1, lon1, lat2, lon2) <= km``, without solving the geodesic when a
    great-circle bound already decides it (always the same answer; same errors).

    Examples
    --------
    >>> within_km(24.34, 124.16, 24.80, 125.28, 50.0), within_km(0.0, 0.0, 0.0, 1.0, 111.32)
    (False, True)
    """
    lat1, lon1, lat2, lon2 = float(lat1), float(lon1), float(lat2), float(lon2)
    _check_position(lat1, lon1)
    _check_position(lat2, lon2)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    d = 2.0 * _R_BOUND_KM * math.asin(math.sqrt(min(1.0, h)))
    if d * _HIGH + 1e-9 < km:
        return True
    if d * _LOW - 1e-9 > km:
        return False
    return _inverse_km(lat1, lon1, lat2, lon2) <= km


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
