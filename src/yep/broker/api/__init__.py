"""Brokerage's API at /api/v1/broker, one module per part of the work (as the pages)."""

from ninja import Router

from . import board, continuity, panels, support

router = Router(tags=["brokerage"])
for part in (board, support, panels, continuity):
    router.add_router("", part.router)
