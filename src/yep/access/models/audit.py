"""The audit log of personal data (append-only, hash-chained) and partners' API tokens."""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    CREATE = "create", "Create"
    CHANGE = "change", "Change"
    EXPORT = "export", "Export"
    SHARE = "share", "Share with another organisation"
    BREAK_GLASS = "break_glass", "Break the glass"
    IMPORT = "import", "Import"
    DENIED = "denied", "Denied"
    LOGIN = "login", "Log in"
    TOKEN = "token", "Token"


class AuditEvent(models.Model):
    """One read, change or export of personal data. Never updated or deleted.

    ``entry_hash`` chains each event to the one before it (``previous_hash``), so a changed or removed
    row breaks the chain at that point, which ``yep audit verify`` reports.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    # A plain id, not a foreign key: the log outlives the record it describes.
    person_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=list)
    detail = models.JSONField(default=dict)
    purpose = models.CharField(max_length=60)
    channel = models.CharField(max_length=10)  # web, api, cli
    ip_address = models.GenericIPAddressField(null=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"


class ApiToken(models.Model):
    """A personal access token for a partner system, acting as its user. Only a digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
