"""Django application configuration for identify."""

from django.apps import AppConfig


class IdentifyConfig(AppConfig):
    name = "yep.identify"
    label = "identify"
