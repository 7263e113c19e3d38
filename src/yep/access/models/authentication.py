"""Sign-in records: attempts (for throttling and lockout) and each user's TOTP two-factor device."""

from django.conf import settings
from django.db import models


class LoginAttempt(models.Model):
    """One attempt to sign in; failures within a window lock the username out for a while."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {'ok' if self.succeeded else 'failed'} {self.at:%Y-%m-%d %H:%M}"


class TwoFactorDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238). The secret is encrypted at rest like an NI number."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.TextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True, help_text="Refuses a code used twice.")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"
