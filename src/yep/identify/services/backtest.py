"""Evidence for a model: score an earlier Year 11 cohort as the data stood before they left, and compare with what
became of them (NEET at any point in the months after leaving, from the activity timeline).

Reports what an LA needs to choose thresholds: AUC, precision and recall at the caseload it can support,
calibration by band, and the same broken down by FSM, sex, ALN and ethnicity (a bias check). An optional
logistic-regression challenger is trained on the cohort before and tested on this one (a temporal hold-out); it is
shown beside the weighted model and never replaces it."""

import datetime
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from yep.access import audit
from yep.people.models import ActivityGroup, Characteristic, Person
from yep.track.models import Activity

from ..indicators import Cohort, Snapshot, cohort_table
from ..models import Backtest, Band, RiskModel, Term
from ..scoring import rules_of, score
from .runs import cohort_on, read_values, term_end

SMALL = 5  # cells under 5 are suppressed, as everywhere in YEP
YEAR_11 = 11


def _outcomes(person_ids: np.ndarray, start: datetime.date, end: datetime.date) -> tuple[np.ndarray, np.ndarray]:
    """(known, neet): whether each person has any activity recorded in the window, and whether any was NEET."""
    window = Activity.objects.filter(person_id__in=person_ids.tolist(), start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=start))
    known = np.isin(person_ids, np.fromiter(window.values_list("person_id", flat=True), dtype=np.int64))
    neet_ids = window.filter(code__group__nccis=ActivityGroup.Nccis.NEET).values_list("person_id", flat=True)
    return known, np.isin(person_ids, np.fromiter(neet_ids, dtype=np.int64))


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (the chance a NEET young person outscores one who was not), ties counted half."""
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    _values, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0  # 1-based average rank of each tie group
    ranks[order] = np.repeat(average, counts)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def at_caseload(scores: np.ndarray, labels: np.ndarray, k: int) -> tuple[float | None, float | None]:
    """Precision and recall among the ``k`` highest scores; a tie at the boundary is shared pro rata."""
    if not len(scores) or not k:
        return None, None
    k = min(k, len(scores))
    cut = np.sort(scores)[::-1][k - 1]
    above = scores > cut
    tied = scores == cut
    share = (k - above.sum()) / tied.sum()
    caught = labels[above].sum() + share * labels[tied].sum()
    positives = labels.sum()
    return float(caught / k), (float(caught / positives) if positives else None)


def _cell(n: int) -> int | str:
    return n if n >= SMALL else "c"


def _summary(scores: np.ndarray, bands: np.ndarray, labels: np.ndarray, k: int) -> dict[str, Any]:
    identified = bands != Band.NONE
    precision_k, recall_k = at_caseload(scores, labels, k)
    flagged_neet = int((identified & labels).sum())
    return {
        "pupils": _cell(len(labels)), "neet": _cell(int(labels.sum())),
        "neet_rate": round(float(labels.mean()), 3) if len(labels) >= SMALL else None,
        "auc": None if len(labels) < SMALL else (round(a, 3) if (a := auc(scores, labels)) is not None else None),
        "identified": _cell(int(identified.sum())),
        "precision_identified": round(flagged_neet / identified.sum(), 3) if identified.sum() >= SMALL else None,
        "recall_identified": round(flagged_neet / labels.sum(), 3) if labels.sum() >= SMALL else None,
        "precision_at_caseload": None if precision_k is None or len(labels) < SMALL else round(precision_k, 3),
        "recall_at_caseload": None if recall_k is None or labels.sum() < SMALL else round(recall_k, 3),
    }


def _groups(person_ids: np.ndarray, day: datetime.date) -> dict[str, dict[str, np.ndarray]]:
    """Masks for the bias check: FSM, sex, ALN, ethnicity (White British or not)."""
    ids = person_ids.tolist()

    def flag(kind: str, value: str | None = None) -> np.ndarray:
        rows = Characteristic.objects.current(day).filter(person_id__in=ids, kind=kind)
        if value is not None:
            rows = rows.filter(value=value)
        return np.isin(person_ids, np.fromiter(rows.values_list("person_id", flat=True), dtype=np.int64))

    sex = dict(Person.objects.filter(pk__in=ids).values_list("pk", "sex"))
    female = np.array([sex.get(p) == "F" for p in ids], dtype=bool)
    fsm, aln, white_british = flag("fsm"), flag("aln"), flag("ethnicity", "WBRI")
    return {
        "fsm": {"yes": fsm, "no": ~fsm},
        "sex": {"female": female, "male": ~female},
        "aln": {"yes": aln, "no": ~aln},
        "ethnicity": {"white_british": white_british, "other": ~white_british},
    }


def _year11(model: RiskModel, cohort_year: int) -> tuple[Cohort, np.ndarray, datetime.date]:
    """The LA's Year 11 of ``cohort_year`` and their indicator values at the end of the spring term."""
    day = term_end(cohort_year, Term.SPRING)
    cohort, _schools, _groups_ = cohort_on(model.la_id, [YEAR_11], day)
    with cohort_table(cohort) as in_table:
        values = read_values(rules_of(model), in_table, Snapshot(model.la_id, cohort_year, Term.SPRING, day),
                             lambda stage, done, total: None)
    return cohort, values, day


def _features(values: np.ndarray) -> np.ndarray:
    """Indicator values with a missing-data flag per indicator (missing values set to 0)."""
    missing = np.isnan(values)
    return np.hstack([np.nan_to_num(values, nan=0.0), missing.astype(float)])


def _challenger(model: RiskModel, cohort_year: int, months: int, test_values: np.ndarray,
                test_labels: np.ndarray, k: int) -> dict[str, Any]:
    """Logistic regression trained on the previous Year 11 cohort's outcomes, tested on this one."""
    cohort, values, _day = _year11(model, cohort_year - 1)
    leave = datetime.date(cohort_year, 9, 1)
    known, neet = _outcomes(cohort.person_ids, leave, _add_months(leave, months))
    if known.sum() < 2 * SMALL or len(set(neet[known].tolist())) < 2:
        return {"available": False, "why": _("The cohort before has too few known outcomes to train on.")}
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(max_iter=1000).fit(_features(values[known]), neet[known])
    probability = fitted.predict_proba(_features(test_values))[:, 1]
    precision_k, recall_k = at_caseload(probability, test_labels, k)
    a = auc(probability, test_labels)
    return {"available": True, "trained_on": cohort_year - 1, "training_pupils": int(known.sum()),
            "auc": None if a is None else round(a, 3),
            "precision_at_caseload": None if precision_k is None else round(precision_k, 3),
            "recall_at_caseload": None if recall_k is None else round(recall_k, 3),
            "coefficients": [round(float(c), 3) for c in fitted.coef_[0][:values.shape[1]]]}


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def backtest(model: RiskModel, *, cohort_year: int, caseload: int, months: int = 12, challenger: bool = True,
             actor: Any, context: audit.AuditContext) -> Backtest:
    """Score Year 11 of ``cohort_year`` with ``model`` and measure it against NEET in the ``months`` after they
    left; stored, so the evidence page shows what was measured and when."""
    cohort, values, day = _year11(model, cohort_year)
    leave = datetime.date(cohort_year + 1, 9, 1)
    known, neet = _outcomes(cohort.person_ids, leave, _add_months(leave, months))
    scored = score(model.thresholds, rules_of(model), values)
    scores, bands, labels = scored.score[known].astype(float), scored.band[known], neet[known]
    calibration = []
    for band in Band.values:
        here = bands == band
        calibration.append({"band": band, "pupils": _cell(int(here.sum())),
                            "neet_rate": round(float(labels[here].mean()), 3) if here.sum() >= SMALL else None})
    subgroups = {name: {part: _summary(scores[mask[known]], bands[mask[known]], labels[mask[known]],
                                       max(1, round(caseload * mask[known].mean())))
                        for part, mask in parts.items()}
                 for name, parts in _groups(cohort.person_ids, day).items()}
    overall = _summary(scores, bands, labels, caseload)
    metrics = {"overall": overall, "calibration": calibration,
               "subgroups": subgroups, "months": months, "unknown_outcomes": _cell(int((~known).sum())),
               "challenger": _challenger(model, cohort_year, months, values[known], labels, caseload)
               if challenger else {"available": False, "why": _("Not requested.")}}
    report = Backtest.objects.create(model=model, cohort_year=cohort_year, caseload=caseload, metrics=metrics,
                                     created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor, "create", context, object_type="risk_backtest", object_id=report.pk,
                 detail={"model": model.pk, "cohort_year": cohort_year, "auc": overall["auc"]})
    return report
