"""Template context for every page: the service name and the other language to switch to."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": _("Youth Engagement and Progression"),
        # Each language is named in itself, as the GOV.UK language navigation does.
        "site_languages": [("en", "English"), ("cy", "Cymraeg")],
    }
