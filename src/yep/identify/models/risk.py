"""Risk models (per LA, versioned, immutable once used), runs, each pupil's result, and practitioner reviews."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .indicators import Term


class Band(models.TextChoices):
    NONE = "none", _("Not identified")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


BAND_RANK = {Band.NONE: 0, Band.LOW: 1, Band.MEDIUM: 2, Band.HIGH: 3}


def _term_label(code: str) -> str:
    """A term's name in the active language; an unknown code as it is."""
    return str(Term(code).label) if code in Term.values else code


class RiskModel(models.Model):
    """One version of an LA's early identification model. A change makes a new version; runs keep theirs."""

    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="risk_models")
    version = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    note = models.TextField(blank=True, help_text="What changed in this version and why.")
    # Score thresholds: a score at or above threshold_low is identified (low band), and so on up.
    threshold_low = models.PositiveSmallIntegerField()
    threshold_medium = models.PositiveSmallIntegerField()
    threshold_high = models.PositiveSmallIntegerField()
    # The LA's own words for each band, e.g. {"high": {"en": "Red", "cy": "Coch"}}.
    labels = models.JSONField(default=dict)
    year_groups = models.JSONField(default=list, help_text="The year groups a run covers by default, e.g. [7..11].")
    # The terms a scheduled run is made in: all three is termly, ["autumn", "summer"] twice a year, [] on demand.
    run_terms = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["la", "-version"]
        constraints = [models.UniqueConstraint(fields=["la", "version"], name="risk_model_version_per_la")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def band_label(self, band: str) -> str:
        """The LA's label for a band in the current language, else the standard name."""
        words = self.labels.get(band) or {}
        language = (get_language() or "en")[:2]
        return str(words.get(language) or words.get("en") or Band(band).label)

    @property
    def run_term_labels(self) -> list[str]:
        """The names of the terms a scheduled run is made in, in the active language."""
        return [_term_label(t) for t in self.run_terms]

    @property
    def thresholds(self) -> tuple[int, int, int]:
        return self.threshold_low, self.threshold_medium, self.threshold_high

    def band_for(self, score: int) -> str:
        if score >= self.threshold_high:
            return Band.HIGH
        if score >= self.threshold_medium:
            return Band.MEDIUM
        if score >= self.threshold_low:
            return Band.LOW
        return Band.NONE


class RiskModelIndicator(models.Model):
    """One indicator in a model version: points = weight x the number of thresholds the pupil's value crosses."""

    model = models.ForeignKey(RiskModel, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(max_length=60, help_text="An indicator from identify.indicators, e.g. attendance_current.")
    weight = models.PositiveSmallIntegerField()
    thresholds = models.JSONField(default=list, help_text="In increasing severity, e.g. [90, 80] for attendance.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["model", "order"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="risk_indicator_once_per_model")]

    def __str__(self) -> str:
        return f"{self.key} x{self.weight} {self.thresholds}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: seen by the EPC only")
    PUBLISHED = "published", _("Released to schools")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Run(models.Model):
    """One run of a model version over a cohort, as the data stood at the end of ``academic_year``/``term``."""

    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="risk_runs")
    model = models.ForeignKey(RiskModel, on_delete=models.PROTECT, related_name="runs")
    academic_year = models.PositiveSmallIntegerField()
    term = models.CharField(max_length=6)
    as_of = models.DateField(help_text="Enrolments, year groups and characteristics are taken on this day.")
    year_groups = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    # Band counts and cohort size, computed when the run is made: {"cohort": n, "none": n, "low": n, ...}.
    counts = models.JSONField(default=dict)
    warnings = models.JSONField(default=list, help_text="Safeguard warnings the publisher had to confirm.")
    input_digest = models.CharField(max_length=64, help_text="SHA-256 of every pupil's inputs, in order.")
    reproduces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   help_text="The run whose input snapshot this run re-scored.")
    scheduled = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    warnings_confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["la", "-as_of", "-pk"]

    def __str__(self) -> str:
        return f"{self.model} {self.academic_year} {self.term}"

    @property
    def term_label(self) -> str:
        """The term's name in the active language ("Autumn", "Hydref"): pages show this, never the code."""
        return _term_label(self.term)

    @property
    def identified(self) -> int:
        return sum(self.counts.get(b, 0) for b in (Band.LOW, Band.MEDIUM, Band.HIGH))

    @property
    def identified_share(self) -> float:
        cohort = self.counts.get("cohort", 0)
        return self.identified / cohort if cohort else 0.0


class Result(models.Model):
    """One pupil's result in a run: the inputs used (the snapshot), the points per indicator, the score and band,
    the support already in place, and the band agreed at review (null until reviewed)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="risk_results")
    school = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    year_group = models.PositiveSmallIntegerField()
    inputs = models.JSONField(help_text="Each indicator's value, in the model's indicator order.")
    points = models.JSONField(help_text="Each indicator's points, in the model's indicator order.")
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=6, choices=Band.choices)
    support = models.JSONField(default=list, help_text="Support in place when the run was made, e.g. ['aln'].")
    agreed_band = models.CharField(max_length=6, choices=Band.choices, blank=True)
    added_by_review = models.BooleanField(default=False, help_text="A pupil the data missed, added at review.")

    class Meta:
        ordering = ["run", "-score", "person"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="result_once_per_run")]
        indexes = [models.Index(fields=["run", "school"]), models.Index(fields=["person", "run"])]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.person_id}: {self.score} {self.band}"

    @property
    def current_band(self) -> str:
        return self.agreed_band or self.band

    @property
    def support_labels(self) -> list[str]:
        """The support already in place, in the reader's language."""
        return [str(SUPPORT_LABELS.get(code, code)) for code in self.support]


# The support a run records beside each result (``Result.support``), by code.
SUPPORT_LABELS = {"families_first": _("Families First"), "aln": _("ALN support"), "eotas": _("EOTAS"),
                  "social_worker": _("Social worker"), "lead_worker": _("Lead worker")}


class SupportNeed(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    BEHAVIOUR = "behaviour", _("Behaviour and engagement")
    LEARNING = "learning", _("Learning and attainment")
    WELLBEING = "wellbeing", _("Emotional wellbeing and mental health")
    FAMILY = "family", _("Family circumstances")
    CARING = "caring", _("Caring responsibilities")
    HOUSING = "housing", _("Housing")
    CAREERS = "careers", _("Careers guidance and transition")
    CONFIDENCE = "confidence", _("Confidence and social skills")
    SUBSTANCE = "substance", _("Substance misuse")
    OTHER = "other", _("Other")


class ReviewAction(models.TextChoices):
    CONFIRM = "confirm", _("Confirm the band")
    RAISE = "raise", _("Raise the band")
    LOWER = "lower", _("Lower the band")
    ADD = "add", _("Add a pupil the data missed")


class Review(models.Model):
    """A practitioner's review of one result: the band agreed, why, the young person's own view, and their first
    support needs (what brokerage starts from). Every review is kept; the latest is the agreed band."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=8, choices=ReviewAction.choices)
    computed_band = models.CharField(max_length=6, choices=Band.choices)
    agreed_band = models.CharField(max_length=6, choices=Band.choices)
    reason = models.TextField(blank=True)
    young_person_view = models.TextField(blank=True)
    support_needs = models.JSONField(default=list)
    support_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["result", "-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.result_id}: {self.computed_band} -> {self.agreed_band}"

    @property
    def support_need_labels(self) -> list[str]:
        """The support needs' names in the active language; a code no longer in the list as it is."""
        return [str(SupportNeed(n).label) if n in SupportNeed.values else n for n in self.support_needs]


class Backtest(models.Model):
    """Evidence for a model version: how it ranked an earlier cohort against what happened to them."""

    model = models.ForeignKey(RiskModel, on_delete=models.CASCADE, related_name="backtests")
    cohort_year = models.PositiveSmallIntegerField(help_text="The academic year the cohort was in Year 11.")
    caseload = models.PositiveIntegerField(help_text="How many young people the LA can support (precision at k).")
    metrics = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "-created_at"]

    def __str__(self) -> str:
        return f"{self.model} on {self.cohort_year}"
