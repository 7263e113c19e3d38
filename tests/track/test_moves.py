"""Moves between local authorities (R5): the record follows the young person into the new LA's intake queue, the
new LA's EPC and careers service are alerted, neither LA counts them as unknown, and the new LA accepts them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people.models import Role
from yep.tasks.models import Notification, Task, TaskStatus
from yep.track import unknowns
from yep.track.models import LaMove
from yep.track.queries import cohort_tiers
from yep.track.services_unknowns import accept_move, log_contact, report_move

from . import test_unknowns
from .notification_setup import days_ago
from .test_unknowns import make_unknown, tier_one

# Fixtures shared with the unknowns service tests (pytest finds them by these names).
careers, npt = test_unknowns.careers, test_unknowns.npt


def test_a_move_takes_the_record_to_the_new_las_intake_and_alerts_its_epc_and_careers_service(
        region, careers, npt, django_capture_on_commit_callbacks):
    npt.epc.email = "npt.epc@example.org"
    npt.epc.save(update_fields=["email"])
    person = make_unknown("Mover", code=810)
    cardiff_before, npt_before = tier_one(region.epc), tier_one(npt.epc)
    with django_capture_on_commit_callbacks(execute=True):
        move = report_move(person, to_la=npt.la, moved_on=days_ago(10), source="other_la", notes="Moved with mum",
                           actor=careers.adviser, context=TEST)
    person.refresh_from_db()
    assert (person.la_of_residence, move.from_la, move.in_intake) == (npt.la, region.la, True)
    assert list(unknowns.intake_for(npt.adviser)) == [move] == list(unknowns.intake_for(npt.epc))
    assert not unknowns.intake_for(region.epc).exists()
    # Counted as unknown in neither LA: gone from Cardiff, "being confirmed" in NPT.
    assert tier_one(region.epc) == cardiff_before - 1 and tier_one(npt.epc) == npt_before
    assert cohort_tiers(npt.epc, timezone.localdate()).confirming == 1
    assert person not in [u.person for u in unknowns.unknowns_for(npt.adviser)]
    assert person not in [u.person for u in unknowns.unknowns_for(careers.adviser)]
    tasks = Task.objects.filter(source=f"track.lamove:{move.pk}")
    assert {(t.organisation, t.role) for t in tasks} == {(npt.service, Role.CAREERS_ADVISER), (npt.la, Role.EPC)}
    assert Notification.objects.filter(recipient_user=npt.epc).exists()
    assert AuditEvent.objects.filter(object_type="la_move", person_id=person.pk).exists()


def test_the_new_la_accepts_the_move_and_then_counts_the_young_person(region, careers, npt):
    person = make_unknown("Mover")
    move = report_move(person, to_la=npt.la, moved_on=days_ago(3), actor=careers.adviser, context=TEST)
    before = tier_one(npt.epc)
    with pytest.raises(PermissionDenied):
        accept_move(move, actor=region.epc, context=TEST)  # the old LA cannot accept for the new one
    accept_move(move, actor=npt.adviser, context=TEST)
    move.refresh_from_db()
    assert move.accepted_by == npt.adviser and not move.in_intake
    assert not unknowns.intake_for(npt.epc).exists()
    assert tier_one(npt.epc) == before + 1  # no activity known yet: now an unknown of NPT's
    assert person in [u.person for u in unknowns.unknowns_for(npt.adviser)]
    (lead,) = [u for u in unknowns.unknowns_for(npt.adviser) if u.person == person][0].leads
    assert lead.source == "other_la" and "Cardiff" in lead.detail
    assert all(t.status == TaskStatus.DONE for t in Task.objects.filter(source=f"track.lamove:{move.pk}"))
    with pytest.raises(ValidationError):
        accept_move(move, actor=npt.adviser, context=TEST)  # once only


def test_a_move_to_the_same_la_a_non_la_or_a_bad_date_is_refused_and_nothing_changes(region, careers, npt):
    person = make_unknown("Stayer")
    cases = [
        ({"to_la": region.la, "moved_on": days_ago(1)}, "to_la"),
        ({"to_la": region.college, "moved_on": days_ago(1)}, "to_la"),
        ({"to_la": None, "moved_on": days_ago(1)}, "to_la"),
        ({"to_la": npt.la, "moved_on": "2026-13-01"}, "moved_on"),
        ({"to_la": npt.la, "moved_on": timezone.localdate() + datetime.timedelta(days=2)}, "moved_on"),
        ({"to_la": npt.la, "moved_on": days_ago(1), "source": "rumour"}, "source"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as problem:
            report_move(person, actor=careers.adviser, context=TEST, **fields)
        assert field in problem.value.message_dict
    person.refresh_from_db()
    assert person.la_of_residence == region.la and not LaMove.objects.exists() and not Task.objects.exists()


def test_only_someone_who_may_change_the_record_reports_a_move(region, careers, npt):
    person = make_unknown("Mover")
    with pytest.raises(PermissionDenied):
        report_move(person, to_la=npt.la, moved_on=days_ago(1), actor=npt.epc, context=TEST)
    assert not LaMove.objects.exists()


def test_a_contact_saying_moved_away_reports_the_move(region, careers, npt):
    person = make_unknown("Mover")
    contact = log_contact(person, purpose="tracing", method="phone", source="family", outcome="moved_away",
                          to_la=npt.la, moved_on=days_ago(5), actor=careers.adviser, context=TEST)
    move = LaMove.objects.get(person=person)
    assert (contact.outcome, move.to_la, move.moved_on, move.source) == ("moved_away", npt.la, days_ago(5), "family")
