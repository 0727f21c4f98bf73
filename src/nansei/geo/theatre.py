"""Positions of an abstract theatre: a rectangle behind a straight front line.

An abstract theatre (``geography.theatre``) stands for a land front such as Ukraine's
without any real place: Blue's positions are generic points spread evenly (a Halton
sequence in bases 2 and 3) over a rectangle ``width_km`` along the front and from
``min_depth_km`` to ``depth_km`` behind it. The plane is drawn at the equator, x east along
the front and y north, with the front line at y = 0 and Blue to the south: a point at
(x, y) km has longitude x / ``KM_PER_DEG`` and latitude y / ``KM_PER_DEG``, so the geodesic
distances the compiler computes are within 1 % of the planar ones over a few hundred km.
These coordinates are not a real place and never a real installation.
"""

from __future__ import annotations

import math

import numpy as np

from nansei.geo.positions import halton

__all__ = ["KM_PER_DEG", "theatre_points", "to_lonlat"]

#: km per degree on the abstract plane (mean Earth radius 6,371.0088 km).
KM_PER_DEG = 6371.0088 * math.pi / 180.0


def theatre_points(n: int, width_km: float, min_depth_km: float, depth_km: float) -> np.ndarray:
    """``n`` evenly spread positions behind the front line, shape ``(n, 2)`` km.

    Column 0 is x in ``[0, width_km)`` along the front, column 1 the depth behind the
    front line in ``[min_depth_km, depth_km)`` (positive: Blue's side). Deterministic.
    """
    if n < 0 or width_km <= 0 or not 0 <= min_depth_km < depth_km:
        raise ValueError(
            f"theatre_points needs n >= 0, width > 0 and 0 <= min depth < depth; got "
            f"{n}, {width_km}, {min_depth_km}, {depth_km}"
        )
    x = halton(n, 2) * width_km
    depth = min_depth_km + halton(n, 3) * (depth_km - min_depth_km)
    return np.column_stack([x, depth]).reshape(n, 2)


def to_lonlat(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees (longitude, latitude) of plane points (x east, y north, km)."""
    return np.asarray(x_km) / KM_PER_DEG, np.asarray(y_km) / KM_PER_DEG
