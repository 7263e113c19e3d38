"""Reads for the annual destinations survey (issue 6, item 7): which surveys a user may work, the leavers of a
survey with each one's destination as at the survey date (derived from the timeline, never typed), the
collection progress, and the results by school, year group and destination group.

Deny by default: the careers service and the EPC work the surveys of the LAs they serve; nobody else sees any.
Results are counts: small counts (1 to 4) are suppressed for anyone but the LA's own staff, as the outcome
report does. A leaver is named only to someone ``access.policy`` lets see them."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.access.policy import las_served, people_visible_to
from yep.people.models import (
    ActivityCode,
    Enrolment,
    EnrolmentEndReason,
    Organisation,
    OrganisationKind,
    Person,
    Role,
)

from . import tiers
from .models import Activity, DestinationSurvey, SurveyDestination
from .queries import rules_for
from .rules import Category, RuleSet

SURVEY_ROLES = (Role.CAREERS_ADVISER, Role.EPC)
LEAVING_YEAR_GROUPS = (11, 12, 13)
SCHOOL_KINDS = (OrganisationKind.SCHOOL, OrganisationKind.SIXTH_FORM)
# A leaver left in the summer: an enrolment ending from 1 May (study leave) to 31 August of the leaving year.
SUMMER_FROM, SUMMER_TO = (5, 1), (8, 31)
# A move to another school or LA is not leaving: the young person is on another roll.
NOT_LEAVING = (EnrolmentEndReason.MOVED_SCHOOL, EnrolmentEndReason.MOVED_LA)
SOURCE = "destination_survey"
# Counts of 1 to 4 are shown as "c" to anyone but the LA's own staff (as in broker.outcomes).
SUPPRESS_BELOW = 5
SUPPRESSED = "c"

EDUCATION, EMPLOYMENT, TRAINING, RE_ENGAGEMENT, NEET, OTHER, NOT_KNOWN = (
    "education", "employment", "training", "re_engagement", "neet", "other", "not_known")
GROUPS: dict[str, Promise] = {
    EDUCATION: _("Education"),
    EMPLOYMENT: _("Employment"),
    TRAINING: _("Training"),
    RE_ENGAGEMENT: _("Re-engagement"),
    NEET: _("NEET"),
    OTHER: _("Other (custody)"),
    NOT_KNOWN: _("Not known"),
}
EET_GROUPS = (EDUCATION, EMPLOYMENT, TRAINING, RE_ENGAGEMENT)


def survey_date(leaving_year: int) -> datetime.date:
    """The date a year's leavers are surveyed as at: 31 October of the leaving year."""
    return datetime.date(leaving_year, 10, 31)


# Who may see which survey ---------------------------------------------------------------------------------------


def survey_las(user: Any) -> set[int]:
    """The LAs whose surveys ``user`` works: as careers adviser or EPC, the LAs they serve. Empty for others."""
    return las_served(user, SURVEY_ROLES)


def surveys_visible_to(user: Any) -> QuerySet[DestinationSurvey]:
    """The surveys of the LAs ``user`` serves, newest leaving year first; none for anyone else."""
    las = survey_las(user)
    return DestinationSurvey.objects.filter(la_id__in=las).select_related("la")


def survey_for(user: Any, pk: int) -> DestinationSurvey | None:
    """One survey ``user`` may see, or None whether it exists or not."""
    return surveys_visible_to(user).filter(pk=pk).first()


def is_la_staff(user: Any, la_id: int) -> bool:
    """Whether ``user`` holds a role in the LA itself (sees exact counts; everyone else sees small ones as "c")."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.active_memberships().filter(organisation_id=la_id).exists())


# Leavers and their destinations -----------------------------------------------------------------------------------


def leaver_enrolments(la_id: int, leaving_year: int) -> dict[int, Enrolment]:
    """Each leaver's last school enrolment: Year 11, 12 or 13 at a school or sixth form of the LA, ended in the
    summer of ``leaving_year`` (not by moving school or LA)."""
    rows = (Enrolment.objects.filter(organisation__la_id=la_id, organisation__kind__in=SCHOOL_KINDS,
                                     year_group__in=LEAVING_YEAR_GROUPS,
                                     end__gte=datetime.date(leaving_year, *SUMMER_FROM),
                                     end__lte=datetime.date(leaving_year, *SUMMER_TO))
            .exclude(end_reason__in=NOT_LEAVING).select_related("person", "organisation").order_by("end", "pk"))
    return {e.person_id: e for e in rows}  # the later ending wins


def entries_of(person_ids: Iterable[int], until: datetime.date | None = None) -> dict[int, list[tiers.Entry]]:
    """The timelines of many young people in one query, as the tier engine reads them (recording order kept)."""
    rows = Activity.objects.filter(person_id__in=list(person_ids))
    if until is not None:
        rows = rows.filter(start__lte=until)
    timelines: dict[int, list[tiers.Entry]] = defaultdict(list)
    for a in rows.select_related("code__group").order_by("pk"):
        timelines[a.person_id].append(tiers.Entry(
            a.code.code, a.code.group.code, a.start, a.end, a.hours_per_week, a.source,
            a.code.is_job_without_training, a.pk, a.pk))
    return timelines


def destination_group(entry: tiers.Entry | None, on: datetime.date, rules: RuleSet) -> str:
    """The destination group of a timeline's current activity on ``on``, under the same rules as the tier: no
    activity, a "not known" code or a lapsed one is not known; EET by its group; NEET available or not; custody
    is "other"."""
    if entry is None:
        return NOT_KNOWN
    category = rules.category(entry.facts)
    if category == Category.NOT_KNOWN or on > entry.start + datetime.timedelta(days=rules.currency(entry.facts)):
        return NOT_KNOWN
    if category == Category.EET:
        return entry.group if entry.group in EET_GROUPS else EDUCATION
    if category == Category.AVAILABLE or entry.group == "neet_not_available":
        return NEET
    return OTHER


@dataclass(frozen=True)
class Leaver:
    """One leaver of a survey and their destination as at the survey date."""

    person: Person
    school: Organisation
    year_group: int
    left_on: datetime.date
    entry: tiers.Entry | None  # the activity that decided the destination
    group: str
    tier: int | None

    @property
    def known(self) -> bool:
        return self.group != NOT_KNOWN

    @property
    def code(self) -> int | None:
        return self.entry.code if self.entry and self.known else None

    @property
    def source(self) -> str:
        return self.entry.source if self.entry and self.known else ""

    @property
    def group_label(self) -> str:
        return str(GROUPS[self.group])


def survey_rules(survey: DestinationSurvey) -> RuleSet:
    return rules_for(survey.la.country)


def leavers(survey: DestinationSurvey) -> list[Leaver]:
    """The survey's leavers (see ``leaver_enrolments``) by school, year group and name, each with the
    destination their timeline gives as at ``survey.as_at``: the tier (``tiers.derive``), the activity that
    decided it and its destination group. Three queries whatever the size."""
    rules = survey_rules(survey)
    enrolments = leaver_enrolments(survey.la_id, survey.leaving_year)
    timelines = entries_of(enrolments, until=survey.as_at)
    found = []
    for person_id, enrolment in enrolments.items():
        entries = timelines.get(person_id, [])
        person = enrolment.person
        status = tiers.derive(entries, person.dob, survey.as_at, rules=rules)
        entry = status.activity if status.tier is not None else tiers.current_entry(entries, survey.as_at)
        assert enrolment.end is not None and enrolment.year_group is not None  # noqa: S101 - filtered on both
        found.append(Leaver(person, enrolment.organisation, enrolment.year_group, enrolment.end, entry,
                            destination_group(entry, survey.as_at, rules), status.tier))
    return sorted(found, key=lambda x: (x.school.name, x.year_group, x.person.legal_surname,
                                        x.person.legal_forenames, x.person.pk))


def visible_ids(user: Any, person_ids: Iterable[int]) -> set[int]:
    """Which of ``person_ids`` ``user`` may see (one query): only they are named on a page or in an export."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(people_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class Progress:
    known: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.known / self.total) if self.total else 0


def progress(found: Sequence[Leaver]) -> Progress:
    return Progress(sum(1 for x in found if x.known), len(found))


def to_collect(found: Sequence[Leaver], visible: set[int]) -> list[tuple[Organisation, list[Leaver]]]:
    """The leavers still without a destination that the user may see, by school."""
    by_school: dict[int, tuple[Organisation, list[Leaver]]] = {}
    for leaver in found:
        if not leaver.known and leaver.person.pk in visible:
            by_school.setdefault(leaver.school.pk, (leaver.school, []))[1].append(leaver)
    return list(by_school.values())


def post16_codes() -> QuerySet[ActivityCode]:
    """The codes a destination may be recorded with: anything but the pre-16 ones."""
    return ActivityCode.objects.exclude(group__code="pre16").select_related("group").order_by("code")


# Results -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    school: str
    year_group: int
    counts: dict[str, int | str]
    total: int | str


@dataclass(frozen=True)
class Results:
    """Leavers by school and year group by destination group: from the snapshot once taken, live before."""

    frozen: bool
    exact: bool
    rows: list[ResultRow]
    totals: dict[str, int | str]
    total: int | str

    def as_dict(self) -> dict[str, Any]:
        return {"frozen": self.frozen, "exact": self.exact, "groups": list(GROUPS), "total": self.total,
                "totals": self.totals, "rows": [{"school": r.school, "year_group": r.year_group, "counts": r.counts,
                                                 "total": r.total} for r in self.rows]}


def shown(count: int, exact: bool) -> int | str:
    """A count as a viewer may see it: exact for the LA's own staff, 1 to 4 as "c" for anyone else."""
    return count if exact or not 0 < count < SUPPRESS_BELOW else SUPPRESSED


def _snapshot_cells(survey: DestinationSurvey) -> list[tuple[str, int, str]]:
    rules = survey_rules(survey)
    rows = survey.destinations.select_related("school", "code__group")
    cells = []
    for row in rows:
        group = NOT_KNOWN
        if row.code is not None:
            facts = tiers.Entry(row.code.code, row.code.group.code, survey.as_at)
            group = destination_group(facts, survey.as_at, rules)
        cells.append((row.school.name, row.year_group, group))
    return cells


def results(survey: DestinationSurvey, viewer: Any, found: Sequence[Leaver] | None = None) -> Results:
    """The survey's results: its snapshot once taken, else the live destinations (``found``, or read now)."""
    if survey.is_open:
        live = leavers(survey) if found is None else found
        cells = [(x.school.name, x.year_group, x.group) for x in live]
    else:
        cells = _snapshot_cells(survey)
    exact = is_la_staff(viewer, survey.la_id)
    counts: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for school, year, group in cells:
        counts[(school, year)][group] += 1
    rows = [ResultRow(school, year, {g: shown(c[g], exact) for g in GROUPS}, shown(sum(c.values()), exact))
            for (school, year), c in sorted(counts.items())]
    overall: Counter[str] = Counter(group for _s, _y, group in cells)
    return Results(not survey.is_open, exact, rows, {g: shown(overall[g], exact) for g in GROUPS},
                   shown(len(cells), exact))


def snapshot_rows(survey: DestinationSurvey, visible: set[int]) -> QuerySet[SurveyDestination]:
    """The frozen rows of the young people ``visible`` to the reader, by school, year group and name."""
    return (survey.destinations.filter(person_id__in=visible).select_related("person", "school", "code__group")
            .order_by("school__name", "year_group", "person__legal_surname", "person__legal_forenames"))
