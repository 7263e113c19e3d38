"""Readable, bilingual descriptions of coded values (ethnicity codes, ALN plan levels and categories)."""

from functools import lru_cache

from django.utils.translation import gettext as _

from .models import AlnCategory, Bilingual, EthnicityCode


def _aln_levels() -> dict[str, str]:
    return {
        "school_idp": _("School individual development plan"),
        "la_idp": _("Local authority individual development plan"),
        "statement": _("Statement of special educational needs"),
    }


@lru_cache(maxsize=1)
def _reference() -> dict[str, dict[str, Bilingual]]:
    return {
        "ethnicity": {e.code: e for e in EthnicityCode.objects.all()},
        "aln": {a.code: a for a in AlnCategory.objects.all()},
    }


def characteristic_detail(kind: str, value: str) -> str:
    """'WBRI' -> 'White British'; 'la_idp:SEMH' -> 'Local authority individual development plan: Social, ...'."""
    if kind == "ethnicity":
        code = _reference()["ethnicity"].get(value)
        return code.label if code else value
    if kind == "aln" and value:
        level, _sep, category = value.partition(":")
        parts = [_aln_levels().get(level, level)]
        if category:
            found = _reference()["aln"].get(category)
            parts.append(found.label if found else category)
        return ": ".join(parts)
    return value
