"""Brokerage pages: board (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
