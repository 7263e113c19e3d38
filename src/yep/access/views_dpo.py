"""The data protection officer's pages: who looked at a young person and why, what a member of staff did,
unusual access, break-glass review, the rectification queue, subject access and retention.

A DPO sees identity and the audit trail, never casework (characteristics, contacts, notes). Young people come
from ``people_visible_to(user, GOVERNANCE)``; staff from the organisations in the DPO's own local authorities.
Every page that shows personal data is itself audited, with the purpose "governance".
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.people import search
from yep.people.models import Person

from . import audit, sar, services
from .guards import requires
from .models import AuditAction, AuditEvent, BreakGlassAccess, RectificationRequest, RetentionRule
from .policy import CASEWORK, GOVERNANCE, decide, get_person_for, people_visible_to, staff_overseen_by
from .queries import WORKING_HOURS, many_views, out_of_hours_bulk, refusals, setting
from .services.rights import AUDIT_LOG_NOTE, RECORD_TYPES, RECTIFIABLE_FIELDS, field_label

PAGE_SIZE = 50
UNUSUAL_WINDOW_DAYS = 30


def _context(request: HttpRequest, purpose: str = GOVERNANCE) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, purpose)


def _page(request: HttpRequest, items: Any) -> tuple[Page[Any], list[Any], str]:
    """One page of ``items`` (GOV.UK pagination), its elided page numbers, and the other query parameters."""
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    query = others.urlencode()
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)), \
        (query + "&" if query else "")


def _audit_list(request: HttpRequest, name: str, people: Iterable[int]) -> None:
    """A page listing young people by name is a read of their names, as search results are."""
    ids = sorted(set(people))
    if ids:
        audit.record(request.user, "view", _context(request), object_type="list", object_id=name,
                     fields=["identity"], detail={"people": ids})


# Scope -------------------------------------------------------------------------------------------------------


def _governed_person(request: HttpRequest, pk: int) -> Person:
    """The young person, if within the DPO's governance; the same audited 404 as the rest of the site if not."""
    person, _decision = get_person_for(request.user, pk, GOVERNANCE, _context(request), ("identity",))
    return person


def _reviewable_people(user: Any) -> QuerySet[Person]:
    """People whose rectification requests ``user`` may review: governance (DPO) or casework (EPC)."""
    return Person.objects.filter(Q(pk__in=people_visible_to(user, GOVERNANCE).values("pk"))
                                 | Q(pk__in=people_visible_to(user, CASEWORK).values("pk")))


def _window(request: HttpRequest) -> tuple[int, datetime.datetime]:
    try:
        days = max(1, min(366, int(request.GET.get("days", UNUSUAL_WINDOW_DAYS))))
    except ValueError:
        days = UNUSUAL_WINDOW_DAYS
    return days, timezone.now() - datetime.timedelta(days=days)


# Pages -------------------------------------------------------------------------------------------------------


@requires("access.view_audit")
def home(request: HttpRequest) -> HttpResponse:
    """What needs the DPO's attention, with links."""
    days, since = _window(request)
    staff = staff_overseen_by(request.user)
    people = people_visible_to(request.user, GOVERNANCE).values("pk")
    counts = {
        "break_glass": BreakGlassAccess.objects.filter(person__in=people, reviewed_at__isnull=True).count(),
        "rectification": RectificationRequest.objects.filter(person__in=people,
                                                             status=RectificationRequest.Status.OPEN).count(),
        "unusual": len(many_views(staff, since)) + len(out_of_hours_bulk(staff, since)),
        "denied": AuditEvent.objects.filter(action=AuditAction.DENIED, at__gte=since, actor__in=staff).count(),
    }
    return render(request, "access/dpo/home.html", {"counts": counts, "days": days})


@requires("access.view_audit")
def people(request: HttpRequest) -> HttpResponse:
    """Find a young person by identity only (name, date of birth, UPN, ULN) among those the DPO governs."""
    query = request.GET.get("q", "").strip()
    results: list[Person] = []
    if query:
        terms = search.parse(query)
        terms.postcode = ""  # identity only: a postcode is a contact detail
        results = search.search(people_visible_to(request.user, GOVERNANCE), terms) if not terms.is_empty else []
        audit.record(request.user, "search", _context(request), object_type="search",
                     detail={"query": query, "people": [p.pk for p in results]})
    return render(request, "access/dpo/people.html", {"query": query, "results": results, "searched": bool(query)})


@requires("access.view_audit")
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """Who looked at this young person, and why: every audit event about them, newest first."""
    subject = _governed_person(request, pk)
    page, page_range, query = _page(request, sar.person_events(subject.pk))
    return render(request, "access/dpo/person.html", {
        "person": subject, "entries": sar.trail(page.object_list, subject.pk), "page": page,
        "page_range": page_range, "query": query})


class EventFilter(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False,
                                help_text=gettext_lazy("For example, 2026-09-01"))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False,
                               choices=lambda: [("", _("Any"))] + [(k, str(v)) for k, v in sar.ACTION_LABELS.items()])


def _filtered(events: QuerySet[AuditEvent], form: EventFilter) -> QuerySet[AuditEvent]:
    if not form.is_valid():
        return events
    data = form.cleaned_data
    if data["date_from"]:
        events = events.filter(at__date__gte=data["date_from"])
    if data["date_to"]:
        events = events.filter(at__date__lte=data["date_to"])
    if data["action"]:
        events = events.filter(action=data["action"])
    return events


@requires("access.view_audit")
def user_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """What one member of staff did, filtered by date and action."""
    staff = get_object_or_404(staff_overseen_by(request.user), pk=pk)
    form = EventFilter(request.GET or None)
    page, page_range, query = _page(request, _filtered(AuditEvent.objects.filter(actor=staff), form).order_by("-id"))
    audit.record(request.user, "view", _context(request), object_type="user", object_id=staff.pk,
                 fields=["audit_trail"])
    return render(request, "access/dpo/user.html", {
        "staff": staff, "memberships": staff.memberships.select_related("organisation"), "form": form,
        "entries": sar.trail(page.object_list), "page": page, "page_range": page_range, "query": query})


@requires("access.view_audit")
def unusual(request: HttpRequest) -> HttpResponse:
    """Unusual access: many records in a day, bulk reads out of hours, refusals, and every emergency access."""
    days, since = _window(request)
    staff = staff_overseen_by(request.user)
    governed = people_visible_to(request.user, GOVERNANCE).values("pk")
    audit.record(request.user, "view", _context(request), object_type="audit_log", object_id="unusual")
    return render(request, "access/dpo/unusual.html", {
        "days": days, "many_views": many_views(staff, since), "out_of_hours": out_of_hours_bulk(staff, since),
        "refusals": refusals(staff, since),
        "break_glass": BreakGlassAccess.objects.filter(started_at__gte=since, person__in=governed)
        .select_related("user"),
        "views_limit": setting("YEP_UNUSUAL_VIEWS_PER_DAY", 50),
        "records_limit": setting("YEP_UNUSUAL_OUT_OF_HOURS_RECORDS", 20),
        "hours": WORKING_HOURS,
    })


@requires("access.review_break_glass")
def break_glass(request: HttpRequest) -> HttpResponse:
    """Emergency accesses to the DPO's young people; those awaiting review first (or all, with ?show=all)."""
    show_all = request.GET.get("show") == "all"
    accesses = BreakGlassAccess.objects.filter(person__in=people_visible_to(request.user, GOVERNANCE).values("pk"))
    if not show_all:
        accesses = accesses.filter(reviewed_at__isnull=True)
    page, page_range, query = _page(request, accesses.select_related("user", "person", "reviewed_by")
                                    .order_by("reviewed_at", "-started_at"))
    _audit_list(request, "break_glass", (a.person_id for a in page.object_list))
    return render(request, "access/dpo/break_glass.html", {
        "page": page, "page_range": page_range, "query": query, "show_all": show_all})


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Review note"), widget=forms.Textarea, required=False,
                           help_text=gettext_lazy("Was the access justified? What did you check, and what follows?"))


@requires("access.review_break_glass")
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One emergency access, what was done under it, and the DPO's review."""
    governed = people_visible_to(request.user, GOVERNANCE).values("pk")
    access = get_object_or_404(BreakGlassAccess.objects.select_related("user", "person", "reviewed_by"), pk=pk,
                               person__in=governed)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and access.reviewed_at is None:
        try:
            services.review_break_glass(access, note=form.cleaned_data["note"], actor=request.user,
                                        context=_context(request))
        except ValidationError as error:
            form.add_error("note" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("dpo:break_glass")
    during = AuditEvent.objects.filter(actor=access.user, person_id=access.person_id, at__gte=access.started_at,
                                       at__lte=access.expires_at).order_by("id")
    _audit_list(request, "break_glass_review", [access.person_id])
    return render(request, "access/dpo/break_glass_review.html", {
        "access": access, "form": form, "during": sar.trail(during, access.person_id)},
        status=400 if form.errors else 200)


@requires("access.review_rectification")
def rectification(request: HttpRequest) -> HttpResponse:
    """Open rectification requests for the young people the reviewer governs or works with, oldest first."""
    requests = (RectificationRequest.objects.filter(status=RectificationRequest.Status.OPEN,
                                                    person__in=_reviewable_people(request.user))
                .select_related("person").order_by("requested_at"))
    page, page_range, query = _page(request, requests)
    _audit_list(request, "rectification", (r.person_id for r in page.object_list))
    rows = [(r, field_label(r.field)) for r in page.object_list]
    return render(request, "access/dpo/rectification.html", {
        "rows": rows, "page": page, "page_range": page_range, "query": query})


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for rejecting"), widget=forms.Textarea, required=False,
                             help_text=gettext_lazy("The young person is told this reason."))


def _decide_rectification(request: HttpRequest, item: RectificationRequest, note: NoteForm,
                          reject: RejectForm) -> bool:
    """Carry out the reviewer's decision; False (with the problem on the form) when it cannot be made."""
    context = _context(request, GOVERNANCE if request.user.has_perm("access.view_audit") else CASEWORK)
    try:
        if request.POST.get("decision") == "accept" and note.is_valid():
            services.accept_rectification(item, note=note.cleaned_data["note"], actor=request.user,
                                          context=context)
            messages.success(request, _("Correction accepted and made on the record."))
            return True
        if request.POST.get("decision") == "reject" and reject.is_valid():
            services.reject_rectification(item, reason=reject.cleaned_data["reason"], actor=request.user,
                                          context=context)
            messages.success(request, _("Request rejected."))
            return True
    except ValidationError as error:
        target = note if request.POST.get("decision") == "accept" else reject
        target.add_error(None, error.messages)
    return False


@requires("access.review_rectification")
def rectification_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (the record is corrected, after validation) or reject (with a reason) one request."""
    item = get_object_or_404(RectificationRequest.objects.select_related("person", "reviewed_by"), pk=pk,
                             person__in=_reviewable_people(request.user))
    note = NoteForm(request.POST if request.POST.get("decision") == "accept" else None, prefix="accept")
    reject = RejectForm(request.POST if request.POST.get("decision") == "reject" else None, prefix="reject")
    if request.method == "POST" and item.status == RectificationRequest.Status.OPEN:
        if _decide_rectification(request, item, note, reject):
            return redirect("dpo:rectification")
    _audit_list(request, "rectification_review", [item.person_id])
    return render(request, "access/dpo/rectification_review.html", {
        "item": item, "field_label": field_label(item.field),
        "note_form": note, "reject_form": reject}, status=400 if note.errors or reject.errors else 200)


class RectificationForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("What is wrong"),
                              choices=lambda: [(f, field_label(f).capitalize()) for f in RECTIFIABLE_FIELDS])
    requested_value = forms.CharField(label=gettext_lazy("What it should be"), required=False)
    reason = forms.CharField(label=gettext_lazy("Why, in their words"), widget=forms.Textarea, required=False)
    requested_by = forms.CharField(label=gettext_lazy("Who asked, and how"), required=False,
                                   help_text=gettext_lazy("For example, the young person, by email"))


def _rights_person(request: HttpRequest, pk: int) -> tuple[Person, str]:
    purpose = GOVERNANCE if decide(request.user, pk, GOVERNANCE) else CASEWORK
    subject, _decision = get_person_for(request.user, pk, purpose, _context(request, purpose), ("identity",))
    return subject, purpose


@requires("access.review_rectification")
def rectification_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a young person's request to correct their record, for review."""
    subject, purpose = _rights_person(request, pk)
    form = RectificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_rectification(subject, actor=request.user, context=_context(request, purpose),
                                           **form.cleaned_data)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("Request recorded and added to the rectification queue."))
            return redirect("dpo:rectification")
    return render(request, "access/dpo/rectification_form.html", {"person": subject, "form": form},
                  status=400 if form.errors else 200)


@requires("access.subject_access")
def subject_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Download everything held about the young person, as JSON or as a printable document (audited)."""
    subject = _governed_person(request, pk)
    fmt = request.POST.get("format", "")
    if request.method == "POST" and fmt in sar.FORMATS:
        body = sar.export(subject, fmt=fmt, actor=request.user, context=_context(request, sar.SAR_PURPOSE))
        response = HttpResponse(body, content_type="application/json" if fmt == "json" else "text/html")
        name = f"subject-access-{subject.pk}-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "access/dpo/sar.html", {"person": subject})


def _last_runs(limit: int = 10) -> list[dict[str, Any]]:
    """The latest retention runs, newest first, each with what every rule did (from the audit log)."""
    runs: dict[str, dict[str, Any]] = {}
    events = AuditEvent.objects.filter(object_type="retention_rule", action=AuditAction.CHANGE).order_by("-id")
    for event in events[:500]:
        run = event.detail.get("run") if isinstance(event.detail, dict) else None
        if run is None:
            continue
        entry = runs.setdefault(run, {"at": event.at, "by": event.actor_label, "channel": event.channel,
                                      "rules": []})
        entry["rules"].append(event.detail)
        if len(runs) > limit:
            runs.pop(run)
            break
    return list(runs.values())


def _retention_post(request: HttpRequest) -> None:
    context = _context(request, "retention")
    if request.POST.get("action") == "defaults":
        made = services.create_default_retention_rules(actor=request.user, context=context)
        messages.success(request, _("%(count)s default rules added.") % {"count": len(made)})
    elif request.POST.get("action") == "run":
        outcomes = services.run_retention(actor=request.user, context=context)
        done = sum(o.count for o in outcomes if o.applied)
        messages.success(request, _("Retention run finished: %(count)s records deleted or anonymised.")
                         % {"count": done})


@requires("access.manage_retention")
def retention(request: HttpRequest) -> HttpResponse:
    """The retention rules, what each would do now, the audit log's rule, and the last runs."""
    if request.method == "POST":
        _retention_post(request)
        return redirect("dpo:retention")
    due = {o.record_type: o for o in services.run_retention(dry_run=True, actor=request.user,
                                                             context=_context(request, "retention"))}
    rules = [(rule, RECORD_TYPES.get(rule.record_type), due.get(rule.record_type))
             for rule in RetentionRule.objects.order_by("record_type")]
    return render(request, "access/dpo/retention.html", {
        "rules": rules, "audit_log_note": AUDIT_LOG_NOTE, "runs": _last_runs()})

