"""The one access policy: which young people a user may see, which categories of their data, and how.

Deny by default. A user's *grants* come from their active memberships (role in an organisation) and their
live relationships (lead worker, referral, panel, supporting service, application, break-the-glass). Each grant
is a clause over young people, the data categories it opens, and a mode: ``full`` (read and change),
``read_only``, or ``history`` (read only, as the record stood when the relationship ended, for
``YEP_ACCESS_HISTORY_DAYS``). ``people_visible_to`` is the union of the clauses; ``decide`` evaluates every
clause for one person in one query, so a list and a record never disagree. ``get_person_for`` raises the
same 404 for "no such person" and "not yours", and audits the read or the refusal.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.people.models import Enrolment, Membership, Organisation, OrganisationKind, Person, Role

from . import audit, categories
from .agreements import check_flow
from .models import BreakGlassAccess, Consent, ConsentPurpose, Relationship, RelationshipKind

CASEWORK = "casework"
DESTINATIONS = "destinations"  # a school reading its leavers' destinations
ADMISSIONS = "admissions"  # a provider handling applications
GOVERNANCE = "governance"  # the DPO: identity only, to answer "who saw this record"

FULL, READ_ONLY, HISTORY = "full", "read_only", "history"
_MODE_RANK = {HISTORY: 0, READ_ONLY: 1, FULL: 2}

C = categories
PUPIL_CATEGORIES = frozenset({C.IDENTITY, C.CONTACT, C.CHARACTERISTICS, C.SENSITIVE, C.ENROLMENTS, C.RISK,
                              C.SUPPORT_NEEDS, C.LEAD_WORKER_CONTACT, C.DESTINATION})
LEARNER_CATEGORIES = frozenset({C.IDENTITY, C.CONTACT, C.CHARACTERISTICS, C.ENROLMENTS, C.DESTINATION})
CAREERS_CATEGORIES = frozenset({C.IDENTITY, C.CONTACT, C.CHARACTERISTICS, C.ENROLMENTS, C.SUPPORT_NEEDS,
                                C.LEAD_WORKER_CONTACT, C.DESTINATION})
CASELOAD_CATEGORIES = C.ALL - {C.APPLICATION}
PANEL_CATEGORIES = frozenset({C.IDENTITY, C.CHARACTERISTICS, C.SENSITIVE, C.RISK, C.SUPPORT_NEEDS})
CAREERS_FROM_ACADEMIC_AGE = 16  # careers advisers track the post-16 cohort; younger pupils only by relationship


@dataclass(frozen=True)
class Grant:
    """One reason a user may see some young people: the clause selecting them, what it opens, and how."""

    name: str
    clause: Q
    categories: frozenset[str]
    mode: str
    ground: str | Promise
    purposes: frozenset[str] = frozenset({CASEWORK})
    # Categories this grant adds for one person beyond ``categories`` (e.g. under a sharing agreement).
    widen: Callable[[Person], frozenset[str]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Decision:
    """What one user may do with one young person's record, and why."""

    person_id: int
    categories: frozenset[str]
    mode: str
    grounds: tuple[str, ...]
    as_of: datetime.date | None = None
    break_glass: BreakGlassAccess | None = field(default=None, compare=False)

    def can_see(self, category: str) -> bool:
        return category in self.categories

    @property
    def can_change(self) -> bool:
        return self.mode == FULL


def _history_days() -> int:
    return int(getattr(settings, "YEP_ACCESS_HISTORY_DAYS", 365))


def _memberships(user: Any, day: datetime.date) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return list(user.active_memberships(day))


def area_las(membership: Membership) -> set[int]:
    """The local authorities a membership's organisation serves: an LA itself, the LAs a service covers, or the
    LA an organisation sits in."""
    org = membership.organisation
    if org.kind == OrganisationKind.LA:
        return {org.pk}
    covered = set(org.covers.values_list("pk", flat=True))
    if covered:
        return covered
    return {org.la_id} if org.la_id else set()


def _open(queryset: QuerySet[Any], day: datetime.date) -> QuerySet[Any]:
    return queryset.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


def _in_area(las: set[int], day: datetime.date) -> Q:
    educated_here = Organisation.objects.filter(la_id__in=las).values("pk")
    enrolled = _open(Enrolment.objects.filter(person=OuterRef("pk"), organisation__in=educated_here), day)
    return Q(la_of_residence_id__in=las) | Q(Exists(enrolled))


def _enrolled_at(org_ids: set[int], day: datetime.date) -> Q:
    return Q(Exists(_open(Enrolment.objects.filter(person=OuterRef("pk"), organisation_id__in=org_ids), day)))


def _born_by(academic_age: int, day: datetime.date) -> datetime.date:
    """Latest date of birth with at least this academic age on ``day``."""
    year = day.year if day.month >= 9 else day.year - 1
    return datetime.date(year - academic_age, 8, 31)


def _membership_grants(memberships: list[Membership], day: datetime.date) -> list[Grant]:
    grants = []
    for m in memberships:
        org = m.organisation
        where = org.display_name
        if m.role == Role.EPC:
            grants.append(Grant("epc_area", _in_area(area_las(m), day), C.ALL, FULL,
                                _("EPC for %(org)s") % {"org": where}))
        elif m.role == Role.CAREERS_ADVISER:
            clause = _in_area(area_las(m), day) & Q(dob__lte=_born_by(CAREERS_FROM_ACADEMIC_AGE, day))
            grants.append(Grant("careers_area", clause, CAREERS_CATEGORIES, FULL,
                                _("Careers adviser, %(org)s (post-16 cohort)") % {"org": where}))
        elif m.role == Role.SCHOOL_STAFF:
            grants.append(Grant("school_pupil", _enrolled_at({org.pk}, day), PUPIL_CATEGORIES, FULL,
                                _("Pupil at %(org)s") % {"org": where}))
            grants.append(_leavers_grant(org, day))
        elif m.role == Role.PROVIDER_STAFF:
            grants.append(Grant("provider_learner", _enrolled_at({org.pk}, day), LEARNER_CATEGORIES, FULL,
                                _("Learner at %(org)s") % {"org": where}, widen=_agreed_with(org, day)))
        elif m.role == Role.DPO:
            grants.append(Grant("dpo_governance", _in_area(area_las(m), day) | Q(la_of_residence__isnull=True),
                                frozenset({C.IDENTITY}), READ_ONLY, _("Data protection officer, %(org)s")
                                % {"org": where}, frozenset({GOVERNANCE})))
    return grants


def _agreed_with(provider: Organisation, day: datetime.date) -> Callable[[Person], frozenset[str]]:
    """Admissions firewall, after the start: an enrolled learner's agreed support needs, the lead worker's contact
    and (where agreed) sensitive characteristics reach the provider only under an agreement with the LA."""

    def widen(person: Person) -> frozenset[str]:
        if person.la_of_residence is None:
            return frozenset()
        opened = set()
        for category in (C.SUPPORT_NEEDS, C.LEAD_WORKER_CONTACT, C.SENSITIVE):
            if check_flow(person, person.la_of_residence, provider, {category}, day).allowed:
                opened.add(category)
        return frozenset(opened)

    return widen


def _supporting_categories(org_ids: set[int], day: datetime.date) -> Callable[[Person], frozenset[str]]:
    def widen(person: Person) -> frozenset[str]:
        shared = _open(Relationship.objects.filter(person=person, organisation_id__in=org_ids,
                                                   kind=RelationshipKind.SUPPORTING_SERVICE), day)
        return frozenset(c for r in shared for c in r.categories)

    return widen


def _leavers_grant(school: Organisation, day: datetime.date) -> Grant:
    window = day - datetime.timedelta(days=_history_days())
    left = Enrolment.objects.filter(person=OuterRef("pk"), organisation=school, end__lt=day, end__gte=window)
    consented = Consent.objects.filter(person=OuterRef("pk"), purpose=ConsentPurpose.DESTINATIONS_TO_SCHOOL,
                                       given_on__lte=day, withdrawn_on__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    return Grant("school_leaver", Q(Exists(left)) & Q(Exists(consented)),
                 frozenset({C.IDENTITY, C.DESTINATION}), READ_ONLY,
                 _("Left %(org)s; destinations shared with consent") % {"org": school.display_name},
                 frozenset({DESTINATIONS}))


def _relationship_grants(user: Any, memberships: list[Membership], day: datetime.date) -> list[Grant]:
    mine = Relationship.objects.filter(person=OuterRef("pk"), user=user)
    org_ids = {m.organisation_id for m in memberships}
    ours = Relationship.objects.filter(person=OuterRef("pk"), organisation_id__in=org_ids)
    caseload = [RelationshipKind.LEAD_WORKER, RelationshipKind.REFERRAL]
    window = day - datetime.timedelta(days=_history_days())
    grants = [
        Grant("caseload", Q(Exists(_open(mine.filter(kind__in=caseload), day))), CASELOAD_CATEGORIES, FULL,
              _("On your caseload")),
        Grant("panel", Q(Exists(_open(mine.filter(kind=RelationshipKind.PANEL), day))), PANEL_CATEGORIES,
              READ_ONLY, _("Discussed at your panel")),
        Grant("caseload_history",
              Q(Exists(mine.filter(kind__in=caseload, end__lt=day, end__gte=window))), CASELOAD_CATEGORIES - {
                  C.CONTACT}, HISTORY, _("Formerly on your caseload (history only)")),
    ]
    if org_ids:
        supporting = _open(ours.filter(kind=RelationshipKind.SUPPORTING_SERVICE), day)
        grants.append(Grant("supporting_service", Q(Exists(supporting)), frozenset({C.IDENTITY}), FULL,
                            _("Your organisation is a supporting service"),
                            widen=_supporting_categories(org_ids, day)))
        grants.append(Grant("applicant", Q(Exists(_open(ours.filter(kind=RelationshipKind.APPLICANT), day))),
                            frozenset({C.IDENTITY, C.APPLICATION}), READ_ONLY,
                            _("Applied to your organisation"), frozenset({CASEWORK, ADMISSIONS})))
    return grants


def _break_glass_grant(user: Any) -> Grant:
    now = timezone.now()
    active = BreakGlassAccess.objects.filter(person=OuterRef("pk"), user=user, started_at__lte=now,
                                             expires_at__gt=now)
    return Grant("break_glass", Q(Exists(active)), C.ALL - {C.APPLICATION}, READ_ONLY,
                 _("Emergency access (break the glass)"))


# Roles that may hold relationships with named young people. Analysts, researchers, DPOs and administrators
# never gain a named record through a relationship, even one opened by mistake.
CASEWORK_ROLES = {Role.EPC, Role.LEAD_WORKER, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF}


def grants_for(user: Any, purpose: str = CASEWORK, on: datetime.date | None = None) -> list[Grant]:
    """Every grant ``user`` holds for ``purpose`` today (or ``on``)."""
    day = on or timezone.localdate()
    memberships = _memberships(user, day)
    if not memberships:
        return []
    grants = _membership_grants(memberships, day)
    casework = [m for m in memberships if m.role in CASEWORK_ROLES]
    if casework:
        grants += _relationship_grants(user, casework, day)
        grants.append(_break_glass_grant(user))
    return [g for g in grants if purpose in g.purposes]


def people_visible_to(user: Any, purpose: str = CASEWORK, on: datetime.date | None = None,
                      category: str | None = None) -> QuerySet[Person]:
    """The young people ``user`` may see for ``purpose`` (with ``category`` of their data, when given: grants
    that only widen person by person, under an agreement, do not count for a list); empty when none applies."""
    grants = [g for g in grants_for(user, purpose, on) if category is None or category in g.categories]
    if not grants:
        return Person.objects.none()
    clause = Q(pk__in=[])
    for grant in grants:
        clause |= grant.clause
    return Person.objects.filter(clause)


def decide(user: Any, person_id: int, purpose: str = CASEWORK, on: datetime.date | None = None) -> Decision | None:
    """What ``user`` may see and do with one young person's record, or None when nothing."""
    grants = grants_for(user, purpose, on)
    if not grants:
        return None
    flags = {f"g{i}": ExpressionWrapper(g.clause, output_field=BooleanField()) for i, g in enumerate(grants)}
    row = Person.objects.filter(pk=person_id).annotate(**flags).values(*flags).first()
    held = [g for i, g in enumerate(grants) if row and row[f"g{i}"]]
    if not held:
        return None
    best = max(held, key=lambda g: _MODE_RANK[g.mode])
    opened = frozenset().union(*(g.categories for g in held))
    if any(g.widen for g in held):
        person = Person.objects.select_related("la_of_residence").get(pk=person_id)
        opened = opened.union(*(g.widen(person) for g in held if g.widen))
    glass = None
    if all(g.name == "break_glass" for g in held):
        now = timezone.now()
        glass = BreakGlassAccess.objects.filter(person_id=person_id, user=user, expires_at__gt=now).first()
    as_of = _history_date(user, person_id) if best.mode == HISTORY else None
    return Decision(person_id, opened, best.mode, tuple(str(g.ground) for g in held), as_of, glass)


def _history_date(user: Any, person_id: int) -> datetime.date | None:
    ended = Relationship.objects.filter(person_id=person_id, user=user, end__isnull=False).order_by("-end")
    return ended.values_list("end", flat=True).first()


def get_person_for(user: Any, person_id: int, purpose: str, context: audit.AuditContext,
                   fields: tuple[str, ...] = ()) -> tuple[Person, Decision]:
    """The person and what the user may do with them; the same 404 as for a person who does not exist otherwise.

    The read is written to the audit log (with the grounds); a refused read is logged as ``denied``.
    """
    decision = decide(user, person_id, purpose)
    person = Person.objects.filter(pk=person_id).select_related("la_of_residence").first() if decision else None
    if person is None or decision is None:
        audit.record(user, "denied", context, person_id=person_id, detail={"reason": "no relationship"})
        raise Http404("No such young person")
    shown = [f for f in fields if f in decision.categories] if fields else sorted(decision.categories)
    audit.record(user, "view", context, person_id=person.pk, fields=shown,
                 detail={"grounds": list(decision.grounds), "mode": decision.mode,
                         **({"break_glass": decision.break_glass.pk} if decision.break_glass else {})})
    return person, decision


def require_category(user: Any, decision: Decision, category: str, context: audit.AuditContext) -> None:
    """Refuse (403) and log an attempt to reach a category the decision does not open, e.g. risk data by an
    admissions user (the admissions firewall)."""
    if category not in decision.categories:
        audit.record(user, "denied", context, person_id=decision.person_id, fields=[category],
                     detail={"reason": "category not granted", "grounds": list(decision.grounds)})
        raise PermissionDenied


def can_see_sensitive(user: Any, person_id: int) -> bool:
    decision = decide(user, person_id)
    return bool(decision and decision.can_see(C.SENSITIVE))


def las_served(user: Any, roles: Iterable[str], on: datetime.date | None = None) -> set[int]:
    """The local authorities ``user`` serves in any of ``roles`` today (for example the areas whose 16-18 cohort
    a careers adviser or EPC tracks). Empty for anyone not signed in."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    wanted = set(roles)
    return {la for m in _memberships(user, on or timezone.localdate()) if m.role in wanted for la in area_las(m)}


def staff_overseen_by(user: Any, on: datetime.date | None = None) -> QuerySet[Any]:
    """Staff whose activity a data protection officer oversees: anyone who has held a role in an organisation in
    (or serving) the LAs the DPO is responsible for. Empty for anyone who is not a DPO."""
    from yep.people.models import User

    las: set[int] = set()
    for membership in _memberships(user, on or timezone.localdate()):
        if membership.role == Role.DPO:
            las |= area_las(membership)
    if not las:
        return User.objects.none()
    orgs = Organisation.objects.filter(Q(pk__in=las) | Q(la_id__in=las) | Q(covers__in=las)).values("pk")
    return User.objects.filter(memberships__organisation__in=orgs).distinct()
