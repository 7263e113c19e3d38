"""Clerical review and cluster changes (issue 7 items 3-4): the queue of uncertain links, one candidate side by side
with the weight each comparison added, accept or reject; merges of two records of one young person, listed with
their reasons and undone by a split. Every young person named on a page is access-checked and audited."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, Decision, get_person_for, people_visible_to
from yep.people import search
from yep.people.models import Person

from . import hub, services_review
from .models import Candidate, CandidateStatus, ClusterChange, ClusterChangeKind

PAGE = 25
ORDERS = {"probable": ("-match_probability", "pk"), "oldest": ("pk",)}
PERSON_FIELDS = (categories.IDENTITY, categories.CONTACT)


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _ordered(found: Any, order: str) -> Any:
    """The queue in the order asked for: most probable first, or the longest waiting first."""
    if isinstance(found, QuerySet):
        return found.order_by(*ORDERS[order])
    if order == "oldest":
        return sorted(found, key=lambda c: c.pk)
    return sorted(found, key=lambda c: (-c.match_probability, c.pk))


# The review queue ---------------------------------------------------------------------------------------------------


@requires("link.review_links")
def review_queue(request: HttpRequest) -> HttpResponse:
    """Pending candidates whose young person the user may see, a page at a time; the people named are audited."""
    order = request.GET.get("order", "probable")
    order = order if order in ORDERS else "probable"
    page = Paginator(_ordered(hub.review_queue(request.user), order), PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="review_queue",
                 detail={"people": [c.person_id for c in page], "candidates": [c.pk for c in page]})
    return render(request, "link/review_queue.html", {
        "page": page, "order": order, "query": urlencode({"order": order}) + "&",
        "page_range": page.paginator.get_elided_page_range(page.number)})


# One candidate ------------------------------------------------------------------------------------------------------


def _candidate(request: HttpRequest, pk: int) -> Candidate:
    candidate = hub.candidate_for(request.user, pk)
    if candidate is None:
        raise Http404(_("There is no such candidate link, or you cannot see it."))
    return candidate


def explanation_rows(candidate: Candidate) -> tuple[list[dict[str, Any]], float, float]:
    """The comparisons with their weights, the weight they add up to, and the starting weight (the prior: how
    likely any two records are to match before anything is compared), so the rows and the total agree."""
    rows = [{"comparison": e.get("comparison", ""),
             "label": str(hub.COMPARISONS.get(e.get("comparison", ""), e.get("comparison", ""))),
             "level": str(hub.level_label(e.get("level", ""))), "weight": float(e.get("weight", 0))}
            for e in candidate.explanation or []]
    compared = sum(r["weight"] for r in rows)
    return rows, compared, candidate.match_weight - compared


def _decide(request: HttpRequest, candidate: Candidate) -> tuple[dict[str, list[str]], str]:
    """Apply the posted decision; the problems (empty when done) and the reason as typed."""
    choice = request.POST.get("decision", "")
    reason = request.POST.get("reason", "").strip()
    if choice not in ("accept", "reject"):
        return {"decision": [_("Say whether these are the same young person.")]}, reason
    try:
        services_review.decide_candidate(candidate, same_person=choice == "accept", reason=reason,
                                         actor=request.user, context=_context(request))
    except ValidationError as problem:
        return problem.message_dict, reason
    if choice == "accept":
        messages.success(request, _("Linked: the record is now part of %(name)s's record.")
                         % {"name": candidate.person.display_name})
    else:
        messages.success(request, _("Not linked: this pair will not be suggested again."))
    return {}, reason


@requires("link.review_links")
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The source record beside the young person it may be, the weight each comparison added, and accept or
    reject with an optional reason."""
    candidate = _candidate(request, pk)
    person, decision = get_person_for(request.user, candidate.person_id, CASEWORK, _context(request), PERSON_FIELDS)
    errors: dict[str, list[str]] = {}
    reason = ""
    if request.method == "POST" and candidate.status == CandidateStatus.PENDING:
        errors, reason = _decide(request, candidate)
        if not errors:
            return redirect("link:review")
    rows, compared, prior = explanation_rows(candidate)
    return render(request, "link/review_candidate.html", {
        "candidate": candidate, "record": candidate.record, "person": person, "decision": decision,
        "sides": hub.side_by_side(candidate), "explanation": rows, "compared": compared, "prior": prior,
        "errors": errors, "reason": reason, "chosen": request.POST.get("decision", ""),
        "pending": candidate.status == CandidateStatus.PENDING}, status=400 if errors else 200)


# Merges and splits --------------------------------------------------------------------------------------------------


def _merges_page(request: HttpRequest, errors: dict[str, list[str]] | None = None, failed: int | None = None,
                 reason: str = "") -> HttpResponse:
    page = Paginator(list(hub.cluster_changes_for(request.user)), PAGE).get_page(request.GET.get("page"))
    audit.record(request.user, "view", _context(request), object_type="cluster_changes",
                 detail={"people": sorted({p for c in page for p in (c.kept_id, c.merged_id)})})
    return render(request, "link/merge_list.html", {
        "page": page, "query": "", "page_range": page.paginator.get_elided_page_range(page.number),
        "errors": errors or {}, "failed": failed, "reason": reason,
        "undone": set(ClusterChange.objects.filter(undoes__in=[c.pk for c in page]).values_list("undoes_id",
                                                                                                flat=True))},
        status=400 if errors else 200)


@requires("link.merge_people")
def merge_list(request: HttpRequest) -> HttpResponse:
    """Every merge and split the user may see, newest first, each with its reason; a merge not yet undone has a
    button to split it again."""
    return _merges_page(request)


@requires("link.merge_people")
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: the rows it moved go back to the young person it merged away."""
    change = next((c for c in hub.cluster_changes_for(request.user) if c.pk == pk), None)
    if change is None or change.kind != ClusterChangeKind.MERGE or request.method != "POST":
        raise Http404(_("There is no such merge, or you cannot see it."))
    reason = request.POST.get("reason", "").strip()
    try:
        services_review.split_merge(change, reason=reason, actor=request.user, context=_context(request))
    except ValidationError as problem:
        # One field on the page: every problem is shown beside this merge's reason.
        errors = {f"reason-{change.pk}": problem.messages}
        return _merges_page(request, errors, change.pk, reason)
    messages.success(request, _("The merge is undone: %(kept)s and %(merged)s are two records again.")
                     % {"kept": change.kept.display_name, "merged": change.merged.display_name})
    return redirect("link:merges")


def _person_choice(request: HttpRequest, field: str, typed: str,
                   errors: dict[str, list[str]]) -> tuple[Person, Decision] | None:
    """The young person whose id was typed, when the user may change their record; a field error otherwise
    (the same words for "no such person" and "not yours")."""
    if not typed.isdigit():
        errors[field] = [_("Enter the record number of a young person.")]
        return None
    try:
        person, decision = get_person_for(request.user, int(typed), CASEWORK, _context(request), PERSON_FIELDS)
    except Http404:
        errors[field] = [_("There is no young person with this number whose record you can change.")]
        return None
    if not decision.can_change:
        errors[field] = [_("There is no young person with this number whose record you can change.")]
        return None
    return person, decision


def _search(request: HttpRequest, query: str) -> list[Person]:
    if not query:
        return []
    found = search.search(people_visible_to(request.user, CASEWORK), search.parse(query), limit=20)
    audit.record(request.user, "search", _context(request), object_type="search",
                 detail={"query": query, "people": [p.pk for p in found]})
    return found


def _merge_post(request: HttpRequest, form: dict[str, str]) -> HttpResponse | dict[str, Any]:
    """Check the two people (and, once confirmed, merge them): the page's context, or the redirect when done."""
    errors: dict[str, list[str]] = {}
    kept = _person_choice(request, "kept", form["kept"], errors)
    merged = _person_choice(request, "merged", form["merged"], errors)
    if kept and merged and kept[0].pk == merged[0].pk:
        errors["merged"] = [_("Choose two different young people.")]
    if not form["reason"]:
        errors["reason"] = [_("Say why these are the same young person.")]
    if errors or kept is None or merged is None:
        return {"errors": errors}
    if request.POST.get("action") != "merge":
        return {"confirm": True, "pair": [(_("Record to keep"), kept[0]), (_("Record to merge into it"), merged[0])]}
    try:
        services_review.merge_people(kept[0], merged[0], reason=form["reason"], actor=request.user,
                                     context=_context(request))
    except ValidationError as problem:
        return {"errors": problem.message_dict}
    messages.success(request, _("Merged: %(merged)s is now part of %(kept)s's record.")
                     % {"merged": merged[0].display_name, "kept": kept[0].display_name})
    return redirect("link:merges")


@requires("link.merge_people")
def merge(request: HttpRequest) -> HttpResponse:
    """Two record numbers (found with the search when needed) and the reason; then a page showing both people to
    confirm the merge."""
    source = request.POST if request.method == "POST" else request.GET
    form = {name: source.get(name, "").strip() for name in ("kept", "merged", "reason")}
    query = request.GET.get("q", "").strip()
    page: dict[str, Any] = {"form": form, "query": query, "results": _search(request, query), "errors": {}}
    if request.method == "POST":
        outcome = _merge_post(request, form)
        if isinstance(outcome, HttpResponse):
            return outcome
        page |= outcome
    template = "link/merge_confirm.html" if page.get("confirm") else "link/merge_form.html"
    return render(request, template, page, status=400 if page["errors"] else 200)


urlpatterns: list[URLPattern] = [
    path("review/", review_queue, name="review"),
    path("review/<int:pk>/", candidate_detail, name="candidate"),
    path("merges/", merge_list, name="merges"),
    path("merges/new/", merge, name="merge"),
    path("merges/<int:pk>/split/", split, name="split"),
]
