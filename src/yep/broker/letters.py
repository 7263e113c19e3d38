"""What brokerage writes to people, each in the reader's own language (R9, AT-19): the introduction of a lead
worker to the young person (and to their parents or carers while under 16), and the news of a new young person to
the lead worker. Each writer is called inside the recipient's language by ``yep.tasks.services``."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.tasks.services import notify_parent, notify_person, notify_user

from .models import Allocation

# Under 16, letters go to those with parental responsibility as well as to the young person.
PARENTS_UNTIL_AGE = 16


def _worker_name(allocation: Allocation) -> str:
    worker = allocation.lead_worker
    return worker.get_full_name() or worker.get_username()


def _introduction(allocation: Allocation) -> tuple[str, str]:
    worker = allocation.lead_worker
    subject = _("Your lead worker")
    lines = [
        _("%(worker)s from %(host)s is now your lead worker. They will be in touch to agree the support you "
          "want and to stay with you while you need them.") % {"worker": _worker_name(allocation),
                                                                 "host": allocation.host_organisation.display_name},
    ]
    if worker.email:
        lines.append(_("You can email them at %(email)s.") % {"email": worker.email})
    return subject, "\n\n".join(lines)


def _new_young_person(allocation: Allocation) -> tuple[str, str]:
    # No name or risk detail by email: the caseload page shows them once signed in.
    return (_("A young person has been allocated to you"),
            _("The EPC has allocated a young person to you as their lead worker (reference %(ref)s). Sign in to "
              "YEP and open your caseload to see who, and their support package.") % {"ref": allocation.pk})


def introduce_lead_worker(allocation: Allocation, *, actor: Any, context: audit.AuditContext) -> int:
    """Tell the young person (and, under 16, their parents or carers) who their lead worker is, and tell the
    lead worker. Returns how many emails were written."""
    person = allocation.person
    sent = [notify_person(person, lambda: _introduction(allocation), actor=actor, context=context),
            notify_user(allocation.lead_worker, lambda: _new_young_person(allocation))]
    if person.academic_age(timezone.localdate()) < PARENTS_UNTIL_AGE:
        sent += [notify_parent(contact, lambda: _introduction(allocation), actor=actor, context=context)
                 for contact in person.contacts.filter(has_parental_responsibility=True).exclude(email="")]
    return sum(1 for notification in sent if notification is not None)
