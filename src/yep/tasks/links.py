"""Where a task came from: the page of the record that raised it, read from ``Task.source`` (``app.model:pk``).

A source this module does not know, or whose page does not exist (yet), gives no link rather than an error."""

from django.urls import NoReverseMatch, reverse

from .models import Task

# Task.source prefixes (agreed between the apps that raise tasks) and the page of each record, by URL name.
PAGES = {
    "broker.escalation": "broker:escalation",
    "broker.additional_need": "broker:additional_need",
    "broker.business_case": "broker:business_case",
    "broker.allocation": "broker:package",
    "broker.referral": "broker:referral",
    "broker.follow_up": "broker:follow_up",
}


def reverse_or_none(name: str, *args: int) -> str | None:
    """The path of the named page, or None when no such page is (yet) in the URLconf."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def link_for(source: str) -> str | None:
    """The path of the page for a task's ``source``, or None when there is none."""
    prefix, _colon, pk = source.partition(":")
    name = PAGES.get(prefix)
    if name is None or not pk.isdigit():
        return None
    return reverse_or_none(name, int(pk))


def task_link(task: Task) -> str | None:
    return link_for(task.source)
