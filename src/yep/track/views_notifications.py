"""Tracking pages: provider notifications and the unmatched queue (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
