"""Brokerage in the demo: lead workers of each kind (one hosting service near capacity, a Welsh speaker), about
fifteen referrals, most allocated, a few waiting, so the board, a referral and a caseload have something to show.

Everything is made through the services. Referrals and lead workers are the demo's own work (actor "demo");
allocating and deciding are the EPC's alone, so the demo EPC does them.
"""

import datetime
import secrets
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yep.identify.models import Result, RunStatus
from yep.identify.services.models import ensure_default_model
from yep.identify.services.runs import create_run, publish_run, term_of
from yep.people import services as people
from yep.people.models import (
    Characteristic,
    CharacteristicKind,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    SchoolType,
    User,
)
from yep.web.demo import DEMO_CONTEXT

from . import services
from .allocation import propose
from .models import Allocation, Decision, HostType, LeadWorkerProfile, Outcome, Referral
from .services import support
from .services.reviews import record_review

# Extra lead workers: username, names, host kind and type, capacity, Welsh.
EXTRA_WORKERS = [
    ("ffion.jenkins", "Ffion", "Jenkins", OrganisationKind.YOUTH_SERVICE, HostType.YOUTH_SERVICE, 4, True),
    ("dylan.morris", "Dylan", "Morris", OrganisationKind.CAREERS_SERVICE, HostType.CAREERS_WALES, 12, False),
    ("mererid.owen", "Mererid", "Owen", OrganisationKind.FAMILIES_FIRST, HostType.FAMILIES_FIRST, 6, True),
    ("tomos.lloyd", "Tomos", "Lloyd", OrganisationKind.SCHOOL, HostType.LEARNING_COACH, 8, False),
]
DEMO_LEAD_WORKER = "lead.worker"
DEMO_LEAD_WORKER_CAPACITY = 6
DEMO_CASELOAD = 5  # the demo lead worker's young people: the caseload page has content, the host is near capacity
PRE16_REFERRALS, POST16_REFERRALS, WAITING = 12, 3, 4
RISK_KINDS = (CharacteristicKind.LOOKED_AFTER, CharacteristicKind.YOUNG_CARER, CharacteristicKind.YOUTH_JUSTICE,
              CharacteristicKind.FAMILIES_FIRST, CharacteristicKind.SOCIAL_WORKER, CharacteristicKind.FSM)
NEEDS_BY_KIND = {
    CharacteristicKind.LOOKED_AFTER: ["care_experience", "wellbeing"],
    CharacteristicKind.YOUNG_CARER: ["caring", "attendance"],
    CharacteristicKind.YOUTH_JUSTICE: ["behaviour", "custody"],
    CharacteristicKind.FAMILIES_FIRST: ["family", "attendance"],
    CharacteristicKind.SOCIAL_WORKER: ["family", "wellbeing"],
    CharacteristicKind.FSM: ["financial_hardship", "attendance"],
}


def _host(kind: str, la: Organisation) -> Organisation:
    local = Organisation.objects.filter(kind=kind, la=la)
    if kind == OrganisationKind.SCHOOL:  # a learning coach works in a secondary school
        local = local.filter(school_type=SchoolType.MAINTAINED, enrolments__year_group__gte=7).distinct()
    found = local.order_by("ref").first() or Organisation.objects.filter(kind=kind).order_by("ref").first()
    return found or people.create_organisation(ref=f"DEMO-{kind.upper()}", kind=kind, name=f"{la.name} {kind}",
                                               la=la, actor="demo", context=DEMO_CONTEXT)


def _register_workers(la: Organisation, users: list[dict[str, Any]]) -> dict[str, LeadWorkerProfile]:
    """The demo lead worker and the extra ones; each new login is added to ``users`` so the demo prints it."""
    demo_user = User.objects.get(username=DEMO_LEAD_WORKER)
    own = demo_user.active_memberships().select_related("organisation").first()
    youth = own.organisation if own else _host(OrganisationKind.YOUTH_SERVICE, la)
    profiles = {DEMO_LEAD_WORKER: services.register_lead_worker(
        demo_user, la=la, host_organisation=youth, host_type=HostType.YOUTH_SERVICE,
        capacity=DEMO_LEAD_WORKER_CAPACITY, actor="demo", context=DEMO_CONTEXT)}
    for username, first, last, kind, host_type, capacity, welsh in EXTRA_WORKERS:
        host = youth if kind == OrganisationKind.YOUTH_SERVICE else _host(kind, la)
        password = secrets.token_urlsafe(12)
        user = people.create_user(username, password, first_name=first, last_name=last,
                                  preferred_language="cy" if welsh else "en", actor="demo", context=DEMO_CONTEXT)
        people.add_membership(user, host, Role.LEAD_WORKER, start=datetime.date(2020, 9, 1), actor="demo",
                              context=DEMO_CONTEXT)
        profiles[username] = services.register_lead_worker(
            user, la=la, host_organisation=host, host_type=host_type, capacity=capacity, speaks_welsh=welsh,
            actor="demo", context=DEMO_CONTEXT)
        users.append({"username": username, "password": password, "role": Role.LEAD_WORKER,
                      "organisation": host.name})
    return profiles


def _born_between(day: datetime.date, youngest: int, oldest: int) -> Q:
    """Young people of academic age ``youngest`` to ``oldest`` on ``day``."""
    year = day.year if day.month >= 9 else day.year - 1
    return Q(dob__gt=datetime.date(year - oldest - 1, 8, 31), dob__lte=datetime.date(year - youngest, 8, 31))


def _from_early_identification(la: Organisation) -> list[Referral]:
    """Referrals of the latest early identification run's identified pupils, highest score first."""
    results = (Result.objects.filter(run__la=la, person__la_of_residence=la)
               .exclude(run__status=RunStatus.WITHDRAWN).exclude(band="none")
               .select_related("run").order_by("-run__as_of", "-run__pk", "-score"))
    latest = results.first()
    if latest is None:
        return []
    made: list[Referral] = []
    for result in results.filter(run=latest.run)[:PRE16_REFERRALS]:
        needs = ["attendance", "wellbeing"] if result.band == "high" else ["learning", "confidence"]
        made.append(services.make_referral(result.person, source="early_identification", needs=needs,
                                           stage="pre16", urgency="priority" if result.band == "high" else "routine",
                                           received_at=_received(made), actor="demo", context=DEMO_CONTEXT))
    return made


def _from_characteristics(la: Organisation, day: datetime.date) -> list[Referral]:
    """School business cases for pupils whose record shows what puts them at risk (no run to refer from)."""
    current = Characteristic.objects.current(day).filter(kind__in=RISK_KINDS, person__la_of_residence=la)
    current = current.filter(Q(person__in=Person.objects.filter(_born_between(day, 11, 15))))
    made: list[Referral] = []
    seen: set[int] = set()
    bands = ("high", "medium", "high", "low")
    for characteristic in current.select_related("person").order_by("person_id"):
        if characteristic.person_id in seen:
            continue
        seen.add(characteristic.person_id)
        made.append(services.make_referral(
            characteristic.person, source="school_business_case", needs=NEEDS_BY_KIND[characteristic.kind],
            stage="pre16", risk_band=bands[len(made) % len(bands)], consent_confirmed=True,
            urgency="urgent" if characteristic.kind == CharacteristicKind.YOUTH_JUSTICE else "routine",
            notes="Agreed at the school's panel.", received_at=_received(made), actor="demo", context=DEMO_CONTEXT))
        if len(made) == PRE16_REFERRALS:
            break
    return made


def _post16(la: Organisation, day: datetime.date) -> list[Referral]:
    """Careers Wales refers post-16 young people by tier status: 2, 3 and 4 (high risk)."""
    older = Person.objects.filter(_born_between(day, 16, 17), la_of_residence=la).exclude(referrals__isnull=False)
    made: list[Referral] = []
    for person, (tier, band, needs) in zip(older.order_by("pk"), ((3, None, ["careers", "confidence"]),
                                                                   (2, None, ["wellbeing", "housing"]),
                                                                   (4, "high", ["careers", "financial_hardship"])),
                                           strict=False):
        made.append(services.make_referral(person, source="tier", needs=needs, stage="post16", tier=tier,
                                           risk_band=band, received_at=_received(made), actor="demo",
                                           context=DEMO_CONTEXT))
    return made[:POST16_REFERRALS]


# Days before today each demo referral arrived, in turn, so the board's trends and time to allocation have shape.
_DAYS_AGO = (160, 130, 101, 88, 70, 58, 44, 37, 29, 21, 16, 12, 8, 5, 3, 2, 1)


def _received(referrals: list[Referral]) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=_DAYS_AGO[len(referrals) % len(_DAYS_AGO)])


def _choose(referral: Referral, profiles: dict[str, LeadWorkerProfile], given: int) -> tuple[Any, str]:
    """The worker to allocate and any override reason: the demo lead worker first for Youth Service proposals, so
    their caseload has young people; otherwise the best-ranked candidate."""
    proposal = propose(referral)
    if proposal.outcome == Outcome.TAF_DECIDES:
        return profiles["mererid.owen"], ""
    if HostType.YOUTH_SERVICE in proposal.host_types and given < DEMO_CASELOAD:
        return profiles[DEMO_LEAD_WORKER], ""
    if proposal.candidates:
        return proposal.candidates[0].profile, ""
    if proposal.outcome == Outcome.NO_LEAD_WORKER:
        return None, ""
    return profiles["dylan.morris"], "No worker of the proposed kind has room; Careers Wales knows the family."


def _released_run(la: Organisation, epc: Any, day: datetime.date) -> None:
    """This term's early identification run, released to schools, so panels and referrals start from it as they
    would in an LA that has run it."""
    academic_year, term = term_of(day)
    model = ensure_default_model(la, actor=epc, context=DEMO_CONTEXT)
    run = create_run(model, academic_year=academic_year, term=term, actor=epc, context=DEMO_CONTEXT)
    publish_run(run, confirm_warnings=True, actor=epc, context=DEMO_CONTEXT)


# What the demo lead worker has done with each young person, in turn: goals, contacts and a review.
DEMO_GOALS = (("Attend every lesson on Mondays and Tuesdays", "Attendance over 90% for four weeks"),
              ("Choose a post-16 course to visit", "A visit booked with a college"),
              ("Join the Thursday youth club", "Goes three weeks running"))
DEMO_CONTACTS = (("face_to_face", "engaged", "Met at school; talked about what gets in the way of mornings."),
                 ("phone", "no_response", ""), ("text", "engaged", "Confirmed the youth club on Thursday."))


def _support_given(worker: Any, day: datetime.date) -> None:
    """The demo lead worker's packages filled in as a lead worker would: a goal or two, contacts in the last
    weeks, and a review for the longest-standing young person."""
    allocations = Allocation.objects.filter(lead_worker=worker, end__isnull=True).order_by("start")
    for n, allocation in enumerate(allocations):
        package = allocation.package
        for text, measure in DEMO_GOALS[n % 3: n % 3 + 2]:
            support.add_goal(package, text=text, measure=measure, actor=worker, context=DEMO_CONTEXT)
        if n % 4 == 3:
            continue  # one young person not seen lately: the caseload page flags it
        for k, (channel, outcome, note) in enumerate(DEMO_CONTACTS):
            on = max(allocation.start, day - datetime.timedelta(days=4 + 9 * k + n))
            support.record_contact(allocation, on=on, channel=channel, outcome=outcome, note=note, actor=worker,
                                   context=DEMO_CONTEXT)
    first = allocations.first()
    if first is not None and first.start < day - datetime.timedelta(days=30):
        record_review(first.package, held_on=day - datetime.timedelta(days=7), risk_band="medium",
                      participants=[{"name": worker.get_full_name(), "role": "Lead worker", "attended": True},
                                    {"name": "Mrs Huws", "role": "Head of year", "attended": True},
                                    {"name": "Parent", "role": "Parent or carer", "attended": False}],
                      lead_worker_feedback="Attending more mornings; still anxious about exams.",
                      package_changes="Added a weekly check-in before registration.",
                      next_review=day + datetime.timedelta(weeks=12), actor=worker, context=DEMO_CONTEXT)


def load_brokerage(la: Organisation, users: list[dict[str, Any]]) -> None:
    """Lead workers, referrals, allocations and packages so the demo's pages have something to show."""
    day = timezone.localdate()
    epc = User.objects.get(username="epc")
    _released_run(la, epc, day)
    profiles = _register_workers(la, users)
    referrals = (_from_early_identification(la) or _from_characteristics(la, day)) + _post16(la, day)
    waiting = referrals[2::4][:WAITING]  # some of each kind wait for the EPC
    given = 0
    for referral in (r for r in referrals if r not in waiting):
        worker, reason = _choose(referral, profiles, given)
        if worker is None:
            services.decide_referral(referral, decision=Decision.NO_LEAD_WORKER, reason="Settled: support in "
                                     "school is enough.", actor=epc, context=DEMO_CONTEXT)
            continue
        given += worker.user.username == DEMO_LEAD_WORKER
        # The EPC allocated about a week after each referral arrived.
        start = min(day, referral.received_at.date() + datetime.timedelta(days=6))
        services.allocate(referral, worker, override_reason=reason, start=start, actor=epc, context=DEMO_CONTEXT)
    if waiting:
        services.decide_referral(waiting[0], decision=Decision.DEFERRED, reason="Review after the autumn half "
                                 "term.", actor=epc, context=DEMO_CONTEXT)
    _support_given(profiles[DEMO_LEAD_WORKER].user, day)
