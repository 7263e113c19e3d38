"""Django application configuration for access."""

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "yep.access"
    label = "access"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the named permissions with rules)
