"""URLs of brokerage's pages."""

from .views import board, continuity, panels, support

app_name = "broker"
urlpatterns = [*board.urlpatterns, *support.urlpatterns, *panels.urlpatterns, *continuity.urlpatterns]
