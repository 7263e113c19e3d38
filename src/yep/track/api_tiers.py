"""Tracking API: activities, tier status and tier counts (being built)."""

from ninja import Router

router = Router()
