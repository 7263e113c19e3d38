"""Django's messages grouped as GOV.UK Frontend shows them: errors in one error summary, successes in a success
banner, anything else (info, warning) in a plain "Important" notification banner."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.contrib.messages import constants

register = template.Library()


@register.simple_tag
def messages_by_kind(messages: Iterable[Any]) -> dict[str, list[Any]]:
    """``{"error": [...], "success": [...], "important": [...]}``, each in the order the messages were added."""
    kinds: dict[str, list[Any]] = {"error": [], "success": [], "important": []}
    for message in messages:
        if message.level >= constants.ERROR:
            kinds["error"].append(message)
        elif message.level == constants.SUCCESS:
            kinds["success"].append(message)
        else:
            kinds["important"].append(message)
    return kinds
