"""URLs of tracking's pages."""

from . import (
    views_guarantee,
    views_jwt,
    views_notifications,
    views_rules,
    views_surveys,
    views_tiers,
    views_unknowns,
    views_workbench,
)

app_name = "track"
urlpatterns = [*views_tiers.urlpatterns, *views_notifications.urlpatterns, *views_unknowns.urlpatterns,
               *views_jwt.urlpatterns, *views_surveys.urlpatterns, *views_rules.urlpatterns,
               *views_workbench.urlpatterns, *views_guarantee.urlpatterns]
