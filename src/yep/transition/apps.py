"""Django application configuration for transition."""

from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "yep.transition"
    label = "transition"
