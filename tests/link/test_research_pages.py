"""Research project pages, API and command (issue 7, item 5): the register, proposing and approving a project,
naming researchers, downloading an extract and its log; allowed, refused and bad input."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yep.access.models import AuditEvent
from yep.link.models import ProjectStatus, ResearchExtract, ResearchProject

from . import test_research
from .test_research import AS_OF, approved, ends_on, propose

setting = test_research.setting  # the DPO, two researchers, an agreement and six classmates (a fixture)
API = "/api/v1/link"


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


# The register ------------------------------------------------------------------------------------------------------


def test_the_dpo_proposes_a_project_from_the_register(client, setting):
    client.force_login(setting.dpo)
    page = client.get("/hub/research/")
    assert page.status_code == 200 and 'data-testid="propose"' in page.content.decode()
    form = client.get("/hub/research/new/").content.decode()
    assert 'value="postcode_district"' in form and 'value="name"' not in form
    done = client.post("/hub/research/new/", {
        "code": "neet-outcomes", "title": "NEET outcomes", "purpose": "Aims", "public_benefit": "Benefit",
        "lead_researcher": "Dr Nia Owen", "fields": ["sex", "tier"], "agreement": str(setting.agreement.pk)})
    assert done.status_code == 302 and done["Location"] == "/hub/research/neet-outcomes/"
    project = ResearchProject.objects.get()
    assert project.fields == ["sex", "tier"] and project.agreement == setting.agreement


def test_a_bad_proposal_shows_the_problems_and_keeps_what_was_typed(client, setting):
    client.force_login(setting.dpo)
    page = client.post("/hub/research/new/", {"code": "No Spaces!", "title": "Kept title", "purpose": "",
                                              "public_benefit": "b", "lead_researcher": "l", "fields": ["sex"]})
    html = page.content.decode()
    assert page.status_code == 200 and set(page.context["errors"]) == {"code", "purpose"}
    assert 'value="Kept title"' in html and 'data-testid="errors"' in html and 'value="sex" checked' in html
    assert not ResearchProject.objects.exists()


def test_researchers_see_only_their_projects_and_others_see_none(client, setting, region):
    mine = approved(setting)
    propose(setting, code="not-mine")
    client.force_login(setting.researcher)
    html = client.get("/hub/research/").content.decode()
    assert 'data-testid="project-neet-outcomes"' in html and "not-mine" not in html
    assert 'data-testid="propose"' not in html
    assert client.get("/hub/research/not-mine/").status_code == 404
    assert client.get("/hub/research/new/").status_code == 403
    assert client.post(f"/hub/research/{mine.code}/", {"action": "close"}).status_code == 403
    client.force_login(region.epc)
    assert client.get("/hub/research/").status_code == 403


# A project ---------------------------------------------------------------------------------------------------------


def test_the_dpo_approves_and_names_a_researcher_on_the_project_page(client, setting):
    project = propose(setting)
    client.force_login(setting.dpo)
    page = client.get(f"/hub/research/{project.code}/").content.decode()
    assert 'data-testid="approve-form"' in page and 'data-testid="extract-form"' not in page
    done = client.post(f"/hub/research/{project.code}/", {
        "action": "approve", "approval_reference": "Panel 2026/14", "ends_on": ends_on().isoformat()})
    assert done.status_code == 302
    client.post(f"/hub/research/{project.code}/", {"action": "add_researcher",
                                                   "researcher": setting.researcher.pk})
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED and list(project.researchers.all()) == [setting.researcher]
    page = client.get(f"/hub/research/{project.code}/").content.decode()
    assert "Panel 2026/14, approved by dpo" in page and 'data-testid="extract-form"' in page


def test_a_bad_approval_shows_the_problems_and_keeps_what_was_typed(client, setting):
    project = propose(setting, agreement=None)
    client.force_login(setting.dpo)
    page = client.post(f"/hub/research/{project.code}/", {"action": "approve", "approval_reference": "Kept ref",
                                                          "ends_on": "soon"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"ends_on", "without_agreement"}
    assert 'value="Kept ref"' in page.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED


def test_the_dpo_changes_a_proposed_project_and_closes_an_approved_one(client, setting):
    proposed, project = propose(setting, code="draft-study"), approved(setting)
    client.force_login(setting.dpo)
    form = client.get(f"/hub/research/{proposed.code}/edit/").content.decode()
    assert 'value="NEET outcomes by characteristics"' in form and 'name="code"' not in form
    changed = client.post(f"/hub/research/{proposed.code}/edit/", {
        "title": "Renamed", "purpose": "p", "public_benefit": "b", "lead_researcher": "l", "fields": ["sex"],
        "agreement": ""})
    proposed.refresh_from_db()
    assert changed.status_code == 302 and (proposed.title, proposed.fields, proposed.agreement) == (
        "Renamed", ["sex"], None)
    assert client.get(f"/hub/research/{project.code}/edit/").status_code == 302  # approved: not editable
    client.post(f"/hub/research/{project.code}/", {"action": "close"})
    project.refresh_from_db()
    page = client.get(f"/hub/research/{project.code}/").content.decode()
    assert project.status == ProjectStatus.CLOSED and 'data-testid="extract-form"' not in page
    again = client.post(f"/hub/research/{project.code}/", {"action": "close"})
    assert again.status_code == 200 and set(again.context["errors"]) == {"project"}


def test_a_named_researcher_downloads_an_extract_and_it_appears_in_the_log(client, setting):
    project = approved(setting, fields=["birth_month", "sex", "postcode_district", "la_code"])
    client.force_login(setting.researcher)
    response = client.post(f"/hub/research/{project.code}/extract.csv", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response.content)
    assert len(rows) == 6 and set(rows[0]) == {"pseudonym", "birth_month", "sex", "postcode_district", "la_code"}
    logged = ResearchExtract.objects.get()
    page = client.get(f"/hub/research/{project.code}/").content.decode()
    assert f'data-testid="extract-{logged.pk}"' in page and logged.sha256[:12] in page


def test_a_bad_date_shows_the_problem_and_no_extract_is_made(client, setting):
    project = approved(setting, fields=["sex"])
    client.force_login(setting.researcher)
    page = client.post(f"/hub/research/{project.code}/extract.csv", {"as_of": "31/03/2026"})
    assert page.status_code == 200 and set(page.context["errors"]) == {"as_of"}
    assert 'value="31/03/2026"' in page.content.decode()
    assert not ResearchExtract.objects.exists()


def test_a_researcher_not_named_cannot_download_an_extract(client, setting):
    project = approved(setting, fields=["sex"])
    client.force_login(setting.other_researcher)
    assert client.post(f"/hub/research/{project.code}/extract.csv", {}).status_code == 404
    assert not ResearchExtract.objects.exists()


# API ---------------------------------------------------------------------------------------------------------------


def test_the_api_lists_reads_and_makes_extracts_as_csv_or_json(client, setting, bearer):
    project = approved(setting, fields=["sex", "la_code"])
    headers = bearer(setting.researcher)
    assert [p["code"] for p in client.get(f"{API}/projects", **headers).json()] == ["neet-outcomes"]
    as_csv = client.post(f"{API}/projects/{project.code}/extracts", {"as_of": AS_OF.isoformat()},
                         content_type="application/json", **headers)
    assert as_csv.status_code == 200 and as_csv["Content-Type"] == "text/csv"
    as_json = client.post(f"{API}/projects/{project.code}/extracts?format=json", {"as_of": AS_OF.isoformat()},
                          content_type="application/json", **headers).json()
    assert as_json["columns"] == ["pseudonym", "sex", "la_code"] and len(as_json["rows"]) == 6
    assert {r["pseudonym"] for r in as_json["rows"]} == {r["pseudonym"] for r in rows_of(as_csv.content)}
    detail = client.get(f"{API}/projects/{project.code}", **headers).json()
    assert detail["researchers"] == ["researcher"] and len(detail["extracts"]) == 2
    assert AuditEvent.objects.filter(action="export", object_type="research_extract", channel="api").count() == 2


def test_the_api_hides_other_projects_and_refuses_bad_input(client, setting, bearer, region):
    project = approved(setting, fields=["sex"])
    outsider = bearer(setting.other_researcher)
    assert client.get(f"{API}/projects", **outsider).json() == []
    assert client.get(f"{API}/projects/{project.code}", **outsider).status_code == 404
    assert client.post(f"{API}/projects/{project.code}/extracts", {}, content_type="application/json",
                       **outsider).status_code == 404
    assert client.get(f"{API}/projects", **bearer(region.epc)).status_code == 403
    future = client.post(f"{API}/projects/{project.code}/extracts", {"as_of": "2999-01-01"},
                         content_type="application/json", **bearer(setting.researcher))
    assert future.status_code == 400 and set(future.json()["errors"]) == {"as_of"}
    assert not ResearchExtract.objects.exists()


# Command -----------------------------------------------------------------------------------------------------------


def test_the_command_writes_the_extract_to_a_private_file(setting, tmp_path, capsys):
    project = approved(setting, fields=["sex", "la_code"])
    out = tmp_path / "extract.csv"
    call_command("extract", "--as", "researcher", "research", project.code, "--as-of", AS_OF.isoformat(),
                 "--out", str(out))
    assert len(rows_of(out.read_bytes())) == 6 and out.stat().st_mode & 0o777 == 0o600
    assert "6 rows as at 2026-03-31" in capsys.readouterr().err
    assert ResearchExtract.objects.get().made_by == "researcher"


def test_the_command_refuses_an_unknown_user_a_project_out_of_sight_and_a_bad_date(setting):
    project = approved(setting, fields=["sex"])
    with pytest.raises(CommandError, match="no active user"):
        call_command("extract", "--as", "nobody", "research", project.code)
    with pytest.raises(CommandError, match="no research project"):
        call_command("extract", "--as", "other.researcher", "research", project.code)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("extract", "--as", "researcher", "research", project.code, "--as-of", "March")
    assert not ResearchExtract.objects.exists()
