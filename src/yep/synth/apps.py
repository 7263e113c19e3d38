"""Django application configuration for synth."""

from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "yep.synth"
    label = "synth"
