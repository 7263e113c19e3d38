"""Early identification's indicators, as imported from schools: termly attendance so far.

Risk models, runs and reviews follow (issue 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn")
    SPRING = "spring", _("Spring")
    SUMMER = "summer", _("Summer")


class Attendance(models.Model):
    """Sessions possible and attended by one pupil in one term (from the school's return)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="attendance")
    academic_year = models.PositiveSmallIntegerField(help_text="The year the academic year starts, e.g. 2025.")
    term = models.CharField(max_length=6, choices=Term.choices)
    sessions_possible = models.PositiveIntegerField()
    sessions_attended = models.PositiveIntegerField()
    imported_from = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file it came from.")

    class Meta:
        ordering = ["person", "academic_year", "term"]
        constraints = [
            models.UniqueConstraint(fields=["person", "academic_year", "term"], name="attendance_once_per_term"),
            models.CheckConstraint(condition=models.Q(sessions_attended__lte=models.F("sessions_possible")),
                                   name="attendance_within_possible"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.academic_year} {self.term}: {self.sessions_attended}/{self.sessions_possible}"

    @property
    def rate(self) -> float:
        return self.sessions_attended / self.sessions_possible if self.sessions_possible else 0.0
