"""Django application configuration for web."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yep.web"
    label = "web"
