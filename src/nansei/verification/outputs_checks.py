"""Exact checks that the outputs count what their descriptions say (``docs/verification.md``
§17; issue 16, item 6).

Listed in ``CHECKS`` and registered in :data:`nansei.verification.checks.REGISTRY`, so
``nansei verify`` runs them. Every case is ``ideal-counter-battery`` (one launcher, one
persistent target in range, H = 72 h) with Red blind (no launch detection), so each count is
known in every replication:

* **Stock-out from the last round.** 3 rounds, one a salvo, salvos 0.25 h apart from t = 0
  and no scoot: the last round goes at 0.5 h, so ``launcher_stockout_h`` = H − 0.5 and the
  target still present is counted once in ``targets_no_ammo``.
* **Fires blocked by law, once per target.** US fires authorised only at 24 h (the armed
  attack situation): the one target is counted once in ``blocked_us_fires_from_japan``
  however many times it is offered, then engaged.
"""

from __future__ import annotations

from nansei.verification.base import Check, _doc, _identity

__all__ = ["CHECKS"]

CHECKS: list[Check] = []

H, LAST_ROUND_H, AUTH_H = 72.0, 0.5, 24.0
QUIET = {"red.isr.p_detect_launch": 0}
_THREE_ROUNDS = _doc(
    "ideal-counter-battery",
    **{
        **QUIET,
        "blue.munitions[0].rounds_per_pod": 3,
        "blue.relocation.scoot_after_salvos": None,
    },
)
_BLOCKED = _doc(
    "ideal-counter-battery",
    **{**QUIET, "legal.timeline": [{"situation": "armed_attack", "at_h": AUTH_H}]},
)

CHECKS.append(
    Check(
        name="stockout-from-last-round",
        description=f"3 rounds fired 0.25 h apart from t = 0: stock-out hours = H − "
        f"{LAST_ROUND_H:g} = {H - LAST_ROUND_H:g} in every replication (largest deviation)",
        scenario=_THREE_ROUNDS,
        expected=lambda: 0.0,
        estimate=_identity(lambda r: r["launcher_stockout_h"] - (H - LAST_ROUND_H)),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="targets-no-ammo-once",
        description="The same: the one target left unengaged for want of rounds counts once",
        scenario=_THREE_ROUNDS,
        expected=lambda: 0.0,
        estimate=_identity(lambda r: r["targets_no_ammo"] - 1),
        replications=50,
        exact_match=True,
    )
)
CHECKS.append(
    Check(
        name="blocked-fires-once-per-target",
        description=f"US fires authorised at {AUTH_H:g} h: the one target is blocked once, "
        "then engaged (largest deviation of blocked - 1 and engaged - 1)",
        scenario=_BLOCKED,
        expected=lambda: 0.0,
        estimate=_identity(
            lambda r: abs(r["blocked_us_fires_from_japan"] - 1) + abs(r["targets_engaged"] - 1)
        ),
        replications=50,
        exact_match=True,
    )
)
