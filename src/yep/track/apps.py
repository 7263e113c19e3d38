"""Django application configuration for track."""

from django.apps import AppConfig


class TrackConfig(AppConfig):
    name = "yep.track"
    label = "track"

    def ready(self) -> None:
        from . import imports  # noqa: F401  (registers the provider notifications import kind)
