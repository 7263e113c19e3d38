"""Creating organisations, staff users and memberships."""

import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit

from ..models import Membership, Organisation, OrganisationKind, Role, User


@transaction.atomic
def create_organisation(*, ref: str, kind: str, name: str, name_cy: str = "", code: str = "",
                        la: Organisation | None = None, school_type: str = "", postcode: str = "",
                        actor: Any, context: audit.AuditContext) -> Organisation:
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [_("Unknown organisation type %(kind)s.") % {"kind": kind}]})
    if Organisation.objects.filter(ref=ref).exists():
        raise ValidationError({"ref": [_("An organisation with reference %(ref)s already exists.") % {"ref": ref}]})
    organisation = Organisation.objects.create(ref=ref, kind=kind, name=name, name_cy=name_cy, code=code, la=la,
                                               school_type=school_type, postcode=postcode)
    audit.record(actor, "create", context, object_type="organisation", object_id=organisation.pk)
    return organisation


@transaction.atomic
def create_user(username: str, password: str, *, first_name: str = "", last_name: str = "", email: str = "",
                preferred_language: str = "en", actor: Any, context: audit.AuditContext) -> User:
    user = User(username=username, first_name=first_name, last_name=last_name, email=email,
                preferred_language=preferred_language)
    validate_password(password, user)
    user.set_password(password)
    user.save(force_insert=True)
    audit.record(actor, "create", context, object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def add_membership(user: User, organisation: Organisation, role: str, *, start: datetime.date | None = None,
                   actor: Any, context: audit.AuditContext) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role %(role)s.") % {"role": role}]})
    membership = Membership.objects.create(user=user, organisation=organisation, role=role,
                                           start=start or timezone.localdate())
    audit.record(actor, "create", context, object_type="membership", object_id=membership.pk,
                 detail={"user": user.username, "organisation": organisation.ref, "role": role})
    return membership


def set_preferred_language(user: User, language: str) -> None:
    """Remember the language a member of staff chose; it is used when they next sign in."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
