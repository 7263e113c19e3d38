"""Addresses, phone numbers and e-mail addresses.

Postcodes are valid UK format inside the LA's real postcode districts (``CF24 3AB``): the
inward code is a sector digit and two unit letters from the letters Royal Mail uses. Streets are
English or Welsh (Heol, Ffordd, Stryd, Lôn ...) in proportion to the LA's Welsh speakers.
E-mail addresses use the reserved example domains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from yep.synth.reference import LocalAuthority, post_towns, streets
from yep.synth.sampling import pick_member, segment_starts
from yep.synth.text import as_strings, ascii_fold, join, objects

UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
EMAIL_DOMAINS = np.array(["example.com", "example.org", "example.net"], dtype=object)


@dataclass(frozen=True)
class Addresses:
    line1: np.ndarray
    town: np.ndarray
    postcode: np.ndarray


@dataclass(frozen=True)
class DistrictTable:
    """The postcode districts of the run's LAs laid out contiguously per LA."""

    names: np.ndarray
    towns: np.ndarray
    start: np.ndarray
    size: np.ndarray

    @classmethod
    def of(cls, las: list[LocalAuthority]) -> DistrictTable:
        names = [d for a in las for d in a.districts]
        size = np.array([len(a.districts) for a in las], dtype=np.int64)
        towns = post_towns()
        return cls(
            np.array(names, dtype=object),
            np.array([towns[d] for d in names], dtype=object),
            segment_starts(size),
            size,
        )


def postcodes(rng: np.random.Generator, districts: DistrictTable, la: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """A random postcode in each given LA, and the district index it lies in."""
    n = len(la)
    district = pick_member(rng, districts.start, districts.size, la)
    sector = rng.integers(0, 10, n)
    units = UNIT_LETTERS[rng.integers(0, len(UNIT_LETTERS), (2, n))]
    code = join(districts.names[district], " ", sector, units[0], units[1], size=n)
    return code, district


def street_lines(rng: np.random.Generator, welsh_share: np.ndarray) -> pa.Array:
    """House number and street, sometimes a flat ("Flat 2, 14 Heol y Bont")."""
    n = len(welsh_share)
    vocab = streets()
    welsh = rng.random(n) < 0.2 + 0.6 * welsh_share
    street = np.empty(n, dtype=object)
    for is_welsh, language in ((False, "en"), (True, "cy")):
        candidates = vocab.values[vocab.attrs["language"] == language]
        mask = welsh == is_welsh
        street[mask] = candidates[rng.integers(0, len(candidates), int(mask.sum()))]
    number = np.minimum(1 + rng.geometric(0.03, n), 250)
    line = join(number, " ", street, size=n)
    flat = rng.random(n) < 0.06
    flat_word = pa.array(["Flat "] * n, pa.string(), mask=~flat)
    flat_prefix = join(flat_word, rng.integers(1, 12, n), ", ", size=n)
    return join(flat_prefix, line, size=n, skip_nulls=True)


def draw_addresses(
    rng: np.random.Generator, las: list[LocalAuthority], districts: DistrictTable, la: np.ndarray
) -> Addresses:
    code, district = postcodes(rng, districts, la)
    welsh_share = np.array([a.welsh_share for a in las])[la]
    line1 = street_lines(rng, welsh_share)
    return Addresses(objects(line1), districts.towns[district], objects(code))


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    return objects(join("07", rng.integers(300_000_000, 1_000_000_000, n), size=n))


def email_addresses(rng: np.random.Generator, forename: np.ndarray, surname: np.ndarray, share: float) -> np.ndarray:
    """``forename.surname[NN]@example.*`` for about ``share`` of people, else None."""
    n = len(forename)
    first = ascii_fold(as_strings(forename))
    last = ascii_fold(as_strings(surname))
    number = np.where(rng.random(n) < 0.5, rng.integers(1, 100, n).astype(str), "")
    domain = EMAIL_DOMAINS[rng.integers(0, len(EMAIL_DOMAINS), n)]
    email = objects(join(first, ".", last, number, "@", domain, size=n))
    email[rng.random(n) >= share] = None
    return email
