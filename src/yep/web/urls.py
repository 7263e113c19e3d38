"""URLs of the web app: home, login, logout, health check, and the upload page for imports."""

from django.urls import path

from . import views, views_imports

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("health/", views.health, name="health"),
    path("language/", views.switch_language, name="language"),
    path("imports/", views_imports.import_kinds, name="imports"),
    path("imports/<str:kind>/", views_imports.import_upload, name="import_upload"),
]
