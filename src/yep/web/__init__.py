"""Base layout on GOV.UK Frontend, language switch, login, home page and shared templates."""
