"""Early identification's pages: runs and their band counts, a school's list and the review form, a pupil's
explanation, the model and its versions, the evidence (back-tests), exports, and the risk tab of a record."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK
from yep.people.models import Person, Role
from yep.people.views import person_context
from yep.web.charts import line, stacked_bars

from . import exports, queries, services, simulate
from .indicators import INDICATORS, indicator
from .models import Band, LocalIndicator, Result, RiskModel, Run, RunStatus, SupportNeed, Term
from .services.backtest import backtest
from .services.models import YEAR_GROUPS, IndicatorSetting
from .services.runs import term_of, warning_messages

PAGE = 100


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _epc_la(user: Any) -> Any:
    membership = user.active_memberships().filter(role=Role.EPC).select_related("organisation").first()
    if membership is None:
        raise PermissionDenied
    return membership.organisation


def _run_for(user: Any, pk: int) -> Run:
    run = queries.runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404(_("There is no such run, or you cannot see it."))
    return run


def _bands(model: RiskModel) -> list[dict[str, str]]:
    return [{"code": b, "label": model.band_label(b)} for b in reversed(Band.values)]


@requires("identify.view_results")
def home(request: HttpRequest) -> HttpResponse:
    runs = queries.runs_visible_to(request.user).order_by("-as_of", "-pk")
    models = queries.models_visible_to(request.user).order_by("-version")
    return render(request, "identify/home.html", {"runs": runs, "latest_model": models.first()})


@requires("identify.view_results")
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_page(request, _run_for(request.user, pk))


def _run_page(request: HttpRequest, run: Run, errors: dict[str, list[str]] | None = None,
              reason: str = "") -> HttpResponse:
    """The run page; with ``errors`` and the ``reason`` typed when a withdrawal was refused."""
    epc = queries.is_epc_for(request.user, run)
    results = queries.results_visible_to(request.user, run)
    schools = queries.school_counts(results)
    previous = queries.previous_run(run)
    summary = queries.change_summary(queries.compare(results, previous)) if previous else None
    counts = run.counts if epc else {b: sum(s[b] for s in schools) for b in Band.values}
    bands = _bands(run.model)
    chart = stacked_bars(_("Pupils in each band, by school"), [
        (s["school"], [(b, s[b]) for b in ("high", "medium", "low", "none")]) for s in schools],
        legend=[(b["code"], b["label"]) for b in bands])
    # The safeguard warnings are the EPC's to check before release; once released, the page says they were.
    warnings = warning_messages(run.warnings) if epc and run.status == RunStatus.DRAFT else []
    return render(request, "identify/run.html", {
        "run": run, "epc": epc, "schools": schools, "chart": chart, "previous": previous, "summary": summary,
        "bands": bands, "counts": counts, "warnings": warnings,
        "share": round(100 * run.identified_share), "reviewed": sum(s["reviewed"] for s in schools),
        "errors": errors or {}, "reason": reason,
    })


@requires("identify.run")
def new_run(request: HttpRequest) -> HttpResponse:
    la = _epc_la(request.user)
    model = services.ensure_default_model(la, actor=request.user, context=_context(request))
    year, term = term_of(timezone.localdate())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            academic_year = int(request.POST.get("academic_year", ""))
            groups = [int(g) for g in request.POST.getlist("year_groups")]
        except ValueError:
            errors["academic_year"] = [_("Give the year the academic year starts, e.g. 2026.")]
        else:
            try:
                run = services.create_run(model, academic_year=academic_year, term=request.POST.get("term", ""),
                                          year_groups=groups or None, actor=request.user, context=_context(request))
            except ValidationError as problem:
                errors = problem.message_dict
            else:
                return redirect("identify:run", pk=run.pk)
    return render(request, "identify/run_form.html", {
        "model": model, "academic_year": year, "term": term, "terms": Term.choices, "errors": errors,
        "year_groups": [(g, g in model.year_groups) for g in YEAR_GROUPS]})


@requires("identify.run")
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    if request.method != "POST" or not queries.is_epc_for(request.user, run):
        raise PermissionDenied
    try:
        services.publish_run(run, confirm_warnings=request.POST.get("confirm_warnings") == "yes",
                             actor=request.user, context=_context(request))
    except ValidationError as problem:
        for message in problem.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The run is released: each school can now see and review its own pupils."))
    return redirect("identify:run", pk=run.pk)


@requires("identify.run")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The EPC takes a run back from schools (or sets a draft aside), saying why; the run page again, with the
    problems, when the reason is blank or the run is already withdrawn."""
    run = _run_for(request.user, pk)
    if request.method != "POST" or not queries.is_epc_for(request.user, run):
        raise PermissionDenied
    reason = request.POST.get("reason", "")
    try:
        services.withdraw_run(run, reason=reason, actor=request.user, context=_context(request))
    except ValidationError as problem:
        errors = problem.message_dict if hasattr(problem, "error_dict") else {"withdraw": problem.messages}
        return _run_page(request, _run_for(request.user, pk), errors, reason)
    messages.success(request, _("The run is withdrawn: schools no longer see it. It is kept, with its results, "
                                "for the record."))
    return redirect("identify:run", pk=run.pk)


@requires("identify.run")
def reproduce(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    if request.method != "POST" or not queries.is_epc_for(request.user, run):
        raise PermissionDenied
    try:
        copy = services.reproduce_run(run, actor=request.user, context=_context(request))
    except ValidationError as problem:
        for message in problem.messages:
            messages.error(request, message)
        return redirect("identify:run", pk=run.pk)
    same = list(run.results.order_by("person_id").values_list("person_id", "score", "band")) == list(
        copy.results.order_by("person_id").values_list("person_id", "score", "band"))
    if same:
        messages.success(request, _("The snapshot was re-scored with the same model version: every result is "
                                    "identical."))
    else:
        messages.error(request, _("The re-scored snapshot does not agree with this run."))
    return redirect("identify:run", pk=copy.pk)


def _filtered(request: HttpRequest, run: Run) -> tuple[Any, dict[str, str]]:
    results = queries.results_visible_to(request.user, run)
    chosen = {k: request.GET.get(k, "") for k in ("school", "year_group", "band", "change", "q")}
    if chosen["school"].isdigit():
        results = results.filter(school_id=int(chosen["school"]))
    if chosen["year_group"].isdigit():
        results = results.filter(year_group=int(chosen["year_group"]))
    if chosen["band"] in Band.values:
        results = [r for r in results if r.current_band == chosen["band"]]  # type: ignore[assignment]
    if chosen["q"]:
        words = chosen["q"].lower()
        results = [r for r in results if words in f"{r.person.display_name} {r.person.upn}".lower()]  # type: ignore
    return results, chosen


@requires("identify.view_results")
def results(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    found, chosen = _filtered(request, run)
    previous = queries.previous_run(run)
    listed = list(found)
    changes = {}
    if previous and listed:
        ids = [r.pk for r in listed]
        changes = {c.person_id: c.direction for c in queries.compare(Result.objects.filter(pk__in=ids), previous)}
    if chosen["change"] in ("up", "down", "same", "new") and previous:
        listed = [r for r in listed if changes.get(r.person_id) == chosen["change"]]
    page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="risk_results", object_id=run.pk,
                 fields=["risk"], detail={"people": [r.person_id for r in page]})
    schools = sorted({(r.school_id, r.school.name) for r in listed}, key=lambda s: s[1])
    return render(request, "identify/results.html", {
        "run": run, "page": page, "chosen": chosen, "bands": _bands(run.model), "changes": changes,
        "previous": previous, "schools": schools, "year_groups": sorted(set(run.year_groups)),
        "query": urlencode({k: v for k, v in chosen.items() if v}), "epc": queries.is_epc_for(request.user, run)})


def _result_for(request: HttpRequest, pk: int) -> Result:
    result = Result.objects.select_related("run__model", "person", "school").filter(pk=pk).first()
    if result is None or not queries.results_visible_to(request.user, result.run).filter(pk=pk).exists():
        raise Http404(_("There is no such result, or you cannot see it."))
    return result


@requires("identify.view_results")
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = _result_for(request, pk)
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {"agreed_band": result.current_band, "support_needs": []}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("agreed_band", "reason", "young_person_view", "support_notes")}
        form["support_needs"] = request.POST.getlist("support_needs")
        try:
            services.review_result(result, agreed_band=form["agreed_band"], reason=form["reason"],
                                   young_person_view=form["young_person_view"], support_needs=form["support_needs"],
                                   support_notes=form["support_notes"], actor=request.user,
                                   context=_context(request))
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The review is saved. Both the computed and the agreed band are kept."))
            return redirect("identify:result", pk=result.pk)
    else:
        audit.record(request.user, "view", _context(request), person_id=result.person_id,
                     object_type="risk_result", object_id=result.pk, fields=["risk"])
    previous = queries.previous_run(result.run)
    before = previous.results.filter(person_id=result.person_id).first() if previous else None
    return render(request, "identify/result.html", {
        "result": result, "model": result.run.model, "factors": queries.explain(result),
        "reviews": result.reviews.select_related("reviewed_by"), "bands": _bands(result.run.model),
        "support": exports.support_text(result), "before": before, "errors": errors, "form": form,
        "may_review": services.reviews.may_review(request.user, result), "needs": SupportNeed.choices,
    })


@requires("identify.review")
def add_pupil(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for(request.user, pk)
    errors: dict[str, list[str]] = {}
    form = {k: request.POST.get(k, "") for k in ("upn", "agreed_band", "reason", "young_person_view",
                                                   "support_notes")}
    if request.method == "POST":
        person = Person.objects.filter(upn=form["upn"].strip().upper()).first()
        try:
            if person is None:
                raise ValidationError({"upn": [_("No pupil you can see has this UPN.")]})
            review = services.add_pupil(run, person.pk, agreed_band=form["agreed_band"], reason=form["reason"],
                                        young_person_view=form["young_person_view"],
                                        support_needs=request.POST.getlist("support_needs"),
                                        support_notes=form["support_notes"], actor=request.user,
                                        context=_context(request))
        except PermissionDenied:
            errors = {"upn": [_("No pupil you can see has this UPN.")]}
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The pupil is added to the run with the band you agreed."))
            return redirect("identify:result", pk=review.result_id)
    return render(request, "identify/add_pupil.html", {"run": run, "form": form, "errors": errors,
                                                       "bands": _bands(run.model), "needs": SupportNeed.choices})


@requires("identify.view_results")
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Exports are CSV or XLSX."))
    run = _run_for(request.user, pk)
    roni = request.GET.get("roni") == "1"
    results = queries.results_visible_to(request.user, run).order_by("-score", "person_id")
    table = exports.rows(results, roni=roni)
    audit.record(request.user, "export", _context(request), object_type="risk_run", object_id=run.pk,
                 fields=["risk"], detail={"rows": len(table) - 1, "format": fmt, "roni": roni,
                                          "people": [r.person_id for r in results]})
    name = f"{'roni' if roni else 'early-identification'}-{run.academic_year}-{run.term}-{run.pk}.{fmt}"
    kind = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(exports.render(table, fmt), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires("identify.view_results")
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(queries.models_visible_to(request.user), pk=pk)
    labels = queries.indicator_labels(model)
    rows = [{"label": labels[i.key], "weight": i.weight,
             "rule": indicator(i.key).describe_rule(i.thresholds), "group": indicator(i.key).group}
            for i in model.indicators.all()]
    versions = RiskModel.objects.filter(la=model.la).order_by("-version")
    return render(request, "identify/model.html", {"model": model, "rows": rows, "versions": versions,
                                                   "bands": _bands(model),
                                                   "backtests": model.backtests.all()[:5]})


def _available_indicators(la: Any) -> list[tuple[str, str]]:
    return [(key, str(spec.label)) for key, spec in INDICATORS.items()] + [
        (f"local:{li.key}", li.label) for li in LocalIndicator.objects.filter(la=la)]


def _settings_from(post: Any, available: list[tuple[str, str]]) -> tuple[list[IndicatorSetting], list[str]]:
    chosen, problems = [], []
    for key, label in available:
        if post.get(f"use:{key}") != "on":
            continue
        try:
            weight = int(post.get(f"weight:{key}", ""))
            thresholds = [float(t) for t in post.get(f"thresholds:{key}", "").replace(";", ",").split(",") if
                          t.strip()]
        except ValueError:
            problems.append(_("%(indicator)s: give a whole-number weight and thresholds as numbers separated by "
                              "commas.") % {"indicator": label})
            continue
        chosen.append(IndicatorSetting(key, weight, thresholds))
    return chosen, problems


@requires("identify.manage_models")
def edit_model(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version, starting from ``pk``: the earlier version stays as it was, with its runs. "Preview" scores
    today's pupils with what is on the form, beside the version it starts from, and saves nothing."""
    base = get_object_or_404(RiskModel.objects.filter(la=_epc_la(request.user)), pk=pk)
    available = _available_indicators(base.la)
    current = {i.key: i for i in base.indicators.all()}
    errors: dict[str, list[str]] = {}
    preview: list[dict[str, Any]] | None = None
    warnings: list[str] = []
    post = request.POST if request.method == "POST" else None
    if post is not None:
        settings, problems = _settings_from(post, available)
        try:
            thresholds = tuple(int(post.get(f"threshold_{b}", "")) for b in ("low", "medium", "high"))
        except ValueError:
            thresholds = (0, 0, 0)
        labels = {b: {lang: post.get(f"label_{b}_{lang}", "") for lang in ("en", "cy")}
                  for b in ("low", "medium", "high")}
        year_groups = [int(g) for g in post.getlist("year_groups") if g.isdigit()]
        try:
            if problems:
                raise ValidationError({"indicators": problems})
            if post.get("action") == "preview":
                proposed = simulate.preview(base.la, thresholds=thresholds, indicators=settings,  # type: ignore
                                            year_groups=year_groups, actor=request.user, context=_context(request))
                before = simulate.preview(
                    base.la, thresholds=base.thresholds, indicators=[IndicatorSetting(
                        i.key, i.weight, list(i.thresholds)) for i in current.values()], year_groups=year_groups,
                    actor=request.user, context=_context(request))
                preview = _preview_rows(base, proposed, before)
                warnings = warning_messages(proposed.warnings)
            else:
                model = services.create_model_version(
                    base.la, name=post.get("name", ""), note=post.get("note", ""),
                    thresholds=thresholds, indicators=settings, labels=labels,  # type: ignore[arg-type]
                    year_groups=year_groups, run_terms=post.getlist("run_terms"), actor=request.user,
                    context=_context(request))
                messages.success(request, _("Version %(v)s is saved. Earlier runs keep the version they used.")
                                 % {"v": model.version})
                return redirect("identify:model", pk=model.pk)
        except ValidationError as problem:
            errors = problem.message_dict
    return render(request, "identify/model_form.html", {
        "base": base, "errors": errors, "preview": preview, "preview_warnings": warnings,
        **_model_form_values(base, current, available, post)})


def _model_form_values(base: RiskModel, current: dict[str, Any], available: list[tuple[str, str]],
                       post: Any) -> dict[str, Any]:
    """What the form shows: the base version, or what the EPC typed (kept after an error or a preview)."""
    def weight(key: str) -> Any:
        return post.get(f"weight:{key}", "") if post is not None else current[key].weight if key in current else 1

    def thresholds(key: str) -> str:
        if post is not None:
            return str(post.get(f"thresholds:{key}", ""))
        return ", ".join(f"{t:g}" for t in (current[key].thresholds if key in current
                                            else indicator(key).default_thresholds))

    rows = [{"key": key, "label": label, "weight": weight(key), "thresholds": thresholds(key),
             "used": post.get(f"use:{key}") == "on" if post is not None else key in current,
             "rule": _("below") if indicator(key).direction == "below" else _("at least")}
            for key, label in available]
    groups = set(post.getlist("year_groups")) if post is not None else {str(g) for g in base.year_groups}
    terms = post.getlist("run_terms") if post is not None else base.run_terms
    return {
        "rows": rows, "terms": [(code, label, code in terms) for code, label in Term.choices],
        "year_groups": [(g, str(g) in groups) for g in YEAR_GROUPS],
        "name": post.get("name", "") if post is not None else base.name,
        "note": post.get("note", "") if post is not None else "",
        "thresholds": {b: post.get(f"threshold_{b}", "") if post is not None else getattr(base, f"threshold_{b}")
                       for b in ("low", "medium", "high")},
        "labels": [(b, Band(b).label, {lang: post.get(f"label_{b}_{lang}", "") for lang in ("en", "cy")}
                    if post is not None else base.labels.get(b, {})) for b in ("low", "medium", "high")]}


def _preview_rows(base: RiskModel, proposed: simulate.Preview, before: simulate.Preview) -> list[dict[str, Any]]:
    def share(count: int, total: int) -> int:
        return round(100 * count / total) if total else 0

    rows = [{"label": base.band_label(b), "count": proposed.counts[b], "share": share(proposed.counts[b],
             proposed.counts["cohort"]), "before": before.counts[b]} for b in reversed(Band.values)]
    rows.append({"label": _("Identified"), "count": proposed.identified,
                 "share": share(proposed.identified, proposed.counts["cohort"]), "before": before.identified,
                 "total": True})
    return rows


@requires("identify.backtest")
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(RiskModel.objects.filter(la=_epc_la(request.user)), pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            cohort_year, caseload, months = (int(request.POST.get(k, "")) for k in
                                             ("cohort_year", "caseload", "months"))
        except ValueError:
            errors["cohort_year"] = [_("Give the cohort's year, the caseload and the months as whole numbers.")]
        else:
            report = backtest(model, cohort_year=cohort_year, caseload=max(caseload, 1), months=max(months, 1),
                              challenger=request.POST.get("challenger") == "on", actor=request.user,
                              context=_context(request))
            return redirect(f"{request.path}?report={report.pk}")
    reports = model.backtests.all()
    wanted = request.GET.get("report", "")
    shown = reports.filter(pk=int(wanted)).first() if wanted.isdigit() else reports.first()
    return render(request, "identify/evidence.html", {
        "model": model, "reports": reports, "report": shown, "errors": errors,
        "default_year": term_of(timezone.localdate())[0] - 1, "bands": {b["code"]: b["label"] for b in _bands(model)},
    })


@requires("people.view_person")
def person_risk(request: HttpRequest, pk: int) -> HttpResponse:
    context = person_context(request, pk, "risk", (categories.IDENTITY, categories.RISK))
    history: list[Result] = []
    if context["can"][categories.RISK]:
        history = list(queries.person_results_visible_to(request.user, pk))
    for r in history:
        r.band_label = r.run.model.band_label(r.band)  # type: ignore[attr-defined]
        r.agreed_label = r.run.model.band_label(r.agreed_band) if r.agreed_band else ""  # type: ignore[attr-defined]
    latest = history[0] if history else None
    chart = line(_("Score at each run"), [(r.run.as_of.strftime("%m/%y"), r.score) for r in reversed(history)],
                 max([r.run.model.threshold_high for r in history] + [r.score for r in history] + [1]))
    return render(request, "identify/person_risk.html", {
        **context, "history": history, "latest": latest, "chart": chart,
        "factors": queries.explain(latest) if latest else [],
        "support": exports.support_text(latest) if latest else "",
    })
