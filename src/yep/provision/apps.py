"""Django application configuration for provision."""

from django.apps import AppConfig


class ProvisionConfig(AppConfig):
    name = "yep.provision"
    label = "provision"
