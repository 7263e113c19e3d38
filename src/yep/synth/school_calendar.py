"""School calendar arithmetic: academic years, academic ages, year groups and terms.

Days are carried as integers (days since 1970-01-01) so that whole columns can be shifted and
compared with numpy. An academic year starts on 1 September; a young person's *academic age* is
their age on the 31 August before the academic year of the as-of date, and Year N is academic
age N + 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

NULL_DAY = np.iinfo(np.int64).min  # a blank date (current enrolment, no end)

# (name, start month, start day, end month, end day, sessions) — two sessions a school day.
TERMS = (
    ("autumn", 9, 1, 12, 31, 142),
    ("spring", 1, 1, 4, 10, 118),
    ("summer", 4, 11, 7, 31, 130),
)


def day_number(value: date) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def ymd(years: np.ndarray | int, month: int, day: int) -> np.ndarray:
    """Day numbers of ``day``/``month`` in each of ``years`` (vectorised)."""
    y = (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]")
    months = y.astype("datetime64[M]") + (month - 1)
    return (months.astype("datetime64[D]") + (day - 1)).astype(np.int64)


def year_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_of(days: np.ndarray) -> np.ndarray:
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return months.astype(np.int64) % 12 + 1


def day_of_month(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def academic_year_of(days: np.ndarray) -> np.ndarray:
    """The start year of the academic year containing each day."""
    return year_of(days) - (month_of(days) < 9)


@dataclass(frozen=True)
class SchoolCalendar:
    """The calendar seen from one as-of date."""

    as_of: date

    @property
    def academic_year(self) -> int:
        return self.as_of.year if self.as_of.month >= 9 else self.as_of.year - 1

    @property
    def today(self) -> int:
        return day_number(self.as_of)

    def dob_window(self, academic_age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last possible birth day for each academic age."""
        last_year = self.academic_year - np.asarray(academic_age)
        return ymd(last_year - 1, 9, 1), ymd(last_year, 8, 31)

    def year_started(self, academic_age: np.ndarray, year_group: int | np.ndarray) -> np.ndarray:
        """Start year of the academic year in which people of this age were in ``year_group``.

        Reception is year group 0. The result may lie in the future for young pupils.
        """
        return self.academic_year - np.asarray(academic_age) + 4 + year_group

    def latest_phase_start(self, academic_age: np.ndarray) -> np.ndarray:
        """1 September of Year 7 for secondary age and older, else of Reception."""
        age = np.asarray(academic_age)
        return ymd(self.year_started(age, np.where(age >= 11, 7, 0)), 9, 1)

    def leave_day(self, academic_age: np.ndarray) -> np.ndarray:
        """31 August at the end of Year 11 (compulsory schooling)."""
        return ymd(self.year_started(academic_age, 11) + 1, 8, 31)

    def terms(self, academic_year: int) -> list[tuple[str, int, int, int]]:
        """(name, first day, last day, sessions) for each term of an academic year."""
        result = []
        for name, sm, sd, em, ed, sessions in TERMS:
            year = academic_year if sm >= 9 else academic_year + 1
            result.append((name, int(ymd(year, sm, sd)), int(ymd(year, em, ed)), sessions))
        return result
