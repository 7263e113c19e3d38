"""URLs of the second step of signing in: entering a code, and setting up an authenticator app."""

from django.urls import path

from . import views_auth

app_name = "auth2fa"
urlpatterns = [
    path("two-factor/", views_auth.verify, name="verify"),
    path("two-factor/set-up/", views_auth.enrol, name="enrol"),
]
