"""Django application configuration for people."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "yep.people"
    label = "people"
