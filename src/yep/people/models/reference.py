"""Reference data: the framework's tiers, NCCIS-compatible activity codes, year groups, ALN categories,
ethnicity codes and Welsh/English name forms.

Loaded from the versioned CSV files in ``people/reference/<version>/`` by ``people.services.reference``;
never edited by hand in code. Labels are bilingual: ``label`` gives the one for the active language.
"""

from django.db import models
from django.utils.translation import get_language


class Bilingual(models.Model):
    """Reference rows with an English and a Welsh label."""

    label_en = models.CharField(max_length=200)
    label_cy = models.CharField(max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_cy if (get_language() or "en").startswith("cy") else self.label_en


class ReferenceVersion(models.Model):
    """Which version of each reference set is loaded, and when."""

    name = models.CharField(max_length=50, unique=True)
    version = models.CharField(max_length=20)
    loaded_at = models.DateTimeField(auto_now=True)
    rows = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Tier(Bilingual):
    """The Careers Wales five tier model of engagement (YEPF Figure 6)."""

    number = models.PositiveSmallIntegerField(unique=True)
    client_group_en = models.TextField()
    client_group_cy = models.TextField()
    lead_worker_en = models.TextField()
    lead_worker_cy = models.TextField()

    class Meta:
        ordering = ["number"]


class ActivityGroup(Bilingual):
    """A group of activity codes, and the English NCCIS category it counts as."""

    class Nccis(models.TextChoices):
        PRE16 = "pre16", "Below compulsory school leaving age"
        PARTICIPATING = "participating", "Participating (EET)"
        NEET = "neet", "NEET"
        NOT_KNOWN = "not_known", "Not known"
        OTHER = "other", "Other"

    code = models.CharField(max_length=30, unique=True)
    nccis = models.CharField(max_length=20, choices=Nccis.choices)
    order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["order"]


class ActivityCode(Bilingual):
    """An NCCIS-compatible current activity code (110-830)."""

    code = models.PositiveSmallIntegerField(unique=True)
    group = models.ForeignKey(ActivityGroup, on_delete=models.PROTECT, related_name="codes")
    is_eet = models.BooleanField()
    available_for_eet = models.BooleanField(help_text="NEET and able to take up EET (tier 3 rather than tier 2).")
    is_job_without_training = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]


class YearGroup(Bilingual):
    """A school year group, with the academic age (age on 31 August) of its pupils."""

    class Phase(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        POST16 = "post16", "Post-16"

    number = models.PositiveSmallIntegerField(unique=True)
    academic_age = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=10, choices=Phase.choices)

    class Meta:
        ordering = ["number"]


class AlnCategory(Bilingual):
    """A category of additional learning needs (SEN type codes)."""

    code = models.CharField(max_length=10, unique=True)

    class Meta:
        ordering = ["code"]


class EthnicityCode(Bilingual):
    """An ethnicity code as used in school census and NCCIS returns."""

    code = models.CharField(max_length=10, unique=True)
    group_en = models.CharField(max_length=100)
    group_cy = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]


class NameForm(models.Model):
    """One form of a given name; forms sharing a group are the same name (Dafydd, David, Dai)."""

    group = models.CharField(max_length=40, db_index=True)
    form = models.CharField(max_length=60)
    key = models.CharField(max_length=60, unique=True, help_text="The form folded for matching.")
    language = models.CharField(max_length=2)
    kind = models.CharField(max_length=10)

    def __str__(self) -> str:
        return self.form
