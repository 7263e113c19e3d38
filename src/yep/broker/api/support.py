"""Brokerage API: support (being built)."""

from ninja import Router

router = Router()
