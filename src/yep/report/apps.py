"""Django application configuration for report."""

from django.apps import AppConfig


class ReportConfig(AppConfig):
    name = "yep.report"
    label = "report"
