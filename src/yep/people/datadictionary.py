"""The data dictionary, written from the models themselves so it cannot drift from them."""

import inspect

from django.apps import apps
from django.db import models
from django.utils import translation

APPS = ("people", "access", "identify", "track", "broker", "tasks")
HEADER = """# YEP data dictionary

Generated from the models by `yep datadictionary` (a test fails when this file and the models disagree).
Sensitive characteristics and the NI number are protected as described in `docs/architecture.md`.
"""


def _type(field: models.Field) -> str:
    if field.is_relation and field.related_model is not None:
        kind = "many-to-many" if field.many_to_many else "reference"
        return f"{kind} → {field.related_model.__name__}"
    name = field.get_internal_type().replace("Field", "")
    if getattr(field, "max_length", None) and name == "Char":
        return f"text ({field.max_length})"
    return name.lower() or "text"


def _describe(field: models.Field) -> str:
    parts = []
    if getattr(field, "help_text", ""):
        parts.append(str(field.help_text))
    if field.choices:
        parts.append("one of: " + ", ".join(str(value) for value, _ in field.choices))
    if getattr(field, "unique", False) and not field.primary_key:
        parts.append("unique")
    if field.null:
        parts.append("may be blank")
    return "; ".join(parts)


def render() -> str:
    with translation.override("en"):
        return _render()


def _render() -> str:
    lines = [HEADER]
    for label in APPS:
        lines.append(f"\n## {label}\n")
        for model in apps.get_app_config(label).get_models():
            doc = inspect.getdoc(model) or ""
            lines.append(f"\n### {model.__name__}\n\n{doc.splitlines()[0] if doc else ''}\n")
            lines.append("| field | type | notes |\n|---|---|---|")
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue
                lines.append(f"| `{field.name}` | {_type(field)} | {_describe(field)} |")
    return "\n".join(lines) + "\n"
