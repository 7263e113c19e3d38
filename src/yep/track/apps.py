"""Django application configuration for track."""

from django.apps import AppConfig


class TrackConfig(AppConfig):
    name = "yep.track"
    label = "track"
