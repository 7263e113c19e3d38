"""Research projects and their extracts (issue 7, item 5): the register (propose, change, approve, close, name
researchers), the per-project secret, and the extract itself (no direct identifiers, coarsened and small-cell
checked quasi-identifiers, objections honoured, every extract logged); allowed, refused and bad input for each."""

import datetime
import stat
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent, Consent, ConsentPurpose
from yep.access.services import agreements, consent
from yep.link import extracts, pseudonyms, research
from yep.link import services_research as services
from yep.link.models import ProjectStatus, ResearchExtract, ResearchProject
from yep.people import services as people
from yep.people.models import ActivityCode, OrganisationKind, Person, Role, User
from yep.track.services import record_activities

AS_OF = datetime.date(2026, 3, 31)  # a fixed past day: Siân and her classmates (born March 2009) are 16
ALL_FIELDS = list(extracts.FIELDS)
RESEARCH_CATEGORIES = ["identity", "contact", "characteristics", "sensitive", "destination", "support_needs"]


@dataclass
class Research:
    dpo: User
    researcher: User
    other_researcher: User
    university: object
    agreement: object
    classmates: list[Person]  # six young women born March 2009 in CF24, Cardiff: one cell of six


def ends_on() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


@pytest.fixture
def setting(region) -> Research:
    university = factories.make_organisation(OrganisationKind.THIRD_SECTOR, "681", "Prifysgol Abertawe")
    dpo = factories.make_user(Role.DPO, region.la, "dpo")
    agreement = agreements.register_agreement(
        name="Research extracts", parties=[region.la, university], purpose="Pseudonymised research",
        lawful_basis="6(1)(e) public task", categories=RESEARCH_CATEGORIES, special_category_condition="9(2)(j)",
        start=datetime.date(2020, 1, 1), actor=dpo, context=TEST)
    classmates = [factories.make_person("681", legal_forenames=name, legal_surname="Hopkins",
                                        dob=f"2009-03-{day:02d}", upn=factories.valid_upn("681"),
                                        uln=factories.valid_uln())
                  for name, day in (("Alaw", 2), ("Bethan", 9), ("Cerys", 12), ("Delyth", 17), ("Eirlys", 21),
                                    ("Ffion", 28))]
    return Research(dpo, factories.make_user(Role.RESEARCHER, university, "researcher"),
                    factories.make_user(Role.RESEARCHER, university, "other.researcher"), university, agreement,
                    classmates)


def propose(setting: Research, code: str = "neet-outcomes", fields: list[str] | None = None,
            **extra: object) -> ResearchProject:
    data = {"title": "NEET outcomes by characteristics", "purpose": "Which support helps NEET young people back.",
            "public_benefit": "Better targeted support for young people.", "lead_researcher": "Dr Nia Owen",
            "fields": fields or ALL_FIELDS, "agreement": setting.agreement, **extra}
    return services.propose_project(code=code, actor=setting.dpo, context=TEST, **data)


def approved(setting: Research, code: str = "neet-outcomes", fields: list[str] | None = None) -> ResearchProject:
    project = propose(setting, code, fields)
    services.approve_project(project, approval_reference="Panel 2026/14", ends_on=ends_on(), actor=setting.dpo,
                             context=TEST)
    services.add_researcher(project, setting.researcher, actor=setting.dpo, context=TEST)
    return project


def row_of(extract: extracts.Extract, project: ResearchProject, person: Person) -> dict[str, str] | None:
    wanted = pseudonyms.pseudonym(project, person.pk)
    return next((row for row in extract.as_dicts() if row["pseudonym"] == wanted), None)


# The register ------------------------------------------------------------------------------------------------------


def test_the_dpo_proposes_a_project_with_its_fields_in_catalogue_order(setting):
    project = propose(setting, fields=["tier", "sex", "birth_month"])
    assert project.status == ProjectStatus.PROPOSED and project.fields == ["birth_month", "sex", "tier"]
    assert AuditEvent.objects.filter(action="create", object_type="research_project", object_id=project.code).exists()


def test_a_researcher_cannot_propose_or_approve_and_the_refusal_is_audited(setting):
    with pytest.raises(PermissionDenied):
        services.propose_project(code="mine", title="t", purpose="p", public_benefit="b", lead_researcher="me",
                                 fields=["sex"], actor=setting.researcher, context=TEST)
    project = propose(setting)
    with pytest.raises(PermissionDenied):
        services.approve_project(project, approval_reference="x", ends_on=ends_on(), actor=setting.researcher,
                                 context=TEST)
    assert AuditEvent.objects.filter(action="denied", object_type="research_project").count() == 2
    assert not ResearchProject.objects.filter(code="mine").exists()


def test_every_problem_with_a_proposal_is_reported_at_once_and_nothing_is_saved(setting):
    propose(setting, code="taken")
    with pytest.raises(ValidationError) as problem:
        services.propose_project(code="taken", title=" ", purpose="", public_benefit="", lead_researcher="",
                                 fields=["sex", "name", "postcode"], actor=setting.dpo, context=TEST)
    assert set(problem.value.message_dict) == {"code", "title", "purpose", "public_benefit", "lead_researcher",
                                               "fields"}
    assert "name, postcode" in problem.value.message_dict["fields"][0]
    assert ResearchProject.objects.count() == 1


def test_a_proposed_project_can_be_changed_and_an_approved_one_cannot(setting):
    project = propose(setting)
    services.update_project(project, title="New title", purpose=project.purpose, public_benefit="More benefit",
                            lead_researcher=project.lead_researcher, fields=["sex"], agreement=setting.agreement,
                            actor=setting.dpo, context=TEST)
    project.refresh_from_db()
    assert (project.title, project.fields) == ("New title", ["sex"])
    services.approve_project(project, approval_reference="P1", ends_on=ends_on(), actor=setting.dpo, context=TEST)
    with pytest.raises(ValidationError, match="Only a proposed project"):
        services.update_project(project, title="Again", purpose="p", public_benefit="b", lead_researcher="l",
                                fields=["sex"], actor=setting.dpo, context=TEST)


def test_approval_creates_the_projects_secret_outside_the_database_readable_by_its_owner_only(setting, settings):
    project = propose(setting)
    assert not pseudonyms.has_secret(project)
    services.approve_project(project, approval_reference="Panel 2026/14", ends_on=ends_on(), actor=setting.dpo,
                             context=TEST)
    project.refresh_from_db()
    path = settings.YEP_RESEARCH_KEYS_DIR / "neet-outcomes.key"
    assert project.status == ProjectStatus.APPROVED and project.approved_by == "dpo"
    assert path.is_file() and len(path.read_bytes()) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().hex() not in str(list(ResearchProject.objects.values()))


def test_approval_needs_a_reference_an_end_date_and_an_agreement_in_force_or_a_reason(setting):
    project = propose(setting, agreement=None)
    with pytest.raises(ValidationError) as problem:
        services.approve_project(project, approval_reference=" ", ends_on="someday", actor=setting.dpo,
                                 context=TEST)
    assert set(problem.value.message_dict) == {"approval_reference", "ends_on", "without_agreement"}
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED and not pseudonyms.has_secret(project)
    services.approve_project(project, approval_reference="P2", ends_on=ends_on(),
                             without_agreement="Controller's own research under its public task.", actor=setting.dpo,
                             context=TEST)
    assert research.approval_note(project) == "Controller's own research under its public task."


def test_an_agreement_that_does_not_cover_the_fields_or_is_not_in_force_blocks_approval(setting, region):
    narrow = agreements.register_agreement(
        name="Identity only", parties=[region.la, setting.university], purpose="p", lawful_basis="6(1)(e)",
        categories=["identity"], start=datetime.date(2020, 1, 1), actor=setting.dpo, context=TEST)
    project = propose(setting, agreement=narrow)
    with pytest.raises(ValidationError, match="does not cover every field"):
        services.approve_project(project, approval_reference="P3", ends_on=ends_on(), actor=setting.dpo,
                                 context=TEST)
    agreements.set_agreement_status(setting.agreement, "suspended", actor=setting.dpo, context=TEST)
    other = propose(setting, code="other-project")
    with pytest.raises(ValidationError, match="is not in force"):
        services.approve_project(other, approval_reference="P4", ends_on=ends_on(), actor=setting.dpo,
                                 context=TEST)


def test_only_staff_with_the_researcher_role_are_named_and_they_see_only_their_projects(setting, region):
    mine, theirs = approved(setting), approved(setting, "other-project")
    services.remove_researcher(theirs, setting.researcher, actor=setting.dpo, context=TEST)
    with pytest.raises(ValidationError, match="researcher role"):
        services.add_researcher(mine, region.epc, actor=setting.dpo, context=TEST)
    with pytest.raises(ValidationError, match="already named"):
        services.add_researcher(mine, setting.researcher, actor=setting.dpo, context=TEST)
    assert list(research.projects_for(setting.researcher)) == [mine]
    assert list(research.projects_for(setting.other_researcher)) == []
    assert set(research.projects_for(setting.dpo)) == {mine, theirs}
    assert list(research.projects_for(region.epc)) == []


# Extracts ----------------------------------------------------------------------------------------------------------


def test_an_extract_holds_the_pseudonym_and_the_chosen_fields_only_and_is_logged_and_audited(setting):
    project = approved(setting, fields=["birth_month", "sex", "postcode_district", "la_code"])
    extract, logged = services.make_extract(project, as_of=AS_OF, actor=setting.researcher, context=TEST)
    assert extract.columns == ["pseudonym", "birth_month", "sex", "postcode_district", "la_code"]
    assert sorted(extract.as_dicts(), key=str) == sorted(
        [{"pseudonym": pseudonyms.pseudonym(project, p.pk), "birth_month": "2009-03", "sex": "F",
          "postcode_district": "CF24", "la_code": "681"} for p in setting.classmates], key=str)
    assert (logged.rows, logged.suppressed, logged.made_by, logged.as_of) == (6, 3, "researcher", AS_OF)
    assert len(logged.sha256) == 64
    event = AuditEvent.objects.get(action="export", object_type="research_extract")
    assert event.person_id is None and event.object_id == str(logged.pk)
    assert event.detail | {"generalised": 0} == {"project": "neet-outcomes", "as_of": "2026-03-31", "rows": 6,
                                                 "fields": extract.columns[1:], "suppressed": 3, "generalised": 0}


def test_small_cells_are_generalised_to_the_year_of_birth_before_anyone_is_left_out(setting):
    project = approved(setting, fields=["birth_month", "sex", "postcode_district", "la_code"])
    born_2008 = [factories.make_person("681", legal_forenames=f"Gwen {n}", dob=f"2008-0{n}-15") for n in range(1, 6)]
    extract, logged = services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    for person in born_2008:
        assert row_of(extract, project, person) == {"pseudonym": pseudonyms.pseudonym(project, person.pk),
                                                    "birth_month": "2008", "sex": "F", "postcode_district": "CF24",
                                                    "la_code": "681"}
    assert extract.generalised == 5 and logged.suppressed == 3  # Dafydd and the two Swansea residents


def test_the_protect_step_blanks_the_district_when_the_year_is_not_enough():
    rows = [{"birth_month": f"2008-0{n}", "sex": "M", "postcode_district": f"SA{n}"} for n in range(1, 6)]
    rows.append({"birth_month": "2010-01", "sex": "F", "postcode_district": "SA9"})
    keep, generalised = extracts.protect(rows, ["birth_month", "sex", "postcode_district"])
    assert keep == [True] * 5 + [False] and generalised == 5
    assert rows[0] == {"birth_month": "2008", "sex": "M", "postcode_district": ""}


def test_characteristics_tier_activity_and_lead_worker_are_as_on_the_date(setting):
    project = approved(setting, fields=["fsm", "sen", "lac", "ethnicity", "tier", "activity_code",
                                        "had_lead_worker", "preferred_language"])
    alaw = setting.classmates[0]
    people.add_characteristic(alaw, "fsm", start=datetime.date(2024, 9, 1), actor="test", context=TEST)
    people.add_characteristic(alaw, "aln", start=datetime.date(2026, 4, 1), actor="test", context=TEST)
    people.add_characteristic(alaw, "ethnicity", value="WBRI", start=datetime.date(2020, 1, 1),
                                          actor="test", context=TEST)
    record_activities([{"person_id": alaw.pk, "code_id": ActivityCode.objects.get(code=230).pk,
                        "start": datetime.date(2025, 9, 4), "end": None, "hours_per_week": 21,
                        "organisation_id": None, "source": "provider"}], actor="test", context=TEST)
    extract, _logged = services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    row = row_of(extract, project, alaw)
    assert row is not None
    assert (row["fsm"], row["sen"], row["lac"], row["ethnicity"]) == ("Y", "N", "N", "WBRI")  # ALN starts later
    assert (row["tier"], row["activity_code"], row["had_lead_worker"]) == ("5", "230", "N")
    assert row_of(extract, project, setting.classmates[1])["activity_code"] == ""


def test_objections_and_withdrawn_research_consent_leave_people_out(setting):
    project = approved(setting, fields=["sex"])
    alaw, bethan = setting.classmates[:2]
    consent.record_objection(alaw, made_by=Consent.GivenBy.YOUNG_PERSON, start=datetime.date(2025, 1, 1),
                             actor="test", context=TEST)
    given = consent.record_consent(bethan, ConsentPurpose.RESEARCH, given_by=Consent.GivenBy.YOUNG_PERSON,
                                   given_by_name="Bethan Hopkins", method=Consent.Method.ONLINE,
                                   given_on=datetime.date(2025, 1, 1), actor="test", context=TEST)
    consent.withdraw_consent(given, on=datetime.date(2025, 6, 1), actor="test", context=TEST)
    extract, _logged = services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    assert row_of(extract, project, alaw) is None and row_of(extract, project, bethan) is None
    assert row_of(extract, project, setting.classmates[2]) is not None


def test_only_the_dpo_and_named_researchers_take_extracts_and_refusals_are_audited(setting, region):
    project = approved(setting, fields=["sex"])
    for outsider in (setting.other_researcher, region.epc):
        with pytest.raises(PermissionDenied):
            services.make_extract(project, as_of=AS_OF, actor=outsider, context=TEST)
    assert AuditEvent.objects.filter(action="denied", object_type="research_extract").count() == 2
    assert not ResearchExtract.objects.exists()


def test_no_extract_for_a_proposed_closed_or_ended_project_or_a_bad_date(setting, monkeypatch):
    proposed = propose(setting, code="not-yet")
    with pytest.raises(ValidationError, match="approved project"):
        services.make_extract(proposed, as_of=AS_OF, actor=setting.dpo, context=TEST)
    project = approved(setting, fields=["sex"])
    with pytest.raises(ValidationError) as problem:
        services.make_extract(project, as_of="31/03/2026", actor=setting.dpo, context=TEST)
    assert set(problem.value.message_dict) == {"as_of"}
    with pytest.raises(ValidationError, match="between"):
        services.make_extract(project, as_of=timezone.localdate() + datetime.timedelta(days=1), actor=setting.dpo,
                              context=TEST)
    later = project.ends_on + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    with pytest.raises(ValidationError, match="ended"):
        services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    monkeypatch.undo()
    services.close_project(project, actor=setting.dpo, context=TEST)
    with pytest.raises(ValidationError, match="approved project"):
        services.make_extract(project, as_of=AS_OF, actor=setting.researcher, context=TEST)
    assert not ResearchExtract.objects.exists()


def test_a_lost_key_stops_extracts_instead_of_making_new_pseudonyms(setting, settings):
    project = approved(setting, fields=["sex"])
    (settings.YEP_RESEARCH_KEYS_DIR / "neet-outcomes.key").unlink()
    with pytest.raises(ValidationError, match="key is missing"):
        services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    assert not pseudonyms.has_secret(project)


def test_the_postcode_district_is_the_outward_code():
    assert [extracts.postcode_district(p) for p in ("CF10 1AA", "cf101aa", "SA1 1AA", "", "LL57  2BB")] == [
        "CF10", "CF10", "SA1", "", "LL57"]


def test_an_extract_reads_the_same_few_queries_however_many_people(setting, django_assert_max_num_queries):
    project = approved(setting)
    services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    for n in range(10):
        factories.make_person("670", legal_forenames=f"Extra {n}", dob="2008-07-01")
    with django_assert_max_num_queries(25):
        extract, _logged = services.make_extract(project, as_of=AS_OF, actor=setting.dpo, context=TEST)
    assert len(extract.rows) == 16
