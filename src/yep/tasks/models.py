"""A task is one piece of work for a user (or for whoever holds a role in an organisation): what, about whom,
by when, and how it ended. A notification is an email sent to tell someone, in their language."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """What the task is. The kind names the work in the reader's language; ``detail`` says the rest."""

    ESCALATION = "escalation", _("Support not working: re-broker")
    ADDITIONAL_NEED = "additional_need", _("Additional need: add a supporting service")
    BUSINESS_CASE = "business_case", _("Decide a school business case")
    REFERRAL = "referral", _("Decide a referral")
    REASSESSMENT = "reassessment", _("Re-assess after continuity ends")
    INTERVIEW = "interview", _("End-of-course interview")
    REVIEW_DUE = "review_due", _("Multi-agency review due")
    CONTACT = "contact", _("Contact the young person")
    FOLLOW_UP = "follow_up", _("Follow-up check after closure")
    HANDOVER = "handover", _("Turned 18: hand over, or continue support")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """Work for ``assignee``; or, with no assignee, for whoever holds ``role`` in ``organisation`` (a team
    queue, such as the LA's EPC). ``source`` names the record that raised it (``app.model:pk``) so the page can
    link back and the raiser can close it."""

    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    detail = models.TextField(blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="tasks")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="tasks")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="tasks", help_text="The team's organisation, for a team task.")
    role = models.CharField(max_length=20, blank=True, help_text="The role in the organisation that does it.")
    due = models.DateField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    source = models.CharField(max_length=60, blank=True, help_text="What raised it, as app.model:pk.")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150, help_text="Who or what raised it, as the audit log names them.")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["assignee", "status", "due"]),
                   models.Index(fields=["organisation", "role", "status"]),
                   models.Index(fields=["source"])]
        constraints = [
            models.CheckConstraint(condition=Q(assignee__isnull=False) | Q(organisation__isnull=False, role__gt=""),
                                   name="task_has_someone_to_do_it"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due} ({self.status})"


class Notification(models.Model):
    """An email sent (or that failed), in the language it was written in. The body is kept so the sender can
    show what was said; it never carries more than the recipient may see."""

    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="notifications")
    recipient_person = models.ForeignKey("people.Person", on_delete=models.CASCADE, null=True, blank=True,
                                         related_name="notifications", help_text="A young person written to.")
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    task = models.ForeignKey(Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    sent_at = models.DateTimeField()
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.address} ({self.language})"
