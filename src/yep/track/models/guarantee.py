"""England's September Guarantee: the offer of a post-16 place recorded for each young person finishing Year 11
or Year 12 (issue 6, item 2). Rows are history: the latest per person, guarantee year and year group counts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GuaranteeStatus(models.TextChoices):
    OFFER_MADE = "offer_made", _("Offer made")
    NOT_APPROPRIATE = "not_appropriate", _("Offer not appropriate")
    NO_OFFER = "no_offer", _("No offer")


class GuaranteeOfferType(models.TextChoices):
    SCHOOL_SIXTH_FORM = "school_sixth_form", _("School sixth form")
    SIXTH_FORM_COLLEGE = "sixth_form_college", _("Sixth-form college")
    FE_COLLEGE = "fe_college", _("FE college")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    TRAINEESHIP = "traineeship", _("Traineeship")
    EMPLOYMENT_WITH_TRAINING = "employment_with_training", _("Employment with training")
    SUPPORTED_INTERNSHIP = "supported_internship", _("Supported internship")
    OTHER = "other", _("Other education or training")


class GuaranteeOffer(models.Model):
    """One record of a young person's September Guarantee status; a later record replaces an earlier one."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    guarantee_year = models.PositiveSmallIntegerField(help_text="The September of the guarantee, e.g. 2026.")
    year_group = models.PositiveSmallIntegerField(help_text="11 or 12: the year group the young person finished.")
    status = models.CharField(_("status"), max_length=20, choices=GuaranteeStatus.choices)
    offer_type = models.CharField(_("type of offer"), max_length=30, choices=GuaranteeOfferType.choices,
                                  blank=True)
    provider = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["person", "guarantee_year", "year_group", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["guarantee_year", "year_group", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.guarantee_year} Y{self.year_group}: {self.status}"
