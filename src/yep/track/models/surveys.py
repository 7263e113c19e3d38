"""The annual destinations survey: where each Year 11, 12 and 13 leaver is as at the end of October, collected
by the careers service and frozen in a snapshot (issue 6, item 7)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DestinationSurvey(models.Model):
    """One LA's survey of one year's leavers, as at 31 October of ``leaving_year``. Open while destinations are
    collected; the snapshot then freezes each leaver's destination and the survey is closed."""

    la = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    leaving_year = models.PositiveSmallIntegerField(help_text="The summer the leavers left, e.g. 2026.")
    as_at = models.DateField()
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    snapshot_at = models.DateTimeField(null=True, blank=True)
    snapshot_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-leaving_year", "la"]
        constraints = [models.UniqueConstraint(fields=["la", "leaving_year"], name="one_survey_per_la_and_year")]

    def __str__(self) -> str:
        return f"destinations {self.leaving_year} for {self.la_id}"

    @property
    def is_open(self) -> bool:
        return self.snapshot_at is None


class SurveyDestination(models.Model):
    """One leaver's destination in a survey's snapshot: frozen, never edited."""

    survey = models.ForeignKey(DestinationSurvey, on_delete=models.CASCADE, related_name="destinations")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    year_group = models.PositiveSmallIntegerField()
    code = models.ForeignKey("people.ActivityCode", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", help_text="Blank: no destination known as at the survey date.")
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["survey", "school", "year_group", "person"]
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="one_destination_per_leaver")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.person_id}: {self.code_id}"


class PostSixteenRiskRule(models.Model):
    """An LA's rule carrying pre-16 risk into post-16 (R25): a young person whose agreed early identification
    band was at least ``min_band`` is in tier 4 at that risk level for ``months`` after starting post-16
    education or training, unless a provider has said otherwise. No row: the rule is off."""

    la = models.OneToOneField("people.Organisation", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    min_band = models.CharField(max_length=6, choices=[("medium", _("Medium")), ("high", _("High"))],
                                default="high")
    months = models.PositiveSmallIntegerField(default=12)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    def __str__(self) -> str:
        return f"pre-16 risk to tier 4 for {self.la_id}: {self.min_band}, {self.months} months"
