"""URLs of tracking's pages."""

from . import views_notifications, views_tiers

app_name = "track"
urlpatterns = [*views_tiers.urlpatterns, *views_notifications.urlpatterns]
