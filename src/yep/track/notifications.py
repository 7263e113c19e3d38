"""Scoped reads of provider notifications: who may see which, the matcher, candidates for the unmatched queue,
the provider's risk level for tier 4, and the compliance report with its silent providers (R48-R51).

Deny by default: provider staff see their own provider's notifications; careers advisers and EPCs see those of
providers in their area and those matched to young people living there; anyone else sees none."""

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yep.access.policy import decide, las_served, people_visible_to
from yep.broker.services.schedule import add_months
from yep.people import search
from yep.people.identifiers import postcode_key
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person, Role
from yep.people.models.organisations import EDUCATION_KINDS

from .models import Activity, MatchMethod, NotificationKind, NotificationStatus, ProviderNotification

# A provider with leavers but no notification for this many months is "silent" (AT-9, R51).
SILENT_MONTHS = 3
# Activity codes that place a young person in a school's sixth form (a school is a provider only for these).
SIXTH_FORM_ACTIVITY = 210
SIXTH_FORM_YEARS = 12
CANDIDATES_SHOWN = 10
MATCHED = (NotificationStatus.MATCHED, NotificationStatus.RESOLVED)


def _is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def area_las(user: Any, roles: tuple[str, ...] = (Role.CAREERS_ADVISER, Role.EPC)) -> set[int]:
    """The local authorities where ``user`` is a careers adviser or EPC (as the access policy reads an area)."""
    return las_served(user, roles)


def own_providers(user: Any) -> QuerySet[Organisation]:
    """The providers where ``user`` is provider staff today."""
    if not _is_user(user):
        return Organisation.objects.none()
    ids = user.active_memberships().filter(role=Role.PROVIDER_STAFF).values("organisation_id")
    return Organisation.objects.filter(pk__in=ids, kind__in=EDUCATION_KINDS)


def providers_for(user: Any) -> QuerySet[Organisation]:
    """The providers ``user`` may send notifications for: their own (provider staff), and any school, sixth form,
    college or work-based learning provider in their area (careers adviser, EPC). ``None`` user: none."""
    if not _is_user(user):
        return Organisation.objects.none()
    las = area_las(user)
    return Organisation.objects.filter(active=True, kind__in=EDUCATION_KINDS).filter(
        Q(pk__in=own_providers(user).values("pk")) | Q(la_id__in=las)).order_by("name")


def may_notify_for(actor: Any, provider: Organisation) -> bool:
    """Whether ``actor`` may send notifications for ``provider``; a command or job (no user) may."""
    if not getattr(actor, "pk", None):
        return True
    return providers_for(actor).filter(pk=provider.pk).exists()


def notifications_visible_to(user: Any) -> QuerySet[ProviderNotification]:
    """Notifications ``user`` may see, newest first. Empty for anyone without a role that handles them."""
    if not _is_user(user):
        return ProviderNotification.objects.none()
    las = area_las(user)
    clause = Q(provider__in=own_providers(user).values("pk"))
    if las:
        clause |= Q(provider__la_id__in=las) | Q(person__la_of_residence_id__in=las)
    return ProviderNotification.objects.filter(clause).select_related("provider", "person")


def notification_for(user: Any, pk: int) -> ProviderNotification | None:
    """One notification ``user`` may see, or None, whether it exists or not."""
    return notifications_visible_to(user).filter(pk=pk).first()


def unmatched_for(user: Any) -> QuerySet[ProviderNotification]:
    """The resolution queue: unmatched notifications from providers in the careers adviser's or EPC's area,
    oldest first (the longest waiting is dealt with first)."""
    las = area_las(user)
    if not las:
        return ProviderNotification.objects.none()
    return (ProviderNotification.objects.filter(status=NotificationStatus.UNMATCHED, provider__la_id__in=las)
            .select_related("provider").order_by("received_at", "pk"))


# Matching ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    person: Person | None
    method: str = ""


def _by_identifier(uln: str, upn: str, dob: datetime.date | None) -> Match | None:
    """ULN or UPN, exactly. None when neither is on the register (try names next); an empty match when they
    point at two people or the date of birth disagrees (a mistyped number must not move someone else)."""
    clause = Q(pk__in=[])
    if uln:
        clause |= Q(uln=uln)
    if upn:
        clause |= Q(upn=upn)
    found = list(Person.objects.filter(clause)[:2])
    if not found:
        return None
    if len(found) > 1 or (dob is not None and found[0].dob != dob):
        return Match(None)
    return Match(found[0], MatchMethod.IDENTIFIER)


def _by_name(forenames: str, surname: str, dob: datetime.date | None, postcode: str) -> Match:
    """Surname, date of birth and postcode (the forename too when sent, so twins are told apart), tolerant of
    spelling and Welsh/English forms as the register's search is; exactly one such person or no match."""
    if not (surname and dob and postcode):
        return Match(None)
    words = [*forenames.split()[:1], surname]
    terms = search.SearchTerms(words=words, dob=dob, postcode=postcode_key(postcode))
    found = [p for p in search.search(Person.objects.all(), terms, limit=3) if p.dob == dob]
    return Match(found[0], MatchMethod.NAME_DOB_POSTCODE) if len(found) == 1 else Match(None)


def find_match(identifiers: dict[str, Any]) -> Match:
    """The young person the cleaned ``identifiers`` describe, across the whole register (as the data hub's
    matcher does; the sender never learns whom): ULN or UPN first, then name, date of birth and postcode. No
    one, or more than one, is no match: the notification goes to the careers service's queue."""
    by_id = _by_identifier(identifiers.get("uln", ""), identifiers.get("upn", ""), identifiers.get("dob"))
    if by_id is not None:
        return by_id
    return _by_name(identifiers.get("forenames", ""), identifiers.get("surname", ""), identifiers.get("dob"),
                    identifiers.get("postcode", ""))


@dataclass
class Candidate:
    """A possible match shown to a careers adviser, with only what their access opens."""

    person: Person
    show_contact: bool


def candidates(user: Any, notification: ProviderNotification, query: str = "") -> list[Candidate]:
    """Young people ``user`` may see who could be the one notified: by the identifiers sent (ULN, UPN, name and
    date of birth), or by the adviser's own search words. Only people the adviser may change are offered."""
    visible = people_visible_to(user)
    found: list[Person] = []
    if query.strip():
        found = search.search(visible, search.parse(query), limit=CANDIDATES_SHOWN)
    else:
        ids = Q(pk__in=[])
        if notification.uln:
            ids |= Q(uln=notification.uln)
        if notification.upn:
            ids |= Q(upn=notification.upn)
        found = list(visible.filter(ids)[:CANDIDATES_SHOWN])
        words = notification.sent_name.split()
        if words or notification.dob:
            terms = search.SearchTerms(words=words, dob=notification.dob)
            found += [p for p in search.search(visible, terms, limit=CANDIDATES_SHOWN) if p not in found]
    shown = []
    for person in found[:CANDIDATES_SHOWN]:
        decision = decide(user, person.pk)
        if decision is not None and decision.can_change:
            shown.append(Candidate(person, decision.can_see("contact")))
    return shown


# Tier 4: the provider's risk level ------------------------------------------------------------------------------


def provider_risk_levels(on: datetime.date, person_ids: list[int] | None = None) -> dict[int, str]:
    """The risk level a provider has given each young person as at ``on``: "high" for a matched "seriously at
    risk" notification received by then, while the young person is still at that provider (not since notified as
    having left it, nor with their time there ended on the timeline or in their enrolments). For the tier
    engine's tier 4 risk sub-level (R46)."""
    return ProviderRisk.load(on, person_ids).levels_on(on)


@dataclass
class ProviderRisk:
    """What providers have said about risk up to a day, read once so that the risk level on any day up to then
    costs no further query (a timeline asks at every month-end)."""

    notifications: list[tuple[int, int, datetime.date, str]]
    spans: list[tuple[int, int, datetime.date, datetime.date | None]]

    @classmethod
    def load(cls, until: datetime.date, person_ids: list[int] | None = None) -> "ProviderRisk":
        rows = ProviderNotification.objects.filter(status__in=MATCHED, received_at__date__lte=until)
        if person_ids is not None:
            rows = rows.filter(person_id__in=person_ids)
        notifications = [(person_id, provider_id, timezone.localdate(at), kind)
                         for person_id, provider_id, at, kind in rows.order_by("received_at", "pk").values_list(
                             "person_id", "provider_id", "received_at", "kind")]
        flagged = {(p, o) for p, o, _day, kind in notifications if kind == NotificationKind.SERIOUSLY_AT_RISK}
        spans: list[tuple[int, int, datetime.date, datetime.date | None]] = []
        if flagged:
            people, providers = {p for p, _o in flagged}, {o for _p, o in flagged}
            for model in (Activity, Enrolment):
                found = model.objects.filter(person_id__in=people, organisation_id__in=providers, start__lte=until)
                spans += [row for row in found.values_list("person_id", "organisation_id", "start", "end")
                          if (row[0], row[1]) in flagged]
        return cls(notifications, spans)

    def levels_on(self, on: datetime.date) -> dict[int, str]:
        latest: dict[tuple[int, int], str] = {}
        for person_id, provider_id, day, kind in self.notifications:  # oldest first: the last said wins
            if day <= on:
                latest[(person_id, provider_id)] = kind
        flagged = {key for key, kind in latest.items() if kind == NotificationKind.SERIOUSLY_AT_RISK}
        gone = self._left_by(flagged, on)
        return {person_id: "high" for person_id, provider_id in flagged if (person_id, provider_id) not in gone}

    def _left_by(self, pairs: set[tuple[int, int]], on: datetime.date) -> set[tuple[int, int]]:
        """The pairs whose time at the provider had ended by ``on``: an activity or enrolment there ended before
        it, and none is open on it."""
        ended: set[tuple[int, int]] = set()
        current: set[tuple[int, int]] = set()
        for person_id, provider_id, start, end in self.spans:
            key = (person_id, provider_id)
            if key in pairs and start <= on:
                (current if end is None or end >= on else ended).add(key)
        return ended - current


# Compliance (R50, R51) ------------------------------------------------------------------------------------------


@dataclass
class ProviderCompliance:
    """One provider's notifications in a period: volumes and timeliness, and whether it has gone silent."""

    provider: Organisation
    left: int = 0
    at_risk: int = 0
    within_target: int = 0
    awaiting_match: int = 0
    delays: list[int] = field(default_factory=list)
    leavers: int = 0
    silent: bool = False

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.delays) if self.delays else None

    @property
    def percent_within(self) -> int | None:
        return round(100 * self.within_target / self.left) if self.left else None


def _sixth_form_or_post16(la_ids: set[int]) -> QuerySet[Organisation]:
    return Organisation.objects.filter(la_id__in=la_ids, kind__in=EDUCATION_KINDS).order_by("name")


def leavers_by_provider(providers: QuerySet[Organisation], start: datetime.date,
                        end: datetime.date) -> dict[int, set[int]]:
    """The young people known to have left each provider between ``start`` and ``end``: an enrolment or an
    activity there that ended (whoever recorded it: the destination survey, a careers contact, a school
    census). At a school only the sixth form counts (Years 12 and 13, or the school sixth form activity)."""
    schools = set(providers.filter(kind=OrganisationKind.SCHOOL).values_list("pk", flat=True))
    ids = list(providers.values_list("pk", flat=True))
    found: dict[int, set[int]] = {}
    enrolments = Enrolment.objects.filter(organisation_id__in=ids, end__gte=start, end__lte=end).exclude(
        end_reason="moved_la")
    for org_id, person_id, year in enrolments.values_list("organisation_id", "person_id", "year_group"):
        if org_id not in schools or (year or 0) >= SIXTH_FORM_YEARS:
            found.setdefault(org_id, set()).add(person_id)
    activities = Activity.objects.filter(organisation_id__in=ids, end__gte=start, end__lte=end)
    for org_id, person_id, code in activities.values_list("organisation_id", "person_id", "code__code"):
        if org_id not in schools or code == SIXTH_FORM_ACTIVITY:
            found.setdefault(org_id, set()).add(person_id)
    return found


def compliance(las: set[int], start: datetime.date, end: datetime.date) -> list[ProviderCompliance]:
    """Per provider in the LAs (sixth forms, FE and WBL, and schools' sixth forms), the matched notifications
    received from ``start`` to ``end``: volumes, days to notify and how many were within the target; and the
    silent ones (R51, AT-9): leavers known in the ``SILENT_MONTHS`` up to ``end`` but no notification received
    in them. Unmatched notifications are counted apart until matched (they may not be a leaver of ours)."""
    providers = _sixth_form_or_post16(las)
    rows = {p.pk: ProviderCompliance(p) for p in providers}
    received = ProviderNotification.objects.filter(provider_id__in=rows, received_at__date__gte=start,
                                                   received_at__date__lte=end).exclude(
        status=NotificationStatus.REJECTED)
    for n in received.values("provider_id", "kind", "status", "days_to_notify", "within_target"):
        row = rows[n["provider_id"]]
        if n["status"] == NotificationStatus.UNMATCHED:
            row.awaiting_match += 1
        elif n["kind"] == NotificationKind.SERIOUSLY_AT_RISK:
            row.at_risk += 1
        else:
            row.left += 1
            row.within_target += 1 if n["within_target"] else 0
            row.delays.append(n["days_to_notify"] or 0)
    window = add_months(end, -SILENT_MONTHS)
    heard = set(ProviderNotification.objects.filter(provider_id__in=rows, received_at__date__gte=window,
                                                    received_at__date__lte=end)
                .values_list("provider_id", flat=True))
    for org_id, people in leavers_by_provider(providers, window, end).items():
        rows[org_id].leavers = len(people)
        rows[org_id].silent = org_id not in heard
    return [r for r in rows.values() if r.left or r.at_risk or r.awaiting_match or r.leavers]
