"""The site's URLs: the staff web pages, the partner API at /api/v1, and the language switch."""

from django.urls import include, path

from yep.api import api

urlpatterns = [
    path("", include("yep.web.urls")),
    path("people/", include("yep.people.urls")),
    path("", include("yep.identify.urls")),
    path("", include("yep.broker.urls")),
    path("", include("yep.tasks.urls")),
    path("", include("yep.track.urls")),
    path("hub/", include("yep.link.urls")),
    path("", include("yep.access.urls")),
    path("dpo/", include("yep.access.urls_dpo")),
    path("", include("yep.access.urls_auth")),
    path("api/v1/", api.urls),
]
