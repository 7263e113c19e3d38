"""Retention: default rules with their basis, dry runs that change nothing, anonymising young people six years after
their 25th birthday (keeping what statistics need), deleting old sign-in attempts, closed emergency accesses,
decided rectification requests and revoked tokens, one audit event per rule, idempotent runs, and an audit log
that is never pruned."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from yep.access import services
from yep.access.models import (
    ApiToken,
    AuditEvent,
    BreakGlassAccess,
    Consent,
    LoginAttempt,
    RectificationRequest,
    RetentionRule,
)
from yep.access.services.authentication import record_failed_sign_in
from yep.people import services as people_services
from yep.people.models import Contact, Person, PersonName

T = factories.TEST
# The region's three young people were born on 2009-03-27: 31 on this day, six years and two months after their
# 25th birthday.
WHEN_PUPIL_IS_31 = datetime.date(2040, 6, 1)
REASON = "Welfare concern reported by the police late at night."


def run(**options):
    return {o.record_type: o for o in services.run_retention(actor="cli:test", context=T, **options)}


@pytest.fixture
def rules(db):
    return services.create_default_retention_rules(actor="cli:test", context=T)


@pytest.fixture
def younger(region):
    """Born 2016-01-15: 24 when the pupil is 31."""
    return factories.make_person(legal_forenames="Osian", legal_surname="Rees", dob="2016-01-15",
                                 upn=factories.valid_upn(), ni_number="AB123456C")


@pytest.fixture
def pupil(region):
    """The pupil with contacts, a characteristic, identifiers, consent and a rectification request."""
    pupil = region.pupil
    people_services.update_person(pupil, {"uln": factories.valid_uln(), "ni_number": "CE123456A",
                                          "phone": "07700 900123", "email": "dafydd@example.com"},
                                  actor="t", context=T)
    people_services.add_contact(pupil, name="Gwenda Evans", relationship="mother", actor="t", context=T)
    people_services.add_characteristic(pupil, "fsm", start=datetime.date(2020, 9, 1), actor="t", context=T)
    services.record_consent(pupil, "referral", given_by="parent_carer", given_by_name="Gwenda Evans",
                            method="written", given_on=datetime.date(2024, 1, 1), actor="t", context=T)
    services.request_rectification(pupil, field="town", requested_value="Caerdydd", reason="", requested_by="Dafydd",
                                   actor="t", context=T)
    return pupil


def test_default_rules_are_made_once_each_with_its_basis(rules):
    assert {r.record_type for r in rules} == {"login_attempt", "person", "break_glass", "rectification_request",
                                              "api_token"}
    assert all(r.basis for r in rules)
    person = RetentionRule.objects.get(record_type="person")
    assert (person.action, person.keep_days) == ("anonymise", 2192)
    assert services.create_default_retention_rules(actor="cli:test", context=T) == []
    assert AuditEvent.objects.filter(object_type="retention_rule", action="create").count() == 5


def test_a_dry_run_counts_what_is_due_and_changes_nothing(rules, pupil, younger):
    events = AuditEvent.objects.count()
    outcomes = run(dry_run=True, today=WHEN_PUPIL_IS_31)
    assert outcomes["person"].count == 3 and not outcomes["person"].applied
    pupil.refresh_from_db()
    assert pupil.legal_surname == "ap Gruffydd" and pupil.contacts.exists()
    assert AuditEvent.objects.count() == events


def test_a_run_anonymises_a_31_year_old_and_keeps_a_24_year_old(rules, pupil, younger):
    assert run(today=WHEN_PUPIL_IS_31)["person"].count == 3
    pupil.refresh_from_db()
    younger.refresh_from_db()
    assert (pupil.legal_forenames, pupil.legal_surname) == ("Anonymised", "Anonymised")
    assert (younger.legal_forenames, younger.legal_surname, younger.ni_number_masked) == ("Osian", "Rees",
                                                                                          "AB •• •• 56 C")


def test_anonymising_removes_identity_and_contact_and_keeps_what_statistics_need(rules, pupil):
    la, sex = pupil.la_of_residence_id, pupil.sex
    run(today=WHEN_PUPIL_IS_31)
    pupil.refresh_from_db()
    assert pupil.dob == datetime.date(2009, 7, 1) and pupil.sex == sex and pupil.la_of_residence_id == la
    assert (pupil.upn, pupil.uln, pupil.ni_number_digest, pupil.ni_number_encrypted) == (None, None, None, "")
    assert (pupil.phone, pupil.email, pupil.postcode, pupil.address_line1, pupil.preferred_forename) == \
        ("", "", "", "", "")
    assert not Contact.objects.filter(person=pupil).exists() and not PersonName.objects.filter(person=pupil).exists()
    assert pupil.characteristics.count() == 1 and pupil.enrolments.count() == 1
    assert not RectificationRequest.objects.filter(person=pupil).exists()
    assert Consent.objects.get(person=pupil).given_by_name == ""
    event = AuditEvent.objects.get(person_id=pupil.pk, detail__retention="anonymised")
    assert "legal_surname" in event.fields and "contacts" in event.fields


def test_running_again_changes_nothing(rules, pupil, younger):
    run(today=WHEN_PUPIL_IS_31)
    pupil.refresh_from_db()
    before = (pupil.updated_at, pupil.dob, Person.objects.count())
    again = run(today=WHEN_PUPIL_IS_31)
    pupil.refresh_from_db()
    assert all(o.count == 0 for o in again.values())
    assert (pupil.updated_at, pupil.dob, Person.objects.count()) == before


def test_each_rule_writes_one_audit_event_with_its_count_and_the_audit_log_is_kept(rules, pupil):
    before = AuditEvent.objects.count()
    outcomes = run(today=WHEN_PUPIL_IS_31)
    events = AuditEvent.objects.filter(object_type="retention_rule", action="change")
    assert events.count() == 5 and len({e.detail["run"] for e in events}) == 1
    assert {e.detail["record_type"]: e.detail["count"] for e in events}["person"] == 3
    assert AuditEvent.objects.count() > before
    assert not outcomes["audit_event"].applied and "pruning the chain needs an anchor" in outcomes["audit_event"].note


def test_old_sign_in_attempts_go_and_recent_ones_stay(rules, region):
    now = timezone.now()
    record_failed_sign_in(username="epc", context=T, now=now - datetime.timedelta(days=120))
    record_failed_sign_in(username="epc", context=T, now=now - datetime.timedelta(days=10))
    assert run()["login_attempt"].count == 1
    assert LoginAttempt.objects.count() == 1


def test_closed_emergency_accesses_go_after_two_years_and_unreviewed_ones_stay(rules, region):
    reviewed = services.open_break_glass(region.provider_staff, region.pupil, reason=REASON,
                                         actor=region.provider_staff, context=T)
    services.review_break_glass(reviewed, note="Justified.", actor=region.epc, context=T)
    unreviewed = services.open_break_glass(region.provider_staff, region.pupil, reason=REASON,
                                           actor=region.provider_staff, context=T)
    assert run(today=timezone.localdate() + datetime.timedelta(days=700))["break_glass"].count == 0
    assert run(today=timezone.localdate() + datetime.timedelta(days=740))["break_glass"].count == 1
    assert list(BreakGlassAccess.objects.all()) == [unreviewed]


def test_decided_rectification_requests_go_after_two_years_and_open_ones_stay(rules, region):
    decided = services.request_rectification(region.pupil, field="town", requested_value="Caerdydd", reason="",
                                             requested_by="Dafydd", actor="t", context=T)
    services.reject_rectification(decided, reason="Cardiff is right.", actor="t", context=T)
    still_open = services.request_rectification(region.pupil, field="phone", requested_value="07700 900999",
                                                reason="", requested_by="Dafydd", actor="t", context=T)
    assert run(today=timezone.localdate() + datetime.timedelta(days=740))["rectification_request"].count == 1
    assert list(RectificationRequest.objects.all()) == [still_open]


def test_tokens_revoked_over_a_year_ago_go(rules, region):
    _raw, revoked = services.create_token(region.epc, "old partner", actor="t", context=T)
    services.revoke_token(revoked, actor="t", context=T)
    services.create_token(region.epc, "current partner", actor="t", context=T)
    assert run(today=timezone.localdate() + datetime.timedelta(days=370))["api_token"].count == 1
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["current partner"]


def test_deleting_a_young_person_removes_their_record_and_keeps_the_audit_trail(region, pupil):
    pk = pupil.pk
    people_services.delete_person(pupil, actor="cli:test", context=T)
    assert not Person.objects.filter(pk=pk).exists() and not Contact.objects.filter(person_id=pk).exists()
    assert AuditEvent.objects.filter(person_id=pk, detail__retention="deleted").exists()
    assert AuditEvent.objects.filter(person_id=pk, action="create").exists()


def test_the_command_adds_defaults_and_a_dry_run_changes_nothing(region, capsys):
    call_command("retention", "defaults")
    assert "5 default rules added." in capsys.readouterr().out
    events = AuditEvent.objects.count()
    call_command("retention", "run", "--dry-run")
    out = capsys.readouterr().out
    assert "person: 0 due (anonymise); nothing changed" in out and "audit_event: kept" in out
    assert AuditEvent.objects.count() == events
    call_command("retention", "run")
    assert "person: 0 anonymised" in capsys.readouterr().out
    assert AuditEvent.objects.filter(object_type="retention_rule", action="change", channel="cli").count() == 5
