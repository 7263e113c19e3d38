"""The site's URLs: the staff web pages, the partner API at /api/v1, and the language switch."""

from django.urls import include, path
from django.views.i18n import set_language

from yep.access.guards import public
from yep.api import api

urlpatterns = [
    path("", include("yep.web.urls")),
    path("people/", include("yep.people.urls")),
    path("language/", public(set_language), name="set_language"),
    path("api/v1/", api.urls),
]
