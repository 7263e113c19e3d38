"""URLs of the data hub's pages: sources and datasets, the clerical review queue and merges, research projects."""

from . import views_hub, views_research, views_review

app_name = "link"
urlpatterns = [*views_hub.urlpatterns, *views_review.urlpatterns, *views_research.urlpatterns]
