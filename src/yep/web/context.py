"""Template context for every page: the service name and the other language to switch to."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def site(request: HttpRequest) -> dict[str, Any]:
    welsh = (get_language() or "en").startswith("cy")
    return {
        "service_name": _("Youth Engagement and Progression"),
        "other_language": {"code": "en", "label": "English"} if welsh else {"code": "cy", "label": "Cymraeg"},
    }
