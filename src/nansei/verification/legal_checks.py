"""Checks of the legal recognition order (``docs/verification.md`` §16).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them. Both scenarios are the ``ideal-fixed-delay`` built-in with its
legal timeline replaced:

* **Recognition order** (identity): the anticipated armed attack situation is recognised
  ``U(0, 8)`` h after t = 0 and the armed attack situation at the first Red strike on
  Japanese territory. In no replication is the anticipated situation recognised at or after
  the armed attack situation, and the evacuation order is lawful from the first of the two
  recognitions: ``t_evacuation_authorised_h = min(t_anticipated, t_armed_attack)`` (NaN as
  "never").
* **Lapse probability**: anticipated ``U(0, T)`` after t = 0, armed attack scheduled at
  ``a < T``. The anticipated recognition lapses unless ``U < a``: it is recognised with
  probability ``a / T``, and the evacuation order is lawful from ``min(U, a)``, of mean
  ``a - a^2 / (2 T)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nansei.verification.base import Check, _column, _doc, _identity, _mean_se

__all__ = ["CHECKS", "LAPSE_A_H", "LAPSE_T_H"]

CHECKS: list[Check] = []

BASE = "ideal-fixed-delay"
#: Armed attack recognised at ``a`` h; anticipated drawn uniform on (0, T) h.
LAPSE_A_H, LAPSE_T_H = 30.0, 60.0


def _order_violation(r: pd.DataFrame) -> np.ndarray:
    ant = r["t_anticipated_armed_attack_h"].to_numpy(dtype=float)
    arm = r["t_armed_attack_h"].to_numpy(dtype=float)
    evac = r["t_evacuation_authorised_h"].to_numpy(dtype=float)
    late = (~np.isnan(ant)) & (~np.isnan(arm)) & (ant >= arm)
    first = np.fmin(ant, arm)
    mismatch = np.where(np.isnan(first) & np.isnan(evac), 0.0, np.abs(evac - first))
    return late.astype(float) + np.nan_to_num(mismatch, nan=1.0)


CHECKS.append(
    Check(
        name="legal-recognition-order",
        description="The anticipated armed attack situation is never recognised at or after "
        "the armed attack situation (triggered by the first strike), and the evacuation "
        "order is lawful from the first of the two recognitions (identity)",
        scenario=_doc(
            BASE,
            **{
                "legal.timeline": [
                    {
                        "situation": "anticipated_armed_attack",
                        "mode": "delay",
                        "delay_h": {"kind": "uniform", "low": 0, "high": 8},
                    },
                    {
                        "situation": "armed_attack",
                        "mode": "trigger",
                        "trigger": "first_red_strike_on_japan",
                    },
                ]
            },
        ),
        expected=lambda: 0.0,
        estimate=_identity(_order_violation),
        replications=4_000,
        exact_match=True,
    )
)

_LAPSE = _doc(
    BASE,
    **{
        "legal.timeline": [
            {
                "situation": "anticipated_armed_attack",
                "mode": "delay",
                "delay_h": {"kind": "uniform", "low": 0, "high": LAPSE_T_H},
            },
            {"situation": "armed_attack", "mode": "scheduled", "at_h": LAPSE_A_H},
        ]
    },
)
CHECKS.append(
    Check(
        name="legal-anticipated-recognised",
        description=f"Anticipated U(0, {LAPSE_T_H:g}) h, armed attack at {LAPSE_A_H:g} h: share "
        "of replications in which the anticipated situation is recognised = a / T",
        scenario=_LAPSE,
        expected=lambda: LAPSE_A_H / LAPSE_T_H,
        estimate=lambda r: _mean_se(r["t_anticipated_armed_attack_h"].notna().to_numpy(float)),
        replications=4_000,
    )
)
CHECKS.append(
    Check(
        name="legal-evacuation-authorised",
        description=f"Anticipated U(0, {LAPSE_T_H:g}) h, armed attack at {LAPSE_A_H:g} h: mean "
        "time the evacuation order is lawful = E min(U, a) = a - a^2 / (2 T)",
        scenario=_LAPSE,
        expected=lambda: LAPSE_A_H - LAPSE_A_H**2 / (2.0 * LAPSE_T_H),
        estimate=_column("t_evacuation_authorised_h"),
        replications=4_000,
    )
)
