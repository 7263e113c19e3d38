"""What a research extract may hold, and how its rows are built (seed 000 §4.2-4.3, §8 items 58, 61 and 63).

``FIELDS`` is the catalogue a project chooses from. No field is a direct identifier: no name, date of birth,
address, full postcode, UPN, ULN, NI number, phone, email or internal id ever leaves in an extract; each row
carries the project's keyed pseudonym instead (``link.pseudonyms``). Quasi-identifiers are coarsened (month of
birth, postcode district) and then checked for small cells: every combination of the quasi-identifiers present
must hold at least ``MIN_CELL`` people, or its rows are generalised further and, failing that, left out.

Young people with an objection to sharing in force (ESA 2008 s72), or whose consent to research use was
withdrawn, are left out of every extract (§8 item 58).
"""

import csv
import datetime
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.access import categories as C
from yep.access.models import Consent, ConsentPurpose, Objection
from yep.broker.models import Allocation
from yep.people.models import Characteristic, CharacteristicKind, Organisation, Person
from yep.track import queries as track_queries
from yep.track import tiers
from yep.track.risk import risk_levels
from yep.track.rules import RISK_LEVELS

MIN_CELL = 5  # the smallest group of people sharing one combination of quasi-identifiers
PSEUDONYM = "pseudonym"
YES, NO = "Y", "N"
# How rows in small cells are generalised, in turn: month of birth to the year, then the postcode district blanked.
GENERALISE = (("birth_month", 4), ("postcode_district", 0))


@dataclass(frozen=True)
class Field:
    """One column an extract may hold: its label, the data category a sharing agreement must cover, and whether
    it is a quasi-identifier (checked for small cells)."""

    label: Promise
    category: str
    quasi: bool = False


FIELDS: dict[str, Field] = {
    "birth_month": Field(_("Year and month of birth (YYYY-MM)"), C.IDENTITY, quasi=True),
    "sex": Field(_("Sex"), C.IDENTITY, quasi=True),
    "postcode_district": Field(_("Postcode district (the outward code, e.g. CF10)"), C.CONTACT, quasi=True),
    "la_code": Field(_("Local authority of residence (code)"), C.IDENTITY, quasi=True),
    "preferred_language": Field(_("Preferred language"), C.IDENTITY),
    "fsm": Field(_("Free school meals on the date"), C.CHARACTERISTICS),
    "sen": Field(_("Additional learning needs on the date"), C.SENSITIVE),
    "lac": Field(_("Looked after on the date"), C.SENSITIVE),
    "ethnicity": Field(_("Ethnicity"), C.CHARACTERISTICS),
    "tier": Field(_("Five-tier model tier on the date (16-18 year olds)"), C.DESTINATION),
    "activity_code": Field(_("Activity code on the date"), C.DESTINATION),
    "had_lead_worker": Field(_("Has had a lead worker by the date"), C.SUPPORT_NEEDS),
}
QUASI_IDENTIFIERS = tuple(name for name, field in FIELDS.items() if field.quasi)
# Flags read from characteristics current on the date: the field and the kind it comes from.
FLAG_KINDS = {"fsm": CharacteristicKind.FSM, "sen": CharacteristicKind.ALN, "lac": CharacteristicKind.LOOKED_AFTER}


def field_choices() -> list[tuple[str, Promise]]:
    return [(name, field.label) for name, field in FIELDS.items()]


def categories_of(fields: Iterable[str]) -> set[str]:
    """The data categories the fields belong to (what a sharing agreement must cover)."""
    return {FIELDS[name].category for name in fields if name in FIELDS}


def ordered(fields: Iterable[str]) -> list[str]:
    """The known fields among ``fields``, in catalogue order."""
    wanted = set(fields)
    return [name for name in FIELDS if name in wanted]


@dataclass(frozen=True)
class Extract:
    """A finished extract: its columns (the pseudonym first), its rows, and what the small-cell check did."""

    columns: list[str]
    rows: list[list[str]]
    generalised: int
    suppressed: int

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue().encode("utf-8")

    def as_dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# Who is in an extract ----------------------------------------------------------------------------------------------


def _in_force(on: datetime.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def withdrawn_from_research(on: datetime.date) -> set[int]:
    """Young people whose consent to research use was withdrawn by ``on`` and not given again since."""
    research = Consent.objects.filter(purpose=ConsentPurpose.RESEARCH, given_on__lte=on)
    withdrawn = set(research.filter(withdrawn_on__lte=on).values_list("person_id", flat=True))
    current = research.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    current = current.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    return withdrawn - set(current.values_list("person_id", flat=True))


def population(on: datetime.date) -> QuerySet[Person]:
    """Everyone on the register born by ``on``, less anyone with an objection to sharing in force on ``on``
    (consent withdrawals are taken out by ``build``, in Python, to keep the query free of long id lists)."""
    objecting = Objection.objects.filter(_in_force(on)).values("person_id")
    return Person.objects.filter(dob__lte=on).exclude(pk__in=objecting)


# Each field's values -----------------------------------------------------------------------------------------------


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode (``CF10 1AA`` -> ``CF10``); blank when there is no postcode."""
    text = " ".join(postcode.upper().split())
    if not text:
        return ""
    if " " in text:
        return text.split(" ")[0]
    return text[:-3] if len(text) > 4 else text  # the inward code is always 3 characters


def _characteristics(people: QuerySet[Person], fields: list[str], on: datetime.date) -> dict[str, dict[int, str]]:
    kinds = {FLAG_KINDS[name]: name for name in fields if name in FLAG_KINDS}
    if "ethnicity" in fields:
        kinds[CharacteristicKind.ETHNICITY] = "ethnicity"
    found: dict[str, dict[int, str]] = {name: {} for name in kinds.values()}
    if not kinds:
        return found
    rows = (Characteristic.objects.current(on).filter(kind__in=list(kinds), person__in=people.values("pk"))
            .order_by("start", "pk").values_list("person_id", "kind", "value"))
    for person_id, kind, value in rows:  # the latest start wins
        name = kinds[kind]
        found[name][person_id] = value if name == "ethnicity" else YES
    return found


def _tiers(people: QuerySet[Person], on: datetime.date) -> tuple[dict[int, str], dict[int, str]]:
    """Each person's tier (16-18 year olds) and current activity code on ``on``, derived in bulk under the rules
    of their LA's nation, with tier-4 risk levels as the tier dashboard uses them."""
    timelines = track_queries.timelines_of(people)
    if not len(timelines.ids):
        return {}, {}
    levels = risk_levels(on)
    code = {level: n for n, level in enumerate(RISK_LEVELS, start=1)}
    risk = np.array([code.get(levels.get(int(pk), ""), 0) for pk in timelines.ids], np.int8)
    timelines = replace(timelines, risk=risk, cache={})
    nation = dict(people.values_list("pk", "la_of_residence__country"))
    tier: dict[int, str] = {}
    activity: dict[int, str] = {}
    for country in {value or Organisation.Country.WALES for value in nation.values()}:
        status = tiers.derive_cohort(timelines, on, track_queries.code_table(track_queries.rules_for(country)))
        for at, pk in enumerate(timelines.ids.tolist()):
            if (nation.get(pk) or Organisation.Country.WALES) != country:
                continue
            tier[pk] = str(int(status.tier[at])) if status.tier[at] > 0 else ""
            row = int(status.row[at])
            activity[pk] = str(int(timelines.code[row])) if row >= 0 else ""
    return tier, activity


def _lead_workers(people: QuerySet[Person], on: datetime.date) -> set[int]:
    return set(Allocation.objects.filter(start__lte=on, person__in=people.values("pk"))
               .values_list("person_id", flat=True))


def _lookup(values: dict[int, str], default: str) -> Callable[[int], str]:
    return lambda pk: values.get(pk, default)


def _columns(people: QuerySet[Person], fields: list[str], on: datetime.date) -> dict[str, Callable[[int], str]]:
    """For each field that is not on the person row itself, a function from person id to value."""
    found: dict[str, Callable[[int], str]] = {}
    for name, values in _characteristics(people, fields, on).items():
        found[name] = _lookup(values, "" if name == "ethnicity" else NO)
    if "tier" in fields or "activity_code" in fields:
        tier, activity = _tiers(people, on)
        found["tier"], found["activity_code"] = _lookup(tier, ""), _lookup(activity, "")
    if "had_lead_worker" in fields:
        allocated = _lead_workers(people, on)
        found["had_lead_worker"] = lambda pk: YES if pk in allocated else NO
    return found


def person_rows(fields: list[str], on: datetime.date) -> list[tuple[int, dict[str, str]]]:
    """Each person in the extract's population on ``on`` with the chosen fields' values (no identifier among
    them: the id is kept beside the row, for the pseudonym, and never written)."""
    people = population(on)
    columns = _columns(people, fields, on)
    left_out = withdrawn_from_research(on)
    found = []
    for pk, dob, sex, postcode, la_code, language in people.values_list(
            "pk", "dob", "sex", "postcode", "la_of_residence__code", "preferred_language").order_by("pk"):
        if pk in left_out:
            continue
        own = {"birth_month": f"{dob:%Y-%m}", "sex": sex, "postcode_district": postcode_district(postcode),
               "la_code": la_code or "", "preferred_language": language}
        found.append((pk, {name: own[name] if name in own else columns[name](pk) for name in fields}))
    return found


# The small-cell check ----------------------------------------------------------------------------------------------


def _small(rows: list[dict[str, str]], quasi: list[str], k: int) -> list[bool]:
    keys = [tuple(row[name] for name in quasi) for row in rows]
    sizes = Counter(keys)
    return [sizes[key] < k for key in keys]


def protect(rows: list[dict[str, str]], quasi: list[str], k: int = MIN_CELL) -> tuple[list[bool], int]:
    """Generalise rows in cells of fewer than ``k`` people (month of birth to year, then the postcode district
    blanked), changing ``rows`` in place; returns which rows to keep (those still in small cells are dropped)
    and how many rows were generalised."""
    generalised: set[int] = set()
    for name, width in GENERALISE:  # the value cut to ``width`` characters: the year, or nothing
        if name not in quasi:
            continue
        for at, small in enumerate(_small(rows, quasi, k)):
            if small:
                rows[at][name] = rows[at][name][:width]
                generalised.add(at)
    keep = [not small for small in _small(rows, quasi, k)]
    return keep, sum(1 for at in generalised if keep[at])


def build(fields: Iterable[str], on: datetime.date, pseudonym_of: Callable[[int], str]) -> Extract:
    """The extract of ``fields`` as at ``on``: one row per person (pseudonym first, rows in pseudonym order so
    nothing follows the register's order), after the small-cell check."""
    chosen = ordered(fields)
    found = person_rows(chosen, on)
    values = [row for _pk, row in found]
    keep, generalised = protect(values, [name for name in QUASI_IDENTIFIERS if name in chosen])
    rows = sorted([pseudonym_of(pk), *(row[name] for name in chosen)]
                  for (pk, row), kept in zip(found, keep, strict=True) if kept)
    return Extract([PSEUDONYM, *chosen], rows, generalised, len(found) - len(rows))
