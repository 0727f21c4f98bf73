"""Decode the sustainment rows of an event trace into per-node, per-item stock ledgers.

Stock rows (``EV_STOCK_*``, ``EV_TRANSIT_LOST``) carry ``entity = node + NODE_ITEM_BASE x
item`` and the signed change in ``value``; ``item`` runs over the munitions in array order
and then fuel (column ``M``, the last). Decoding every item column the same way keeps the
ledgers valid whatever the kernel logs on the fuel column (e.g. fuel issued to launchers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nansei.engine import layout as Y
from nansei.engine.layout import NODE_ITEM_BASE

#: Trace event name of each ledger of :class:`StockLedger`, with the sign of its rows'
#: values (a row of the wrong sign then shows up as a negative movement).
STOCK_EVENTS = {
    "stock_shipped": ("shipped", -1.0),
    "stock_delivered": ("delivered", 1.0),
    "stock_issued": ("issued", -1.0),
    "stock_destroyed": ("destroyed", -1.0),
    "stock_returned": ("returned", 1.0),
    "transit_lost": ("lost", -1.0),
    "stock_end": ("end", 1.0),
}


@dataclass
class StockLedger:
    """Stock movements of one replication, each an ``(N, M + 1)`` array (node, item).

    Movements are magnitudes (the logged change times its expected sign).

    Attributes
    ----------
    start : ndarray
        Stock at t = 0 (``su_stock0``).
    shipped : ndarray
        Loaded onto trips at the origin node.
    delivered : ndarray
        Unloaded at the destination node.
    issued : ndarray
        Issued to launchers at the node.
    destroyed : ndarray
        Destroyed at the node by strikes.
    returned : ndarray
        Withdrawn loads put back at the origin node.
    lost : ndarray
        Lost with interdicted trips, booked at the trip's origin node.
    end : ndarray
        Stock at the horizon (``EV_STOCK_END``).
    """

    start: np.ndarray
    shipped: np.ndarray
    delivered: np.ndarray
    issued: np.ndarray
    destroyed: np.ndarray
    returned: np.ndarray
    lost: np.ndarray
    end: np.ndarray

    def node_balance(self) -> np.ndarray:
        """Per node and item: ``start + delivered + returned - (end + issued + destroyed +
        shipped)``, zero when stock is conserved."""
        inflow = self.start + self.delivered + self.returned
        return inflow - (self.end + self.issued + self.destroyed + self.shipped)

    def in_transit_end(self) -> np.ndarray:
        """Per item, what was shipped and neither delivered, lost nor returned: ``(M + 1,)``."""
        out = self.shipped - self.delivered - self.lost - self.returned
        return out.sum(axis=0)


def rows(trace: np.ndarray, name: str) -> np.ndarray:
    """Trace rows of event ``name``."""
    return trace[trace[:, 1] == Y.EVENT_NAMES.index(name)]


def stock_ledger(compiled, trace: np.ndarray) -> StockLedger:
    """Decode the stock rows of ``trace`` (one replication of ``compiled``)."""
    stock0 = compiled.arrays["su_stock0"]
    books = {}
    for name, (field, sign) in STOCK_EVENTS.items():
        a = np.zeros_like(stock0)
        r = rows(trace, name)
        e = r[:, 2].astype(np.int64)
        np.add.at(a, (e % NODE_ITEM_BASE, e // NODE_ITEM_BASE), sign * r[:, 4])
        books[field] = a
    return StockLedger(start=stock0.copy(), **books)
