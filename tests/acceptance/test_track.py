"""Acceptance scenarios for tracking (spec/framework-wales.md): AT-8 Sarah's drop-out notification chain (SC-3,
R48-R52) and AT-9 the provider compliance escalation with its silent providers (SC-6, R51).

Tracking's other scenarios have files of their own, each with its fixtures: AT-10 unknowns and moves
(``test_track_unknowns.py``), AT-15 jobs without training (``test_track_jwt.py``), AT-26 the post-18 handover
(``test_track_post18.py``) and the destinations survey (``test_track_destinations.py``)."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from tests.track import notification_setup
from tests.track.notification_setup import days_ago, post16_dob
from yep.broker.models import Allocation, ReferralSource
from yep.broker.queries import active_allocation
from yep.broker.services import allocate, make_referral
from yep.people.models import ActivityCode, OrganisationKind, Role
from yep.tasks.models import Notification, Task, TaskKind
from yep.track import notifications
from yep.track.models import Activity, ProviderNotification
from yep.track.queries import person_timeline
from yep.track.services import record_activities
from yep.track.services_notifications import notify

# Fixtures shared with the notification tests (pytest finds them by these names).
careers, learner = notification_setup.careers, notification_setup.learner
HEADER = "provider,kind,uln,upn,forenames,surname,dob,postcode,date_left,reason,course,phone,email,notes"


def _row(forenames, surname, dob, uln, left):
    return f",left,{uln},,{forenames},{surname},{dob},CF24 3AB,{left.isoformat()},,Level 2 Catering,,,"


@pytest.fixture
def at8(region, careers, learner):
    """Sarah, at college full time and flagged by the college as seriously at risk 40 days ago (tier 4, high);
    Cai, at college 12 hours a week (tier 4, under the hours boundary) with no risk flag."""
    region.epc.email = "epc@example.org"
    region.epc.save(update_fields=["email"])
    sarah = learner("Sarah", "Hughes")
    cai = learner("Cai", "Morgan", hours=12)
    notify(region.college, kind="seriously_at_risk", identifiers={"uln": sarah.uln}, actor=region.provider_staff,
           context=TEST, received_at=timezone.now() - datetime.timedelta(days=40))
    return sarah, cai


def test_at8_sarahs_drop_out_notification_chain(client, region, careers, at8, tmp_path,
                                                 django_capture_on_commit_callbacks):
    sarah, cai = at8
    before = {p.pk: person_timeline(p, on=days_ago(25)).as_at for p in (sarah, cai)}
    assert [(before[p.pk].tier, before[p.pk].risk) for p in (sarah, cai)] == [(4, "high"), (4, None)]

    # 1. The college uploads a CSV with 3 leavers: 10 days ago, 20 days ago, and one that cannot be matched.
    upload = tmp_path / "leavers.csv"
    upload.write_text("\n".join([
        HEADER,
        _row("Sarah", "Hughes", sarah.dob.isoformat(), sarah.uln, days_ago(10)),
        _row("Cai", "Morgan", cai.dob.isoformat(), "", days_ago(20)),
        _row("Nobody", "Known", "2008-02-29", "", days_ago(5)),
    ]) + "\n", encoding="utf-8")
    client.force_login(region.provider_staff)
    with django_capture_on_commit_callbacks(execute=True), upload.open("rb") as handle:
        done = client.post("/imports/notifications/", {"file": handle, "action": "import"})
        assert 'data-testid="imported"' in done.content.decode()

    # 2. Two tier changes, 4 -> 3, and the college's support ends with the college activity and enrolment.
    after = {p.pk: person_timeline(p).now for p in (sarah, cai)}
    assert [after[p.pk].tier for p in (sarah, cai)] == [3, 3]
    for person, days in ((sarah, 10), (cai, 20)):
        college = Activity.objects.get(person=person, organisation=region.college)
        assert college.end == days_ago(days)
        assert person.enrolments.get(organisation=region.college).end_reason == "dropped_out"
    # Two careers service contact tasks.
    contacts = Task.objects.filter(kind=TaskKind.CONTACT, organisation=careers.service, role=Role.CAREERS_ADVISER,
                                   source__startswith="track.providernotification:")
    leaving = {n.person_id: n for n in ProviderNotification.objects.filter(kind="left", person__isnull=False)}
    assert sorted(contacts.filter(source__in=[f"track.providernotification:{n.pk}" for n in leaving.values()])
                  .values_list("person_id", flat=True)) == sorted([sarah.pk, cai.pk])
    # An EPC alert for the leaver with the at-risk flag, and none for the other.
    alerts = Task.objects.filter(role=Role.EPC, organisation=region.la, source__in=[
        f"track.providernotification:{n.pk}" for n in leaving.values()])
    assert list(alerts.values_list("person_id", flat=True)) == [sarah.pk]
    assert Notification.objects.filter(recipient_user=region.epc, task=alerts.get()).exists()
    # One item in the unmatched queue.
    (waiting,) = notifications.unmatched_for(careers.adviser)
    assert waiting.sent_name == "Nobody Known"
    # The compliance report: 1 of 2 within 14 days.
    (college,) = notifications.compliance({region.la.pk}, days_ago(90), timezone.localdate())
    assert (college.left, college.within_target, college.awaiting_match) == (2, 1, 1)
    client.force_login(region.epc)
    page = client.get("/track/compliance/").content.decode()
    assert "1 of 2" in page

    # 3. The EPC records the brokerage decision: a youth worker, for her prior youth club engagement.
    youth_worker = factories.make_lead_worker("681", "youth_service", username="ys.sarah")
    referral = make_referral(sarah, source=ReferralSource.TIER, needs=["careers"], tier=3, actor=region.epc,
                             context=TEST)
    allocation = allocate(referral, youth_worker, override_reason="prior youth club engagement", actor=region.epc,
                          context=TEST)
    assert (allocation.host_type, allocation.override_reason) == ("youth_service", "prior youth club engagement")

    # 4. She enrols on new provision; the lead worker continues.
    provision = factories.make_organisation(OrganisationKind.WBL_PROVIDER, "681", "Cardiff Traineeships")
    record_activities([{"person_id": sarah.pk, "code_id": ActivityCode.objects.get(code=450).pk,
                        "start": timezone.localdate(), "end": None, "hours_per_week": 25,
                        "organisation_id": provision.pk, "source": "careers_service"}], actor="test", context=TEST)
    assert person_timeline(sarah).now.tier == 5
    assert active_allocation(sarah.pk) == allocation and Allocation.objects.get(pk=allocation.pk).end is None


def _left_provider(provider, surname, *, ended: datetime.date, code: int = 230, source: str = "destination_survey"):
    """A young person whose time at ``provider`` ended on ``ended``, as the destination survey recorded it."""
    person = factories.make_person("681", legal_forenames="Leaver", legal_surname=surname,
                                   dob=post16_dob().isoformat())
    record_activities([
        {"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk, "start": days_ago(300),
         "end": ended, "hours_per_week": 20, "organisation_id": provider.pk, "source": source},
        {"person_id": person.pk, "code_id": ActivityCode.objects.get(code=619).pk,
         "start": ended + datetime.timedelta(days=1), "end": None, "hours_per_week": None, "organisation_id": None,
         "source": source},
    ], actor="test", context=TEST)
    return person


def test_at9_providers_silent_for_three_months_are_flagged_for_welsh_government(client, region, careers):
    make = factories.make_organisation
    sixth_form = make(OrganisationKind.SIXTH_FORM, "681", "St David's Sixth Form College")
    wbl = make(OrganisationKind.WBL_PROVIDER, "681", "ACT Training")
    lapsed = make(OrganisationKind.FE_COLLEGE, "681", "Coleg y Cymoedd")
    quiet_school = make(OrganisationKind.SCHOOL, "681", "Ysgol Plasmawr")
    for provider, name in ((sixth_form, "Ahmed"), (wbl, "Bevan"), (region.college, "Cole"), (lapsed, "Davies")):
        _left_provider(provider, name, ended=days_ago(40))
    _left_provider(quiet_school, "Evans", ended=days_ago(30), code=210)  # a school sixth form leaver
    # The college tells the careers service; Coleg y Cymoedd last did four months ago.
    notify(region.college, kind="left", identifiers={"forenames": "Leaver", "surname": "Cole",
                                                     "dob": post16_dob()}, left_on=days_ago(40), actor=region.epc,
           context=TEST)
    notify(lapsed, kind="left", identifiers={"uln": factories.valid_uln()}, left_on=days_ago(125),
           actor=region.epc, context=TEST, received_at=timezone.now() - datetime.timedelta(days=120))

    client.force_login(careers.adviser)
    page = client.get("/track/compliance/")
    silent = {r.provider for r in page.context["silent"]}
    assert silent == {sixth_form, wbl, lapsed, quiet_school}
    kinds = {r.provider.kind for r in page.context["silent"]}
    assert kinds == {"sixth_form", "wbl_provider", "fe_college", "school"}
    export = client.get("/track/compliance/export.csv")
    rows = {r["provider"]: r for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert {name for name, r in rows.items() if r["silent"] == "yes"} == {
        "St David's Sixth Form College", "ACT Training", "Coleg y Cymoedd", "Ysgol Plasmawr"}
    assert rows["Cardiff and Vale College"]["silent"] == "no"
    # Another LA's careers service does not see Cardiff's providers.
    client.force_login(careers.other_adviser)
    assert client.get("/track/compliance/").context["silent"] == []
