"""Tier rules as versioned data, one rule set per nation: which activity codes count as EET, NEET available,
NEET not available or not known; how long each kind of activity stays current before it lapses; and where the
16-hour boundary falls.

The activity codes themselves (code, group, the jobs-without-training flag) are reference data
(``people/reference/<version>/activity_codes.csv``); the rules here say what a code *means* for the tier. A new
edition of the rules is a new ``RuleSet`` with a new ``version``, never an edit of an old one, so a figure can
always be traced to the rules it was derived with.
"""

import csv
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "people" / "reference"


class Category(enum.IntEnum):
    """What an activity says about a young person, for the tier (YEPF Figure 6)."""

    NOT_KNOWN = 0  # tier 1
    NOT_AVAILABLE = 1  # tier 2: sickness, caring, pregnancy, custody
    AVAILABLE = 2  # tier 3: NEET and able to take up EET
    EET = 3  # tier 5, or tier 4 under the hours boundary or at risk


# The tier-4 risk level (R46): 0 in columnar arrays means "none given".
RISK_LEVELS = ("low", "medium", "high")


@dataclass(frozen=True)
class CodeFacts:
    """An activity code as the reference data holds it."""

    code: int
    group: str
    is_job_without_training: bool = False


@dataclass(frozen=True)
class RuleSet:
    """One nation's tier rules, at one version."""

    nation: str
    version: str
    group_category: Mapping[str, Category]
    # Codes whose group does not settle their meaning (pre-16 and "other").
    code_category: Mapping[int, Category]
    # Currency: days an activity stays current after its start (the last time it was confirmed). Past it, Wales
    # flags the activity for re-confirmation and England counts it "not known": both tier 1 here.
    currency_days: Mapping[str, int]
    full_time_hours: int = 16
    # YEPF leaves exactly 16 hours undefined (tier 5 says "over 16", tier 4 "less than 16"): R47 makes it a rule.
    exactly_full_time_is_sustained: bool = True
    # EET codes that are part time by definition: with no hours recorded they count as under the boundary.
    part_time_codes: frozenset[int] = field(default_factory=frozenset)

    def category(self, facts: CodeFacts) -> Category:
        if facts.code in self.code_category:
            return self.code_category[facts.code]
        return self.group_category.get(facts.group, Category.NOT_KNOWN)

    def currency(self, facts: CodeFacts) -> int:
        return self.currency_days.get(facts.group, 0)

    def under_hours(self, hours: int | None, code: int) -> bool:
        """Whether an EET activity of ``hours`` a week is under the boundary (tier 4, R47)."""
        if hours is None:
            return code in self.part_time_codes
        if hours == self.full_time_hours:
            return not self.exactly_full_time_is_sustained
        return hours < self.full_time_hours


_GROUPS = {
    "education": Category.EET, "employment": Category.EET, "training": Category.EET,
    "re_engagement": Category.EET, "neet_available": Category.AVAILABLE,
    "neet_not_available": Category.NOT_AVAILABLE, "not_known": Category.NOT_KNOWN,
}
_CODES = {
    110: Category.EET, 120: Category.EET,  # at school, educated at home
    130: Category.NOT_AVAILABLE, 710: Category.NOT_AVAILABLE,  # custody (Figure 6, tier 2)
    140: Category.AVAILABLE,  # not registered at a school: to be found a place
    150: Category.NOT_KNOWN,
    720: Category.NOT_KNOWN,  # refugee or asylum seeker says who, not what they do: to be re-confirmed
}
# Placeholder periods until the current NCCIS MI requirement's "Currency" appendix is transcribed (anchors §3.1):
# EET is re-confirmed yearly, NEET available every three months, NEET not available every six.
_CURRENCY = {
    "pre16": 365, "education": 365, "employment": 365, "training": 365, "re_engagement": 182,
    "neet_available": 91, "neet_not_available": 182, "other": 182, "not_known": 0,
}

WALES = RuleSet(nation="wales", version="wales-2013.1", group_category=_GROUPS, code_category=_CODES,
                currency_days=_CURRENCY, exactly_full_time_is_sustained=True,
                part_time_codes=frozenset({250, 360}))
# DfE: full-time education is *more than* 16 guided learning hours a week, so exactly 16 is part time.
ENGLAND = RuleSet(nation="england", version="nccis-2024.1", group_category=_GROUPS, code_category=_CODES,
                  currency_days=_CURRENCY, exactly_full_time_is_sustained=False,
                  part_time_codes=frozenset({250, 360}))
RULES = {r.nation: r for r in (WALES, ENGLAND)}


def reference_codes(version: str = "v1") -> list[CodeFacts]:
    """The activity codes of a reference data version, read from its CSV (for work without a database)."""
    with (REFERENCE_DIR / version / "activity_codes.csv").open(newline="", encoding="utf-8") as handle:
        return [CodeFacts(int(r["code"]), r["group"], r["is_job_without_training"] == "1")
                for r in csv.DictReader(handle)]


@dataclass(frozen=True)
class CodeTable:
    """The rules applied to every code, as arrays indexed by code number (0-999), for the columnar engine.
    A code missing from the reference data counts as not known."""

    rules: RuleSet
    category: np.ndarray  # int8
    currency: np.ndarray  # int32 days
    jwt: np.ndarray  # bool
    part_time: np.ndarray  # bool

    @classmethod
    def build(cls, rules: RuleSet, codes: Iterable[CodeFacts]) -> "CodeTable":
        category = np.full(1000, Category.NOT_KNOWN, dtype=np.int8)
        currency = np.zeros(1000, dtype=np.int32)
        jwt = np.zeros(1000, dtype=bool)
        part_time = np.zeros(1000, dtype=bool)
        for facts in codes:
            category[facts.code] = rules.category(facts)
            currency[facts.code] = rules.currency(facts)
            jwt[facts.code] = facts.is_job_without_training
            part_time[facts.code] = facts.code in rules.part_time_codes
        return cls(rules, category, currency, jwt, part_time)
