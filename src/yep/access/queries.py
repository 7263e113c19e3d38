"""Read-only queries over the audit log for the data protection officer: unusual access.

Many records viewed in a day, out-of-hours bulk reads, and refusals, among the staff a DPO oversees
(``access.policy.staff_overseen_by``). Computed in Python over grouped rows so they run on SQLite and PostgreSQL.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from yep.people.models import User

from .models import AuditAction, AuditEvent

WORKING_HOURS = (7, 19)  # 07:00-19:00 local time, Monday to Friday; reads outside it in bulk are flagged


@dataclass(frozen=True)
class Flag:
    """One user's unusual access on one day (or, for refusals, over the window)."""

    actor_id: int
    actor_label: str
    day: datetime.date | None
    count: int


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def many_views(staff: QuerySet[User], since: datetime.datetime) -> list[Flag]:
    """Users who viewed more than ``YEP_UNUSUAL_VIEWS_PER_DAY`` (default 50) distinct young people in a day."""
    limit = setting("YEP_UNUSUAL_VIEWS_PER_DAY", 50)
    rows = (AuditEvent.objects.filter(action=AuditAction.VIEW, at__gte=since, person_id__isnull=False,
                                      actor__in=staff)
            .annotate(day=TruncDate("at")).values("actor_id", "actor_label", "day")
            .annotate(people=Count("person_id", distinct=True)).filter(people__gt=limit)
            .order_by("-day", "-people"))
    return [Flag(r["actor_id"], r["actor_label"], r["day"], r["people"]) for r in rows]


def _records_in(event: dict[str, Any]) -> tuple[set[int], int]:
    """The young people an event read (its person and any listed), and a count for bulk exports without ids."""
    detail = event["detail"] if isinstance(event["detail"], dict) else {}
    ids = {int(p) for p in detail.get("people", []) if isinstance(p, int)}
    if event["person_id"] is not None:
        ids.add(event["person_id"])
    return ids, int(detail.get("count", 0) or 0) if event["action"] == AuditAction.EXPORT else 0


def out_of_hours_bulk(staff: QuerySet[User], since: datetime.datetime) -> list[Flag]:
    """Users whose reads or exports outside working hours (or at weekends) on one day involved more than
    ``YEP_UNUSUAL_OUT_OF_HOURS_RECORDS`` (default 20) records. Hours are local time, grouped by local date."""
    limit = setting("YEP_UNUSUAL_OUT_OF_HOURS_RECORDS", 20)
    start, end = WORKING_HOURS
    events = (AuditEvent.objects.filter(action__in=[AuditAction.VIEW, AuditAction.SEARCH, AuditAction.EXPORT],
                                        at__gte=since, actor__in=staff)
              .annotate(hour=ExtractHour("at"), weekday=ExtractIsoWeekDay("at"))
              .filter(Q(hour__lt=start) | Q(hour__gte=end) | Q(weekday__gte=6))
              .values("actor_id", "actor_label", "at", "person_id", "detail", "action"))
    people: dict[tuple[int, str, datetime.date], set[int]] = defaultdict(set)
    counted: dict[tuple[int, str, datetime.date], int] = defaultdict(int)
    for event in events.iterator():
        key = (event["actor_id"], event["actor_label"], timezone.localdate(event["at"]))
        ids, bulk = _records_in(event)
        people[key] |= ids
        counted[key] += bulk
    totals = {key: len(people[key]) + counted[key] for key in people}
    return sorted((Flag(a, label, day, n) for (a, label, day), n in totals.items() if n > limit),
                  key=lambda f: (f.day or datetime.date.min, f.count), reverse=True)


def refusals(staff: QuerySet[User], since: datetime.datetime) -> list[dict[str, Any]]:
    """Denied attempts, by user, most first."""
    return list(AuditEvent.objects.filter(action=AuditAction.DENIED, at__gte=since, actor__in=staff)
                .values("actor_id", "actor_label")
                .annotate(attempts=Count("id"), people=Count("person_id", distinct=True), last=Max("at"))
                .order_by("-attempts", "actor_label"))
