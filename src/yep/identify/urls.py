"""URLs of early identification's pages."""

from django.urls import path

from . import views

app_name = "identify"
urlpatterns = [
    path("identify/", views.home, name="home"),
    path("identify/runs/new/", views.new_run, name="new_run"),
    path("identify/runs/<int:pk>/", views.run_detail, name="run"),
    path("identify/runs/<int:pk>/publish/", views.publish, name="publish"),
    path("identify/runs/<int:pk>/reproduce/", views.reproduce, name="reproduce"),
    path("identify/runs/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("identify/runs/<int:pk>/results/", views.results, name="results"),
    path("identify/runs/<int:pk>/add-pupil/", views.add_pupil, name="add_pupil"),
    path("identify/runs/<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("identify/results/<int:pk>/", views.result_detail, name="result"),
    path("identify/models/<int:pk>/", views.model_detail, name="model"),
    path("identify/models/<int:pk>/new-version/", views.edit_model, name="edit_model"),
    path("identify/models/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("people/<int:pk>/risk/", views.person_risk, name="person_risk"),
]
