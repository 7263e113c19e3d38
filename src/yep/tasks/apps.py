"""Django application configuration for tasks."""

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "yep.tasks"
    label = "tasks"
