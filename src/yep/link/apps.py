"""Django application configuration for link."""

from django.apps import AppConfig


class LinkConfig(AppConfig):
    name = "yep.link"
    label = "link"
