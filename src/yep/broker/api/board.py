"""Brokerage API: board (being built)."""

from ninja import Router

router = Router()
