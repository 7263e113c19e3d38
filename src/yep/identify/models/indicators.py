"""Early identification's indicators, as imported from schools and the LA: termly attendance, exclusions,
behaviour incidents, key stage attainment, and the LA's own local indicators."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn")
    SPRING = "spring", _("Spring")
    SUMMER = "summer", _("Summer")


TERM_ORDER = {Term.AUTUMN: 0, Term.SPRING: 1, Term.SUMMER: 2}


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


class ExclusionKind(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Fixed-term exclusion")
    PERMANENT = "permanent", _("Permanent exclusion")


class Exclusion(models.Model):
    """One exclusion from school, starting on ``date``."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="exclusions")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=ExclusionKind.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Length of a fixed-term exclusion.")
    imported_from = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["person", "date"]
        constraints = [models.UniqueConstraint(fields=["person", "date", "kind"], name="exclusion_once_per_day")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.date}"


class BehaviourIncident(models.Model):
    """Behaviour incidents of one severity recorded for a pupil on one day (1 minor, 2 serious, 3 very serious)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="behaviour_incidents")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    date = models.DateField()
    severity = models.PositiveSmallIntegerField()
    count = models.PositiveSmallIntegerField(default=1)
    imported_from = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["person", "date"]
        constraints = [
            models.UniqueConstraint(fields=["person", "date", "severity"], name="behaviour_once_per_day"),
            models.CheckConstraint(condition=models.Q(severity__gte=1, severity__lte=3), name="behaviour_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} severity {self.severity} x{self.count}"


class KeyStage(models.TextChoices):
    KS2 = "KS2", _("Key stage 2")
    KS3 = "KS3", _("Key stage 3")


class Attainment(models.Model):
    """A pupil's teacher-assessed result in one subject at the end of a key stage, beside the expected level."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="attainment")
    key_stage = models.CharField(max_length=3, choices=KeyStage.choices)
    subject = models.CharField(max_length=30)
    result = models.PositiveSmallIntegerField()
    expected = models.PositiveSmallIntegerField()
    imported_from = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["person", "key_stage", "subject"]
        constraints = [models.UniqueConstraint(fields=["person", "key_stage", "subject"],
                                               name="attainment_once_per_subject")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.key_stage} {self.subject}: {self.result}/{self.expected}"


class LocalIndicator(models.Model):
    """An indicator an LA defines for itself (for example English as an additional language, or a school move
    in the last year): its pupils are flagged by import, effective-dated."""

    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="local_indicators")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    label_cy = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["la", "key"]
        constraints = [models.UniqueConstraint(fields=["la", "key"], name="local_indicator_key_per_la")]

    def __str__(self) -> str:
        return self.label


class LocalIndicatorValue(models.Model):
    """A pupil flagged with a local indicator from ``start`` (to ``end``, when it stopped applying)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="local_indicators")
    indicator = models.ForeignKey(LocalIndicator, on_delete=models.CASCADE, related_name="values")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    imported_from = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["person", "indicator", "start"]
        constraints = [models.UniqueConstraint(fields=["person", "indicator", "start"],
                                               name="local_indicator_once_per_start")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.indicator_id} from {self.start}"
