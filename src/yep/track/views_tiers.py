"""Tracking pages: a young person's timeline tab and the tier dashboard of the EPC (and the careers service)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK
from yep.people.models import ActivityCode, Organisation, OrganisationKind
from yep.people.views import person_context
from yep.web.charts import line

from . import queries, services, tiers
from .models import Confidence

# Who said so (``services.SOURCES``), as the form offers it.
SOURCE_LABELS = [("careers_service", gettext_lazy("The careers service")), ("lead_worker", gettext_lazy(
    "The lead worker")), ("young_person", gettext_lazy("The young person")), ("school", gettext_lazy("The school")),
                 ("provider", gettext_lazy("The provider")), ("dwp", gettext_lazy("DWP / Jobcentre"))]


def tier_label(tier: int | None) -> str:
    return _("Tier %(n)s") % {"n": tier} if tier else _("Outside the 16 to 18 cohort")


@requires("track.view_timeline")
def person_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Activities newest first, the tier now with its reason and the JWT flag, and the tier over 12 months."""
    context = person_context(request, pk, "timeline", (categories.IDENTITY, categories.ENROLMENTS))
    if not context["can"][categories.ENROLMENTS]:
        return render(request, "track/timeline.html", context)
    # A history-mode reader sees the timeline as it stood when their relationship ended.
    timeline = queries.person_timeline(context["person"], until=context["decision"].as_of,
                                       rules=queries.rules_for())
    plotted = [s for s in timeline.history if s.tier]
    chart = line(_("Tier at each month-end"), [(s.on.strftime("%m/%y"), s.tier or 0) for s in plotted], 5)
    return render(request, "track/timeline.html", {
        **context, "timeline": timeline, "activities": timeline.activities, "chart": chart,
        "status": timeline.now, "status_activity": timeline.activity_for(timeline.now),
        "history": [(s, tier_label(s.tier)) for s in timeline.history], "tier_now": tier_label(timeline.now.tier),
        "may_record": request.user.has_perm("track.record_activity") and context["decision"].can_change,
    })


ACTIVITY_FIELDS = ("code", "start", "end", "hours_per_week", "organisation", "training_level", "source",
                   "confidence")


@requires("track.record_activity")
def record_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Record what a young person is doing now (or was doing), and who said so; the tier follows."""
    context = person_context(request, pk, "timeline", (categories.IDENTITY, categories.ENROLMENTS))
    if not (context["can"][categories.ENROLMENTS] and context["decision"].can_change):
        raise PermissionDenied
    form = {name: request.POST.get(name, "").strip() for name in ACTIVITY_FIELDS}
    if request.method != "POST":
        form |= {"start": timezone.localdate().isoformat(), "source": "careers_service",
                 "confidence": Confidence.HIGH}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.record_activity(
                context["person"], code=form["code"], start=form["start"], end=form["end"],
                hours_per_week=form["hours_per_week"], organisation=form["organisation"],
                training_level=form["training_level"], source=form["source"], confidence=form["confidence"],
                actor=request.user,
                context=audit.AuditContext.from_request(request, CASEWORK))
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect("track:person_timeline", pk=pk)
    return render(request, "track/record_activity.html", {
        **context, "form": form, "errors": errors, "codes": ActivityCode.objects.order_by("code"),
        "organisations": Organisation.objects.filter(active=True).exclude(kind=OrganisationKind.LA)
        .order_by("name"), "sources": SOURCE_LABELS, "confidences": Confidence.choices},
        status=400 if errors else 200)


def _as_at(value: str, today: datetime.date) -> tuple[datetime.date, dict[str, list[str]]]:
    if not value:
        return today, {}
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return today, {"on": [_("Enter the date as year-month-day, for example 2026-10-31.")]}
    if day > today:
        return today, {"on": [_("The date cannot be in the future.")]}
    return day, {}


@requires("track.view_tiers")
def tier_dashboard(request: HttpRequest) -> HttpResponse:
    """The cohort of the user's area by tier and academic age as at a date, and movement since last month."""
    today = timezone.localdate()
    typed = request.GET.get("on", "").strip()
    on, errors = _as_at(typed, today)
    cohort = queries.cohort_tiers(request.user, on, rules=queries.rules_for())
    moved = [(tier_label(t), [int(n) for n in cohort.movement[t]]) for t in range(6)]
    return render(request, "track/tiers.html", {
        "cohort": cohort, "errors": errors, "typed": typed if errors else on.isoformat(), "ages": tiers.AGES,
        "rows": [(tier_label(r["tier"]), r) for r in cohort.rows()], "moved": moved,
        "movement_labels": [tier_label(t) for t in range(6)], "tracks_any": bool(queries.tracked_las(request.user)),
        "guarantee": queries.guarantee_cohort(request.user, on, rules=queries.rules_for()),
    })


urlpatterns: list[URLPattern] = [
    path("people/<int:pk>/timeline/", person_timeline, name="person_timeline"),
    path("people/<int:pk>/timeline/new/", record_activity, name="record_activity"),
    path("track/tiers/", tier_dashboard, name="tiers"),
]
