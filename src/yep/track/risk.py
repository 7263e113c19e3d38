"""The tier-4 risk level of young people in education, employment or training (R46): what a provider has said
(a "seriously at risk" notification: high), and, where the LA has the rule, the risk agreed before 16 carried
into the first months of post-16 education or training (R25).

Both are read once for a set of people up to a day; the level on any earlier day then costs no query (a
timeline asks at each month-end). A provider's word wins over the carried band: it is newer and first-hand."""

import datetime
from dataclasses import dataclass

from django.db.models import Min

from yep.broker.services.schedule import add_months
from yep.identify.models import Result, RunStatus

from .models import Activity, PostSixteenRiskRule
from .notifications import ProviderRisk

BAND_ORDER = {"low": 1, "medium": 2, "high": 3}


@dataclass
class CarriedRisk:
    """Each young person's latest released pre-16 band at or above their identifying LA's threshold, with the
    day their post-16 education or training began and the day the carried risk ends."""

    bands: dict[int, tuple[str, datetime.date, datetime.date]]  # person -> (band, post-16 start, carried until)

    @classmethod
    def load(cls, until: datetime.date, person_ids: list[int] | None = None) -> "CarriedRisk":
        rules = {r.la_id: r for r in PostSixteenRiskRule.objects.filter(enabled=True)}
        if not rules:
            return cls({})
        results = Result.objects.filter(run__status=RunStatus.PUBLISHED, run__la_id__in=list(rules),
                                        run__as_of__lte=until)
        if person_ids is not None:
            results = results.filter(person_id__in=person_ids)
        latest: dict[int, tuple[int, str]] = {}  # person -> (identifying LA, band)
        for person_id, la_id, band, agreed in results.order_by("run__as_of", "run_id").values_list(
                "person_id", "run__la_id", "band", "agreed_band"):
            latest[person_id] = (la_id, agreed or band)  # type: ignore[assignment]  # a run always has an LA  # the agreed band, where the review changed it
        carried = {person_id: (la_id, band) for person_id, (la_id, band) in latest.items()
                   if BAND_ORDER.get(band, 0) >= BAND_ORDER[rules[la_id].min_band]}
        if not carried:
            return cls({})
        # Post-16 education or training: the first EET activity that is not a pre-16 (school) code.
        starts = (Activity.objects.filter(person_id__in=list(carried), code__is_eet=True, start__lte=until)
                  .exclude(code__group__code="pre16").values("person_id").annotate(first=Min("start")))
        bands = {}
        for row in starts:
            la_id, band = carried[row["person_id"]]
            bands[row["person_id"]] = (band, row["first"], add_months(row["first"], rules[la_id].months))
        return cls(bands)

    def levels_on(self, on: datetime.date) -> dict[int, str]:
        return {person_id: band for person_id, (band, start, until) in self.bands.items() if start <= on < until}


@dataclass
class TierRisk:
    """The provider's and the carried risk, read once."""

    provider: ProviderRisk
    carried: CarriedRisk

    @classmethod
    def load(cls, until: datetime.date, person_ids: list[int] | None = None) -> "TierRisk":
        return cls(ProviderRisk.load(until, person_ids), CarriedRisk.load(until, person_ids))

    def levels_on(self, on: datetime.date) -> dict[int, str]:
        return {**self.carried.levels_on(on), **self.provider.levels_on(on)}


def risk_levels(on: datetime.date, person_ids: list[int] | None = None) -> dict[int, str]:
    """The tier-4 risk level of each young person on ``on`` that has one."""
    return TierRisk.load(on, person_ids).levels_on(on)
