"""Brokerage in the demo (being built)."""

from typing import Any

from yep.people.models import Organisation


def load_brokerage(la: Organisation, users: list[dict[str, Any]]) -> None:
    """Lead workers, referrals, allocations and packages so the demo's pages have something to show."""
