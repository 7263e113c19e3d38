"""The lead workers an EPC can allocate: host, host type, agreed capacity and Welsh (R30, R32, R40)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.access import audit
from yep.people.models import Organisation, OrganisationKind, User

from ..models import HostType, LeadWorkerProfile
from ..queries import is_epc_of

MAX_CAPACITY = 200


def _check_manager(actor: Any, la_id: int, context: audit.AuditContext, wanted: str, message: str) -> None:
    """Refuse anyone but the LA's EPC (or a command). The refusal is audited before any transaction opens, so it
    is not rolled back with the work refused."""
    if getattr(actor, "pk", None) and not is_epc_of(actor, la_id):
        audit.record(actor, "denied", context, object_type="lead_worker_profile", detail={"wanted": wanted})
        raise PermissionDenied(message)


def _check_capacity(capacity: int, errors: dict[str, list[str]]) -> None:
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Give the agreed caseload as a whole number from 1 to %(max)s.")
                              % {"max": MAX_CAPACITY}]


def register_lead_worker(user: User, *, la: Organisation, host_organisation: Organisation, host_type: str,
                         capacity: int, speaks_welsh: bool = False, actor: Any,
                         context: audit.AuditContext) -> LeadWorkerProfile:
    """Make ``user`` allocatable as a lead worker by the EPC of ``la``. The EPC of that LA (or a command) may."""
    _check_manager(actor, la.pk, context, "register",
                   _("Only the EPC of this local authority can register its lead workers."))
    errors: dict[str, list[str]] = {}
    if la.kind != OrganisationKind.LA:
        errors["la"] = [_("Choose a local authority.")]
    if host_type not in HostType.values:
        errors["host_type"] = [_("Choose the kind of service that hosts the lead worker.")]
    _check_capacity(capacity, errors)
    if LeadWorkerProfile.objects.filter(user=user).exists():
        errors["user"] = [_("This member of staff is already registered as a lead worker.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile = LeadWorkerProfile.objects.create(user=user, la=la, host_organisation=host_organisation,
                                                   host_type=host_type, capacity=capacity, speaks_welsh=speaks_welsh)
        audit.record(actor, "create", context, object_type="lead_worker_profile", object_id=profile.pk,
                     detail={"user": user.get_username(), "host_type": host_type, "capacity": capacity,
                             "speaks_welsh": speaks_welsh})
    return profile


def change_lead_worker(profile: LeadWorkerProfile, *, capacity: int | None = None, speaks_welsh: bool | None = None,
                       active: bool | None = None, actor: Any, context: audit.AuditContext) -> LeadWorkerProfile:
    """Change a lead worker's agreed capacity, Welsh, or whether they take new allocations."""
    _check_manager(actor, profile.la_id, context, "change",
                   _("Only the EPC of this local authority can change its lead workers."))
    errors: dict[str, list[str]] = {}
    if capacity is not None:
        _check_capacity(capacity, errors)
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in
               (("capacity", capacity), ("speaks_welsh", speaks_welsh), ("active", active)) if value is not None}
    for name, value in changed.items():
        setattr(profile, name, value)
    if changed:
        with transaction.atomic():
            profile.save(update_fields=list(changed))
            audit.record(actor, "change", context, object_type="lead_worker_profile", object_id=profile.pk,
                         fields=list(changed), detail=dict(changed))
    return profile
