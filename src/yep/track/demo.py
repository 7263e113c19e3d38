"""Tracking in the demo: what a careers service's day looks like, done through the services as the users would
do it: a college's notifications (one it could not match), the careers adviser's calls to unknowns (one found
seeking work), a youth worker's sighting, a young person moving to another LA, a job without training with an
offer arranged, the LA's rule carrying pre-16 risk into post-16, and last summer's destinations survey."""

import datetime
from typing import Any

from django.utils import timezone

from yep.people.models import Organisation, OrganisationKind, User

from . import jwt, services_jwt, services_notifications, services_rules, services_surveys, services_unknowns
from . import unknowns as unknown_reads
from .models import ContactMethod, ContactOutcome, ContactPurpose, NotificationKind, OfferKind, TracingSource


def _notifications(college: Organisation, staff: User, context: Any) -> None:
    """The college tells the careers service about two learners it knows and one it cannot identify."""
    learners = list(college.enrolments.filter(end__isnull=True).select_related("person")[:2])
    day = timezone.localdate()
    for enrolment, kind in zip(learners, (NotificationKind.LEFT, NotificationKind.SERIOUSLY_AT_RISK), strict=False):
        person = enrolment.person
        services_notifications.notify(
            college, kind=kind, identifiers={"forenames": person.legal_forenames, "surname": person.legal_surname,
                                             "dob": person.dob, "postcode": person.postcode, "uln": person.uln or "",
                                             "upn": person.upn or ""},
            left_on=day - datetime.timedelta(days=9) if kind == NotificationKind.LEFT else None,
            reason="seeking" if kind == NotificationKind.LEFT else "", actor=staff, context=context)
    services_notifications.notify(
        college, kind=NotificationKind.LEFT, identifiers={"forenames": "Jac", "surname": "Nobody-Known",
                                                          "dob": datetime.date(day.year - 17, 3, 3)},
        left_on=day - datetime.timedelta(days=20), reason="not_known", actor=staff, context=context)


def _unknowns(la: Organisation, adviser: User, youth_worker: User, context: Any) -> None:
    """Calls to the longest unknown; one is found seeking work; a youth worker meets another; one has moved."""
    queue = unknown_reads.unknowns_for(adviser)
    day = timezone.localdate()
    for unknown in queue[:3]:
        services_unknowns.log_contact(unknown.person, purpose=ContactPurpose.TRACING, method=ContactMethod.PHONE,
                                      source=TracingSource.CAREERS_RECORDS, outcome=ContactOutcome.NO_ANSWER,
                                      actor=adviser, context=context)
    if len(queue) > 3:
        services_unknowns.log_contact(queue[3].person, purpose=ContactPurpose.TRACING, method=ContactMethod.PHONE,
                                      source=TracingSource.FAMILY, outcome=ContactOutcome.CONFIRMED, code=619,
                                      start=day - datetime.timedelta(days=3), actor=adviser, context=context,
                                      notes="Looking for an apprenticeship in construction.")
    if len(queue) > 4:
        seen = queue[4].person
        services_unknowns.report_contact(
            organisation=youth_worker.memberships.first().organisation,  # type: ignore[union-attr]
            forenames=seen.legal_forenames, surname=seen.legal_surname, dob=seen.dob,
            seen_on=day - datetime.timedelta(days=1), where="Skate park, Splott", doing="Says they want work",
            actor=youth_worker, context=context)
    neighbour = Organisation.objects.filter(kind=OrganisationKind.LA).exclude(pk=la.pk).order_by("code").first()
    if len(queue) > 5 and neighbour is not None:
        services_unknowns.report_move(queue[5].person, to_la=neighbour, moved_on=day - datetime.timedelta(days=14),
                                      source=TracingSource.FAMILY, notes="Moved in with an aunt.", actor=adviser,
                                      context=context)


def _jobs_without_training(adviser: User, context: Any) -> None:
    rows = jwt.jwt_list_for(adviser)
    if not rows:
        return
    person = rows[0].person
    services_jwt.log_jwt_contact(person, method=ContactMethod.PHONE, outcome=ContactOutcome.CONTACTED,
                                 notes="Interested in a Level 2 day release.", actor=adviser, context=context)
    college = Organisation.objects.filter(kind=OrganisationKind.FE_COLLEGE).order_by("ref").first()
    services_jwt.arrange_offer(person, kind=OfferKind.DAY_RELEASE, provider=college, level=2,
                               starts_on=timezone.localdate() + datetime.timedelta(days=40), actor=adviser,
                               context=context)


def load_tracking(la: Organisation, context: Any) -> None:
    """Run the day's tracking work as the demo's users."""
    epc, adviser = User.objects.get(username="epc"), User.objects.get(username="careers.adviser")
    staff, youth_worker = User.objects.get(username="provider.staff"), User.objects.get(username="lead.worker")
    college = staff.memberships.first().organisation  # type: ignore[union-attr]
    services_rules.set_post16_risk_rule(la, enabled=True, min_band="high", months=12, actor=epc, context=context)
    _notifications(college, staff, context)
    _unknowns(la, adviser, youth_worker, context)
    _jobs_without_training(adviser, context)
    today = timezone.localdate()
    leaving_year = today.year if today >= datetime.date(today.year, 10, 31) else today.year - 1
    services_surveys.open_survey(la, leaving_year, actor=epc, context=context)
