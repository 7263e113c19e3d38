"""An LA's allocation rules (R27): seeded from the defaults, then the LA's own configuration."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.access import audit
from yep.identify.models import Band
from yep.people.models import Organisation

from ..defaults import DEFAULT_RULES
from ..models import AllocationRule, FamiliesFirstCondition, HostType, Outcome, StageCondition
from ..queries import is_epc_of

RULE_FIELDS = ("order", "stage", "bands", "tiers", "families_first", "outcome", "host_types", "rationale")


def _check_epc(actor: Any, la: Organisation, context: audit.AuditContext) -> None:
    """Refuse anyone but the LA's EPC (or a command), audited before any transaction opens so the row stays."""
    if getattr(actor, "pk", None) and not is_epc_of(actor, la.pk):
        audit.record(actor, "denied", context, object_type="allocation_rules", object_id=la.pk,
                     detail={"wanted": "set rules"})
        raise PermissionDenied(_("Only the EPC of this local authority can set its allocation rules."))


def ensure_default_rules(la: Organisation, *, actor: Any, context: audit.AuditContext) -> list[AllocationRule]:
    """The LA's rules, writing the default set first when it has none (an LA added after installation)."""
    _check_epc(actor, la, context)
    with transaction.atomic():
        return _ensure_default_rules(la, actor, context)


def _ensure_default_rules(la: Organisation, actor: Any, context: audit.AuditContext) -> list[AllocationRule]:
    rules = list(AllocationRule.objects.filter(la=la).order_by("order"))
    if rules:
        return rules
    rules = AllocationRule.objects.bulk_create(AllocationRule(la=la, **row) for row in DEFAULT_RULES)
    audit.record(actor, "create", context, object_type="allocation_rules", object_id=la.pk,
                 detail={"la": la.ref, "rules": len(rules), "from": "defaults"})
    return rules


def _row_problems(row: Mapping[str, Any]) -> list[str]:
    problems = []
    if set(row) - set(RULE_FIELDS) or not isinstance(row.get("order"), int) or row["order"] < 0:
        problems.append(_("give a whole-number order and only the rule's fields"))
    if row.get("stage", StageCondition.ANY) not in StageCondition.values:
        problems.append(_("the stage must be pre-16, post-16 or any"))
    if any(b not in Band.values for b in row.get("bands", [])):
        problems.append(_("bands must be none, low, medium or high"))
    if any(t not in (1, 2, 3, 4, 5) for t in row.get("tiers", [])):
        problems.append(_("tiers must be 1 to 5"))
    if row.get("families_first", FamiliesFirstCondition.ANY) not in FamiliesFirstCondition.values:
        problems.append(_("Families First must be yes, no or any"))
    outcome, hosts = row.get("outcome", Outcome.LEAD_WORKER), list(row.get("host_types", []))
    if outcome not in Outcome.values:
        problems.append(_("the outcome must be a lead worker, no lead worker or TAF decides"))
    elif outcome == Outcome.LEAD_WORKER and (not hosts or any(h not in HostType.values for h in hosts)):
        problems.append(_("a lead worker outcome needs host types from the list"))
    elif outcome != Outcome.LEAD_WORKER and hosts:
        problems.append(_("only a lead worker outcome has host types"))
    return problems


def set_allocation_rules(la: Organisation, rows: Sequence[Mapping[str, Any]], *, actor: Any,
                         context: audit.AuditContext) -> list[AllocationRule]:
    """Replace the LA's allocation rules with ``rows`` (dicts of the rule's fields). Every row is checked first;
    one error lists every problem as "rule N: ...", and nothing changes unless all rows are good."""
    _check_epc(actor, la, context)
    errors = [_("rule %(n)s: %(problem)s") % {"n": n, "problem": problem}
              for n, row in enumerate(rows, start=1) for problem in _row_problems(row)]
    orders = [row.get("order") for row in rows]
    if len(set(orders)) != len(orders):
        errors.append(_("Two rules have the same order: give each its own place."))
    if errors:
        raise ValidationError({"rules": errors})
    with transaction.atomic():
        AllocationRule.objects.filter(la=la).delete()
        rules = AllocationRule.objects.bulk_create(AllocationRule(la=la, **dict(row)) for row in rows)
        audit.record(actor, "change", context, object_type="allocation_rules", object_id=la.pk,
                     detail={"la": la.ref, "rules": len(rules)})
    return rules
