"""Break the glass: emergency, time-limited, read-only access to one record, with a reason, for DPO review."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people.models import Person

from .. import audit
from ..models import BreakGlassAccess

MIN_REASON = 20  # long enough to say what the emergency is


@transaction.atomic
def open_break_glass(user: Any, person: Person, *, reason: str, actor: Any,
                     context: audit.AuditContext) -> BreakGlassAccess:
    """Give ``user`` read-only access to ``person`` for ``YEP_BREAK_GLASS_MINUTES`` (default 60)."""
    if len(reason.strip()) < MIN_REASON:
        raise ValidationError({"reason": [_("Say why you need emergency access, in at least %(n)s characters.")
                                          % {"n": MIN_REASON}]})
    now = timezone.now()
    minutes = int(getattr(settings, "YEP_BREAK_GLASS_MINUTES", 60))
    access = BreakGlassAccess.objects.create(user=user, person=person, reason=reason.strip(), started_at=now,
                                             expires_at=now + datetime.timedelta(minutes=minutes))
    audit.record(actor, "break_glass", context, person_id=person.pk, object_type="break_glass",
                 object_id=access.pk, detail={"reason": access.reason, "minutes": minutes})
    return access


@transaction.atomic
def review_break_glass(access: BreakGlassAccess, *, note: str, actor: Any, context: audit.AuditContext) -> None:
    """The DPO's review of one emergency access, with a note."""
    if not note.strip():
        raise ValidationError({"note": [_("Write a note on the review.")]})
    access.reviewed_by = actor
    access.reviewed_at = timezone.now()
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit.record(actor, "change", context, person_id=access.person_id, object_type="break_glass",
                 object_id=access.pk, fields=["review_note"])
