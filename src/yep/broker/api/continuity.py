"""Brokerage API: continuity (being built)."""

from ninja import Router

router = Router()
