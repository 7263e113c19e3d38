"""What-if: the band counts a proposed model would give on the data as it stands, before it is saved or run, so
an EPC can set thresholds that identify no more than half a cohort and keep the high band the smallest (R22).

A read: nothing is stored except the audit line for reading the cohort's data."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yep.access import audit
from yep.people.models import Organisation

from .indicators import Snapshot, cohort_table, indicator
from .models import Band
from .scoring import Rule, score
from .services.models import IndicatorSetting, check_model
from .services.runs import cohort_on, counts_of, read_values, term_of, warnings_for


@dataclass(frozen=True)
class Preview:
    day: datetime.date
    counts: dict[str, int]
    warnings: list[str]

    @property
    def identified(self) -> int:
        return self.counts["cohort"] - self.counts[Band.NONE]

    @property
    def identified_share(self) -> float:
        return self.identified / self.counts["cohort"] if self.counts["cohort"] else 0.0


def preview(la: Organisation, *, thresholds: tuple[int, int, int], indicators: list[IndicatorSetting],
            year_groups: list[int], actor: Any, context: audit.AuditContext,
            day: datetime.date | None = None) -> Preview:
    """Score the LA's pupils in ``year_groups`` as the data stands on ``day`` (today) with the proposed model.
    Raises ValidationError, reading nothing, when the model breaks a rule."""
    check_model(la, thresholds, year_groups, indicators, [])
    day = day or timezone.localdate()
    academic_year, term = term_of(day)
    rules = [Rule(s.key, indicator(s.key).direction, s.weight, list(s.thresholds)) for s in indicators]
    cohort, _schools, _groups = cohort_on(la.pk, sorted(set(year_groups)), day)
    with cohort_table(cohort) as in_table:
        values = read_values(rules, in_table, Snapshot(la.pk, academic_year, term, day),
                             lambda stage, done, total: None)
    counts = counts_of(score(thresholds, rules, values).band)
    audit.record(actor, "view", context, object_type="risk_preview", object_id=la.pk,
                 detail={"counts": counts, "indicators": [s.key for s in indicators], "thresholds": thresholds})
    return Preview(day, counts, warnings_for(counts))
