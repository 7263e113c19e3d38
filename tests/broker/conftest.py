"""Shared setup for brokerage tests: Cardiff's lead workers and young people of each stage."""

import datetime

import pytest
from django.utils import timezone

from tests import factories


def pre16_dob() -> str:
    """A date of birth giving academic age 14 today (Year 10)."""
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(year - 15, 9, 15).isoformat()


def post16_dob() -> str:
    """A date of birth giving academic age 17 today."""
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(year - 18, 9, 15).isoformat()


@pytest.fixture
def young(region):
    """Makes a Cardiff young person: ``young(dob=..., preferred_language=...)``."""

    def make(**fields):
        fields.setdefault("dob", pre16_dob())
        fields.setdefault("legal_surname", "Evans")
        return factories.make_person("681", **fields)

    return make


@pytest.fixture
def workers(region):
    """One Cardiff lead worker of each host type that the default rules propose."""
    return {host: factories.make_lead_worker("681", host, username=f"lw.{host}")
            for host in ("youth_service", "careers_wales", "learning_coach", "families_first",
                         "provider_pastoral")}
