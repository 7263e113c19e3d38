"""Django application configuration for identify."""

from django.apps import AppConfig


class IdentifyConfig(AppConfig):
    name = "yep.identify"
    label = "identify"

    def ready(self) -> None:
        from . import imports  # noqa: F401  (registers the indicator import kinds)
