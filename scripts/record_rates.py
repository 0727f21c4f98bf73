"""Recompute the derived figures of ``verification/data/record.yaml`` from its own data.

Reads the dated fleet sizes (``fleet:``) and the dated losses (``loss_events:``), and
prints the launcher-days from 23 June 2022 to 30 June 2025 (step and piecewise linear
between the dated fleet sizes, less the launchers destroyed), the loss rates per
launcher-day and per launcher-year, exact (Garwood) Poisson intervals, and the
great-circle distances of ``nansei-dist-*`` from the stated coordinates. Usage::

    python scripts/record_rates.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from geographiclib.geodesic import Geodesic
from scipy.stats import chi2

RECORD = Path(__file__).resolve().parents[1] / "src/nansei/verification/data/record.yaml"
START = dt.date(2022, 6, 23)
END = dt.date(2025, 6, 30)


def garwood(k: int, level: float) -> tuple[float, float]:
    """Exact two-sided Poisson interval for the mean of ``k`` observed events."""
    a = 1.0 - level
    lo = 0.0 if k == 0 else chi2.ppf(a / 2, 2 * k) / 2
    return lo, chi2.ppf(1 - a / 2, 2 * k + 2) / 2


def launcher_days(fleet: list[dict], losses: list[str], *, linear: bool) -> float:
    """Integrate the fleet in service over [START, END] day by day."""
    pts = [(dt.date.fromisoformat(f["date"]), f["launchers"]) for f in fleet]
    lost = sorted(dt.date.fromisoformat(d) for d in losses)
    total = 0.0
    day = START
    while day < END:
        mid = day  # the fleet at the start of the day
        n = 0.0
        for i, (d, v) in enumerate(pts):
            if d <= mid:
                n = v
                if linear and i + 1 < len(pts):
                    d2, v2 = pts[i + 1]
                    n = v + (v2 - v) * (mid - d).days / (d2 - d).days
        n -= sum(1 for d in lost if d <= mid)
        total += n
        day += dt.timedelta(days=1)
    return total


def main() -> None:
    rec = yaml.safe_load(RECORD.read_text(encoding="utf-8"))
    fleet = rec["fleet"]
    destroyed = [e["date"] for e in rec["loss_events"] if e["kind"] == "destroyed"]
    damaged = [e["date"] for e in rec["loss_events"] if e["kind"] == "damaged"]
    ld_step = launcher_days(fleet, destroyed, linear=False)
    ld_lin = launcher_days(fleet, destroyed, linear=True)
    print(f"launcher-days step {ld_step:.0f}, linear {ld_lin:.0f}")
    ld = (ld_step + ld_lin) / 2
    for k, label in ((len(destroyed), "destroyed"), (len(destroyed) + len(damaged), "+damaged")):
        print(f"{label}: k={k} rate/launcher-day {k / ld:.3e} per year {365.25 * k / ld:.4f}")
        for level in (0.90, 0.95):
            lo, hi = garwood(k, level)
            print(
                f"  {level:.0%} events [{lo:.3f}, {hi:.3f}] rate [{lo / ld:.3e}, {hi / ld:.3e}]"
                f" per year [{365.25 * lo / ld:.4f}, {365.25 * hi / ld:.4f}]"
            )
    geo = Geodesic.WGS84
    coast = rec["coast_points"]
    for isl in rec["island_points"]:
        d = {
            c["id"]: geo.Inverse(isl["lat"], isl["lon"], c["lat"], c["lon"])["s12"] / 1000
            for c in coast
        }
        near = min(d, key=d.get)
        print(f"{isl['id']}: nearest {near} {d[near]:.0f} km; pingtan {d['pingtan']:.0f} km")


if __name__ == "__main__":
    main()
