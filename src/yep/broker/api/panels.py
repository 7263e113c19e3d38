"""Brokerage API: panels (being built)."""

from ninja import Router

router = Router()
