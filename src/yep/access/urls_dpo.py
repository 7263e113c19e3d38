"""URLs of the data protection officer's pages, mounted at /dpo/."""

from django.urls import path

from . import views_dpo as views

app_name = "dpo"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/sar/", views.subject_access, name="sar"),
    path("people/<int:pk>/rectification/new/", views.rectification_new, name="rectification_new"),
    path("users/<int:pk>/", views.user_activity, name="user"),
    path("unusual/", views.unusual, name="unusual"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/<int:pk>/", views.break_glass_review, name="break_glass_review"),
    path("rectification/", views.rectification, name="rectification"),
    path("rectification/<int:pk>/", views.rectification_review, name="rectification_review"),
    path("retention/", views.retention, name="retention"),
]
