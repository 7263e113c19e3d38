"""Reading school panels and business cases (R28, R29), scoped deny-by-default: school staff see their own
school's meetings and cases; the EPC sees those of the schools in their LA; nobody else sees any.

The pupils on a panel page are named only when the reader may see their risk data (``access.policy``), and the
band offered for each pupil is the one in the latest released early identification run the reader may see."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from yep.access import categories
from yep.access.policy import people_visible_to
from yep.identify import queries as identify
from yep.identify.models import BAND_RANK, Band, RunStatus
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person, Role

from .models import BusinessCase, BusinessCaseStatus, PanelMeeting

# A deferred case still waits for the EPC: it can be decided again later.
WAITING = (BusinessCaseStatus.SUBMITTED, BusinessCaseStatus.DEFERRED)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user: Any) -> tuple[set[int], set[int]]:
    """(LAs the user is EPC for, schools the user is staff at), today."""
    if not _signed_in(user):
        return set(), set()
    las, schools = set(), set()
    for membership in user.active_memberships():
        if membership.role == Role.EPC:
            las.add(membership.organisation_id)
        elif membership.role == Role.SCHOOL_STAFF:
            schools.add(membership.organisation_id)
    return las, schools


def acts_for_school(user: Any, school: Organisation) -> bool:
    """Whether ``user`` works at ``school`` or is the EPC of its LA: who may record its panels and cases."""
    las, schools = roles_of(user)
    return school.pk in schools or (school.la_id is not None and school.la_id in las)


def schools_for(user: Any) -> QuerySet[Organisation]:
    """The schools whose panels the user may record: their own, or, for the EPC, every school in the LA."""
    las, schools = roles_of(user)
    return Organisation.objects.filter(Q(pk__in=schools) | Q(la_id__in=las, kind=OrganisationKind.SCHOOL))


def panels_visible_to(user: Any) -> QuerySet[PanelMeeting]:
    """Panel meetings the user may see, newest first; empty for anyone but school staff and the EPC."""
    las, schools = roles_of(user)
    if not las and not schools:
        return PanelMeeting.objects.none()
    return (PanelMeeting.objects.filter(Q(school_id__in=schools) | Q(school__la_id__in=las))
            .select_related("school", "recorded_by"))


def business_cases_visible_to(user: Any) -> QuerySet[BusinessCase]:
    """Business cases the user may see, those waiting for the EPC first, then newest first."""
    las, schools = roles_of(user)
    if not las and not schools:
        return BusinessCase.objects.none()
    waiting_first = Case(When(status__in=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (BusinessCase.objects.filter(Q(school_id__in=schools) | Q(la_id__in=las))
            .select_related("school", "la", "person", "submitted_by", "decided_by", "referral")
            .annotate(waiting=waiting_first).order_by("waiting", "-submitted_at", "-pk"))


def current_pupils(school: Organisation, day: datetime.date | None = None) -> QuerySet[Person]:
    """Young people enrolled at ``school`` on ``day`` (today by default)."""
    enrolled = Enrolment.objects.current(day or timezone.localdate()).filter(organisation=school)
    return Person.objects.filter(pk__in=enrolled.values("person_id"))


def is_current_pupil(person_id: int, school: Organisation, day: datetime.date | None = None) -> bool:
    return current_pupils(school, day).filter(pk=person_id).exists()


def visible_with_risk(user: Any, person_ids: list[int]) -> set[int]:
    """Those of ``person_ids`` whose record, risk data included, ``user`` may see."""
    if not person_ids:
        return set()
    visible = people_visible_to(user, category=categories.RISK).filter(pk__in=person_ids)
    return set(visible.values_list("pk", flat=True))


@dataclass(frozen=True)
class PupilChoice:
    """A current pupil the panel could discuss, with their latest agreed (else computed) band."""

    person: Person
    band: str
    band_label: str

    @property
    def rank(self) -> int:
        return BAND_RANK[self.band]  # type: ignore[index]  # a Band value, as BAND_RANK's keys


def pupil_choices(user: Any, school: Organisation, *, at_risk_only: bool = True) -> list[PupilChoice]:
    """The school's current pupils the user may see with risk data, highest band first, each with the band in
    the latest released early identification run the user may see at this school. With ``at_risk_only``, only
    pupils in the two highest bands (red and amber in most LAs)."""
    pupils = people_visible_to(user, category=categories.RISK).filter(pk__in=current_pupils(school).values("pk"))
    runs = identify.runs_visible_to(user).filter(status=RunStatus.PUBLISHED, results__school=school)
    run = runs.order_by("-as_of", "-pk").first()
    bands: dict[int, str] = {}
    if run is not None:
        results = identify.results_visible_to(user, run).filter(school=school)
        bands = {r.person_id: r.current_band for r in results}
    choices = []
    for person in pupils.order_by("legal_surname", "legal_forenames", "pk"):
        band = bands.get(person.pk, Band.NONE)
        if at_risk_only and band not in (Band.HIGH, Band.MEDIUM):
            continue
        label = run.model.band_label(band) if run is not None else str(Band(band).label)
        choices.append(PupilChoice(person, band, label))
    return sorted(choices, key=lambda c: -c.rank)
