"""Parents, carers and other contacts on each young person's record.

Under-18s have one or two contacts (usually a mother and a father, sometimes a grandparent or
carer); a looked-after child's first contact is a foster carer. Older young people have fewer
contacts, and none of them holds parental responsibility.
"""

from __future__ import annotations

import numpy as np

from yep.synth.addresses import email_addresses, mobile_numbers
from yep.synth.characteristics import KINDS, Characteristics
from yep.synth.names import draw_forenames, draw_surnames
from yep.synth.population import People
from yep.synth.reference import forenames, surnames
from yep.synth.sampling import weighted_choice
from yep.synth.school_calendar import NULL_DAY
from yep.synth.text import join, objects

RELATIONSHIPS = np.array(["mother", "father", "carer", "grandparent", "foster_carer"], dtype=object)
_FIRST = [0.85, 0.09, 0.02, 0.04, 0.0]
_SECOND = [0.10, 0.72, 0.06, 0.12, 0.0]
_PR_SHARE = np.array([1.0, 1.0, 0.3, 0.2, 0.0])


def _relationships(rng: np.random.Generator, people: People, looked_after_now: np.ndarray) -> tuple[np.ndarray, ...]:
    n = people.n
    minor = people.academic_age <= 17
    count = np.where(minor, 1 + (rng.random(n) < 0.65), (rng.random(n) < 0.45).astype(np.int64))
    person = np.repeat(np.arange(n), count)
    second = np.r_[False, person[1:] == person[:-1]]
    relation = np.where(second, weighted_choice(rng, _SECOND, len(person)), weighted_choice(rng, _FIRST, len(person)))
    # A repeated relationship becomes a grandparent (e.g. two mothers are kept as one).
    repeat = second & (relation == np.r_[-1, relation[:-1]])
    relation[repeat] = 3
    foster = looked_after_now[person] & ~second
    relation[foster] = 4
    holds = (rng.random(len(person)) < _PR_SHARE[relation]) & minor[person]
    return person, relation, holds


def build_contacts(
    rng: np.random.Generator, people: People, chars: Characteristics, surnames_of: np.ndarray
) -> dict[str, np.ndarray]:
    """Contact rows; ``surnames_of`` holds each young person's surname index."""
    looked_after = _currently_looked_after(chars, people.n)
    person, relation, holds = _relationships(rng, people, looked_after)
    m = len(person)
    female = np.where(relation == 0, True, np.where(relation == 1, False, rng.random(m) < 0.7))
    origin = people.origin[person]
    forename = forenames().values[draw_forenames(rng, female, origin, people.welsh_speaker[person])]
    same_surname = rng.random(m) < np.where(relation == 1, 0.9, np.where(relation == 0, 0.7, 0.4))
    surname = surnames().values[np.where(same_surname, surnames_of[person], draw_surnames(rng, origin))]
    return {
        "person_id": person + 1,
        "name": objects(join(forename, " ", surname, size=m)),
        "relationship": RELATIONSHIPS[relation],
        "phone": mobile_numbers(rng, m),
        "email": email_addresses(rng, forename, surname, 0.7),
        "has_parental_responsibility": holds.astype(np.int64),
    }


def _currently_looked_after(chars: Characteristics, n: int) -> np.ndarray:
    """People with a looked-after row that has no end."""
    result = np.zeros(n, dtype=bool)
    for person, kind, end in zip(chars.person, chars.kind, chars.end, strict=True):
        current = (kind == KINDS.index("looked_after")) & (end == NULL_DAY)
        result[person[current]] = True
    return result
