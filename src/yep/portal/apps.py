"""Django application configuration for portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "yep.portal"
    label = "portal"
