"""Tracking page: the EPC's rule carrying pre-16 risk into post-16 as tier 4 (R25)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, las_served
from yep.people.models import Organisation, Role

from . import services_rules
from .models import PostSixteenRiskRule


@requires("track.manage_rules")
def post16_risk_rule(request: HttpRequest) -> HttpResponse:
    """Show and change the LA's rule; a first visit shows it off, with the defaults ready to turn on."""
    la = Organisation.objects.filter(pk__in=las_served(request.user, (Role.EPC,))).order_by("pk").first()
    if la is None:
        raise Http404
    rule = PostSixteenRiskRule.objects.filter(la=la).first()
    errors: dict[str, list[str]] = {}
    typed = {"enabled": bool(rule and rule.enabled), "min_band": rule.min_band if rule else "high",
             "months": str(rule.months) if rule else "12"}
    if request.method == "POST":
        months = request.POST.get("months", "").strip()
        typed = {"enabled": request.POST.get("enabled") == "yes", "min_band": request.POST.get("min_band", ""),
                 "months": months}
        try:
            services_rules.set_post16_risk_rule(
                la, enabled=bool(typed["enabled"]), min_band=str(typed["min_band"]),
                months=int(months) if months.isdigit() else months,
                actor=request.user, context=audit.AuditContext.from_request(request, CASEWORK))
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("The rule is saved. Tier counts use it from now on, for any date."))
            return redirect("track:post16_risk_rule")
    return render(request, "track/rules.html", {"la": la, "rule": rule, "typed": typed, "errors": errors,
                                                "bands": [("medium", _("Medium or high")), ("high", _("High"))]})


urlpatterns: list[URLPattern] = [path("track/rules/", post16_risk_rule, name="post16_risk_rule")]
