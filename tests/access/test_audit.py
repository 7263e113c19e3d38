"""The audit log is append-only and tamper-evident: `yep audit verify` finds the first altered entry."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from yep.access import audit
from yep.access.models import AuditEvent


def test_an_untouched_log_verifies(db):
    for _ in range(3):
        factories.make_person()
    assert audit.first_broken_entry() is None
    call_command("audit", "verify")


def test_an_altered_entry_is_named_by_verify(db):
    people = [factories.make_person(legal_forenames=f"P{n}") for n in range(3)]
    target = AuditEvent.objects.get(person_id=people[1].pk, action="create")
    AuditEvent.objects.filter(pk=target.pk).update(actor_label="someone else")
    assert audit.first_broken_entry() == target
    with pytest.raises(CommandError, match=f"entry {target.pk}"):
        call_command("audit", "verify")


def test_a_removed_entry_breaks_the_chain_at_the_next_one(db):
    people = [factories.make_person(legal_forenames=f"P{n}") for n in range(3)]
    removed = AuditEvent.objects.get(person_id=people[1].pk, action="create")
    following = AuditEvent.objects.filter(pk__gt=removed.pk).order_by("pk").first()
    removed.delete()
    assert audit.first_broken_entry() == following
