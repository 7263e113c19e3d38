"""The indicators a risk model can use, and how each pupil's value is read from the data as it stood at a point.

Every indicator reads its rows for a whole cohort in one query and returns one number per pupil (NaN when the
pupil has no data), so a run over 250,000 pupils is a handful of queries and numpy arithmetic. A value becomes
points by its rule: the number of thresholds it crosses ("below" for attendance, "at least" for counts), times
the indicator's weight.
"""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yep.imports.bulk import insert_rows
from yep.people.models import Characteristic, CharacteristicKind, Enrolment, EnrolmentEndReason

from .models import TERM_ORDER, Attainment, Attendance, BehaviourIncident, Exclusion, LocalIndicatorValue, Term

BELOW, AT_LEAST = "below", "at_least"
ATTENDANCE, BEHAVIOUR, ATTAINMENT, LOCAL = "attendance", "behaviour", "attainment", "local"
CORE_GROUPS = (ATTENDANCE, BEHAVIOUR, ATTAINMENT)
GROUP_LABELS = {ATTENDANCE: _("Attendance"), BEHAVIOUR: _("Behaviour and exclusions"),
                ATTAINMENT: _("Attainment"), LOCAL: _("Local indicators")}
SCHOOL_MOVE_YEARS = 3


@dataclass(frozen=True)
class Snapshot:
    """The point the data is read at: the end of ``term`` in ``academic_year``, enrolments on ``as_of``."""

    la_id: int
    academic_year: int
    term: str
    as_of: datetime.date

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.academic_year, 9, 1)


Reader = Callable[["Cohort", Snapshot, str], np.ndarray]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    group: str
    direction: str
    unit: str | Promise
    default_thresholds: tuple[float, ...]
    read: Reader
    argument: str = ""  # e.g. the characteristic kind, or a local indicator's key

    def describe_rule(self, thresholds: list[float]) -> str:
        word = _("below") if self.direction == BELOW else _("at least")
        return ", ".join(f"{word} {t:g}" for t in thresholds)


@dataclass
class Cohort:
    """The pupils of a run, sorted by person id, and the subquery that selects them in SQL."""

    person_ids: np.ndarray
    selection: QuerySet[Any] | RawSQL  # a values("person_id") queryset, or the select of a cohort table

    def index(self, ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.person_ids, ids)

    def keep(self, rows: np.ndarray) -> np.ndarray:
        """The rows (person id first) of pupils in the cohort: ``selection`` may be a superset, a plain join
        that every database plans well."""
        return rows[np.isin(rows[:, 0], self.person_ids)] if len(rows) else rows

    def empty(self) -> np.ndarray:
        return np.full(len(self.person_ids), np.nan)


COHORT_TABLE = "yep_identify_cohort"
COHORT_SELECT = "SELECT person_id FROM yep_identify_cohort"


@contextmanager
def cohort_table(cohort: Cohort) -> Iterator[Cohort]:
    """The same cohort, selected from a temporary table of its ids: written once, it spares every indicator's
    query from building the cohort's subquery again (half a second each for an LA of 250,000 pupils)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COHORT_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {COHORT_TABLE} (person_id bigint PRIMARY KEY)")
    try:
        insert_rows(COHORT_TABLE, ("person_id",), ((p,) for p in cohort.person_ids.tolist()))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {COHORT_TABLE}")  # a temporary table has no statistics until analysed
        yield Cohort(cohort.person_ids, RawSQL(COHORT_SELECT, []))  # noqa: S611 (a constant)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {COHORT_TABLE}")


def _rows(queryset: QuerySet[Any], *fields: str) -> np.ndarray:
    data = list(queryset.order_by().values_list(*fields))  # no default ordering: it joins the person to sort
    return np.array(data, dtype=float).reshape(-1, len(fields))


def _cohort_rows(cohort: "Cohort", queryset: QuerySet[Any], *fields: str) -> np.ndarray:
    return cohort.keep(_rows(queryset.filter(person_id__in=cohort.selection), *fields))


def _attendance_rates(cohort: Cohort, snap: Snapshot, year: int, up_to_term: int) -> np.ndarray:
    terms = [t for t, order in TERM_ORDER.items() if order <= up_to_term]
    rows = _cohort_rows(cohort, Attendance.objects.filter(academic_year=year, term__in=terms),
                        "person_id", "sessions_possible", "sessions_attended")
    values = cohort.empty()
    if not len(rows):
        return values
    at = cohort.index(rows[:, 0])
    possible = np.bincount(at, rows[:, 1], len(values))
    attended = np.bincount(at, rows[:, 2], len(values))
    seen = possible > 0
    values[seen] = 100.0 * attended[seen] / possible[seen]
    return values


def _attendance_current(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """Attendance so far this academic year, in per cent."""
    return _attendance_rates(cohort, snap, snap.academic_year, TERM_ORDER[Term(snap.term)])


def _attendance_trend(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """This year's attendance so far minus last year's, in percentage points (negative is falling)."""
    change: np.ndarray = _attendance_current(cohort, snap, argument) - _attendance_rates(
        cohort, snap, snap.academic_year - 1, 2)
    return change


def _count(cohort: Cohort, queryset: QuerySet[Any], weight_field: str | None = None) -> np.ndarray:
    fields = ("person_id", weight_field) if weight_field else ("person_id",)
    rows = _cohort_rows(cohort, queryset, *fields)
    weights = rows[:, 1] if weight_field and len(rows) else None
    return np.bincount(cohort.index(rows[:, 0]), weights, len(cohort.person_ids)).astype(float)


def _exclusions_current(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """Exclusions (fixed-term and permanent) this academic year, to the snapshot."""
    return _count(cohort, Exclusion.objects.filter(date__gte=snap.year_start, date__lte=snap.as_of))


def _exclusions_past(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """Exclusions in earlier academic years."""
    return _count(cohort, Exclusion.objects.filter(date__lt=snap.year_start))


def _behaviour_current(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """Behaviour incidents this academic year, each counted by its severity (1 minor to 3 very serious)."""
    incidents = BehaviourIncident.objects.filter(date__gte=snap.year_start, date__lte=snap.as_of)
    rows = _cohort_rows(cohort, incidents, "person_id", "severity", "count")
    if not len(rows):
        return np.zeros(len(cohort.person_ids))
    return np.bincount(cohort.index(rows[:, 0]), rows[:, 1] * rows[:, 2], len(cohort.person_ids))


def _under_attainment(cohort: Cohort, snap: Snapshot, key_stage: str) -> np.ndarray:
    """Subjects below the expected level at the key stage; NaN for pupils not yet assessed."""
    rows = _cohort_rows(cohort, Attainment.objects.filter(key_stage=key_stage), "person_id", "result", "expected")
    values = cohort.empty()
    if not len(rows):
        return values
    at = cohort.index(rows[:, 0])
    assessed = np.bincount(at, None, len(values)) > 0
    under = np.bincount(at, (rows[:, 1] < rows[:, 2]).astype(float), len(values))
    values[assessed] = under[assessed]
    return values


def _current(queryset: QuerySet[Any], day: datetime.date) -> QuerySet[Any]:
    return queryset.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


def flag(cohort: Cohort, person_ids: Any) -> np.ndarray:
    """1 for each pupil of the cohort among ``person_ids`` (any iterable of ids), else 0."""
    ids = np.unique(np.fromiter(person_ids, dtype=np.int64))
    values = np.zeros(len(cohort.person_ids))
    if len(ids):
        at = cohort.index(ids)
        inside = at < len(cohort.person_ids)
        at = at[inside][cohort.person_ids[at[inside]] == ids[inside]]
        values[at] = 1.0
    return values


def characteristic(cohort: Cohort, snap: Snapshot, kind: str) -> np.ndarray:
    """1 when the characteristic applies on the snapshot day."""
    rows = _current(Characteristic.objects.filter(kind=kind, person_id__in=cohort.selection), snap.as_of)
    return flag(cohort, rows.order_by().values_list("person_id", flat=True))


def _local(cohort: Cohort, snap: Snapshot, key: str) -> np.ndarray:
    """1 when the LA's local indicator applies on the snapshot day."""
    rows = _current(LocalIndicatorValue.objects.filter(indicator__la_id=snap.la_id, indicator__key=key,
                                                       person_id__in=cohort.selection), snap.as_of)
    return flag(cohort, rows.order_by().values_list("person_id", flat=True))


def _school_moves(cohort: Cohort, snap: Snapshot, argument: str) -> np.ndarray:
    """Moves of school (not the usual transfer) in the last three years."""
    since = snap.as_of.replace(year=snap.as_of.year - SCHOOL_MOVE_YEARS)
    moves = Enrolment.objects.filter(end_reason__in=[EnrolmentEndReason.MOVED_SCHOOL, EnrolmentEndReason.EXCLUDED,
                                                     EnrolmentEndReason.MOVED_LA],
                                     end__gte=since, end__lte=snap.as_of)
    return _count(cohort, moves)


CHARACTERISTIC_INDICATORS = (
    CharacteristicKind.FSM, CharacteristicKind.LOOKED_AFTER, CharacteristicKind.CARE_EXPERIENCED,
    CharacteristicKind.ALN, CharacteristicKind.YOUNG_CARER, CharacteristicKind.YOUNG_PARENT,
    CharacteristicKind.PREGNANCY, CharacteristicKind.YOUTH_JUSTICE, CharacteristicKind.EOTAS,
    CharacteristicKind.REFUGEE_ASYLUM, CharacteristicKind.FAMILIES_FIRST, CharacteristicKind.SOCIAL_WORKER,
)

INDICATORS: dict[str, Indicator] = {i.key: i for i in (
    Indicator("attendance_current", _("Attendance this year"), ATTENDANCE, BELOW, _("per cent"), (90, 80),
              _attendance_current),
    Indicator("attendance_trend", _("Attendance trend on last year"), ATTENDANCE, BELOW, _("percentage points"),
              (-3,), _attendance_trend),
    Indicator("exclusions_current", _("Exclusions this year"), BEHAVIOUR, AT_LEAST, _("exclusions"), (1,),
              _exclusions_current),
    Indicator("exclusions_past", _("Exclusions in earlier years"), BEHAVIOUR, AT_LEAST, _("exclusions"), (1,),
              _exclusions_past),
    Indicator("behaviour_current", _("Behaviour incidents this year"), BEHAVIOUR, AT_LEAST,
              _("incidents, weighted by severity"), (6,), _behaviour_current),
    Indicator("ks2_under", _("Key stage 2 under-attainment"), ATTAINMENT, AT_LEAST, _("subjects below expected"),
              (1,), lambda c, s, a: _under_attainment(c, s, "KS2")),
    Indicator("ks3_under", _("Key stage 3 under-attainment"), ATTAINMENT, AT_LEAST, _("subjects below expected"),
              (1,), lambda c, s, a: _under_attainment(c, s, "KS3")),
    Indicator("school_moves", _("Moves of school in the last three years"), LOCAL, AT_LEAST, _("moves"), (1,),
              _school_moves),
    *(Indicator(f"characteristic:{kind.value}", kind.label, LOCAL, AT_LEAST, _("yes = 1"), (1,),
                characteristic, kind.value) for kind in CHARACTERISTIC_INDICATORS),
)}


def indicator(key: str) -> Indicator:
    """The indicator for ``key``; ``local:<key>`` names an LA's own indicator."""
    if key in INDICATORS:
        return INDICATORS[key]
    if key.startswith("local:"):
        name = key.removeprefix("local:")
        return Indicator(key, name, LOCAL, AT_LEAST, _("yes = 1"), (1,), _local, name)
    raise KeyError(key)


def levels(values: np.ndarray, direction: str, thresholds: list[float]) -> np.ndarray:
    """How many thresholds each value crosses (0 for missing data)."""
    crossed = np.zeros(len(values), dtype=np.int64)
    known = ~np.isnan(values)
    for threshold in thresholds:
        if direction == BELOW:
            crossed += known & (values < threshold)
        else:
            crossed += known & (values >= threshold)
    return crossed
