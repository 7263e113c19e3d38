"""URLs of the register's pages: search, add, and a young person's record with its tabs."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search_view, name="search"),
    path("new/", views.add_person, name="add"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/characteristics/", views.person_characteristics, name="characteristics"),
    path("<int:pk>/enrolments/", views.person_enrolments, name="enrolments"),
]
