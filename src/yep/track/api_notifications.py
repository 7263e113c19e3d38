"""Tracking API: provider notifications (being built)."""

from ninja import Router

router = Router()
