"""Reads of England's September Guarantee (issue 6, item 2): every young person finishing Year 11 or Year 12 is
entitled to an offer of a suitable post-16 place by the end of September.

The LA leads for the 16-year-olds educated in its area (the Year 11 cohort: on the roll of one of its schools in
year group 11 on 31 May) and the 17-year-olds resident in it (the Year 12 cohort: residents of academic age 16 on
31 May). ``guarantee_report`` gives the published categories for both cohorts; only the LA's own EPC and careers
service see who has no offer, and anyone else sees counts with 1 to 4 suppressed."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yep.access.policy import people_visible_to
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person
from yep.people.models.organisations import EDUCATION_KINDS

from .models import GuaranteeOffer, GuaranteeStatus
from .queries import tracked_las

YEAR_GROUPS = (11, 12)
SCHOOL_KINDS = (OrganisationKind.SCHOOL, OrganisationKind.SIXTH_FORM)
# Where an offered place may be: a school, college or training provider, or an employer (with training).
PROVIDER_KINDS = (*EDUCATION_KINDS, OrganisationKind.EMPLOYER)
COHORT_DAY = (5, 31)  # the cohort is fixed at the end of May
OPEN_FROM = (5, 1)  # offers for this September are recorded from May
NOT_RECORDED = "not_recorded"
CATEGORIES = (GuaranteeStatus.OFFER_MADE.value, GuaranteeStatus.NOT_APPROPRIATE.value,
              GuaranteeStatus.NO_OFFER.value, NOT_RECORDED)
CATEGORY_LABELS = {**{c.value: c.label for c in GuaranteeStatus}, NOT_RECORDED: _("Not recorded")}
YEAR_GROUP_LABELS = {11: _("Year 11 (educated in the area)"), 12: _("Year 12 (resident in the area)")}
# Counts of 1 to 4 are shown as "c" to anyone but the LA's own staff (as in the destinations survey).
SUPPRESS_BELOW = 5
SUPPRESSED = "c"


def cohort_day(year: int) -> datetime.date:
    return datetime.date(year, *COHORT_DAY)


def default_year(today: datetime.date | None = None) -> int:
    """This year's September from 1 May (when offers start being recorded), last year's before."""
    today = today or timezone.localdate()
    return today.year if (today.month, today.day) >= OPEN_FROM else today.year - 1


def cohort(la: Organisation | int, year: int, year_group: int) -> QuerySet[Person]:
    """The young people the LA leads for in ``year``'s guarantee: for Year 11, those on the roll of one of its
    schools in year group 11 on 31 May; for Year 12, its residents of academic age 16 on 31 May."""
    la_id = la if isinstance(la, int) else la.pk
    return Person.objects.filter(_cohort_clause({la_id}, year, year_group)).distinct()


def _cohort_clause(las: set[int], year: int, year_group: int) -> Q:
    day = cohort_day(year)
    if year_group == 11:
        on_roll = (Enrolment.objects.filter(organisation__la_id__in=las, organisation__kind__in=SCHOOL_KINDS,
                                            year_group=11, start__lte=day)
                   .filter(Q(end__isnull=True) | Q(end__gte=day)))
        return Q(pk__in=on_roll.values("person_id"))
    if year_group == 12:
        # Academic age is the age on the 31 August before: on 31 May 2026, 16 means born Sep 2008 - Aug 2009.
        return Q(la_of_residence_id__in=las, dob__gte=datetime.date(year - 18, 9, 1),
                 dob__lte=datetime.date(year - 17, 8, 31))
    return Q(pk__in=[])


def in_cohort(person: Person, year: int, year_group: int, las: Iterable[int]) -> bool:
    return Person.objects.filter(_cohort_clause(set(las), year, year_group), pk=person.pk).exists()


def latest_offers(person_ids: Iterable[int], year: int, year_group: int) -> dict[int, GuaranteeOffer]:
    """Each young person's latest record for the year and year group (a later record replaces an earlier one)."""
    rows = (GuaranteeOffer.objects.filter(person_id__in=list(person_ids), guarantee_year=year, year_group=year_group)
            .select_related("provider").order_by("person_id", "recorded_at", "pk"))
    return {row.person_id: row for row in rows}


def provider_choices(user: Any) -> QuerySet[Organisation]:
    """The places an offer may be at: providers and employers in the LAs the user tracks."""
    return Organisation.objects.filter(kind__in=PROVIDER_KINDS, la_id__in=tracked_las(user)).order_by("name")


@dataclass(frozen=True)
class Waiting:
    """A young person in a cohort without an offer: no offer recorded yet, or "no offer"."""

    person: Person
    year_group: int
    status: str
    recorded: GuaranteeOffer | None

    @property
    def status_label(self) -> str:
        return str(CATEGORY_LABELS[self.status])


@dataclass(frozen=True)
class CohortSummary:
    year_group: int
    total: int | str
    counts: dict[str, int | str]
    percents: dict[str, float | str]

    @property
    def label(self) -> str:
        return str(YEAR_GROUP_LABELS[self.year_group])

    def rows(self) -> list[dict[str, Any]]:
        return [{"category": c, "label": str(CATEGORY_LABELS[c]), "count": self.counts[c],
                 "percent": self.percents[c]} for c in CATEGORIES]


@dataclass(frozen=True)
class GuaranteeReport:
    la: Organisation
    year: int
    exact: bool  # the LA's own EPC or careers service: exact counts and the named list
    cohorts: list[CohortSummary]
    waiting: list[Waiting] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"la_id": self.la.pk, "la": self.la.name, "year": self.year, "exact": self.exact,
                "cohorts": [{"year_group": c.year_group, "total": c.total, "counts": c.counts,
                             "percents": c.percents} for c in self.cohorts],
                "waiting": [{"person_id": w.person.pk, "name": w.person.display_name, "year_group": w.year_group,
                             "status": w.status} for w in self.waiting]}


def _shown(count: int, exact: bool) -> int | str:
    return count if exact or not 0 < count < SUPPRESS_BELOW else SUPPRESSED


def _summary(year_group: int, statuses: dict[int, str], exact: bool) -> CohortSummary:
    total = len(statuses)
    counts = {c: sum(1 for s in statuses.values() if s == c) for c in CATEGORIES}
    shown = {c: _shown(n, exact) for c, n in counts.items()}
    percents: dict[str, float | str] = {
        c: SUPPRESSED if shown[c] == SUPPRESSED else (round(100 * n / total, 1) if total else 0.0)
        for c, n in counts.items()}
    return CohortSummary(year_group, _shown(total, exact), shown, percents)


def guarantee_report(user: Any, la: Organisation, year: int) -> GuaranteeReport:
    """Both cohorts' counts and percentages by category; for the LA's own EPC and careers service, also those
    without an offer that they may see (callers audit the names shown)."""
    exact = la.pk in tracked_las(user)
    cohorts, waiting = [], []
    for year_group in YEAR_GROUPS:
        people = {p.pk: p for p in cohort(la, year, year_group)}
        latest = latest_offers(people, year, year_group)
        statuses = {pk: latest[pk].status if pk in latest else NOT_RECORDED for pk in people}
        cohorts.append(_summary(year_group, statuses, exact))
        if exact:
            missing = [pk for pk, s in statuses.items() if s in (GuaranteeStatus.NO_OFFER, NOT_RECORDED)]
            visible = set(people_visible_to(user).filter(pk__in=missing).values_list("pk", flat=True))
            waiting += [Waiting(people[pk], year_group, statuses[pk], latest.get(pk)) for pk in missing
                        if pk in visible]
    waiting.sort(key=lambda w: (w.year_group, w.person.legal_surname, w.person.legal_forenames, w.person.pk))
    return GuaranteeReport(la, year, exact, cohorts, waiting)
