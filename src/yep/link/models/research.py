"""Research projects (the Five Safes' safe projects) and the pseudonymised extracts made for them.

Each approved project has its own secret, kept in a file outside the database (``link.pseudonyms``), so an extract
and the database together still cannot be joined back to a person, and two projects' pseudonyms never match.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


class ResearchProject(models.Model):
    """A research project on the register: purpose, public benefit, approvals, agreement and the fields it may
    receive. Extracts are made only while it is approved and in date."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    public_benefit = models.TextField(_("public benefit"))
    lead_researcher = models.CharField(_("lead researcher"), max_length=200)
    researchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="research_projects")
    agreement = models.ForeignKey("access.SharingAgreement", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("sharing agreement"))
    # The extract's fields, from link.extracts.FIELDS.
    fields = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    approval_reference = models.CharField(_("approval reference"), max_length=200, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class ResearchExtract(models.Model):
    """One extract made for a project: who, when, what it held, what the small-cell check removed, and the file's
    digest (the file itself is not kept)."""

    project = models.ForeignKey(ResearchProject, on_delete=models.PROTECT, related_name="extracts")
    made_by = models.CharField(max_length=150)
    made_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField()
    fields = models.JSONField(default=list)
    rows = models.PositiveIntegerField()
    suppressed = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.made_at:%Y-%m-%d} ({self.rows} rows)"
