"""Django application configuration for broker."""

from django.apps import AppConfig


class BrokerConfig(AppConfig):
    name = "yep.broker"
    label = "broker"
