"""Tracking's API at /api/v1/track."""

from ninja import Router

from . import api_guarantee, api_jwt, api_notifications, api_surveys, api_tiers, api_unknowns

router = Router(tags=["tracking"])
for part in (api_tiers, api_notifications, api_unknowns, api_jwt, api_surveys, api_guarantee):
    router.add_router("", part.router)
