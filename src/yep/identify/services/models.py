"""Writing risk models: a new version for every change, checked against the framework's rules."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yep.access import audit
from yep.people.models import Organisation

from ..indicators import BELOW, CORE_GROUPS, GROUP_LABELS, indicator
from ..models import LocalIndicator, RiskModel, RiskModelIndicator, Term

YEAR_GROUPS = range(2, 14)  # Year 2 to Year 13 (R14)
DEFAULT_YEAR_GROUPS = [7, 8, 9, 10, 11]
MAX_WEIGHT = 20


@dataclass(frozen=True)
class IndicatorSetting:
    key: str
    weight: int
    thresholds: list[float]


# Blaenau Gwent's weighted risk-factor tool, as the framework describes it (AT-1): core indicators weighted by
# local knowledge, a young carer flag, threshold 6, and bands at 6, 9 and 12.
WALES_DEFAULT = (
    IndicatorSetting("attendance_current", 3, [90, 80]),
    IndicatorSetting("attendance_trend", 2, [-3]),
    IndicatorSetting("exclusions_current", 3, [1]),
    IndicatorSetting("exclusions_past", 1, [1]),
    IndicatorSetting("ks2_under", 1, [1]),
    IndicatorSetting("ks3_under", 2, [1]),
    IndicatorSetting("characteristic:young_carer", 2, [1]),
)
# A RONI in the manner of Oxfordshire's: 1 point for a likely factor, 2 for a very likely one.
ENGLAND_DEFAULT = (
    IndicatorSetting("attendance_current", 1, [90, 80]),
    IndicatorSetting("exclusions_current", 2, [1]),
    IndicatorSetting("exclusions_past", 1, [1]),
    IndicatorSetting("behaviour_current", 1, [6]),
    IndicatorSetting("ks2_under", 1, [2]),
    IndicatorSetting("characteristic:aln", 1, [1]),
    IndicatorSetting("characteristic:looked_after", 2, [1]),
    IndicatorSetting("characteristic:young_carer", 1, [1]),
    IndicatorSetting("characteristic:young_parent", 2, [1]),
    IndicatorSetting("characteristic:youth_justice", 2, [1]),
)


def check_model(la: Organisation, thresholds: tuple[int, int, int], year_groups: list[int],
                indicators: list[IndicatorSetting], run_terms: list[str]) -> None:
    """Raise ValidationError, with every problem by field, when a model breaks a rule."""
    errors: dict[str, list[str]] = {}
    low, medium, high = thresholds
    if not 1 <= low < medium < high:
        errors["thresholds"] = [_("The band thresholds must rise: low, then medium, then high, each at least 1.")]
    if not year_groups or any(y not in YEAR_GROUPS for y in year_groups):
        errors["year_groups"] = [_("Choose year groups between Year 2 and Year 13.")]
    if any(t not in Term.values for t in run_terms):
        errors["run_terms"] = [_("A scheduled run is made in the autumn, spring or summer term.")]
    problems = _indicator_problems(la, indicators)
    if problems:
        errors["indicators"] = problems
    if errors:
        raise ValidationError(errors)


def _indicator_problems(la: Organisation, indicators: list[IndicatorSetting]) -> list[str]:
    local_keys = set(LocalIndicator.objects.filter(la=la).values_list("key", flat=True))
    problems, groups, seen = [], set(), set()
    for setting in indicators:
        try:
            spec = indicator(setting.key)
        except KeyError:
            problems.append(_("“%(key)s” is not an indicator.") % {"key": setting.key})
            continue
        if spec.argument and setting.key.startswith("local:") and spec.argument not in local_keys:
            problems.append(_("“%(key)s” is not one of your local indicators.") % {"key": spec.argument})
        if setting.key in seen:
            problems.append(_("%(indicator)s is in the model twice.") % {"indicator": spec.label})
        seen.add(setting.key)
        if not 1 <= setting.weight <= MAX_WEIGHT:
            problems.append(_("%(indicator)s: a weight is a whole number from 1 to %(max)s.")
                            % {"indicator": spec.label, "max": MAX_WEIGHT})
        steps = setting.thresholds
        rising = all(a > b for a, b in zip(steps, steps[1:], strict=False)) if spec.direction == BELOW else all(
            a < b for a, b in zip(steps, steps[1:], strict=False))
        if not steps or not rising:
            problems.append(_("%(indicator)s: give one or more thresholds, each more serious than the last.")
                            % {"indicator": spec.label})
        groups.add(spec.group)
    missing = [str(GROUP_LABELS[g]) for g in CORE_GROUPS if g not in groups]
    if missing:
        problems.append(_("Attendance, behaviour and attainment are compulsory; add: %(groups)s.")
                        % {"groups": ", ".join(missing)})
    return problems


@transaction.atomic
def create_model_version(la: Organisation, *, name: str, thresholds: tuple[int, int, int],
                         indicators: list[IndicatorSetting], labels: dict[str, dict[str, str]] | None = None,
                         year_groups: list[int] | None = None, run_terms: list[str] | None = None, note: str = "",
                         actor: Any, context: audit.AuditContext) -> RiskModel:
    """Save a new version of the LA's model (version 1 if it has none). Earlier versions and their runs are never
    changed. Raises ValidationError, saving nothing, when the model breaks a rule."""
    year_groups = sorted(set(year_groups or DEFAULT_YEAR_GROUPS))
    run_terms = [t for t in Term.values if t in set(run_terms or [])]
    check_model(la, thresholds, year_groups, indicators, run_terms)
    # Lock the LA's row so two editors saving at once get consecutive versions, not a clash.
    Organisation.objects.select_for_update().filter(pk=la.pk).exists()
    version = (RiskModel.objects.filter(la=la).aggregate(v=Max("version"))["v"] or 0) + 1
    model = RiskModel.objects.create(
        la=la, version=version, name=name.strip() or _("Early identification"), note=note.strip(),
        threshold_low=thresholds[0], threshold_medium=thresholds[1], threshold_high=thresholds[2],
        labels={band: {k: v.strip() for k, v in words.items() if v.strip()} for band, words in (labels or {}).items()},
        year_groups=year_groups, run_terms=run_terms, created_by=actor if getattr(actor, "pk", None) else None)
    RiskModelIndicator.objects.bulk_create([
        RiskModelIndicator(model=model, key=s.key, weight=s.weight, thresholds=[float(t) for t in s.thresholds],
                           order=n) for n, s in enumerate(indicators)])
    audit.record(actor, "create", context, object_type="risk_model", object_id=model.pk,
                 detail={"la": la.pk, "version": version, "indicators": [s.key for s in indicators]})
    return model


def default_settings(la: Organisation) -> tuple[IndicatorSetting, ...]:
    return ENGLAND_DEFAULT if la.country == "england" else WALES_DEFAULT


def ensure_default_model(la: Organisation, *, actor: Any, context: audit.AuditContext) -> RiskModel:
    """The LA's latest model, creating the default (version 1) when it has none."""
    latest = RiskModel.objects.filter(la=la).order_by("-version").first()
    if latest:
        return latest
    england = la.country == "england"
    return create_model_version(
        la, name=_("Risk of NEET indicator (RONI)") if england else _("Early identification"),
        thresholds=(2, 4, 6) if england else (6, 9, 12), indicators=list(default_settings(la)),
        labels={"low": {"en": "Green", "cy": "Gwyrdd"}, "medium": {"en": "Amber", "cy": "Ambr"},
                "high": {"en": "Red", "cy": "Coch"}},
        year_groups=[8, 9, 10, 11] if england else DEFAULT_YEAR_GROUPS,
        run_terms=["autumn", "summer"] if england else ["autumn", "spring", "summer"],
        note=_("The default model."), actor=actor, context=context)
