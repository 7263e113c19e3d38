"""Reads of the activity timeline and the tiers derived from it.

``person_timeline`` reads one young person's timeline and status; callers check access first (``person_context``
or ``get_person_for``). ``cohort_tiers`` counts the cohort of the areas a user tracks: the EPC's LA and the LAs a
careers service covers, deny by default (nobody else tracks any). Tiers are derived here, never stored.
"""

import datetime
import functools
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from yep.access.policy import las_served
from yep.broker.models import Allocation, EndReason
from yep.people.models import ActivityCode, Person, Role

from . import tiers
from .models import Activity, LaMove
from .risk import TierRisk, risk_levels
from .rules import RISK_LEVELS, RULES, WALES, CodeFacts, CodeTable, RuleSet


def code_table(rules: RuleSet = WALES) -> CodeTable:
    """The rules applied to the activity codes loaded in the reference data."""
    rows = ActivityCode.objects.values_list("code", "group__code", "is_job_without_training")
    return CodeTable.build(rules, [CodeFacts(code, group, jwt) for code, group, jwt in rows])


def rules_for(nation: str = "wales") -> RuleSet:
    return RULES[nation]


# One young person ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonTimeline:
    """A young person's activities (newest first), their status now and as at a date, and their history."""

    activities: list[Activity]
    now: tiers.Status
    as_at: tiers.Status
    history: list[tiers.Status]

    def activity_for(self, status: tiers.Status) -> Activity | None:
        """The activity that decided ``status``."""
        ref = status.activity.ref if status.activity else None
        return next((a for a in self.activities if a.pk == ref), None)


def _entry(activity: Activity) -> tiers.Entry:
    code = activity.code
    return tiers.Entry(code.code, code.group.code, activity.start, activity.end, activity.hours_per_week,
                       activity.source, code.is_job_without_training, activity.pk, activity.pk)


def person_timeline(person: Person, on: datetime.date | None = None, *, until: datetime.date | None = None,
                    months: int = 12, rules: RuleSet = WALES) -> PersonTimeline:
    """The timeline and derived status of ``person`` (already access-checked by the caller) as at ``on`` and
    ``until`` ("now": today, or the day a history-mode reader's relationship ended, when activities starting after
    it are left out), with the status at the ``months`` month-ends before ``until``."""
    today = until or timezone.localdate()
    rows = Activity.objects.filter(person=person)
    if until is not None:
        rows = rows.filter(start__lte=until)
    activities = list(rows.select_related("code__group", "organisation").order_by("-start", "-recorded_at", "-pk"))
    # Recording order: ids rise as activities are recorded, so the later recorded wins a tie on start.
    entries = [_entry(a) for a in activities]

    @functools.cache
    def tier_risk() -> TierRisk:
        return TierRisk.load(max(today, on or today), [person.pk])

    def status(day: datetime.date) -> tiers.Status:
        derived = tiers.derive(entries, person.dob, day, rules=rules)
        # A risk level only matters in EET (tier 4 or 5): read it once, and only then.
        if derived.tier not in (4, 5):
            return derived
        risk = tier_risk().levels_on(day).get(person.pk)
        return tiers.derive(entries, person.dob, day, risk=risk, rules=rules) if risk else derived

    now = status(today)
    as_at = now if on is None or on == today else status(on)
    history = [*(status(day) for day in tiers.month_ends(tiers.previous_month_end(today), months)), now]
    return PersonTimeline(activities, now, as_at, history)


# The cohort of an area -------------------------------------------------------------------------------------------


def tracked_las(user: Any) -> list[int]:
    """The local authorities whose 16-18 cohort ``user`` tracks: as EPC, their LA; as careers adviser, the LAs
    their careers service covers. Empty for anyone else."""
    return sorted(las_served(user, (Role.EPC, Role.CAREERS_ADVISER)))


@dataclass(frozen=True)
class CohortTiers:
    """The cohort's counts by tier and academic age on a date, and the movement since the previous month-end."""

    on: datetime.date
    since: datetime.date
    counts: np.ndarray  # 5 x 3: tiers 1-5 by ages 16, 17, 18
    movement: np.ndarray  # 6 x 6: tier at ``since`` -> tier on ``on`` (0: not in the 16-18 cohort)
    jwt: int  # young people with the jobs-without-training flag on ``on``
    # Moved in from another LA and not yet confirmed by the careers service (the intake queue): not unknown in
    # either LA (R5), so counted here instead of in tier 1.
    confirming: int = 0
    # Handed over to adult services at 18 (R44): out of the 16-18 counts, still in the 16-24 guarantee's.
    handed_over: int = 0

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def rows(self) -> list[dict[str, Any]]:
        """One row per tier: the tier, its count at each age, and its total."""
        return [{"tier": tier, "ages": [int(n) for n in self.counts[tier - 1]], "total": int(self.counts[tier - 1]
                .sum())} for tier in tiers.TIERS]

    def age_totals(self) -> list[int]:
        return [int(n) for n in self.counts.sum(axis=0)]


def _cohort_people(las: list[int], first: datetime.date, last: datetime.date) -> QuerySet[Person]:
    """Residents of ``las`` aged 16-18 on ``first`` or ``last`` (academic age: age on 31 August); a record merged
    into another is counted once, as the other."""
    young = datetime.date((last.year if last.month >= 9 else last.year - 1) - tiers.MIN_AGE, 8, 31)
    old = datetime.date((first.year if first.month >= 9 else first.year - 1) - tiers.MAX_AGE - 1, 9, 1)
    return Person.objects.filter(Q(la_of_residence_id__in=las), dob__gte=old, dob__lte=young, merged_into__isnull=True)


def timelines_of(people: QuerySet[Person]) -> tiers.Timelines:
    """The columnar timelines of ``people``, read in bulk (two queries)."""
    people_rows = list(people.values_list("pk", "dob"))
    ids, dobs = zip(*people_rows, strict=True) if people_rows else ((), ())
    rows = list(Activity.objects.filter(person__in=people.values("pk"))
                .values_list("person_id", "code__code", "start", "end", "hours_per_week").order_by("pk"))
    person, code, start, end, hours = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    return tiers.prepare(np.array(ids, dtype=np.int64), np.array(dobs, dtype="datetime64[D]"),
                         np.array(person, dtype=np.int64), np.array(code, dtype=np.int16),
                         tiers.days(list(start)), tiers.days(list(end)),
                         np.array([-1 if h is None else h for h in hours], dtype=np.int16))


def _with_risk(timelines: tiers.Timelines, on: datetime.date) -> tiers.Timelines:
    """The timelines with each young person's tier-4 risk level on ``on`` (1-3, 0 for none)."""
    # Every level on record (few: providers notify the young people they worry about), not an IN list of the
    # whole cohort, which could pass the database's limit on query parameters.
    levels = risk_levels(on) if len(timelines.ids) else {}
    risk = np.zeros(len(timelines.ids), np.int8)
    code = {level: n for n, level in enumerate(RISK_LEVELS, start=1)}
    for person_id, level in levels.items():
        at = np.searchsorted(timelines.ids, person_id)
        if at < len(timelines.ids) and timelines.ids[at] == person_id:
            risk[at] = code[level]
    return replace(timelines, risk=risk)


def cohort_tiers(user: Any, on: datetime.date, *, rules: RuleSet = WALES) -> CohortTiers:
    """The 16-18 cohort of the areas ``user`` tracks (``tracked_las``) by tier and age on ``on``, and how it moved
    since the previous month-end. An empty cohort for a user who tracks none."""
    since = tiers.previous_month_end(on)
    las = tracked_las(user)
    people = _cohort_people(las, since, on) if las else Person.objects.none()
    timelines = timelines_of(people)
    table = code_table(rules)
    before = tiers.derive_cohort(_with_risk(timelines, since), since, table)
    after = tiers.derive_cohort(_with_risk(timelines, on), on, table)
    intake = _intake(las, on) if len(timelines.ids) else []
    before, _n = _without_intake(before, timelines, intake)
    after, confirming = _without_intake(after, timelines, intake)
    handed = _handed_over(las, on) if len(timelines.ids) else []
    before, _n = _without_handed_over(before, timelines, handed)
    after, handed_over = _without_handed_over(after, timelines, handed)
    return CohortTiers(on, since, after.counts(), tiers.movement(before, after), int(after.jwt.sum()), confirming,
                       handed_over)


def _intake(las: list[int], on: datetime.date) -> list[tuple[int, datetime.date, datetime.date | None]]:
    """Moves into ``las`` reported by ``on``: (person, day reported, day accepted or None)."""
    moves = LaMove.objects.filter(to_la_id__in=las, reported_at__date__lte=on).values_list(
        "person_id", "reported_at", "accepted_at")
    return [(person_id, timezone.localdate(reported), timezone.localdate(accepted) if accepted else None)
            for person_id, reported, accepted in moves]


def _rows_of(timelines: tiers.Timelines, person_ids: list[int]) -> np.ndarray:
    """The rows of ``timelines`` holding ``person_ids`` (those not in it are left out)."""
    wanted = np.asarray(person_ids, dtype=np.int64)
    at: np.ndarray = np.searchsorted(timelines.ids, wanted)
    found: np.ndarray = at[(at < len(timelines.ids)) & (timelines.ids[np.minimum(at, len(timelines.ids) - 1)]
                                                         == wanted)]
    return found


def _without_intake(status: tiers.CohortStatus, timelines: tiers.Timelines,
                    intake: list[tuple[int, datetime.date, datetime.date | None]]) -> tuple[tiers.CohortStatus, int]:
    """``status`` with the young people in intake on its day taken out of tier 1, and how many they were."""
    waiting = [p for p, reported, accepted in intake if reported <= status.on and (accepted is None
                                                                                   or accepted > status.on)]
    if not waiting:
        return status, 0
    at = _rows_of(timelines, waiting)
    moved = at[status.tier[at] == 1]
    tier = status.tier.copy()
    tier[moved] = 0
    return replace(status, tier=tier), len(moved)


def _handed_over(las: list[int], on: datetime.date) -> list[tuple[int, datetime.date]]:
    """Young people of ``las`` whose lead worker handed them over to adult services at 18 by ``on`` (R44): the
    day each was handed over."""
    ended = Allocation.objects.filter(end_reason=EndReason.POST18_HANDOVER, end__lte=on,
                                      person__la_of_residence_id__in=las).values_list("person_id", "end")
    return [(person_id, end) for person_id, end in ended if end is not None]


def _without_handed_over(status: tiers.CohortStatus, timelines: tiers.Timelines,
                         handed: list[tuple[int, datetime.date]]) -> tuple[tiers.CohortStatus, int]:
    """``status`` without the young people handed over at 18 by its day (they leave the 16-18 reports and stay
    in the 16-24 guarantee's), and how many they were."""
    gone = [person_id for person_id, day in handed if day <= status.on]
    if not gone:
        return status, 0
    at = _rows_of(timelines, gone)
    at = at[status.tier[at] > 0]
    tier, jwt = status.tier.copy(), status.jwt.copy()
    tier[at], jwt[at] = 0, False
    return replace(status, tier=tier, jwt=jwt), len(at)


# The 16-24 guarantee ---------------------------------------------------------------------------------------------

GUARANTEE_AGES = (16, 24)


@dataclass(frozen=True)
class GuaranteeCohort:
    """The 16-24 year olds of the areas a user tracks on a date (the Young Person's Guarantee's reach, R68): in
    education, employment or training, NEET, or not known, by the same rules as the tiers. Young people handed
    over to adult services at 18 stay here after leaving the 16-18 tier reports."""

    on: datetime.date
    eet: int
    neet: int
    not_known: int
    by_age: list[dict[str, Any]]  # {"ages": "16-18" | "19-24", "eet", "neet", "not_known"}

    @property
    def total(self) -> int:
        return self.eet + self.neet + self.not_known


def guarantee_cohort(user: Any, on: datetime.date, *, rules: RuleSet = WALES) -> GuaranteeCohort:
    """Count the 16-24 year olds (academic age) resident in the LAs ``user`` tracks on ``on``; none for anyone
    who tracks none."""
    las = tracked_las(user)
    year = on.year if on.month >= 9 else on.year - 1
    young = datetime.date(year - GUARANTEE_AGES[0], 8, 31)
    old = datetime.date(year - GUARANTEE_AGES[1] - 1, 9, 1)
    people = (Person.objects.filter(la_of_residence_id__in=las, dob__gte=old, dob__lte=young, merged_into__isnull=True)
              if las else Person.objects.none())
    status = tiers.derive_cohort(_with_risk(timelines_of(people), on), on, code_table(rules), GUARANTEE_AGES)
    inside = status.tier > 0
    bands = [("16-18", (status.age <= tiers.MAX_AGE)), ("19-24", (status.age > tiers.MAX_AGE))]

    def split(mask: np.ndarray) -> dict[str, int]:
        tier = status.tier[inside & mask]
        return {"eet": int((tier >= 4).sum()), "neet": int(((tier == 2) | (tier == 3)).sum()),
                "not_known": int((tier == 1).sum())}

    every = split(np.ones(len(status.tier), bool))
    return GuaranteeCohort(on, every["eet"], every["neet"], every["not_known"],
                           [{"ages": label, **split(mask)} for label, mask in bands])
