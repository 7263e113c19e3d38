"""Subject access (UK GDPR Article 15): everything YEP holds about one young person, and who accessed it and why.

The report is a list of sections, each made by a function in ``SECTIONS`` (``Person -> Section``); later apps
(risk, caseload, timeline) add theirs with ``@section``. ``export`` renders it as JSON or as a printable HTML
document in the young person's preferred language, and audits it: a subject access report is an export.

The audit trail of a person (``person_events``, ``trail``) is read here and by the DPO's pages.
"""

import dataclasses
import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.people.crypto import decrypt
from yep.people.models import Membership, Person

from . import audit
from .models import AuditEvent, BreakGlassAccess, Consent, Objection, RectificationRequest, Relationship
from .services.rights import field_label

SAR_PURPOSE = "subject access"
FORMATS = ("json", "html")


@dataclass(frozen=True)
class Section:
    """One part of the report: a title, and rows keyed by ``labels`` (column key -> heading), in order.

    Row values are plain JSON values (text, numbers, true/false, lists, null); dates are ISO 8601 text.
    ``single`` marks a section that is one record (identity), shown as a list of fields rather than a table.
    """

    key: str
    title: str
    rows: list[dict[str, Any]]
    labels: dict[str, str]
    single: bool = False

    def table(self) -> list[list[str]]:
        """The rows as text, column by column, for the printable document."""
        return [[_text(row.get(key)) for key in self.labels] for row in self.rows]

    def records(self) -> list[list[tuple[str, str]]]:
        """Each row as (heading, text) pairs, for a section shown as a list of fields."""
        return [list(zip(self.labels.values(), values, strict=True)) for values in self.table()]


SectionBuilder = Callable[[Person], Section]
SECTIONS: list[SectionBuilder] = []


def section(builder: SectionBuilder) -> SectionBuilder:
    """Register a section builder; sections appear in the order they were registered."""
    SECTIONS.append(builder)
    return builder


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _make(key: str, title: str | Promise, labels: dict[str, str | Promise], rows: Iterable[dict[str, Any]],
          single: bool = False) -> Section:
    return Section(key, str(title), [{k: _plain(v) for k, v in row.items()} for row in rows],
                   {k: str(v) for k, v in labels.items()}, single)


@section
def identity(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "id": gettext_lazy("Record number"), "legal_forenames": gettext_lazy("Legal forenames"),
        "legal_surname": gettext_lazy("Legal surname"), "preferred_forename": gettext_lazy("Preferred forename"),
        "preferred_surname": gettext_lazy("Preferred surname"), "dob": gettext_lazy("Date of birth"),
        "sex": gettext_lazy("Sex"), "gender": gettext_lazy("Gender"), "address_line1": gettext_lazy("Address"),
        "address_line2": gettext_lazy("Address line 2"), "town": gettext_lazy("Town"),
        "postcode": gettext_lazy("Postcode"), "la": gettext_lazy("Local authority of residence"),
        "preferred_language": gettext_lazy("Preferred language"), "phone": gettext_lazy("Phone"),
        "email": gettext_lazy("Email"), "upn": "UPN", "uln": "ULN",
        "ni_number": gettext_lazy("National Insurance number"),
        "created_at": gettext_lazy("Added to the register"), "updated_at": gettext_lazy("Last changed"),
    }
    readable = {"sex": person.get_sex_display(), "preferred_language": person.get_preferred_language_display(),
                "la": person.la_of_residence.display_name if person.la_of_residence else "",
                "ni_number": decrypt(person.ni_number_encrypted)}
    record = {key: readable[key] if key in readable else getattr(person, key, None) for key in labels}
    return _make("identity", gettext_lazy("Identity"), labels, [record], single=True)


@section
def contacts(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "name": gettext_lazy("Name"), "relationship": gettext_lazy("Relationship"), "phone": gettext_lazy("Phone"),
        "email": gettext_lazy("Email"), "address": gettext_lazy("Address"),
        "parental_responsibility": gettext_lazy("Parental responsibility"),
    }
    rows = [{"name": c.name, "relationship": c.get_relationship_display(), "phone": c.phone, "email": c.email,
             "address": c.address, "parental_responsibility": c.has_parental_responsibility}
            for c in person.contacts.all()]
    return _make("contacts", gettext_lazy("Parents, carers and contacts"), labels, rows)


@section
def characteristics(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "kind": gettext_lazy("Characteristic"), "detail": gettext_lazy("Detail"), "start": gettext_lazy("From"),
        "end": gettext_lazy("To"), "source": gettext_lazy("Source"),
    }
    rows = [{"kind": c.get_kind_display(), "detail": c.detail, "start": c.start, "end": c.end, "source": c.source}
            for c in person.characteristics.all()]
    return _make("characteristics", gettext_lazy("Characteristics"), labels, rows)


@section
def enrolments(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "organisation": gettext_lazy("School or provider"), "year_group": gettext_lazy("Year group"),
        "start": gettext_lazy("From"), "end": gettext_lazy("To"), "end_reason": gettext_lazy("Reason for leaving"),
    }
    rows = [{"organisation": e.organisation.display_name, "year_group": e.year_group, "start": e.start,
             "end": e.end, "end_reason": e.get_end_reason_display()}
            for e in person.enrolments.select_related("organisation")]
    return _make("enrolments", gettext_lazy("Enrolment history"), labels, rows)


def _party(relationship: Relationship) -> str:
    if relationship.organisation:
        return relationship.organisation.display_name
    user = relationship.user
    return (user.get_full_name() or user.get_username()) if user else ""


@section
def relationships(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "kind": gettext_lazy("Relationship"), "with": gettext_lazy("With"), "start": gettext_lazy("From"),
        "end": gettext_lazy("To"), "categories": gettext_lazy("Data shared"),
        "agreement": gettext_lazy("Sharing agreement"),
    }
    rows = [{"kind": r.get_kind_display(), "with": _party(r), "start": r.start, "end": r.end,
             "categories": list(r.categories),
             "agreement": r.agreement.name if r.agreement else ""}
            for r in Relationship.objects.filter(person=person).select_related("user", "organisation", "agreement")]
    return _make("relationships", gettext_lazy("Who works with you"), labels, rows)


@section
def consents(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "purpose": gettext_lazy("Purpose"), "given_by": gettext_lazy("Given by"),
        "given_by_name": gettext_lazy("Name"), "method": gettext_lazy("How"), "given_on": gettext_lazy("Given on"),
        "expires_on": gettext_lazy("Expires on"), "withdrawn_on": gettext_lazy("Withdrawn on"),
    }
    rows = [{"purpose": c.get_purpose_display(), "given_by": c.get_given_by_display(),
             "given_by_name": c.given_by_name, "method": c.get_method_display(), "given_on": c.given_on,
             "expires_on": c.expires_on, "withdrawn_on": c.withdrawn_on}
            for c in Consent.objects.filter(person=person)]
    return _make("consents", gettext_lazy("Consent"), labels, rows)


@section
def objections(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "kind": gettext_lazy("Objection"), "made_by": gettext_lazy("Made by"), "start": gettext_lazy("From"),
        "end": gettext_lazy("To"),
    }
    rows = [{"kind": o.get_kind_display(), "made_by": o.get_made_by_display(), "start": o.start, "end": o.end}
            for o in Objection.objects.filter(person=person)]
    return _make("objections", gettext_lazy("Objections to sharing"), labels, rows)


@section
def break_glass(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "user": gettext_lazy("Who"), "reason": gettext_lazy("Reason given"), "started_at": gettext_lazy("From"),
        "expires_at": gettext_lazy("Until"), "reviewed_at": gettext_lazy("Reviewed by the data protection officer"),
    }
    rows = [{"user": b.user.get_username(), "reason": b.reason, "started_at": b.started_at,
             "expires_at": b.expires_at, "reviewed_at": b.reviewed_at}
            for b in BreakGlassAccess.objects.filter(person=person).select_related("user")]
    return _make("break_glass", gettext_lazy("Emergency access to your record"), labels, rows)


@section
def rectification_requests(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "field": gettext_lazy("What"), "current_value": gettext_lazy("Value on the record"),
        "requested_value": gettext_lazy("Correction asked for"), "reason": gettext_lazy("Why"),
        "requested_at": gettext_lazy("Asked on"), "requested_by": gettext_lazy("Asked by"),
        "status": gettext_lazy("Decision"), "reviewed_at": gettext_lazy("Decided on"),
        "review_note": gettext_lazy("Reason for the decision"),
    }
    rows = [{"field": field_label(r.field),
             "current_value": r.current_value, "requested_value": r.requested_value, "reason": r.reason,
             "requested_at": r.requested_at, "requested_by": r.requested_by, "status": r.get_status_display(),
             "reviewed_at": r.reviewed_at, "review_note": r.review_note}
            for r in RectificationRequest.objects.filter(person=person)]
    return _make("rectification_requests", gettext_lazy("Requests to correct your record"), labels, rows)


# The audit trail ----------------------------------------------------------------------------------------------


def person_events(person_id: int) -> QuerySet[AuditEvent]:
    """Every audit event about ``person_id``, newest first: those naming them, and searches and lists whose
    results included them (``detail["people"]``), since a list of results is a read of their name."""
    listed = rf"(^|[^0-9]){int(person_id)}([^0-9]|$)"
    return AuditEvent.objects.filter(Q(person_id=person_id) | Q(detail__people__regex=listed)).order_by("-id")


ACTION_LABELS: dict[str, str | Promise] = {
    "view": gettext_lazy("Viewed the record"),
    "search": gettext_lazy("Searched"),
    "create": gettext_lazy("Added to the record"),
    "change": gettext_lazy("Changed the record"),
    "export": gettext_lazy("Exported the record"),
    "share": gettext_lazy("Shared with another organisation"),
    "break_glass": gettext_lazy("Opened emergency access"),
    "import": gettext_lazy("Imported"),
    "denied": gettext_lazy("Was refused access"),
    "login": gettext_lazy("Signed in"),
    "token": gettext_lazy("API token"),
}


# The purposes services and pages record, in words; any other purpose is shown as recorded.
PURPOSE_LABELS: dict[str, str | Promise] = {
    "casework": gettext_lazy("casework"),
    "governance": gettext_lazy("governance"),
    "emergency": gettext_lazy("emergency"),
    "registration": gettext_lazy("registration"),
    "subject access": gettext_lazy("subject access"),
    "retention": gettext_lazy("retention"),
    "destinations": gettext_lazy("destinations"),
    "admissions": gettext_lazy("admissions"),
    "sign in": gettext_lazy("sign in"),
    "operations": gettext_lazy("operations"),
}


@dataclass
class TrailEntry:
    """One audit event read for a person: who (with their roles that day), what, when and why."""

    event: AuditEvent
    roles: list[str] = field(default_factory=list)
    listed: bool = False  # the person was in search results or a list, not opened

    @property
    def what(self) -> str:
        if self.listed:
            return _("Appeared in search results") if self.event.action == "search" else _("Appeared in a list")
        return str(ACTION_LABELS.get(self.event.action, self.event.action))

    @property
    def why(self) -> str:
        grounds = self.event.detail.get("grounds") if isinstance(self.event.detail, dict) else None
        reason = self.event.detail.get("reason") if isinstance(self.event.detail, dict) else None
        purpose = PURPOSE_LABELS.get(self.event.purpose, self.event.purpose)
        parts = [purpose, *(grounds or []), *([reason] if reason else [])]
        return "; ".join(str(p) for p in parts if p)


def _roles_by_actor(actor_ids: set[int]) -> dict[int, list[Membership]]:
    held: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(user_id__in=actor_ids).select_related("organisation"):
        held[membership.user_id].append(membership)
    return held


def trail(events: Iterable[AuditEvent], person_id: int | None = None) -> list[TrailEntry]:
    """The events with each actor's roles on the day (two queries however many events)."""
    events = list(events)
    held = _roles_by_actor({e.actor_id for e in events if e.actor_id})
    entries = []
    for event in events:
        day = timezone.localdate(event.at)
        roles = [f"{m.get_role_display()}, {m.organisation.display_name}" for m in held.get(event.actor_id or 0, [])
                 if m.start <= day and (m.end is None or m.end >= day)]
        entries.append(TrailEntry(event, roles, person_id is not None and event.person_id != person_id))
    return entries


@section
def access_trail(person: Person) -> Section:
    labels: dict[str, str | Promise] = {
        "at": gettext_lazy("When"), "who": gettext_lazy("Who"), "role": gettext_lazy("Their role"),
        "what": gettext_lazy("What"), "fields": gettext_lazy("Which parts"), "why": gettext_lazy("Why"),
        "channel": gettext_lazy("How"),
    }
    rows = [{"at": e.event.at, "who": e.event.actor_label, "role": e.roles, "what": e.what,
             "fields": list(e.event.fields), "why": e.why, "channel": e.event.channel}
            for e in trail(person_events(person.pk), person.pk)]
    return _make("access_trail", gettext_lazy("Who has seen or changed your record, and why"), labels, rows)


# The report ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    person_id: int
    generated_at: datetime.datetime
    language: str
    sections: list[Section]


def build(person: Person, language: str | None = None) -> Report:
    """Every section about ``person``, titled in ``language`` (default: their preferred language). Not audited:
    call ``export`` to hand a report out."""
    language = language or person.preferred_language or "en"
    with translation.override(language):
        sections = [builder(person) for builder in SECTIONS]
    return Report(person.pk, timezone.now(), language, sections)


def as_json(report: Report) -> str:
    return json.dumps({
        "person_id": report.person_id,
        "generated_at": _plain(report.generated_at),
        "language": report.language,
        "sections": {s.key: {"title": s.title, "labels": s.labels, "rows": s.rows} for s in report.sections},
    }, ensure_ascii=False, indent=2, default=str)


def as_html(report: Report) -> str:
    with translation.override(report.language):
        return render_to_string("access/dpo/sar_document.html", {"report": report})


def export(person: Person, *, fmt: str, actor: Any, context: audit.AuditContext) -> str:
    """The subject access report for ``person`` as ``json`` or ``html``, audited as an export for the purpose
    "subject access" before it is returned: no report leaves without its audit row."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    report = build(person)
    body = as_json(report) if fmt == "json" else as_html(report)
    audit.record(actor, "export", dataclasses.replace(context, purpose=SAR_PURPOSE), person_id=person.pk,
                 object_type="subject_access", fields=[s.key for s in report.sections],
                 detail={"format": fmt, "language": report.language})
    return body
