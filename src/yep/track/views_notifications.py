"""Provider notification pages: the form and file upload for providers, the list of notifications with days to
notify, the careers service's unmatched queue (choose the young person, or reject), and the compliance report
with its silent providers and its export for Welsh Government (R48-R51)."""

import csv
import datetime
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK
from yep.broker.services.schedule import add_months
from yep.people.models import Organisation, Person

from . import notifications as reads
from . import services_notifications as services
from .models import NOTIFY_WITHIN_DAYS, LeftReason, NotificationChannel, NotificationKind

PAGE = 50
FORM_FIELDS = ("provider", "kind", "uln", "upn", "forenames", "surname", "dob", "postcode", "left_on", "reason",
               "course", "phone", "email", "notes")


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


# Sending ------------------------------------------------------------------------------------------------------


# The form's text fields: name, label, hint, input width class.
TEXT_FIELDS = (
    ("uln", gettext_lazy("ULN"), gettext_lazy("The learner's unique learner number, 10 digits."), "10"),
    ("upn", gettext_lazy("UPN"), gettext_lazy("The unique pupil number from school, if you have it."), "10"),
    ("forenames", gettext_lazy("Forenames"), "", "20"),
    ("surname", gettext_lazy("Surname"), "", "20"),
    ("dob", gettext_lazy("Date of birth"), gettext_lazy("For example, 2008-03-27."), "10"),
    ("postcode", gettext_lazy("Postcode"), gettext_lazy("The young person's home postcode."), "10"),
    ("course", gettext_lazy("Course"), "", "30"),
    ("phone", gettext_lazy("Phone"), gettext_lazy("How the careers service can reach the young person."), "20"),
    ("email", gettext_lazy("Email"), "", "30"),
)


def _text_fields(form: dict[str, str], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [{"name": name, "label": label, "hint": hint, "width": width, "value": form[name],
             "problems": errors.get(name, [])} for name, label, hint, width in TEXT_FIELDS]


def _provider_from(request: HttpRequest, form: dict[str, str]) -> Organisation:
    """The chosen provider, which must be one the user may notify for (the same error as a missing one)."""
    provider = reads.providers_for(request.user).filter(pk=form["provider"]).first() \
        if form["provider"].isdigit() else None
    if provider is None:
        raise ValidationError({"provider": [_("Choose the provider the young person left.")]})
    return provider


@requires("track.notify")
def new_notification(request: HttpRequest) -> HttpResponse:
    providers = list(reads.providers_for(request.user))
    form = {name: request.POST.get(name, "").strip() for name in FORM_FIELDS}
    if request.method != "POST":
        form |= {"kind": NotificationKind.LEFT, "provider": str(providers[0].pk) if len(providers) == 1 else ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            provider = _provider_from(request, form)
            services.notify(provider, kind=form["kind"], identifiers=form, left_on=form["left_on"] or None,
                            reason=form["reason"], notes=form["notes"], channel=NotificationChannel.FORM,
                            actor=request.user, context=_context(request))
        except ValidationError as problem:
            errors = problem.message_dict
            # "Already sent" is about the whole notification: shown where the young person is named.
            if "__all__" in errors:
                errors["identifiers"] = errors.get("identifiers", []) + errors.pop("__all__")
        else:
            messages.success(request, _("The notification has been sent to the careers service."))
            return redirect("track:notifications")
    return render(request, "track/notification_form.html", {
        "form": form, "errors": errors, "providers": providers, "kinds": NotificationKind.choices,
        "reasons": [c for c in LeftReason.choices if c[0] != LeftReason.NOT_KNOWN],
        "fields": _text_fields(form, errors), "upload_url": reverse("web:import_upload", args=["notifications"])})


# Reading ------------------------------------------------------------------------------------------------------


@requires("track.notify")
def notification_list(request: HttpRequest) -> HttpResponse:
    """A provider sees what it sent (never whom it was matched to); careers advisers and EPCs see their area's,
    with a link to each matched young person's record (which checks access itself)."""
    rows = reads.notifications_visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in NotificationKind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    handles = bool(reads.area_las(request.user))
    audit.record(request.user, "view", _context(request), object_type="provider_notifications",
                 detail={"notifications": [n.pk for n in page], "people": [n.person_id for n in page if n.person_id]})
    return render(request, "track/notifications.html", {
        "page": page, "handles": handles, "kind": kind, "kinds": NotificationKind.choices,
        "may_resolve": request.user.has_perm("track.resolve_notifications")})


@requires("track.resolve_notifications")
def unmatched(request: HttpRequest) -> HttpResponse:
    queue = reads.unmatched_for(request.user)
    page = Paginator(queue, PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="provider_notifications",
                 detail={"unmatched": [n.pk for n in page]})
    return render(request, "track/unmatched.html", {"page": page})


def _waiting(request: HttpRequest, pk: int) -> Any:
    notification = reads.unmatched_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("There is no such notification waiting, or you cannot see it."))
    return notification


def _post_resolution(request: HttpRequest, notification: Any) -> dict[str, list[str]]:
    """Resolve with the chosen young person, or reject with a reason; the problems when neither worked."""
    try:
        if request.POST.get("action") == "reject":
            services.reject(notification, reason=request.POST.get("reason", ""), actor=request.user,
                            context=_context(request))
            messages.success(request, _("The notification is rejected and off the queue."))
        else:
            chosen = request.POST.get("person", "")
            person = Person.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
            if person is None:
                raise ValidationError({"person": [_("Choose the young person this notification is about.")]})
            services.resolve(notification, person, actor=request.user, context=_context(request))
            messages.success(request, _("The notification is matched: the record and the careers service's tasks "
                                        "are updated."))
    except PermissionDenied:
        return {"person": [_("Choose one of the young people listed.")]}
    except ValidationError as problem:
        return problem.message_dict
    return {}


@requires("track.resolve_notifications")
def resolve_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _waiting(request, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = _post_resolution(request, notification)
        if not errors:
            return redirect("track:unmatched")
    query = request.GET.get("q", "").strip()
    found = reads.candidates(request.user, notification, query)
    for candidate in found:
        audit.record(request.user, "view", _context(request), person_id=candidate.person.pk,
                     fields=["identity", *(["contact"] if candidate.show_contact else [])],
                     detail={"candidate_for": notification.pk})
    return render(request, "track/unmatched_resolve.html", {
        "notification": notification, "candidates": found, "query": query, "errors": errors,
        "reason": request.POST.get("reason", "")})


# Compliance ---------------------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, dict[str, list[str]]]:
    """The period asked for (``from``, ``to``); the last three months by default."""
    end, errors = timezone.localdate(), {}
    try:
        end = datetime.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else end
        start = datetime.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else \
            add_months(end, -reads.SILENT_MONTHS)
    except ValueError:
        errors["from"] = [_("Enter the dates as YYYY-MM-DD.")]
        start, end = add_months(timezone.localdate(), -reads.SILENT_MONTHS), timezone.localdate()
    if start > end:
        errors["from"] = [_("The start of the period must be before its end.")]
        start = end
    return start, end, errors


@requires("track.resolve_notifications")
def compliance(request: HttpRequest) -> HttpResponse:
    start, end, errors = _period(request)
    rows = reads.compliance(reads.area_las(request.user), start, end)
    audit.record(request.user, "view", _context(request), object_type="notification_compliance",
                 detail={"from": start.isoformat(), "to": end.isoformat()})
    return render(request, "track/notification_compliance.html", {
        "rows": rows, "silent": [r for r in rows if r.silent], "start": start, "end": end, "errors": errors,
        "target": NOTIFY_WITHIN_DAYS, "silent_months": reads.SILENT_MONTHS})


EXPORT_HEADER = ("provider", "provider_code", "provider_kind", "left_notified", "within_target", "percent_within",
                 "median_days", "seriously_at_risk", "awaiting_match", "leavers_known", "silent")


@requires("track.resolve_notifications")
def compliance_export(request: HttpRequest) -> HttpResponse:
    """The compliance report as CSV for the careers service to send to Welsh Government: per provider, no names."""
    start, end, errors = _period(request)
    if errors:
        raise Http404(_("Enter the dates as YYYY-MM-DD."))
    rows = reads.compliance(reads.area_las(request.user), start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for r in rows:
        writer.writerow((r.provider.name, r.provider.code, r.provider.kind, r.left, r.within_target,
                         "" if r.percent_within is None else r.percent_within,
                         "" if r.median_days is None else r.median_days, r.at_risk, r.awaiting_match, r.leavers,
                         "yes" if r.silent else "no"))
    audit.record(request.user, "export", _context(request), object_type="notification_compliance",
                 detail={"from": start.isoformat(), "to": end.isoformat(), "providers": len(rows)})
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="notification-compliance-{start}-{end}.csv"'
    return response


urlpatterns: list[URLPattern] = [
    path("track/notifications/", notification_list, name="notifications"),
    path("track/notifications/new/", new_notification, name="new_notification"),
    path("track/unmatched/", unmatched, name="unmatched"),
    path("track/unmatched/<int:pk>/", resolve_notification, name="resolve_notification"),
    path("track/compliance/", compliance, name="compliance"),
    path("track/compliance/export.csv", compliance_export, name="compliance_export"),
]
