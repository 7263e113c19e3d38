"""URLs of the task pages."""

from .views import urlpatterns as _pages

app_name = "tasks"
urlpatterns = list(_pages)
