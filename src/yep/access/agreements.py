"""Checking a flow of personal data between organisations against the sharing agreements.

Every flow (a referral, a notification, a release to a school, sharing with a supporting service, an extract)
names its source and target organisations and the data categories it carries. It is allowed only under an
active agreement whose parties include both and whose categories cover what flows; an objection under
ESA 2008 s72 narrows any flow to name, address and date of birth. A blocked flow says why, and which
agreement (if any) would allow it once activated or extended.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.people.models import Organisation, Person

from . import categories as C
from .models import Objection, SharingAgreement


@dataclass(frozen=True)
class FlowCheck:
    allowed: bool
    agreement: SharingAgreement | None
    message: str
    nearest: SharingAgreement | None = None


def _between(source: Organisation, target: Organisation) -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.filter(parties=source).filter(parties=target).distinct()


def _in_force(day: datetime.date) -> Q:
    return Q(status=SharingAgreement.Status.ACTIVE, start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def active_agreement(source: Organisation, target: Organisation, wanted: Iterable[str],
                     day: datetime.date | None = None) -> SharingAgreement | None:
    """An agreement in force between the two organisations covering every wanted category, if one exists."""
    wanted = set(wanted)
    for agreement in _between(source, target).filter(_in_force(day or timezone.localdate())).order_by("pk"):
        if wanted <= set(agreement.categories):
            return agreement
    return None


def has_objection(person: Person, day: datetime.date | None = None) -> bool:
    day = day or timezone.localdate()
    return Objection.objects.filter(person=person, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)).exists()


def check_flow(person: Person, source: Organisation, target: Organisation, wanted: Iterable[str],
               day: datetime.date | None = None) -> FlowCheck:
    """Whether ``wanted`` categories of ``person``'s data may flow from ``source`` to ``target``, and why."""
    wanted = set(wanted)
    day = day or timezone.localdate()
    names = ", ".join(str(C.LABELS[c]) for c in sorted(wanted))
    if has_objection(person, day) and not wanted <= C.UNDER_OBJECTION:
        return FlowCheck(False, None, _("The young person has objected to sharing (ESA 2008 s72): only name, "
                                        "address and date of birth may be shared."))
    agreement = active_agreement(source, target, wanted, day)
    if agreement is not None:
        return FlowCheck(True, agreement, _("Allowed by the agreement “%(name)s”.") % {"name": agreement.name})
    nearest = _between(source, target).order_by("-start").first()
    if nearest is None:
        message = _("There is no sharing agreement between %(source)s and %(target)s. Register one, with its "
                    "lawful basis, before sharing %(categories)s.")
    elif nearest.status != SharingAgreement.Status.ACTIVE or not nearest.start <= day <= (nearest.end or day):
        message = _("The agreement between %(source)s and %(target)s is not in force (“%(agreement)s”, "
                    "%(status)s). Activate or renew it before sharing %(categories)s.")
    else:
        message = _("The agreement “%(agreement)s” between %(source)s and %(target)s does not cover "
                    "%(categories)s. Extend it before sharing.")
    values = {"source": source.display_name, "target": target.display_name, "categories": names,
              "agreement": nearest.name if nearest else "", "status": nearest.get_status_display() if nearest else ""}
    return FlowCheck(False, None, message % values, nearest)
