"""The only writer of an LA's tracking rules: carrying pre-16 risk into post-16 as tier 4 (R25)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.broker.queries import is_epc_of
from yep.people.models import Organisation

from .models import PostSixteenRiskRule

MAX_MONTHS = 24
BANDS = ("medium", "high")


def set_post16_risk_rule(la: Organisation, *, enabled: bool, min_band: str, months: Any, actor: Any,
                         context: audit.AuditContext) -> PostSixteenRiskRule:
    """Turn the LA's rule on or off and set it: a young person whose agreed pre-16 band was at least
    ``min_band`` counts as tier 4 at that level for ``months`` after starting post-16 education or training.
    Only the LA's EPC may; the change is audited with what it was before."""
    if not is_epc_of(actor, la.pk):
        audit.record(actor, "denied", context, object_type="post16_risk_rule", object_id=la.pk,
                     detail={"wanted": "set rule"})
        raise PermissionDenied(_("Only the local authority's EPC can change its tracking rules."))
    errors: dict[str, list[str]] = {}
    if min_band not in BANDS:
        errors["min_band"] = [_("Choose medium or high.")]
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        errors["months"] = [_("Enter a whole number of months from 1 to %(max)s.") % {"max": MAX_MONTHS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = PostSixteenRiskRule.objects.select_for_update().filter(la=la).first()
        before = {"enabled": rule.enabled, "min_band": rule.min_band, "months": rule.months} if rule else None
        values = {"enabled": enabled, "min_band": min_band, "months": months, "updated_at": timezone.now(),
                  "updated_by": actor if getattr(actor, "pk", None) else None}
        if rule is None:
            rule = PostSixteenRiskRule.objects.create(la=la, **values)
        else:
            for name, value in values.items():
                setattr(rule, name, value)
            rule.save(update_fields=list(values))
        audit.record(actor, "change", context, object_type="post16_risk_rule", object_id=la.pk,
                     fields=["enabled", "min_band", "months"],
                     detail={"before": before, "after": {"enabled": enabled, "min_band": min_band,
                                                         "months": months}})
    return rule
