"""Placing young people in schools and with post-16 providers and employers.

Every person is given the primary school they started at (which also allocated their UPN) and,
from Year 7, a secondary school in their LA. Welsh speakers mostly attend Welsh-medium schools,
a few pupils attend an independent school, and some with the most complex needs attend the
LA's special school.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yep.synth.organisations import Organisations
from yep.synth.population import People
from yep.synth.sampling import pick_member, segment_starts


@dataclass(frozen=True)
class OrgGroups:
    """Organisation indices grouped by LA, laid out contiguously for vectorised picks."""

    start: np.ndarray
    size: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, groups: list[np.ndarray]) -> OrgGroups:
        size = np.array([len(g) for g in groups], dtype=np.int64)
        values = np.concatenate(groups + [np.array([-1])]).astype(np.int64)
        return cls(segment_starts(size), size, values)

    def pick(self, rng: np.random.Generator, la: np.ndarray) -> np.ndarray:
        """A random member of each LA's group; -1 where the group is empty."""
        picked = self.values[pick_member(rng, self.start, self.size, la)]
        return np.where(self.size[la] > 0, picked, -1)


@dataclass
class Placement:
    orgs: Organisations
    primary: np.ndarray  # org index of the first school (Reception), per person
    secondary: np.ndarray  # org index from Year 7, -1 for primary pupils
    groups: dict[str, OrgGroups]
    fe: np.ndarray  # FE college serving each LA

    def provider_for(
        self, rng: np.random.Generator, code: np.ndarray, person: np.ndarray, la: np.ndarray
    ) -> np.ndarray:
        """The provider or employer of each activity (-1 where there is none)."""
        org = np.full(len(code), -1, dtype=np.int64)
        school = self.secondary[person]
        has_sixth = np.array(self.orgs.sixth_form + [False])[school]
        sixth = code == 210
        elsewhere = self.groups["sixth_form"].pick(rng, la)
        org[sixth] = np.where(has_sixth, school, elsewhere)[sixth]
        org[code == 110] = school[code == 110]
        org[code == 230] = self.fe[la[code == 230]]
        wbl = np.isin(code, (310, 410))
        org[wbl] = self.groups["wbl_provider"].pick(rng, la[wbl])
        job = np.isin(code, (330, 340, 360)) & (rng.random(len(code)) < 0.7)
        org[job] = self.groups["employer"].pick(rng, la[job])
        return org


def _groups(orgs: Organisations, n_la: int) -> dict[str, OrgGroups]:
    kinds = np.array([r["kind"] for r in orgs.rows])
    subtype = np.array([r["subtype"] for r in orgs.rows])
    la = np.array(orgs.la_index)
    phase = np.array(orgs.phase)
    welsh = np.array(orgs.welsh_medium)
    masks = {
        "primary_en": (phase == "primary") & ~welsh,
        "primary_cy": (phase == "primary") & welsh,
        "primary": phase == "primary",
        "secondary_en": (phase == "secondary") & ~welsh,
        "secondary_cy": (phase == "secondary") & welsh,
        "secondary": phase == "secondary",
        "sixth_form": np.array(orgs.sixth_form),
        "independent": subtype == "independent",
        "special": subtype == "special",
        "pru": subtype == "pru",
        "wbl_provider": kinds == "wbl_provider",
        "employer": kinds == "employer",
    }
    return {name: OrgGroups.of([np.flatnonzero(m & (la == i)) for i in range(n_la)]) for name, m in masks.items()}


def _choose_school(
    rng: np.random.Generator, groups: dict[str, OrgGroups], phase: str, la: np.ndarray, welsh_speaker: np.ndarray
) -> np.ndarray:
    """A school of the phase in the LA; the medium follows the family's language most of the time."""
    wants_welsh = rng.random(len(la)) < np.where(welsh_speaker, 0.85, 0.07)
    by_medium = np.where(wants_welsh, groups[f"{phase}_cy"].pick(rng, la), groups[f"{phase}_en"].pick(rng, la))
    return np.where(by_medium >= 0, by_medium, groups[phase].pick(rng, la))


def place_people(
    rng: np.random.Generator, people: People, orgs: Organisations, n_la: int, complex_needs: np.ndarray
) -> Placement:
    """Primary and secondary schools for everyone; ``complex_needs`` marks special-school pupils."""
    groups = _groups(orgs, n_la)
    primary = _choose_school(rng, groups, "primary", people.la, people.welsh_speaker)
    secondary = _choose_school(rng, groups, "secondary", people.la, people.welsh_speaker)
    independent = groups["independent"].pick(rng, people.la)
    secondary = np.where((rng.random(people.n) < 0.015) & (independent >= 0), independent, secondary)
    special = groups["special"].pick(rng, people.la)
    secondary = np.where(complex_needs & (special >= 0), special, secondary)
    secondary[people.academic_age < 11] = -1
    fe_of_la = np.full(n_la, -1, dtype=np.int64)
    for i, row in enumerate(orgs.rows):
        if row["kind"] == "fe_college":
            home = orgs.la_index[i]
            fe_of_la[home : home + 2] = i  # each college serves its LA and the next one
    return Placement(orgs, primary, secondary, groups, fe_of_la)
