"""Checks that keep the repository honest: migrations, guards on every route, complete Welsh, only services
write, and a production configuration that passes Django's deployment checks."""

import ast
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

SRC = Path(__file__).resolve().parent.parent / "src" / "yep"


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_web_view_declares_a_guard():
    unguarded = []
    for route, view in _views(get_resolver().url_patterns):
        if route.startswith("api/v1/"):
            continue
        target = getattr(view, "view_class", None) and view.view_class.dispatch or view
        if not hasattr(target, "yep_guard") and not hasattr(view, "yep_guard"):
            unguarded.append(route)
    assert unguarded == []


def test_every_api_operation_declares_a_guard():
    from yep.api import api

    unguarded = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                if not hasattr(operation.view_func, "yep_guard"):
                    unguarded.append(f"{prefix}{path} {operation.methods}")
    assert unguarded == []


def test_every_message_has_a_welsh_translation():
    import polib  # noqa: PLC0415

    catalogue = polib.pofile(str(SRC / "locale" / "cy" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    assert missing == []
    assert len(catalogue) > 100


def test_every_translatable_string_is_in_the_welsh_catalogue(tmp_path):
    """Run makemessages into a copy and compare: a string added without `make messages` fails here."""
    import polib  # noqa: PLC0415

    if not any((Path(p) / "xgettext").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        pytest.fail("GNU gettext (xgettext) is needed to check the catalogue: apt-get install gettext")
    ours = {e.msgid for e in polib.pofile(str(SRC / "locale" / "cy" / "LC_MESSAGES" / "django.po"))}
    result = subprocess.run(
        ["xgettext", "--from-code=UTF-8", "-L", "Python", "--keyword=_", "--keyword=gettext_lazy",
         "--keyword=gettext", "-o", "-", *[str(p) for p in SRC.rglob("*.py") if "migrations" not in p.parts]],
        capture_output=True, text=True, check=True)
    found = {e.msgid for e in polib.pofile(result.stdout) if e.msgid}
    assert sorted(found - ours) == []


WRITE_METHODS = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
                 "update_or_create"}
ALLOWED_WRITERS = ("services", "migrations", "synth", "audit.py")


def test_only_services_write_to_the_database():
    offenders = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        if any(part.startswith(ALLOWED_WRITERS) for part in relative.parts) or relative.name == "services.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in WRITE_METHODS and _looks_like_model_write(node):
                    offenders.append(f"{relative}:{node.lineno} .{node.func.attr}(")
    assert offenders == []


def _looks_like_model_write(node: ast.Call) -> bool:
    """`X.objects.create(...)`, `queryset.update(...)`, `instance.save()`: anything but dict/set methods."""
    source = ast.unparse(node.func.value)
    return not source.endswith(("ids", "counts", "rows", "seen", "by_ref", "context", "kwargs", "extra",
                                "filesystem")) and \
        not source.startswith(("self.stdout", "progress", "hashlib", "hmac"))


def test_services_save_with_update_fields():
    bare = []
    for path in SRC.rglob("services*/**/*.py"):
        bare += _bare_saves(path)
    for path in SRC.rglob("services*.py"):
        bare += _bare_saves(path)
    assert bare == []


def _bare_saves(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "save":
            if not any(k.arg in ("update_fields", "force_insert") for k in node.keywords):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {**os.environ, "YEP_ENV": "production", "YEP_SECRET_KEY": "x" * 64 + "-production-secret-key-1234",
           "YEP_FIELD_KEY": "field-key-for-the-check", "YEP_ALLOWED_HOSTS": "yep.example.gov.wales",
           "YEP_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "-m", "yep.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_data_dictionary_matches_the_models():
    from yep.people.datadictionary import render

    committed = (SRC.parent.parent / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "run: .venv/bin/yep datadictionary --out docs/data-dictionary.md"
