"""Jobs without training pages for the careers service and the EPC (R77): the priority list of 16-18 year olds in
a job without training, with its CSV download, and one young person's follow-up: the job, the contacts, the offers
of training, and forms to log a contact, arrange an offer, record the answer and record the start."""

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for, require_category
from yep.people.models import Organisation, Person
from yep.people.models.organisations import EDUCATION_KINDS

from . import jwt as reads
from . import queries, tiers
from . import services_jwt as services
from .models import ContactMethod, ContactOutcome, OfferKind, OfferStatus, TrainingOffer

PAGE = 50
FORM_FIELDS = {
    "contact": ("method", "outcome", "notes"),
    "offer": ("kind", "provider", "level", "starts_on", "notes"),
    "decision": ("status",),
    "commence": ("on",),
}


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _ages(request: HttpRequest) -> tuple[str, tuple[int, ...]]:
    age = request.GET.get("age", "")
    return (age, (int(age),)) if age.isdigit() and int(age) in tiers.AGES else ("", tiers.AGES)


# The priority list --------------------------------------------------------------------------------------------


@requires("track.follow_up_jwt")
def jwt_list(request: HttpRequest) -> HttpResponse:
    """The young people in a job without training in the user's areas, 16 year olds first, then the longest in a
    JWT; filtered by academic age."""
    age, ages = _ages(request)
    rows = reads.jwt_list_for(request.user, ages=ages)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="jwt_list",
                 detail={"age": age, "people": [r.person.pk for r in page]})
    return render(request, "track/jwt_list.html", {
        "page": page, "age": age, "ages": tiers.AGES, "count": len(rows),
        "tracks_any": bool(queries.tracked_las(request.user))})


EXPORT_HEADER = ("person_id", "name", "date_of_birth", "academic_age", "employer", "hours_per_week",
                 "in_jwt_since", "days_in_jwt", "last_contact", "last_contact_outcome", "open_offer",
                 "open_offer_status")


@requires("track.follow_up_jwt")
def jwt_export(request: HttpRequest) -> HttpResponse:
    """The priority list as CSV, for the careers service's own contact planning; audited as an export."""
    age, ages = _ages(request)
    rows = reads.jwt_list_for(request.user, ages=ages)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADER)
    for r in rows:
        contact, offer = r.last_contact, r.open_offer
        writer.writerow((r.person.pk, r.person.display_name, r.person.dob.isoformat(), r.academic_age,
                         r.employer.display_name if r.employer else "", "" if r.hours is None else r.hours,
                         r.since.isoformat(), r.days_in_jwt,
                         timezone.localtime(contact.at).date().isoformat() if contact else "",
                         contact.outcome if contact else "", offer.kind if offer else "",
                         offer.status if offer else ""))
    audit.record(request.user, "export", _context(request), object_type="jwt_list",
                 detail={"age": age, "rows": len(rows), "people": [r.person.pk for r in rows]})
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="jobs-without-training-{timezone.localdate()}.csv"'
    return response


# One young person ---------------------------------------------------------------------------------------------


def providers_for(user: Any, person: Person, employer: Organisation | None) -> list[Organisation]:
    """Colleges, sixth forms and training providers in the user's areas and the young person's, and their
    employer (for training with the employer)."""
    las = {*queries.tracked_las(user), *([person.la_of_residence_id] if person.la_of_residence_id else [])}
    found = list(Organisation.objects.filter(kind__in=EDUCATION_KINDS, active=True, la_id__in=las)
                 .order_by("name"))
    return [employer, *found] if employer else found


def _offer_of(person: Person, raw: str) -> TrainingOffer:
    offer = TrainingOffer.objects.filter(person=person, pk=int(raw)).first() if raw.isdigit() else None
    if offer is None:
        raise Http404(_("There is no such offer for this young person."))
    return offer


def _provider(raw: str, choices: list[Organisation]) -> Organisation | None:
    return next((o for o in choices if str(o.pk) == raw), None)


def _post(request: HttpRequest, person: Person, action: str, form: dict[str, str],
          choices: list[Organisation]) -> str:
    """Do what the form asks; the success message. Raises ValidationError with the problems."""
    actor, context = request.user, _context(request)
    if action == "contact":
        services.log_jwt_contact(person, method=form["method"], outcome=form["outcome"], notes=form["notes"],
                                 actor=actor, context=context)
        return _("The contact is recorded.")
    if action == "offer":
        if form["provider"] and _provider(form["provider"], choices) is None:
            raise ValidationError({"provider": [_("Choose a provider from the list.")]})
        services.arrange_offer(person, kind=form["kind"], provider=_provider(form["provider"], choices),
                               level=form["level"], starts_on=form["starts_on"] or None, notes=form["notes"],
                               actor=actor, context=context)
        return _("The offer of training is recorded.")
    offer = _offer_of(person, request.POST.get("offer", ""))
    if action == "decision":
        services.decide_offer(offer, status=form["status"], actor=actor, context=context)
        return _("The answer to the offer is recorded.")
    services.commence_offer(offer, on=form["on"], actor=actor, context=context)
    return _("The training has started: the timeline now shows employment with training.")


@requires("track.follow_up_jwt")
def jwt_person(request: HttpRequest, person_id: int) -> HttpResponse:
    """One young person's JWT follow-up; 404 for anyone the user may not see, as for no one."""
    context = _context(request)
    person, decision = get_person_for(request.user, person_id, CASEWORK, context,
                                      (categories.IDENTITY, categories.ENROLMENTS))
    require_category(request.user, decision, categories.ENROLMENTS, context)
    # A history-mode reader sees the follow-up as it stood when their relationship ended.
    record = reads.jwt_record(person, decision.as_of)
    choices = providers_for(request.user, person, record.row.employer if record.row else None)
    action = request.POST.get("action", "")
    form = {name: request.POST.get(name, "").strip() for name in FORM_FIELDS.get(action, ())}
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and action in FORM_FIELDS:
        try:
            done = _post(request, person, action, form, choices)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, done)
            return redirect("track:jwt_person", person_id=person.pk)
    prefix = f"offer-{request.POST.get('offer')}" if action in ("decision", "commence") else action
    return render(request, "track/jwt_person.html", {
        "person": person, "record": record, "row": record.row, "status": record.status,
        "guarantee": reads.guarantee_status(person, decision.as_of), "tier": record.status.tier,
        "action": action, "form": form, "errors": errors, "prefix": prefix,
        "failed_offer": request.POST.get("offer", ""), "providers": choices, "today": timezone.localdate(),
        "methods": ContactMethod.choices, "outcomes": ContactOutcome.choices, "kinds": OfferKind.choices,
        "levels": list(services.LEVELS), "open_statuses": services.MAY_START,
        "decisions": [(s.value, s.label) for s in services.DECISIONS], "commenced": OfferStatus.COMMENCED,
        "can_change": decision.can_change})


urlpatterns: list[URLPattern] = [
    path("track/jwt/", jwt_list, name="jwt_list"),
    path("track/jwt/export.csv", jwt_export, name="jwt_export"),
    path("track/jwt/<int:person_id>/", jwt_person, name="jwt_person"),
]
