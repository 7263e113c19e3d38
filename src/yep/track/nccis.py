"""England's NCCIS return and DfE's headline measure (issue 6, item 9), derived from the activity timeline with
England's rule set.

``nccis_return`` gives one row per young person of academic age 16-17 living in the LA (and 18 with an education,
health and care plan), in the NCCIS management information structure as far as the public codes allow: the
activity code and its start, the date its currency lapses (when the rules count it "not known" unless
re-confirmed), the NEET / not-known group and the SEND flag. ``dec_feb_average`` gives the NEET and not-known
percentages of academic age 16-17 at the end of December, January and February, and their average.

What this does not do (yet): the XML format and the DfE error-report validation; the characteristic-type codes
(not public, anchors section 3.1); EHC plan holders aged 19 to 25, who leave the tier engine's ages (16-18) and
are left out; the September Guarantee datasets. Young adult offenders in custody (code 710) are left out of the
percentages' denominator, as DfE does. The currency periods are the rule set's placeholders until the MI
requirement's "Currency" appendix is transcribed (``rules.py``)."""

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import las_served
from yep.people.models import Characteristic, CharacteristicKind, Organisation, Person, Role

from . import tiers
from .queries import code_table, timelines_of
from .rules import ENGLAND, RuleSet
from .surveys import entries_of

AGES = (16, 17)
EHC_AGE = 18  # kept in the return with an EHC plan (the tier engine's oldest age)
CUSTODY_CODE = 710  # young adult offenders in custody: out of the denominator (DfE methodology)
EET, NEET, NOT_KNOWN, CUSTODY = "eet", "neet", "not_known", "custody"
# ALN/SEN plan levels that are statutory plans (an EHC plan in England; Wales's LA plan or an old statement).
PLAN_LEVELS = frozenset({"ehc", "ehcp", "la_idp", "statement"})
SEN_NONE, SEN_SUPPORT, SEN_PLAN = "N", "K", "E"
HEADER = ("la_code", "person_ref", "upn", "uln", "dob", "sex", "academic_age", "activity_code", "start_date",
          "currency_due", "group", "send")


def _academic_year(on: datetime.date) -> int:
    return on.year if on.month >= 9 else on.year - 1


def _born(on: datetime.date, youngest: int, oldest: int) -> tuple[datetime.date, datetime.date]:
    """The dates of birth of academic ages ``youngest``-``oldest`` on ``on`` (earliest, latest)."""
    year = _academic_year(on)
    return datetime.date(year - oldest - 1, 9, 1), datetime.date(year - youngest, 8, 31)


def cohort(la: Organisation, on: datetime.date, youngest: int = AGES[0], oldest: int = AGES[-1]) -> QuerySet[Person]:
    """Young people living in ``la`` of academic age ``youngest``-``oldest`` on ``on``."""
    first, last = _born(on, youngest, oldest)
    return Person.objects.filter(la_of_residence=la, dob__gte=first, dob__lte=last, merged_into__isnull=True)


def send_flags(person_ids: Sequence[int], on: datetime.date) -> dict[int, str]:
    """The NCCIS SEN provision flag of each young person with an ALN/SEN characteristic current on ``on``:
    E for a statutory plan, K for support without one (everyone else is N)."""
    flags: dict[int, str] = {}
    rows = Characteristic.objects.current(on).filter(person_id__in=list(person_ids), kind=CharacteristicKind.ALN)
    for person_id, value in rows.values_list("person_id", "value"):
        level = value.partition(":")[0].lower()
        if flags.get(person_id) != SEN_PLAN:
            flags[person_id] = SEN_PLAN if level in PLAN_LEVELS else SEN_SUPPORT
    return flags


def group_of(status: tiers.Status) -> str:
    """The NCCIS group of a derived status: tier 1 is not known (including a lapsed activity), tiers 2-3 NEET
    (custody apart), tiers 4-5 in education, employment or training."""
    if status.tier == 1:
        return NOT_KNOWN
    if status.tier in (2, 3):
        return CUSTODY if status.activity and status.activity.code == CUSTODY_CODE else NEET
    return EET


@dataclass(frozen=True)
class ReturnRow:
    """One young person in the return."""

    la_code: str
    person_ref: int
    upn: str
    uln: str
    dob: datetime.date
    sex: str
    academic_age: int
    activity_code: int | None
    start_date: datetime.date | None
    currency_due: datetime.date | None
    group: str
    send: str

    def cells(self) -> tuple[Any, ...]:
        return (self.la_code, self.person_ref, self.upn, self.uln, self.dob.isoformat(), self.sex,
                self.academic_age, self.activity_code or "", self.start_date.isoformat() if self.start_date else "",
                self.currency_due.isoformat() if self.currency_due else "", self.group, self.send)


def nccis_return(la: Organisation, on: datetime.date, rules: RuleSet = ENGLAND) -> list[ReturnRow]:
    """The return's rows as at ``on``: academic ages 16-17, and 18 with a statutory plan, living in ``la``;
    ordered by person reference. A read for the caller to check and audit (``export_return`` does both)."""
    people = list(cohort(la, on, AGES[0], EHC_AGE).order_by("pk"))
    flags = send_flags([p.pk for p in people], on)
    timelines = entries_of([p.pk for p in people], until=on)
    rows = []
    for person in people:
        send = flags.get(person.pk, SEN_NONE)
        status = tiers.derive(timelines.get(person.pk, []), person.dob, on, rules=rules)
        if status.academic_age == EHC_AGE and send != SEN_PLAN:
            continue
        entry = status.activity
        due = entry.start + datetime.timedelta(days=rules.currency(entry.facts)) if entry else None
        rows.append(ReturnRow(la.code, person.pk, person.upn or "", person.uln or "", person.dob, person.sex,
                              status.academic_age, entry.code if entry else None, entry.start if entry else None,
                              due, group_of(status), send))
    return rows


def write_csv(rows: Sequence[ReturnRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row.cells())
    return out.getvalue()


def may_export(user: Any, la: Organisation) -> bool:
    """The LA's EPC exports its return; a command (no user) may."""
    if not getattr(user, "pk", None):
        return True
    return bool(user.has_perm("track.export_nccis") and la.pk in las_served(user, (Role.EPC,)))


def export_return(la: Organisation, on: datetime.date, *, actor: Any, context: audit.AuditContext,
                  rules: RuleSet = ENGLAND) -> str:
    """The return as CSV for ``la``'s EPC; the export is audited with the young people in it, a refusal too."""
    if not may_export(actor, la):
        audit.record(actor, "denied", context, object_type="nccis_return", object_id=la.pk,
                     detail={"on": on.isoformat()})
        raise PermissionDenied(_("You cannot export this local authority's NCCIS return."))
    rows = nccis_return(la, on, rules)
    audit.record(actor, "export", context, object_type="nccis_return", object_id=la.pk,
                 detail={"on": on.isoformat(), "rules": rules.version, "rows": len(rows),
                         "people": [r.person_ref for r in rows]})
    return write_csv(rows)


# DfE's headline measure: the December to February average ----------------------------------------------------------


@dataclass(frozen=True)
class MonthFigure:
    """NEET and not known among academic ages 16-17 at one month-end."""

    on: datetime.date
    cohort: int
    neet: int
    not_known: int

    @property
    def neet_pct(self) -> float | None:
        return _pct(self.neet, self.cohort)

    @property
    def not_known_pct(self) -> float | None:
        return _pct(self.not_known, self.cohort)


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class WinterAverage:
    """The three month-ends and their average: DfE divides the average count by the average cohort."""

    la: Organisation
    winter: int
    rules: str
    months: list[MonthFigure]

    def _mean(self, name: str) -> float:
        return float(sum(getattr(m, name) for m in self.months)) / len(self.months)

    @property
    def cohort(self) -> float:
        return round(self._mean("cohort"), 1)

    @property
    def neet_pct(self) -> float | None:
        return _pct(self._mean("neet"), self._mean("cohort"))

    @property
    def not_known_pct(self) -> float | None:
        return _pct(self._mean("not_known"), self._mean("cohort"))

    @property
    def combined_pct(self) -> float | None:
        return _pct(self._mean("neet") + self._mean("not_known"), self._mean("cohort"))

    def as_dict(self) -> dict[str, Any]:
        return {"la": self.la.code, "winter": self.winter, "rules": self.rules, "cohort": self.cohort,
                "neet_pct": self.neet_pct, "not_known_pct": self.not_known_pct,
                "neet_or_not_known_pct": self.combined_pct,
                "months": [{"on": m.on.isoformat(), "cohort": m.cohort, "neet": m.neet, "not_known": m.not_known,
                            "neet_pct": m.neet_pct, "not_known_pct": m.not_known_pct} for m in self.months]}


def winter_month_ends(winter_start_year: int) -> list[datetime.date]:
    """The end of December of ``winter_start_year`` and the ends of January and February after it."""
    march = datetime.date(winter_start_year + 1, 3, 1)
    return [datetime.date(winter_start_year, 12, 31), datetime.date(winter_start_year + 1, 1, 31),
            march - datetime.timedelta(days=1)]


def _month(status: tiers.CohortStatus, codes: np.ndarray) -> MonthFigure:
    counted = np.isin(status.age, AGES) & (status.tier > 0)
    live_code = np.where(status.row >= 0, codes[np.maximum(status.row, 0)] if len(codes) else 0, 0)
    custody = (status.tier == 2) & (live_code == CUSTODY_CODE)
    counted &= ~custody
    return MonthFigure(status.on, int(counted.sum()), int((counted & np.isin(status.tier, (2, 3))).sum()),
                       int((counted & (status.tier == 1)).sum()))


def dec_feb_average(la: Organisation, winter_start_year: int, rules: RuleSet = ENGLAND) -> WinterAverage:
    """NEET % and not known % of academic ages 16-17 living in ``la`` at the end of December
    ``winter_start_year``, January and February, and their average (DfE's headline measure). All three dates
    fall in one academic year, so the cohort is the same young people at each."""
    dates = winter_month_ends(winter_start_year)
    timelines = timelines_of(cohort(la, dates[0]))
    table = code_table(rules)
    months = [_month(s, timelines.code) for s in tiers.cohort_history(timelines, dates, table)]
    return WinterAverage(la, winter_start_year, rules.version, months)
