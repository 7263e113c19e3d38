"""The only writers of access data: API tokens (audit events are written through ``access.audit``)."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import ApiToken


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(user: Any, name: str, *, actor: Any, context: audit.AuditContext) -> tuple[str, ApiToken]:
    """Make a personal access token for ``user``; the raw token is returned once and never stored."""
    raw = settings.YEP_API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=_digest(raw))
    audit.record(actor, "token", context, object_type="api_token", object_id=token.pk,
                 detail={"user": user.get_username(), "name": name})
    return raw, token


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Any, context: audit.AuditContext) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "token", context, object_type="api_token", object_id=token.pk, detail={"revoked": True})


def user_for_token(raw: str) -> Any | None:
    """The active user a bearer token acts for, or None for an unknown, revoked or expired token."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at < now):
        return None
    if not token.last_used_at or (now - token.last_used_at).total_seconds() > 60:
        # Throttled so a busy partner does not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
