"""Scoped reads for the unknowns (tier 1) work queue, the youth workers' contact reports and the intake of young
people who moved in from another local authority (YEPF §6 D R53-R54, A R5).

Deny by default: only the EPC and the careers advisers of an area (``queries.tracked_las``) see its queue, and
only young people the access policy lets them see. The queue is derived from the timeline on the day asked, never
stored: tier 1 on that day, less anyone waiting in an intake queue (a move is not an unknown)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from yep.access.policy import people_visible_to
from yep.people.models import Enrolment, OrganisationKind, Person

from . import queries, tiers
from .models import (
    CareersContact,
    ContactReport,
    ContactReportStatus,
    LaMove,
    NotificationStatus,
    ProviderNotification,
    TracingSource,
)
from .rules import Category

# Ids are read in chunks: an IN list of a whole LA's unknowns could pass a database's limit on parameters.
CHUNK = 2000
SCHOOL_KINDS = {OrganisationKind.SCHOOL}
COLLEGE_KINDS = {OrganisationKind.SIXTH_FORM, OrganisationKind.FE_COLLEGE, OrganisationKind.WBL_PROVIDER}
SOURCE_RANK = {source: n for n, source in enumerate(TracingSource.values)}


@dataclass(frozen=True)
class Lead:
    """One suggestion of where to look for an unknown young person, with where it came from."""

    source: str
    detail: str
    on: datetime.date | None = None

    @property
    def source_label(self) -> str:
        return str(TracingSource(self.source).label)

    @property
    def rank(self) -> int:
        return SOURCE_RANK[self.source]


@dataclass
class Unknown:
    """A young person in tier 1 on a day: how long they have been unknown, the careers service's last attempt to
    reach them and how many there have been, and the leads, most reliable first."""

    person: Person
    academic_age: int
    since: datetime.date
    days_unknown: int
    reason: str
    last_contact: CareersContact | None = None
    contacts: int = 0
    leads: list[Lead] = field(default_factory=list)

    @property
    def sources(self) -> set[str]:
        return {lead.source for lead in self.leads}


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def in_intake(on: datetime.date | None = None) -> Q:
    """Young people (a Person clause) waiting in a new LA's intake on ``on`` (default now): a move reported by
    then and not yet accepted by the new LA's careers service."""
    moves = LaMove.objects.filter(person=OuterRef("pk"))
    if on is not None:
        waiting = Q(accepted_at__isnull=True) | Q(accepted_at__date__gt=on)
        moves = moves.filter(waiting, reported_at__date__lte=on)
    else:
        moves = moves.filter(accepted_at__isnull=True)
    return Q(Exists(moves))


def _cohort(user: Any, on: datetime.date) -> QuerySet[Person]:
    """Residents of the LAs ``user`` tracks, aged 16-18 on ``on``, whom the access policy lets them see, less
    those in intake."""
    las = queries.tracked_las(user)
    if not las:
        return Person.objects.none()
    year = on.year if on.month >= 9 else on.year - 1
    youngest = datetime.date(year - tiers.MIN_AGE, 8, 31)
    oldest = datetime.date(year - tiers.MAX_AGE - 1, 9, 1)
    visible = people_visible_to(user)
    return (Person.objects.filter(la_of_residence_id__in=las, dob__gte=oldest, dob__lte=youngest,
                                  merged_into__isnull=True)
            .filter(pk__in=visible.values("pk")).exclude(in_intake(on)))


def _unknown_since(t: tiers.Timelines, status: tiers.CohortStatus, table: Any, at: np.ndarray,
                   on: datetime.date) -> tuple[np.ndarray, np.ndarray]:
    """For the people at ``at`` (indexes into ``t.ids``): the day each became unknown and why, from the
    winning activity ("not known" from its start, lapsed from the day after its currency ran out) or, with none
    current, from the day after the last activity ended (else from the start of the year they turned 16)."""
    day = tiers.day_number(on)
    last_end = np.full(len(t.ids), -1, np.int64)
    ended = np.flatnonzero((t.end < day) & (t.start <= day))
    np.maximum.at(last_end, t.person[ended], t.end[ended].astype(np.int64))
    year = on.year if on.month >= 9 else on.year - 1
    entered = np.array([tiers.day_number(datetime.date(year - int(age) + tiers.MIN_AGE, 9, 1))
                        for age in status.age[at]], dtype=np.int64)
    row = status.row[at]
    safe = np.maximum(row, 0)
    code = t.code[safe] if len(t.code) else np.zeros(len(at), np.int16)
    start = t.start[safe].astype(np.int64) if len(t.start) else np.zeros(len(at), np.int64)
    not_known = (row >= 0) & (table.category[code] == Category.NOT_KNOWN)
    lapsed = (row >= 0) & ~not_known
    since = np.where(last_end[at] >= 0, last_end[at] + 1, np.minimum(entered, day))
    since = np.where(lapsed, start + table.currency[code] + 1, since)
    since = np.where(not_known, start, since)
    reason = np.where(not_known, tiers.NOT_KNOWN, np.where(lapsed, tiers.LAPSED, tiers.NO_ACTIVITY))
    return since, reason


def unknowns_for(user: Any, on: datetime.date | None = None) -> list[Unknown]:
    """The tier 1 queue of the areas ``user`` tracks on ``on`` (default today), oldest unknown first. Empty for
    anyone who tracks none. A fixed number of queries however large the queue (ids read in chunks of 2,000)."""
    day = on or timezone.localdate()
    people = _cohort(user, day)
    timelines = queries.timelines_of(people)
    if not len(timelines.ids):
        return []
    table = queries.code_table(queries.rules_for())
    status = tiers.derive_cohort(timelines, day, table)
    at = np.flatnonzero(status.tier == 1)
    since, reasons = _unknown_since(timelines, status, table, at, day)
    found = {int(timelines.ids[i]): (tiers.EPOCH + datetime.timedelta(days=int(s)), str(r), int(status.age[i]))
             for i, s, r in zip(at, since, reasons, strict=True)}
    rows = _people(list(found), day)
    leads = _leads(list(found), day)
    queue = []
    for person in rows:
        began, reason, age = found[person.pk]
        queue.append(Unknown(person, age, began, (day - began).days, reason, person.last_contact,
                             person.contact_count, sorted(leads.get(person.pk, []),
                                                          key=lambda lead: (lead.rank, -(lead.on or day).toordinal()))))
    queue.sort(key=lambda u: (u.since, u.person.legal_surname, u.person.pk))
    return queue


def _people(ids: list[int], on: datetime.date) -> list[Any]:
    """The people, each with ``contact_count`` and ``last_contact`` (their latest careers contact by then)."""
    latest = CareersContact.objects.filter(person=OuterRef("pk"), at__date__lte=on).order_by("-at", "-pk")
    people: list[Any] = []
    for chunk in _chunks(ids):
        people += (Person.objects.filter(pk__in=chunk).select_related("la_of_residence")
                   .annotate(contact_count=Count("careers_contacts", filter=Q(careers_contacts__at__date__lte=on)),
                             last_contact_id=Subquery(latest.values("pk")[:1])))
    contacts: dict[int, CareersContact] = {}
    for chunk in _chunks([p.last_contact_id for p in people if p.last_contact_id]):
        contacts |= {c.pk: c for c in CareersContact.objects.filter(pk__in=chunk).select_related("by")}
    for person in people:
        person.last_contact = contacts.get(person.last_contact_id)
    return people


def _leads(ids: list[int], on: datetime.date) -> dict[int, list[Lead]]:
    """Every lead on the people, by person: current enrolments (school and college lists), matched provider
    notifications, open youth worker reports, moves between LAs, and the data hub's linked records (a DWP claim,
    an FE learner record...: where the young person was last seen by another agency)."""
    from yep.link.models import SourceRecord

    found: dict[int, list[Lead]] = {}

    def add(person_id: int | None, lead: Lead) -> None:
        if person_id is not None:
            found.setdefault(person_id, []).append(lead)

    for chunk in _chunks(ids):
        enrolled = (Enrolment.objects.filter(person_id__in=chunk, start__lte=on)
                    .filter(Q(end__isnull=True) | Q(end__gte=on))
                    .filter(organisation__kind__in=SCHOOL_KINDS | COLLEGE_KINDS).select_related("organisation"))
        for e in enrolled:
            source = TracingSource.SCHOOL_LIST if e.organisation.kind in SCHOOL_KINDS else TracingSource.COLLEGE_LIST
            add(e.person_id, Lead(source, e.organisation.display_name, e.start))
        notified = (ProviderNotification.objects.filter(person_id__in=chunk, received_at__date__lte=on,
                                                        status__in=(NotificationStatus.MATCHED,
                                                                    NotificationStatus.RESOLVED))
                    .select_related("provider"))
        for n in notified:
            source = TracingSource.SCHOOL_LIST if n.provider.kind in SCHOOL_KINDS else TracingSource.COLLEGE_LIST
            add(n.person_id, Lead(source, f"{n.provider.display_name}: {n.get_kind_display()}",
                                  timezone.localdate(n.received_at)))
        reports = (ContactReport.objects.filter(person_id__in=chunk, status=ContactReportStatus.MATCHED,
                                                seen_on__lte=on).select_related("organisation"))
        for r in reports:
            seen = ", ".join(part for part in (r.where, r.doing) if part)
            add(r.person_id, Lead(TracingSource.YOUTH_WORKER, f"{r.organisation.display_name}: {seen}".rstrip(": "),
                                  r.seen_on))
        moves = LaMove.objects.filter(person_id__in=chunk, moved_on__lte=on).select_related("from_la", "to_la")
        for m in moves:
            origin = m.from_la.display_name if m.from_la else "-"
            add(m.person_id, Lead(TracingSource.OTHER_LA, f"{origin} → {m.to_la.display_name}", m.moved_on))
        linked = (SourceRecord.objects.filter(person_id__in=chunk, dataset__received_at__date__lte=on)
                  .select_related("source", "dataset"))
        for record in linked:
            said = ", ".join(part for part in (record.postcode, record.payload.get("closure_reason") or "") if part)
            add(record.person_id, Lead(TracingSource.DATA_HUB, f"{record.source.name}: {said}".rstrip(": "),
                                       timezone.localdate(record.dataset.received_at)))
    return found


# Intake and contact reports ----------------------------------------------------------------------------------------


def intake_for(user: Any) -> QuerySet[LaMove]:
    """Moves into the LAs ``user`` tracks that their careers service has not yet accepted, oldest first. Empty
    for anyone who tracks none."""
    las = queries.tracked_las(user)
    if not las:
        return LaMove.objects.none()
    return (LaMove.objects.filter(to_la_id__in=las, accepted_at__isnull=True)
            .select_related("person", "from_la", "to_la").order_by("reported_at", "pk"))


def move_for(user: Any, pk: int) -> LaMove | None:
    """One move waiting in ``user``'s intake, or None whether it exists or not."""
    return intake_for(user).filter(pk=pk).first()


def contact_reports_for(user: Any) -> QuerySet[ContactReport]:
    """Youth workers' reports matched to young people living in the LAs ``user`` tracks and not yet closed,
    oldest first."""
    las = queries.tracked_las(user)
    if not las:
        return ContactReport.objects.none()
    return (ContactReport.objects.filter(status=ContactReportStatus.MATCHED, person__la_of_residence_id__in=las)
            .select_related("person", "organisation").order_by("reported_at", "pk"))


def unmatched_reports_for(user: Any) -> QuerySet[ContactReport]:
    """Reports that matched no one, from youth work organisations in the LAs ``user`` tracks: the careers
    service looks into them (the youth worker was told it would)."""
    las = queries.tracked_las(user)
    if not las:
        return ContactReport.objects.none()
    return (ContactReport.objects.filter(status=ContactReportStatus.NO_MATCH)
            .filter(Q(organisation__la_id__in=las) | Q(organisation_id__in=las))
            .select_related("organisation").order_by("reported_at", "pk"))


def report_for(user: Any, pk: int) -> ContactReport | None:
    """One open report ``user`` may close, or None whether it exists or not."""
    return (contact_reports_for(user).filter(pk=pk).first()
            or unmatched_reports_for(user).filter(pk=pk).first())
