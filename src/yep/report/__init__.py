"""Accountability: monthly, quarterly and annual reports, destination measures, returns, dashboards."""
