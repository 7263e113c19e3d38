"""Subject access: the report holds every section and the NI number, reads in the young person's language, can be
extended by later apps, and is audited as an export wherever it is made (page or command)."""

import datetime
import json
import stat

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from yep.access import audit, sar, services
from yep.access.models import AuditEvent
from yep.people import services as people_services
from yep.people.models import Role

T = factories.TEST
NI = "AB123456C"
SECTIONS = {"identity", "contacts", "characteristics", "enrolments", "relationships", "consents", "objections",
            "break_glass", "rectification_requests", "access_trail"}


@pytest.fixture
def dpo(region):
    return factories.make_user(Role.DPO, region.la, "dpo")


@pytest.fixture
def subject(region):
    """The pupil with something in every section."""
    pupil = region.pupil
    people_services.update_person(pupil, {"ni_number": NI}, actor="t", context=T)
    people_services.add_contact(pupil, name="Gwenda Evans", relationship="mother", actor="t", context=T)
    people_services.add_characteristic(pupil, "aln", value="la_idp:SEMH", start=datetime.date(2022, 9, 1),
                                       actor="t", context=T)
    services.open_relationship(pupil, "lead_worker", user=region.epc, actor="t", context=T)
    services.record_consent(pupil, "referral", given_by="parent_carer", given_by_name="Gwenda Evans",
                            method="written", given_on=datetime.date(2024, 1, 1), actor="t", context=T)
    services.record_objection(pupil, made_by="parent_carer", actor="t", context=T)
    services.open_break_glass(region.provider_staff, pupil, reason="Welfare concern reported late at night.",
                              actor=region.provider_staff, context=T)
    services.request_rectification(pupil, field="town", requested_value="Caerdydd", reason="Welsh form",
                                   requested_by="Dafydd", actor="t", context=T)
    audit.record(region.school_staff, "view", T, person_id=pupil.pk, fields=["identity"])
    return pupil


def test_the_report_holds_every_section_and_the_ni_number_in_clear(region, subject):
    report = json.loads(sar.as_json(sar.build(subject)))
    assert SECTIONS <= set(report["sections"])
    identity = report["sections"]["identity"]["rows"][0]
    assert identity["ni_number"] == NI and identity["legal_surname"] == "ap Gruffydd"
    for key in SECTIONS:
        assert report["sections"][key]["rows"], key


def test_characteristics_are_described_in_words(region, subject):
    rows = json.loads(sar.as_json(sar.build(subject)))["sections"]["characteristics"]["rows"]
    assert rows[0]["detail"].startswith("Local authority individual development plan")


def test_the_trail_says_who_saw_the_record_in_what_role_and_why(region, subject):
    trail = json.loads(sar.as_json(sar.build(subject)))["sections"]["access_trail"]["rows"]
    school = next(row for row in trail if row["who"] == "school.staff")
    assert school["role"] == ["School staff, Ysgol Gyfun Glantaf"] and school["why"] == "test"
    assert any(row["who"] == "provider.staff" and "Welfare concern" in row["why"] for row in trail)


def test_a_search_listing_another_person_whose_number_shares_digits_is_not_in_the_trail(region):
    audit.record(region.epc, "search", T, object_type="search", detail={"people": [region.pupil.pk * 10 + 1]})
    audit.record(region.epc, "search", T, object_type="search", detail={"people": [7, region.pupil.pk]})
    listed = [e for e in sar.person_events(region.pupil.pk) if e.action == "search"]
    assert [e.detail["people"] for e in listed] == [[7, region.pupil.pk]]


def test_exporting_a_report_is_audited_as_an_export_for_subject_access(region, subject, dpo):
    sar.export(subject, fmt="json", actor=dpo, context=audit.AuditContext(purpose="governance", channel="web"))
    event = AuditEvent.objects.get(action="export", person_id=subject.pk)
    assert event.actor == dpo and event.purpose == "subject access" and event.object_type == "subject_access"
    assert SECTIONS <= set(event.fields)


def test_the_printable_document_is_in_the_young_persons_preferred_language(region, subject):
    people_services.update_person(subject, {"preferred_language": "cy"}, actor="t", context=T)
    page = sar.as_html(sar.build(subject))
    assert '<html lang="cy">' in page and "Hunaniaeth" in page and "Dyddiad geni" in page  # Identity, Date of birth
    assert NI in page


def test_a_later_app_can_add_a_section(region, subject):
    @sar.section
    def timeline(person):
        return sar.Section("timeline", "Timeline", [{"what": "Met lead worker"}], {"what": "What"})

    try:
        report = sar.build(subject)
        assert report.sections[-1].key == "timeline" and "Met lead worker" in sar.as_html(report)
    finally:
        sar.SECTIONS.remove(timeline)


# The page: allowed, refused ------------------------------------------------------------------------------------


def test_the_dpo_downloads_the_report_as_json_and_as_a_document(client, region, subject, dpo):
    client.force_login(dpo)
    url = reverse("dpo:sar", args=[subject.pk])
    as_json = client.post(url, {"format": "json"})
    assert as_json["Content-Type"] == "application/json" and "attachment" in as_json["Content-Disposition"]
    assert json.loads(as_json.content)["sections"]["identity"]["rows"][0]["ni_number"] == NI
    as_html = client.post(url, {"format": "html"})
    assert as_html["Content-Type"].startswith("text/html") and NI in as_html.content.decode()
    assert AuditEvent.objects.filter(action="export", actor=dpo, purpose="subject access").count() == 2


def test_the_subject_access_page_itself_shows_no_casework(client, region, subject, dpo):
    client.force_login(dpo)
    page = client.get(reverse("dpo:sar", args=[subject.pk])).content.decode()
    assert "ap Gruffydd" in page and NI not in page and "Gwenda Evans" not in page
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("who", ["epc", "school_staff", "analyst"])
def test_others_cannot_make_a_subject_access_report(client, region, subject, who):
    client.force_login(getattr(region, who))
    assert client.post(reverse("dpo:sar", args=[subject.pk]), {"format": "json"}).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_dpo_of_another_area_gets_a_404(client, region, subject):
    client.force_login(factories.make_user(Role.DPO, region.other_la, "other.dpo"))
    assert client.post(reverse("dpo:sar", args=[subject.pk]), {"format": "json"}).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


# The command ---------------------------------------------------------------------------------------------------


def test_the_sar_command_writes_a_file_only_its_owner_can_read_and_is_audited(region, subject, tmp_path):
    out = tmp_path / "sar.json"
    call_command("sar", str(subject.pk), "--format", "json", "--out", str(out))
    assert json.loads(out.read_text())["sections"]["identity"]["rows"][0]["ni_number"] == NI
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    event = AuditEvent.objects.get(action="export", person_id=subject.pk)
    assert event.channel == "cli" and event.purpose == "subject access" and event.actor_label.startswith("cli:")


def test_the_sar_command_refuses_an_unknown_record(region):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("sar", "999999")
