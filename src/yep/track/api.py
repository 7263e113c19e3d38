"""Tracking's API at /api/v1/track."""

from ninja import Router

from . import api_notifications, api_tiers

router = Router(tags=["tracking"])
for part in (api_tiers, api_notifications):
    router.add_router("", part.router)
