"""Acceptance: a newcomer builds the demo, signs in as each role the demo printed, and uses the site and API.

Runs the real commands in a subprocess against their own data directory: `yep demo --no-serve`, then
`yep serve`, then HTTP requests as a browser and a partner system would make them.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.slow
YEP = [sys.executable, "-m", "yep.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "YEP_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    built = subprocess.run([*YEP, "demo", "--people", "600", "--no-serve"], env=env, capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    port = _free_port()
    server = subprocess.Popen([*YEP, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    # A loaded machine (CI runs a test per core) can take a while to start the server: wait up to a minute.
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/health/", timeout=1)  # noqa: S310 (our own local server)
            break
        except OSError:
            assert server.poll() is None, "yep serve exited before it answered"
            assert time.monotonic() < deadline, "yep serve did not answer /health/ within a minute"
            time.sleep(0.2)
    users = {u["username"]: u for u in json.loads((data / "demo-users.json").read_text())}
    yield {"base": base, "users": users, "env": env, "output": built.stdout}
    server.terminate()
    server.wait(timeout=10)


class Browser:
    """A cookie-keeping HTTP client that signs in through the login form, as a person would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, **params: str) -> tuple[int, str]:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            response = self.opener.open(url, timeout=30)
            return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, username: str, password: str) -> str:
        _, page = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        request = urllib.request.Request(self.base + "/login/", data=body.encode(),
                                         headers={"Referer": self.base + "/login/"})
        return self.opener.open(request, timeout=30).read().decode()


def test_the_demo_prints_a_login_for_every_role(demo):
    roles = {u["role"] for u in demo["users"].values()}
    assert roles == {"epc", "lead_worker", "careers_adviser", "school_staff", "provider_staff",
                     "government_analyst", "dpo", "researcher", "administrator"}
    for user in demo["users"].values():
        assert user["password"] in demo["output"]


def test_an_epc_signs_in_finds_a_young_person_and_opens_the_record(demo):
    browser = Browser(demo["base"])
    home = browser.sign_in("epc", demo["users"]["epc"]["password"])
    count = int(re.search(r"You can see (\d+) young people", home).group(1))
    assert count >= 500
    status, results = browser.get("/people/", q="Jones")
    assert status == 200
    first = re.search(r'href="(/people/\d+/)"', results).group(1)
    status, record = browser.get(first)
    assert status == 200 and "Date of birth" in record and "Enrolment history" in record


def test_school_staff_see_only_their_pupils_and_the_analyst_sees_none(demo):
    school = Browser(demo["base"])
    home = school.sign_in("school.staff", demo["users"]["school.staff"]["password"])
    pupils = int(re.search(r"You can see (\d+) young p", home).group(1))
    epc = Browser(demo["base"])
    everyone = int(re.search(r"You can see (\d+) young p",
                             epc.sign_in("epc", demo["users"]["epc"]["password"])).group(1))
    assert 0 < pupils < everyone
    analyst = Browser(demo["base"])
    assert "aggregate figures only" in analyst.sign_in("analyst", demo["users"]["analyst"]["password"])
    assert analyst.get("/people/", q="Jones")[0] == 403


def test_a_partner_system_uses_the_api_with_a_token(demo):
    token = subprocess.run([*YEP, "token", "create", "careers.adviser"], env=demo["env"], capture_output=True,
                           text=True, check=True).stdout.strip()
    request = urllib.request.Request(f"{demo['base']}/api/v1/people?q=Jones",
                                     headers={"Authorization": f"Bearer {token}"})
    found = json.loads(urllib.request.urlopen(request, timeout=30).read())  # noqa: S310 (our own local server)
    assert found
    request = urllib.request.Request(f"{demo['base']}/api/v1/people/{found[0]['id']}",
                                     headers={"Authorization": f"Bearer {token}"})
    record = json.loads(urllib.request.urlopen(request, timeout=30).read())  # noqa: S310
    assert record["id"] == found[0]["id"] and "enrolments" in record


def test_the_audit_log_of_the_demo_verifies(demo):
    result = subprocess.run([*YEP, "audit", "verify"], env=demo["env"], capture_output=True, text=True)
    assert result.returncode == 0 and "intact" in result.stdout
