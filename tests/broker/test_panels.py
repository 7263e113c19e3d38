"""School panels and business cases (R28, R29): who may record a panel and send a case, what each checks, the
EPC's decision with its reason, the referral an approval makes, and the task and emails around a case."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from tests.identify.test_runs import DAY, TERM, YEAR, pupils, simple_model
from yep.access.models import AuditEvent
from yep.broker import panels as read
from yep.broker.models import BusinessCase, BusinessCaseStatus, PanelMeeting, ReferralSource
from yep.broker.services.panels import (
    decide_business_case,
    record_panel,
    submit_business_case,
    working_days_after,
)
from yep.identify import services as identify
from yep.identify.models import Exclusion
from yep.people.models import Role
from yep.tasks.models import Notification, Task, TaskKind, TaskStatus

MEMBERS = [{"name": "Ceri Lloyd", "role": "headteacher"}, {"name": "Nia Rees", "role": "pastoral"}]


def red_pupils(region, n, school=None):
    """``n`` current pupils of the school in the red (high) band of a released early identification run."""
    people = pupils(region, [0.5] * n, school=school)
    for person in people:
        Exclusion.objects.create(person=person, date=datetime.date(2026, 10, 1), kind="fixed_term", days=2)
    run = identify.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    identify.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    return people


def make_school(region):
    """The region's school with three red pupils, its staff (with an email) and the LA's EPC (with one)."""
    region.epc.email = "epc@example.org"
    region.epc.save(update_fields=["email"])
    region.school_staff.email = "staff@example.org"
    region.school_staff.save(update_fields=["email"])
    return SimpleNamespace(org=region.school, staff=region.school_staff, epc=region.epc,
                           red=red_pupils(region, 3))


@pytest.fixture
def school(region):
    return make_school(region)


def _panel(school, pupils=None, **extra):
    rows = pupils if pupils is not None else [
        {"person": p, "risk_band": "high", "in_school_plan": "Mentoring twice a week", "outcome": "business_case"}
        for p in school.red]
    return record_panel(school.org, held_on=timezone.localdate(), members=MEMBERS, pupils=rows,
                        actor=extra.pop("actor", school.staff), context=TEST, **extra)


def _case(school, person, **extra):
    fields = {"school": school.org, "needs": ["attendance", "wellbeing"], "case": "Attendance 50%; mentoring has "
              "not helped.", "urgency": "priority", "consent_confirmed": True, "actor": school.staff,
              "context": TEST, **extra}
    return submit_business_case(person, **fields)


# Panels -------------------------------------------------------------------------------------------------------


def test_school_staff_record_a_panel_with_members_by_role_and_pupils_discussed(school):
    meeting = _panel(school)

    assert [(m.name, m.role) for m in meeting.members.all()] == [("Ceri Lloyd", "headteacher"),
                                                                  ("Nia Rees", "pastoral")]
    assert [p.person for p in meeting.pupils.all()] == school.red
    assert {p.outcome for p in meeting.pupils.all()} == {"business_case"}
    logged = AuditEvent.objects.filter(object_type="panel_pupil", action="create")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in school.red)


def test_the_epc_may_record_a_school_panel_but_another_school_or_la_may_not(region, school):
    assert _panel(school, actor=school.epc).recorded_by == school.epc
    other_staff = factories.make_user(Role.SCHOOL_STAFF, region.other_school, "bishop.gore")
    for stranger in (other_staff, region.other_epc, region.provider_staff):
        with pytest.raises(PermissionDenied):
            _panel(school, actor=stranger)
    assert PanelMeeting.objects.count() == 1
    assert AuditEvent.objects.filter(action="denied", object_type="panel_meeting").count() == 3


def test_a_panel_with_bad_rows_reports_every_problem_and_saves_nothing(region, school):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [{"person": school.red[0]}, {"person": region.other_pupil}, {"person": school.red[0]},
            {"person": school.red[1], "outcome": "nonsense", "risk_band": "purple"}]
    with pytest.raises(ValidationError) as error:
        record_panel(school.org, held_on=tomorrow, members=[{"name": "", "role": "wizard"}], pupils=rows,
                     actor=school.staff, context=TEST)
    problems = error.value.message_dict
    assert problems["held_on"] == ["The date the panel met cannot be in the future."]
    assert problems["members"] == ["member 1: give their name", "member 1: choose their role"]
    assert problems["pupils"] == ["pupil 2: not a current pupil of this school",
                                  "pupil 3: already listed; discuss each pupil once",
                                  "pupil 4: choose a risk band", "pupil 4: choose what the panel decided"]
    with pytest.raises(ValidationError, match="at least one member"):
        record_panel(school.org, held_on=DAY, members=[], pupils=[], actor=school.staff, context=TEST)
    assert not PanelMeeting.objects.exists()


def test_the_pupils_offered_are_the_schools_current_red_and_amber_pupils_with_their_released_band(region, school):
    choices = read.pupil_choices(school.staff, school.org)
    assert [c.person for c in choices] == school.red and {c.band for c in choices} == {"high"}
    assert region.pupil not in [c.person for c in read.pupil_choices(school.staff, school.org, at_risk_only=True)]
    assert region.pupil in [c.person for c in read.pupil_choices(school.staff, school.org, at_risk_only=False)]
    assert read.pupil_choices(region.other_epc, school.org) == []


# Business cases -----------------------------------------------------------------------------------------------


def test_a_business_case_raises_an_epc_task_due_in_ten_working_days_and_emails_the_epc(
        school, django_capture_on_commit_callbacks):
    school.epc.preferred_language = "cy"
    school.epc.save(update_fields=["preferred_language"])
    meeting = _panel(school)
    with django_capture_on_commit_callbacks(execute=True):
        case = _case(school, school.red[0], panel_pupil=meeting.pupils.first())

    assert (case.la, case.status, case.consent_confirmed) == (school.org.la, BusinessCaseStatus.SUBMITTED, True)
    task = Task.objects.get(source=f"broker.business_case:{case.pk}")
    assert (task.kind, task.organisation, task.role, task.person) == (TaskKind.BUSINESS_CASE, school.org.la,
                                                                      Role.EPC, school.red[0])
    assert task.due == working_days_after(timezone.localdate(), 10)
    assert (task.due - timezone.localdate()).days == 14  # two weeks of working days, whatever today is
    [email] = mail.outbox
    assert email.to == ["epc@example.org"]
    assert f"/broker/business-cases/{case.pk}/" in email.body
    assert school.red[0].legal_surname not in email.body and "high" not in email.body  # no name, no risk
    assert Notification.objects.get(address="epc@example.org").language == "cy"  # in the EPC's language


def test_a_business_case_needs_needs_a_case_and_consent_and_one_waits_at_a_time(region, school):
    with pytest.raises(ValidationError) as error:
        _case(school, region.other_pupil, needs=[], case=" ", consent_confirmed=False, urgency="whenever")
    assert set(error.value.message_dict) == {"person", "needs", "case", "consent_confirmed", "urgency"}
    assert not BusinessCase.objects.exists() and not Task.objects.exists()

    _case(school, school.red[0])
    with pytest.raises(ValidationError, match="already waiting"):
        _case(school, school.red[0])


def test_only_the_schools_staff_or_its_epc_send_a_business_case(region, school):
    with pytest.raises(PermissionDenied):
        _case(school, school.red[0], actor=region.other_epc)
    assert AuditEvent.objects.filter(action="denied", object_type="business_case",
                                     person_id=school.red[0].pk).exists()
    assert _case(school, school.red[0], actor=school.epc).submitted_by == school.epc


def test_approving_makes_a_referral_from_the_case_and_closes_the_task(school, django_capture_on_commit_callbacks):
    meeting = _panel(school)
    case = _case(school, school.red[0], panel_pupil=meeting.pupils.first())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_business_case(case, decision="approve", reason="Needs a youth worker.", actor=school.epc,
                             context=TEST)

    case.refresh_from_db()
    referral = case.referral
    assert case.status == BusinessCaseStatus.APPROVED and case.decision_reason == "Needs a youth worker."
    assert (referral.source, referral.needs, referral.urgency, referral.consent_confirmed) == (
        ReferralSource.SCHOOL_BUSINESS_CASE, ["attendance", "wellbeing"], "priority", True)
    assert referral.risk_band == "high" and referral.la == school.org.la
    assert Task.objects.get(source=f"broker.business_case:{case.pk}").status == TaskStatus.DONE
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    assert f"/broker/business-cases/{case.pk}/" in mail.outbox[0].body


def test_rejecting_or_deferring_needs_a_reason_and_a_deferred_case_is_decided_later(school):
    case = _case(school, school.red[1])
    with pytest.raises(ValidationError) as error:
        decide_business_case(case, decision="reject", reason="  ", actor=school.epc, context=TEST)
    assert error.value.message_dict == {"reason": ["Give the reason for the decision."]}
    with pytest.raises(ValidationError, match="approve, reject or defer"):
        decide_business_case(case, decision="maybe", reason="why not", actor=school.epc, context=TEST)

    decide_business_case(case, decision="defer", reason="Wait for the attendance plan to run.", actor=school.epc,
                         context=TEST)
    task = Task.objects.get(source=f"broker.business_case:{case.pk}")
    assert case.status == BusinessCaseStatus.DEFERRED and task.status == TaskStatus.OPEN
    decide_business_case(case, decision="reject", reason="The plan worked.", actor=school.epc, context=TEST)
    task.refresh_from_db()
    assert (case.status, case.referral, task.status) == (BusinessCaseStatus.REJECTED, None, TaskStatus.DONE)
    with pytest.raises(ValidationError, match="already been decided"):
        decide_business_case(case, decision="approve", reason="Changed my mind", actor=school.epc, context=TEST)


def test_only_the_epc_of_the_cases_la_decides_it(region, school):
    case = _case(school, school.red[0])
    for stranger in (region.other_epc, school.staff):
        with pytest.raises(PermissionDenied):
            decide_business_case(case, decision="approve", reason="ok", actor=stranger, context=TEST)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.SUBMITTED and case.referral is None


def test_an_approval_the_referral_rules_refuse_changes_nothing(school):
    factories.make_referral(school.red[0])  # already open: a second referral is refused
    case = _case(school, school.red[0])
    with pytest.raises(ValidationError, match="already has an open referral"):
        decide_business_case(case, decision="approve", reason="Needs support", actor=school.epc, context=TEST)
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.SUBMITTED
    assert Task.objects.get(source=f"broker.business_case:{case.pk}").status == TaskStatus.OPEN


def test_working_days_skip_weekends():
    friday = datetime.date(2026, 11, 20)
    assert working_days_after(friday, 1) == datetime.date(2026, 11, 23)
    assert working_days_after(friday, 10) == datetime.date(2026, 12, 4)
