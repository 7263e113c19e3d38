"""Writing and verifying the audit log.

``record`` is called by services (and by read paths in ``access.policy``) inside the transaction that does
the work, so a change and its audit row are saved or lost together.
"""

import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 7_420_001  # PostgreSQL advisory lock serialising the hash chain


@dataclass(frozen=True)
class AuditContext:
    """Where and why an action happens: the purpose, the channel (web, api, cli) and the client address."""

    purpose: str
    channel: str = "cli"
    ip_address: str | None = None

    @classmethod
    def from_request(cls, request: Any, purpose: str, channel: str = "web") -> "AuditContext":
        return cls(purpose=purpose, channel=channel, ip_address=client_address(request))


def client_address(request: Any) -> str | None:
    """The client's address for throttling: the one the outermost of ``YEP_TRUSTED_PROXIES`` proxies saw.

    Entries further left in X-Forwarded-For are whatever the client sent, so trusting them would let anyone
    escape the address throttle by sending a new one each time.
    """
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.YEP_TRUSTED_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None



CLI = AuditContext(purpose="operations", channel="cli")


def label(actor: Any) -> str:
    """How an actor is named in records: a user's username, or the text given for a command or job."""
    return actor.get_username() if getattr(actor, "pk", None) else str(actor or "system")


def _entry_hash(previous: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((previous + body).encode()).hexdigest()


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "person": event.person_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "fields": event.fields,
        "detail": event.detail,
        "purpose": event.purpose,
        "channel": event.channel,
        "ip": event.ip_address,
    }


@transaction.atomic
def record(
    actor: Any,
    action: str,
    context: AuditContext,
    *,
    person_id: int | None = None,
    object_type: str = "person",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log, chained to the previous one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    previous = AuditEvent.objects.order_by("-id").values_list("entry_hash", flat=True).first() or GENESIS
    user = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_label=label(actor),
        action=action,
        person_id=person_id,
        object_type=object_type,
        object_id=str(object_id or (person_id or "")),
        fields=sorted(fields),
        detail=detail or {},
        purpose=context.purpose,
        channel=context.channel,
        ip_address=context.ip_address,
        previous_hash=previous,
    )
    event.entry_hash = _entry_hash(previous, _payload(event))
    event.save()
    return event


def first_broken_entry() -> AuditEvent | None:
    """The first event whose hash or link does not match, or None when the whole chain is intact."""
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        if event.previous_hash != previous or event.entry_hash != _entry_hash(previous, _payload(event)):
            return event
        previous = event.entry_hash
    return None
