"""Names: legal forenames and surname, and a preferred forename where it differs.

Names are drawn from the frequency lists by sex, name origin and, for UK names, language (a
Welsh speaker's family more often chooses a Welsh name). The preferred forename is sometimes a
nickname or the other language's form of the same name, taken from the register's name forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yep.synth.reference import (
    NAME_ORIGINS,
    Vocabulary,
    fold,
    forenames,
    name_forms,
    surnames,
)
from yep.synth.sampling import pick_member, segment_starts, weighted_choice


@dataclass(frozen=True)
class Names:
    forename: np.ndarray  # index into forenames().values
    middle: np.ndarray  # index, or -1 for none
    surname: np.ndarray  # index into surnames().values
    preferred: np.ndarray  # object array: a different forename, or None


def _pool_draw(
    rng: np.random.Generator, vocab: Vocabulary, pool_masks: list[np.ndarray], pool: np.ndarray
) -> np.ndarray:
    """Draw a vocabulary index for each element from the pool it belongs to."""
    result = np.empty(len(pool), dtype=np.int64)
    for key in np.unique(pool):
        members = np.flatnonzero(pool == key)
        candidates = np.flatnonzero(pool_masks[key])
        result[members] = candidates[weighted_choice(rng, vocab.weights[candidates], len(members))]
    return result


def _forename_pools(vocab: Vocabulary) -> list[np.ndarray]:
    """Masks for pool = sex * 10 + origin * 2 + welsh, falling back to wider pools when empty."""
    masks = []
    for sex in ("M", "F"):
        for origin in NAME_ORIGINS:
            for language in ("en", "cy"):
                base = vocab.attrs["sex"] == sex
                mask = base & (vocab.attrs["origin"] == origin) & (vocab.attrs["language"] == language)
                if not mask.any():
                    mask = base & (vocab.attrs["origin"] == origin)
                if not mask.any():
                    mask = base & (vocab.attrs["origin"] == "uk")
                masks.append(mask)
    return masks


def draw_forenames(
    rng: np.random.Generator, female: np.ndarray, origin: np.ndarray, welsh_speaker: np.ndarray
) -> np.ndarray:
    """A forename index per person; used for young people and for their parents."""
    vocab = forenames()
    welsh_name = rng.random(len(female)) < np.where(welsh_speaker, 0.7, 0.12)
    pool = female.astype(np.int64) * 10 + origin * 2 + welsh_name
    return _pool_draw(rng, vocab, _forename_pools(vocab), pool)


def draw_surnames(rng: np.random.Generator, origin: np.ndarray) -> np.ndarray:
    vocab = surnames()
    masks = [vocab.attrs["origin"] == o for o in NAME_ORIGINS]
    return _pool_draw(rng, vocab, masks, origin)


def draw_names(rng: np.random.Generator, female: np.ndarray, origin: np.ndarray, welsh_speaker: np.ndarray) -> Names:
    forename = draw_forenames(rng, female, origin, welsh_speaker)
    middle = draw_forenames(rng, female, origin, welsh_speaker)
    middle = np.where((rng.random(len(female)) < 0.35) & (middle != forename), middle, -1)
    surname = draw_surnames(rng, origin)
    preferred = _preferred(rng, forename, middle)
    return Names(forename, middle, surname, preferred)


@dataclass(frozen=True)
class _Options:
    start: np.ndarray
    size: np.ndarray
    values: np.ndarray


def _alternatives(nicknames: bool) -> _Options:
    """For each forename in the list: its nicknames, or its other-language given forms."""
    forms = name_forms()
    per_name: list[list[str]] = []
    for name in forenames().values:
        row = forms.by_key.get(fold(name), -1)
        options: list[str] = []
        if row >= 0:
            group = int(forms.group[row])
            start = int(forms.group_start[group])
            for k in range(start, start + int(forms.group_size[group])):
                if fold(forms.forms[k]) == fold(name):
                    continue
                wanted = (
                    forms.is_nickname[k]
                    if nicknames
                    else (not forms.is_nickname[k] and forms.language[k] != forms.language[row])
                )
                if wanted:
                    options.append(forms.forms[k])
        per_name.append(options)
    size = np.array([len(o) for o in per_name], dtype=np.int64)
    values = np.array([v for o in per_name for v in o] or [""], dtype=object)
    return _Options(segment_starts(size), size, values)


def _preferred(rng: np.random.Generator, forename: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """Blank unless the person goes by another name: a nickname, the other language's form of
    their name, or their middle name."""
    n = len(forename)
    preferred = np.full(n, None, dtype=object)
    u = rng.random(n)
    for low, high, nick in ((0.0, 0.10, True), (0.10, 0.14, False)):
        options = _alternatives(nick)
        take = (u >= low) & (u < high) & (options.size[forename] > 0)
        picks = pick_member(rng, options.start, options.size, forename[take])
        preferred[take] = options.values[picks]
    by_middle = (u >= 0.14) & (u < 0.17) & (middle >= 0)
    preferred[by_middle] = forenames().values[middle[by_middle]]
    return preferred
