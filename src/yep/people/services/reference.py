"""Loading a version of the reference data from ``people/reference/<version>/*.csv``.

Idempotent: rows are matched on their natural key and updated in place, so loading a version twice changes
nothing. Called from data migrations with the migration's historical models.
"""

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import names

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


def _rows(version: str, name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / version / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _flag(value: str) -> bool:
    return value.strip() in ("1", "true", "True", "yes")


def _upsert(model: Any, key: str, rows: list[dict[str, Any]]) -> int:
    for row in rows:
        model.objects.update_or_create(**{key: row[key]}, defaults={k: v for k, v in row.items() if k != key})
    return len(rows)


def _local_authorities(version: str, get_model: Callable[[str, str], Any]) -> int:
    organisation = get_model("people", "Organisation")
    rows = _rows(version, "local_authorities.csv")
    for row in rows:
        organisation.objects.update_or_create(
            ref=f"LA-{row['la_code']}",
            defaults={"kind": "la", "name": row["name_en"], "name_cy": row["name_cy"], "code": row["la_code"],
                      "ons_code": row["ons_code"], "country": "wales"},
        )
    return len(rows)


def _activity_codes(version: str, get_model: Callable[[str, str], Any]) -> int:
    group_model = get_model("people", "ActivityGroup")
    code_model = get_model("people", "ActivityCode")
    groups = _rows(version, "activity_groups.csv")
    _upsert(group_model, "code", [{**g, "order": int(g["order"])} for g in groups])
    by_code = {g.code: g for g in group_model.objects.all()}
    codes = [
        {"code": int(r["code"]), "group": by_code[r["group"]], "is_eet": _flag(r["is_eet"]),
         "available_for_eet": _flag(r["available_for_eet"]),
         "is_job_without_training": _flag(r["is_job_without_training"]),
         "label_en": r["label_en"], "label_cy": r["label_cy"]}
        for r in _rows(version, "activity_codes.csv")
    ]
    return len(groups) + _upsert(code_model, "code", codes)


def _name_forms(version: str, get_model: Callable[[str, str], Any]) -> int:
    model = get_model("people", "NameForm")
    seen: dict[str, dict[str, str]] = {}
    for row in _rows(version, "name_forms.csv"):
        # Siôn and Sion fold to one key; the first form listed is kept.
        seen.setdefault(names.fold(row["form"]), row)
    return _upsert(model, "key", [{"key": key, **row} for key, row in seen.items()])


def load_reference_data(version: str, get_model: Callable[[str, str], Any] | None = None) -> dict[str, int]:
    """Load every reference set of ``version``; returns the row count per set."""
    if get_model is None:
        from django.apps import apps

        get_model = apps.get_model
    counts = {
        "local_authorities": _local_authorities(version, get_model),
        "tiers": _upsert(get_model("people", "Tier"), "number", _rows(version, "tiers.csv")),
        "activity_codes": _activity_codes(version, get_model),
        "year_groups": _upsert(get_model("people", "YearGroup"), "number", _rows(version, "year_groups.csv")),
        "aln_categories": _upsert(get_model("people", "AlnCategory"), "code", _rows(version, "aln_categories.csv")),
        "ethnicity_codes": _upsert(get_model("people", "EthnicityCode"), "code",
                                   _rows(version, "ethnicity_codes.csv")),
        "name_forms": _name_forms(version, get_model),
    }
    version_model = get_model("people", "ReferenceVersion")
    for name, rows in counts.items():
        version_model.objects.update_or_create(name=name, defaults={"version": version, "rows": rows})
    names.forget_name_forms()
    return counts
