"""Name keys for search and matching: folding (case, diacritics, punctuation), Welsh/English forms
(Dafydd = David = Dai) and a sound code that survives most typos.

Welsh surname prefixes (ap, ab, ferch, verch) are kept in the name shown but dropped from the key, so
"ap Dafydd" is found by "Dafydd".
"""

import unicodedata
from functools import lru_cache

import jellyfish

_PREFIXES = ("ap ", "ab ", "ferch ", "verch ", "ach ")


def fold(text: str) -> str:
    """Lower-case ASCII letters only: 'Siân' -> 'sian', "O'Brien" -> 'obrien', 'Morgan-Jones' -> 'morganjones'."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if "a" <= c <= "z")


def surname_key(surname: str) -> str:
    lowered = " ".join(surname.lower().split())
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix):]
            break
    return fold(lowered)


def sound(key: str) -> str:
    """A phonetic code (NYSIIS) of a folded key; empty for an empty key."""
    return jellyfish.nysiis(key)[:20] if key else ""


@lru_cache(maxsize=1)
def _groups() -> dict[str, str]:
    from yep.people.models import NameForm

    return dict(NameForm.objects.values_list("key", "group"))


def forget_name_forms() -> None:
    """Call after reference data is reloaded so the next lookup reads the new forms."""
    _groups.cache_clear()


def forename_group(forename: str) -> str:
    """The group of a given name's Welsh and English forms, or the folded name when it has none."""
    key = fold(forename.split(" ")[0]) if forename.strip() else ""
    return _groups().get(key, key)


def similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two folded keys (1.0 identical)."""
    if not a or not b:
        return 0.0
    return jellyfish.jaro_winkler_similarity(a, b)
