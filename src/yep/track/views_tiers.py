"""Tracking pages: the timeline tab and the EPC's tier dashboard (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
