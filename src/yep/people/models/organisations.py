"""Organisations, staff users and their memberships (a role held in an organisation for a period)."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Welsh Government / DfE")
    LA = "la", _("Local authority")
    CONSORTIUM = "consortium", _("Regional consortium")
    CAREERS_SERVICE = "careers_service", _("Careers service")
    SCHOOL = "school", _("School")
    SIXTH_FORM = "sixth_form", _("Sixth form")
    FE_COLLEGE = "fe_college", _("FE college")
    WBL_PROVIDER = "wbl_provider", _("Work-based learning provider")
    YOUTH_SERVICE = "youth_service", _("Youth service")
    FAMILIES_FIRST = "families_first", _("Families First / social services")
    THIRD_SECTOR = "third_sector", _("Third sector")
    EMPLOYER = "employer", _("Employer")
    DWP = "dwp", _("DWP / Jobcentre")


# Organisations whose enrolments place a young person in education or training.
EDUCATION_KINDS = {
    OrganisationKind.SCHOOL,
    OrganisationKind.SIXTH_FORM,
    OrganisationKind.FE_COLLEGE,
    OrganisationKind.WBL_PROVIDER,
}


class SchoolType(models.TextChoices):
    MAINTAINED = "maintained", _("Maintained")
    SPECIAL = "special", _("Special")
    PRU = "pru", _("Pupil referral unit")
    INDEPENDENT = "independent", _("Independent")


class Organisation(models.Model):
    """A partner organisation. Local authorities are organisations of kind ``la`` with an LA code."""

    class Country(models.TextChoices):
        WALES = "wales", _("Wales")
        ENGLAND = "england", _("England")

    ref = models.CharField(max_length=40, unique=True, help_text="Stable reference, e.g. LA-681.")
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, db_index=True)
    school_type = models.CharField(max_length=12, choices=SchoolType.choices, blank=True)
    name = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=20, blank=True, help_text="LA code, establishment number or UKPRN.")
    ons_code = models.CharField(max_length=12, blank=True)
    la = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="members",
        limit_choices_to={"kind": OrganisationKind.LA},
        help_text="The local authority this organisation sits in.",
    )
    covers = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="covered_by",
        help_text="Local authorities a careers service or consortium serves.",
    )
    country = models.CharField(max_length=10, choices=Country.choices, default=Country.WALES)
    postcode = models.CharField(max_length=10, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], condition=~Q(code=""), name="org_code_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_cy and (get_language() or "en").startswith("cy"):
            return self.name_cy
        return self.name


class Role(models.TextChoices):
    EPC = "epc", _("Engagement and Progression Coordinator")
    LEAD_WORKER = "lead_worker", _("Lead worker")
    CAREERS_ADVISER = "careers_adviser", _("Careers adviser")
    SCHOOL_STAFF = "school_staff", _("School staff")
    PROVIDER_STAFF = "provider_staff", _("Post-16 provider staff")
    GOVERNMENT_ANALYST = "government_analyst", _("Government analyst")
    DPO = "dpo", _("Data protection officer")
    RESEARCHER = "researcher", _("Researcher")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A member of staff. One user may hold several roles in several organisations (memberships)."""

    preferred_language = models.CharField(
        max_length=2, choices=[("en", "English"), ("cy", "Cymraeg")], default="en"
    )

    def active_memberships(self, on: datetime.date | None = None) -> models.QuerySet["Membership"]:
        day = on or timezone.localdate()
        return (
            self.memberships.filter(start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .select_related("organisation", "organisation__la")
        )


class Membership(models.Model):
    """A role a user holds in an organisation, from ``start`` to ``end`` (open-ended when blank)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role", "start"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"
