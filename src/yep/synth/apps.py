"""Django app configuration, so that the ``synth`` management command is found."""

from django.apps import AppConfig


class SynthAppConfig(AppConfig):
    name = "yep.synth"
    label = "synth"
    verbose_name = "Synthetic population"
