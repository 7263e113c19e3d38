"""Reading early identification: which runs and results a user may see, explanations, and run-to-run change.

Deny by default: the EPC sees their LA's runs; school staff see released runs, and only the results of pupils
on roll at their own school that the access policy lets them see with risk data. Nobody else sees a list."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yep.access import categories
from yep.access.policy import people_visible_to
from yep.people.models import Organisation, Role

from .indicators import indicator
from .models import BAND_RANK, LocalIndicator, Result, RiskModel, Run, RunStatus


def _roles(user: Any) -> tuple[set[int], set[int]]:
    """(LAs the user is EPC for, schools the user is staff at)."""
    if not getattr(user, "is_authenticated", False):
        return set(), set()
    las, schools = set(), set()
    for m in user.active_memberships():
        if m.role == Role.EPC:
            las.add(m.organisation_id)
        elif m.role == Role.SCHOOL_STAFF:
            schools.add(m.organisation_id)
    return las, schools


def models_visible_to(user: Any) -> QuerySet[RiskModel]:
    las, schools = _roles(user)
    school_las = set(Organisation.objects.filter(pk__in=schools).values_list("la_id", flat=True))
    return RiskModel.objects.filter(la_id__in=las | school_las).select_related("la")


def runs_visible_to(user: Any) -> QuerySet[Run]:
    las, schools = _roles(user)
    released = Run.objects.filter(status=RunStatus.PUBLISHED, results__school_id__in=schools).values("pk")
    return (Run.objects.filter(la_id__in=las) | Run.objects.filter(pk__in=released)).distinct().select_related(
        "model", "la")


def results_visible_to(user: Any, run: Run) -> QuerySet[Result]:
    """The results of ``run`` the user may see (empty when none)."""
    las, schools = _roles(user)
    visible = people_visible_to(user, category=categories.RISK)
    results = Result.objects.filter(run=run, person__in=visible).select_related("person", "school")
    if run.la_id in las:
        return results
    if run.status == RunStatus.PUBLISHED and schools:
        return results.filter(school_id__in=schools)
    return Result.objects.none()


def is_epc_for(user: Any, run: Run) -> bool:
    return run.la_id in _roles(user)[0]


@dataclass(frozen=True)
class Factor:
    label: str
    value: str
    rule: str
    weight: int
    points: int


def explain(result: Result) -> list[Factor]:
    """Each indicator's value, rule and points for one result: why a pupil is in their band."""
    locals_ = {f"local:{li.key}": li for li in LocalIndicator.objects.filter(la_id=result.run.la_id)}
    factors = []
    for setting, value, points in zip(result.run.model.indicators.all(), result.inputs, result.points,
                                      strict=True):
        spec = indicator(setting.key)
        label = str(locals_[setting.key]) if setting.key in locals_ else str(spec.label)
        shown = _("no data") if value is None else f"{value:g} {spec.unit}"
        rule = _("%(rule)s, × %(weight)s") % {"rule": spec.describe_rule(setting.thresholds), "weight": setting.weight}
        factors.append(Factor(label, shown, rule, setting.weight, points))
    return factors


UP, DOWN, SAME, NEW = "up", "down", "same", "new"


@dataclass
class Change:
    person_id: int
    before: str | None
    after: str
    score_before: int | None
    score_after: int
    supported: bool

    @property
    def direction(self) -> str:
        if self.before is None:
            return NEW
        change = BAND_RANK[self.after] - BAND_RANK[self.before]  # type: ignore[index]
        return UP if change > 0 else DOWN if change < 0 else SAME


def previous_run(run: Run) -> Run | None:
    """The LA's latest released run before this one (the one a comparison is made against)."""
    earlier = Q(as_of__lt=run.as_of) | Q(as_of=run.as_of, pk__lt=run.pk)
    return (Run.objects.filter(earlier, la_id=run.la_id, status=RunStatus.PUBLISHED, reproduces__isnull=True)
            .order_by("-as_of", "-pk").first())


def compare(results: QuerySet[Result], before: Run) -> list[Change]:
    """Per pupil: the computed band now and in ``before`` (up, down, same or new), and whether support was in
    place at the earlier run; so an LA can see whether risk falls where support is in place."""
    earlier = {p: (band, score, support) for p, band, score, support in
               Result.objects.filter(run=before, person_id__in=results.values("person_id"))
               .values_list("person_id", "band", "score", "support")}
    changes = []
    for person_id, band, score, support in results.values_list("person_id", "band", "score", "support"):
        then = earlier.get(person_id)
        changes.append(Change(person_id, then[0] if then else None, band, then[1] if then else None, score,
                              bool(then[2] if then else support)))
    return changes


def change_summary(changes: list[Change]) -> dict[str, dict[str, int]]:
    """Counts of up / down / same / new, for pupils with support in place and without."""
    summary: dict[str, Counter[str]] = defaultdict(Counter)
    for c in changes:
        summary["supported" if c.supported else "unsupported"][c.direction] += 1
        summary["all"][c.direction] += 1
    return {k: dict(v) for k, v in summary.items()}


def school_counts(results: QuerySet[Result]) -> list[dict[str, Any]]:
    """Band counts per school, computed and agreed, for the run page's chart and table."""
    table: dict[int, dict[str, Any]] = {}
    for school_id, name, band, agreed in results.values_list("school_id", "school__name", "band", "agreed_band"):
        row = table.setdefault(school_id, {"school_id": school_id, "school": name, "cohort": 0,
                                           "none": 0, "low": 0, "medium": 0, "high": 0, "reviewed": 0})
        row["cohort"] += 1
        row[agreed or band] += 1
        row["reviewed"] += bool(agreed)
    return sorted(table.values(), key=lambda r: r["school"])

