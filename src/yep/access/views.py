"""Pages for sharing and consent on a young person's record, the register of sharing agreements, and
emergency (break-the-glass) access."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people import names
from yep.people.models import Person, PersonName
from yep.people.tabs import PERSON_TABS

from . import audit, services
from .forms import AgreementForm, ConsentForm, EmergencyAccessForm, ObjectionForm, ShareForm
from .guards import requires
from .models import Consent, Objection, Relationship, SharingAgreement
from .policy import CASEWORK, get_person_for


def _errors_into(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _sharing_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    person, decision = get_person_for(request.user, pk, CASEWORK, audit.AuditContext.from_request(request, CASEWORK),
                                      ("identity",))
    today = timezone.localdate()
    return {
        "person": person, "decision": decision, "tabs": PERSON_TABS, "active_tab": "sharing",
        "today_age": person.academic_age(),
        "relationships": Relationship.objects.filter(person=person).filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("user", "organisation", "agreement"),
        "consents": Consent.objects.filter(person=person),
        "objection": Objection.objects.filter(person=person, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today)).first(),
        "consent_form": ConsentForm(prefix="consent"), "objection_form": ObjectionForm(prefix="objection"),
        "share_form": ShareForm(prefix="share"),
    }


@requires("people.view_person")
def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has this record and why, consent, objections, and sharing with a supporting service."""
    return render(request, "access/person_sharing.html", _sharing_context(request, pk))


def _changeable(request: HttpRequest, pk: int) -> tuple[Person, dict[str, Any], audit.AuditContext]:
    page = _sharing_context(request, pk)
    if not page["decision"].can_change:
        raise PermissionDenied
    return page["person"], page, audit.AuditContext.from_request(request, CASEWORK)


@requires("access.record_consent")
def record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    person, page, context = _changeable(request, pk)
    form = ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        try:
            services.record_consent(person, form.cleaned_data["purpose"], given_by=form.cleaned_data["given_by"],
                                    given_by_name=form.cleaned_data["given_by_name"],
                                    method=form.cleaned_data["method"], expires_on=form.cleaned_data["expires_on"],
                                    actor=request.user, context=context)
            messages.success(request, _("Consent recorded."))
            return redirect("access:sharing", pk=pk)
        except ValidationError as error:
            _errors_into(form, error)
    return render(request, "access/person_sharing.html", {**page, "consent_form": form}, status=400)


@requires("access.record_consent")
def withdraw_consent(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    person, _page, context = _changeable(request, pk)
    consent = get_object_or_404(Consent, pk=consent_id, person=person)
    services.withdraw_consent(consent, actor=request.user, context=context)
    messages.success(request, _("Consent withdrawn."))
    return redirect("access:sharing", pk=pk)


@requires("access.record_consent")
def record_objection(request: HttpRequest, pk: int) -> HttpResponse:
    person, page, context = _changeable(request, pk)
    form = ObjectionForm(request.POST, prefix="objection")
    if form.is_valid():
        services.record_objection(person, made_by=form.cleaned_data["made_by"], actor=request.user, context=context)
        messages.success(request, _("Objection recorded: only name, address and date of birth will be shared."))
        return redirect("access:sharing", pk=pk)
    return render(request, "access/person_sharing.html", {**page, "objection_form": form}, status=400)


@requires("access.record_consent")
def end_objection(request: HttpRequest, pk: int, objection_id: int) -> HttpResponse:
    person, _page, context = _changeable(request, pk)
    services.end_objection(get_object_or_404(Objection, pk=objection_id, person=person), actor=request.user,
                           context=context)
    messages.success(request, _("Objection ended."))
    return redirect("access:sharing", pk=pk)


@requires("access.record_consent")
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an organisation as a supporting service, if an agreement allows what would flow to it."""
    person, page, context = _changeable(request, pk)
    form = ShareForm(request.POST, prefix="share")
    if form.is_valid():
        try:
            services.share_with_organisation(person, form.cleaned_data["organisation"],
                                             form.cleaned_data["categories"],
                                             purpose=form.cleaned_data["purpose"] or "supporting service",
                                             actor=request.user, context=context)
            messages.success(request, _("Shared with %(org)s.") % {"org": form.cleaned_data["organisation"]})
            return redirect("access:sharing", pk=pk)
        except ValidationError as error:
            _errors_into(form, error)
    return render(request, "access/person_sharing.html", {**page, "share_form": form, "blocked": True},
                  status=400)


@requires("access.view_agreements")
def agreements(request: HttpRequest) -> HttpResponse:
    rows = SharingAgreement.objects.prefetch_related("parties").order_by("status", "name")
    return render(request, "access/agreements.html", {"agreements": rows})


@requires("access.view_agreements")
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_object_or_404(SharingAgreement.objects.prefetch_related("parties"), pk=agreement_id)
    return render(request, "access/agreement_detail.html", {"agreement": agreement})


@requires("access.manage_agreements")
def new_agreement(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None, initial={"start": timezone.localdate(), "status": "active"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.register_agreement(
                name=data["name"], parties=data["parties"], purpose=data["purpose"],
                lawful_basis=data["lawful_basis"], special_category_condition=data["special_category_condition"],
                statute=data["statute"], categories=data["categories"], start=data["start"], end=data["end"],
                status=data["status"], document_reference=data["document_reference"], actor=request.user,
                context=audit.AuditContext.from_request(request, "governance"))
            messages.success(request, _("Agreement registered."))
            return redirect("access:agreement", agreement_id=agreement.pk)
        except ValidationError as error:
            _errors_into(form, error)
    return render(request, "access/agreement_form.html", {"form": form})


def _find_for_emergency(data: dict[str, Any]) -> list[Person]:
    """Exact matches only: emergency access is to one known young person, never a browse."""
    identifier = (data.get("identifier") or "").strip().upper()
    if identifier:
        return list(Person.objects.filter(Q(upn=identifier) | Q(uln=identifier))[:2])
    if data.get("surname") and data.get("dob"):
        keys = PersonName.objects.filter(surname_key=names.surname_key(data["surname"]))
        return list(Person.objects.filter(dob=data["dob"], pk__in=keys.values("person_id"))[:2])
    return []


@requires("access.break_glass")
def emergency_access(request: HttpRequest) -> HttpResponse:
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = _find_for_emergency(form.cleaned_data)
        if len(found) != 1:
            form.add_error(None, _("Emergency access needs exactly one young person: give their UPN or ULN, or "
                                   "their surname and date of birth."))
        else:
            try:
                services.open_break_glass(request.user, found[0], reason=form.cleaned_data["reason"],
                                          actor=request.user,
                                          context=audit.AuditContext.from_request(request, "emergency"))
                return redirect("people:detail", pk=found[0].pk)
            except ValidationError as error:
                _errors_into(form, error)
    return render(request, "access/emergency_access.html", {"form": form})
