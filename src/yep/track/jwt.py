"""Reads for following up jobs without training (JWT, YEPF §6 G, R46, R65, R77): the careers service's priority
list of 16-18 year olds whose current activity is a job without training, one young person's JWT record, and the
Youth Guarantee status their current activity gives.

``jwt_list_for`` is scoped to the areas the user tracks (``queries.tracked_las``) and to the young people they may
see (deny by default); ``jwt_record`` and ``guarantee_status`` read one young person whom the caller has already
access-checked (``get_person_for``). The JWT flag is derived from the timeline (``tiers.derive``), never stored.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.access.policy import people_visible_to
from yep.people.models import Organisation, Person

from . import queries, tiers
from .models import Activity, CareersContact, ContactPurpose, OfferStatus, TrainingOffer
from .risk import risk_levels

Followed = TypeVar("Followed", CareersContact, TrainingOffer)
OPEN_OFFER = (OfferStatus.ARRANGED, OfferStatus.ACCEPTED)
GUARANTEE_LEVEL = 2  # R65: employment counts for the Youth Guarantee with training at Level 2 or above


@dataclass(frozen=True)
class JwtRow:
    """One young person in a job without training: the job, since when, and the careers service's follow-up."""

    person: Person
    academic_age: int
    tier: int | None
    activity: Activity
    since: datetime.date
    days_in_jwt: int
    last_contact: CareersContact | None
    open_offer: TrainingOffer | None

    @property
    def employer(self) -> Organisation | None:
        return self.activity.organisation

    @property
    def hours(self) -> int | None:
        return self.activity.hours_per_week


@dataclass(frozen=True)
class JwtRecord:
    """One young person's JWT follow-up: the derived status today, the job when they are in a JWT (``row``), and
    every JWT contact and training offer, newest first."""

    status: tiers.Status
    row: JwtRow | None
    contacts: list[CareersContact]
    offers: list[TrainingOffer]

    @property
    def in_jwt(self) -> bool:
        return self.row is not None


def _born_between(on: datetime.date, ages: Iterable[int]) -> Q:
    """Academic ages ``ages`` (within 16-18) on ``on``: born from 1 September to 31 August of a year."""
    year = on.year if on.month >= 9 else on.year - 1
    clause = Q(pk__in=[])
    for age in ages:
        clause |= Q(dob__gte=datetime.date(year - age - 1, 9, 1), dob__lte=datetime.date(year - age, 8, 31))
    return clause


def _current(on: datetime.date) -> Q:
    return Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=on))


def _entries(activities: Sequence[Activity]) -> list[tiers.Entry]:
    return [tiers.Entry(a.code.code, a.code.group.code, a.start, a.end, a.hours_per_week, a.source,
                        a.code.is_job_without_training, a.pk, a.pk) for a in activities]


def _since(activities: Sequence[Activity], winner: Activity, on: datetime.date) -> datetime.date:
    """When the young person's time in JWT began: the start of the run of JWT activities (a job re-confirmed, or
    a change of employer) that ends with the current one, with no other activity starting in between."""
    started = sorted((a for a in activities if a.start <= on), key=lambda a: (a.start, a.pk), reverse=True)
    since = winner.start
    for activity in started[[a.pk for a in started].index(winner.pk):]:
        if not activity.code.is_job_without_training:
            break
        since = activity.start
    return since


def _row(person: Person, activities: Sequence[Activity], on: datetime.date, risk: str | None,
         contact: CareersContact | None, offer: TrainingOffer | None) -> JwtRow | None:
    """The person's JWT row on ``on``, or None when their derived status carries no JWT flag."""
    status = tiers.derive(_entries(activities), person.dob, on, risk=risk, rules=queries.rules_for())
    if not status.jwt or status.activity is None:
        return None
    winner = next(a for a in activities if a.pk == status.activity.ref)
    since = _since(activities, winner, on)
    return JwtRow(person, status.academic_age, status.tier, winner, since, (on - since).days, contact, offer)


def _latest_by_person(rows: Iterable[Followed]) -> dict[int, Followed]:
    """The first row of each person, for rows already ordered newest first."""
    latest: dict[int, Followed] = {}
    for row in rows:
        latest.setdefault(row.person_id, row)
    return latest


def in_jwt_on(on: datetime.date) -> Exists:
    """People with a job without training current on ``on`` (the candidates; the derived status decides)."""
    return Exists(Activity.objects.filter(_current(on), person=OuterRef("pk"), code__is_job_without_training=True))


def jwt_list_for(user: object, on: datetime.date | None = None, *,
                 ages: Iterable[int] = tiers.AGES) -> list[JwtRow]:
    """The young people of academic age 16-18 (or ``ages``) on ``on`` (default today) in the areas ``user``
    tracks, whom ``user`` may see, and whose derived status carries the JWT flag: the careers service's priority
    list (R77). Youngest first (16 year olds are the priority), then the longest in a job without training.
    Empty for a user who tracks no area. Five queries, whatever the number of young people."""
    day = on or timezone.localdate()
    las = queries.tracked_las(user)
    wanted = [age for age in ages if age in tiers.AGES]
    if not las or not wanted:
        return []
    people: QuerySet[Person] = Person.objects.filter(
        _born_between(day, wanted), in_jwt_on(day), la_of_residence_id__in=las,
        pk__in=people_visible_to(user).values("pk"))
    people_ids = people.values("pk")
    activities: dict[int, list[Activity]] = {}
    for activity in (Activity.objects.filter(person__in=people_ids, start__lte=day)
                     .select_related("person", "code__group", "organisation").order_by("pk")):
        activities.setdefault(activity.person_id, []).append(activity)
    risk = risk_levels(day, list(activities)) if activities else {}
    contacts = _latest_by_person(CareersContact.objects.filter(person__in=people_ids, purpose=ContactPurpose.JWT)
                                 .order_by("person_id", "-at", "-pk"))
    offers = _latest_by_person(TrainingOffer.objects.filter(person__in=people_ids, status__in=OPEN_OFFER)
                               .select_related("provider").order_by("person_id", "-arranged_at", "-pk"))
    rows = [_row(mine[0].person, mine, day, risk.get(pid), contacts.get(pid), offers.get(pid))
            for pid, mine in activities.items()]
    found = [row for row in rows if row is not None]
    return sorted(found, key=lambda r: (r.academic_age, r.since, r.person.pk))


def _derived(person: Person, day: datetime.date) -> tuple[tiers.Status, list[Activity], str | None]:
    """``person``'s derived status on ``day``, the activities it was derived from, and the tier-4 risk level."""
    activities = list(Activity.objects.filter(person=person, start__lte=day)
                      .select_related("code__group", "organisation").order_by("pk"))
    risk = risk_levels(day, [person.pk]).get(person.pk)
    return tiers.derive(_entries(activities), person.dob, day, risk=risk, rules=queries.rules_for()), activities, risk


def jwt_record(person: Person, on: datetime.date | None = None) -> JwtRecord:
    """``person``'s JWT follow-up as at ``on`` (default today); the caller has checked access."""
    day = on or timezone.localdate()
    status, activities, risk = _derived(person, day)
    # As the record stood on ``day``: a history-mode reader sees nothing recorded after their relationship ended.
    contacts = list(CareersContact.objects.filter(person=person, purpose=ContactPurpose.JWT, at__date__lte=day)
                    .select_related("by").order_by("-at", "-pk"))
    offers = list(TrainingOffer.objects.filter(person=person, arranged_at__date__lte=day)
                  .select_related("provider", "activity").order_by("-arranged_at", "-pk"))
    open_offer = next((o for o in offers if o.status in OPEN_OFFER), None)
    row = _row(person, activities, day, risk, contacts[0] if contacts else None, open_offer)
    return JwtRecord(status, row, contacts, offers)


def current_jwt(person: Person, on: datetime.date | None = None) -> Activity | None:
    """The job without training ``person`` is in on ``on`` (their derived status has the JWT flag), else None."""
    row = jwt_record(person, on).row
    return row.activity if row else None


# The Youth Guarantee ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuaranteeStatus:
    """What a young person's current activity means for the Youth Guarantee (R65): a short code, a label, and
    whether it counts as meeting the guarantee."""

    code: str
    label: str | Promise
    counts: bool


# Codes (reference data, activity_codes.csv) read for the guarantee. A full-time course place counts; part-time
# education and a gap year do not. Funded work-based learning (410) is Wales's route into traineeships and
# apprenticeships, so it counts with traineeships (450); other training, DWP programmes, supported internships and
# re-engagement are steps towards a place, not a place.
COURSE_CODES = frozenset({210, 220, 230, 240, 270, 280, 290})
TRAINEESHIP_CODES = frozenset({410, 450})
APPRENTICESHIP = 310
# Employment with training by its code (the level, when recorded, decides whether it counts).
EMPLOYMENT_WITH_TRAINING_CODES = frozenset({320, 340, 381})

GUARANTEE_LABELS: dict[str, Promise] = {
    "outside_ages": _("Outside academic ages 16 to 18: the guarantee does not apply"),
    "not_known": _("Not known or needs re-confirming (does not count)"),
    "neet": _("Not in education, employment or training (does not count)"),
    "course": _("A course place (counts)"),
    "traineeship": _("A traineeship (counts)"),
    "apprenticeship": _("An apprenticeship (counts)"),
    "employment_with_training": _("Employment with training at Level 2 or above (counts)"),
    "training_below_level_2": _("Employment with training below Level 2 (does not count)"),
    "training_level_not_recorded": _("Employment with training at a level not recorded (does not count until "
                                     "the level is recorded)"),
    "jwt": _("Job without training (does not count)"),
    "employment_without_training": _("Employment with no training recorded (does not count)"),
    "other": _("Other activity (does not count)"),
}
COUNTING = frozenset({"course", "traineeship", "apprenticeship", "employment_with_training"})


def _employment_code(activity: Activity) -> str:
    code = activity.code
    # The JWT code says "without training" whatever else was typed: the tier's JWT flag follows the code, and the
    # guarantee must never count someone the JWT list still shows.
    if code.is_job_without_training:
        return "jwt"
    if code.code == APPRENTICESHIP:
        return "apprenticeship"
    if activity.training_level is not None:
        return "employment_with_training" if activity.training_level >= GUARANTEE_LEVEL else "training_below_level_2"
    if code.code in EMPLOYMENT_WITH_TRAINING_CODES:
        return "training_level_not_recorded"
    return "employment_without_training"


def guarantee_code(status: tiers.Status, activity: Activity | None) -> str:
    """The guarantee code for a derived status and the activity that decided it."""
    if status.tier is None:
        return "outside_ages"
    if status.tier == 1 or activity is None:
        return "not_known"
    if status.tier in (2, 3):
        return "neet"
    if activity.code.group.code == "employment":
        return _employment_code(activity)
    if activity.code.code in COURSE_CODES:
        return "course"
    if activity.code.code in TRAINEESHIP_CODES:
        return "traineeship"
    return "other"


def guarantee_status(person: Person, on: datetime.date | None = None) -> GuaranteeStatus:
    """The Youth Guarantee status of ``person``'s current activity on ``on`` (default today), from the derived
    status of their timeline: a course place, traineeship, apprenticeship or employment with training at Level 2 or
    above counts; a job without training does not (R65). The caller has checked access."""
    status, activities, _risk = _derived(person, on or timezone.localdate())
    ref = status.activity.ref if status.activity else None
    code = guarantee_code(status, next((a for a in activities if a.pk == ref), None))
    return GuaranteeStatus(code, GUARANTEE_LABELS[code], code in COUNTING)
