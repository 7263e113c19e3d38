"""Reading early identification: which runs and results a user may see, explanations, and run-to-run change.

Deny by default: the EPC sees their LA's runs; school staff see released runs, and only the results of pupils
on roll at their own school that the access policy lets them see with risk data. Nobody else sees a list."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
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


def person_results_visible_to(user: Any, person_id: int) -> QuerySet[Result]:
    """The risk results of one young person that ``user`` may see, newest run first; empty when none.

    The rules of ``results_visible_to``, over every run: the EPC of the run's LA sees its results, drafts
    included; school staff see released runs only, and only results whose school is their own, so a pupil's
    earlier school's results never reach the school they moved to. Withdrawn runs are left out for everyone.
    The web's risk tab and the API both read a person's risk through this."""
    las, schools = _roles(user)
    if not las and not schools:
        return Result.objects.none()
    as_epc = Q(run__la_id__in=las)
    as_school = Q(run__status=RunStatus.PUBLISHED) & Q(school_id__in=schools)
    visible = people_visible_to(user, category=categories.RISK)
    return (Result.objects.filter(as_epc | as_school, person_id=person_id, person__in=visible)
            .exclude(run__status=RunStatus.WITHDRAWN)
            .select_related("run__model", "run__la", "person", "school").order_by("-run__as_of", "-run_id"))


def is_epc_for(user: Any, run: Run) -> bool:
    return run.la_id in _roles(user)[0]


def indicator_labels(model: RiskModel) -> dict[str, str]:
    """The label of each of the model's indicators, by key, in the model's order and the active language.

    A built-in indicator's label comes from the registry (``indicators.indicator(key).label``); an LA's own
    ``local:<key>`` indicator's from its ``LocalIndicator``: ``label_cy`` when the language is Welsh and the LA
    gave one, else ``label``. The local labels take one query (none when the model has no local indicator); the
    model's indicators another, unless already prefetched. An indicator since retired shows its key."""
    keys = [setting.key for setting in model.indicators.all()]
    local = [key.removeprefix("local:") for key in keys if key.startswith("local:")]
    welsh = (get_language() or "").startswith("cy")
    own: dict[str, str] = {}
    if local:
        rows = LocalIndicator.objects.filter(la_id=model.la_id, key__in=local).values_list("key", "label", "label_cy")
        own = {f"local:{key}": (label_cy if welsh else "") or label for key, label, label_cy in rows}
    return {key: own.get(key) or _registry_label(key) for key in keys}


def _registry_label(key: str) -> str:
    try:
        return str(indicator(key).label)
    except KeyError:  # retired from the registry: still shown, by its key
        return key


# How a value reads with its unit, in the singular and plural (the registry's units are plural only: "1
# exclusions", "1 percentage points"). Each takes its plural form from ``count``, the whole number's size, so
# "-1 percentage point" is singular too; a value with a fraction keeps the registry's (plural) unit, as does
# attendance ("per cent" has no plural).
COUNTED: dict[str, Promise] = {
    "attendance_trend": ngettext_lazy("%(n)s percentage point", "%(n)s percentage points", "count"),
    "exclusions_current": ngettext_lazy("%(n)s exclusion", "%(n)s exclusions", "count"),
    "exclusions_past": ngettext_lazy("%(n)s exclusion", "%(n)s exclusions", "count"),
    "behaviour_current": ngettext_lazy("%(n)s incident, weighted by severity",
                                       "%(n)s incidents, weighted by severity", "count"),
    "ks2_under": ngettext_lazy("%(n)s subject below expected", "%(n)s subjects below expected", "count"),
    "ks3_under": ngettext_lazy("%(n)s subject below expected", "%(n)s subjects below expected", "count"),
    "school_moves": ngettext_lazy("%(n)s move", "%(n)s moves", "count"),
}
FLAGS = ("characteristic:", "local:")  # indicators whose value is 1 (applies) or 0 (unit "yes = 1")


@dataclass(frozen=True)
class Factor:
    """One indicator's part in a result: its value as read (None: no data), the rule and the points."""

    key: str
    label: str
    amount: float | None
    rule: str
    weight: int
    points: int

    @property
    def is_flag(self) -> bool:
        return self.key.startswith(FLAGS)

    @property
    def value(self) -> str:
        """The value as a person reads it, in the active language: "Yes" or "No" for a flag, a count with its
        proper plural ("1 exclusion"), a measure with its unit ("85.5 per cent"), or "No data"."""
        if self.amount is None:
            return _("No data")
        if self.is_flag:
            return _("Yes") if self.amount else _("No")
        if self.key in COUNTED and float(self.amount).is_integer():
            return str(COUNTED[self.key] % {"n": int(self.amount), "count": abs(int(self.amount))})
        try:
            unit = str(indicator(self.key).unit)
        except KeyError:  # retired from the registry
            unit = ""
        return f"{self.amount:g} {unit}".strip()


def explain(result: Result, labels: dict[str, str] | None = None) -> list[Factor]:
    """Each indicator's value, rule and points for one result: why a pupil is in their band.

    Pass ``labels`` (``indicator_labels(model)``) when explaining many results of one model, so the labels are
    read once, not once a result."""
    model = result.run.model
    prefetch_related_objects([model], "indicators")
    names = indicator_labels(model) if labels is None else labels
    factors = []
    for setting, value, points in zip(model.indicators.all(), result.inputs, result.points, strict=True):
        spec = indicator(setting.key)
        rule = _("%(rule)s, × %(weight)s") % {"rule": spec.describe_rule(setting.thresholds), "weight": setting.weight}
        factors.append(Factor(setting.key, names[setting.key], value, rule, setting.weight, points))
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

