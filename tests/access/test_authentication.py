"""Signing in: lockouts, two-factor authentication, session timeouts, security headers and password hashing."""

import datetime
import re
import time

import pyotp
import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

import yep.urls
from tests import factories
from yep.access.models import AuditEvent, TwoFactorDevice
from yep.access.services import authentication
from yep.access.services.authentication import PENDING_SESSION_KEY
from yep.access.views_auth import LAST_ACTIVITY_SESSION_KEY, SIGNED_IN_AT_SESSION_KEY, sign_in_context
from yep.people.models import User

# The second-factor pages, until src/yep/urls.py includes them; then this adds nothing.
urlpatterns = list(yep.urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "auth2fa" for pattern in urlpatterns):
    urlpatterns.append(path("", include("yep.access.urls_auth")))
pytestmark = pytest.mark.urls(__name__)

LOCKED = "Too many attempts. Wait 15 minutes and try again, or ask your administrator."


@pytest.fixture
def two_factor_on(settings):
    settings.YEP_REQUIRE_TWO_FACTOR = True


def sign_in(client, username, password=factories.PASSWORD, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def enrol(client) -> str:
    """Set up an authenticator app on the set-up page as a person would; returns the secret they typed in."""
    page = client.get(reverse("auth2fa:enrol")).content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    response = client.post(reverse("auth2fa:enrol"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def code(secret: str, seconds_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + seconds_from_now)


# Lockout and throttling


def test_five_wrong_passwords_lock_the_username_and_even_the_right_password_is_refused(client, region):
    for _ in range(4):
        assert "Enter a correct username and password" in sign_in(client, "epc", "wrong").content.decode()
    assert LOCKED in sign_in(client, "epc", "wrong").content.decode()
    response = sign_in(client, "epc")
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_is_audited_once(client, region):
    for _ in range(7):
        sign_in(client, "epc", "wrong")
    events = AuditEvent.objects.filter(action="denied", object_type="user", detail__event="locked_out")
    assert [(e.object_id, e.detail["by"]) for e in events] == [(str(region.epc.pk), "username")]


def test_a_lockout_ends_after_the_window(client, region):
    long_ago = timezone.now() - datetime.timedelta(minutes=16)
    for _ in range(5):
        authentication.record_failed_sign_in(username="epc", context=factories.TEST, now=long_ago)
    assert authentication.sign_in_locked(username="epc", ip_address=None, now=long_ago)
    response = sign_in(client, "epc")
    assert response.status_code == 302 and signed_in(client)


def test_the_lockout_message_does_not_reveal_whether_the_username_exists(region):
    pages = []
    for username in ("epc", "no.such.user"):
        client = Client()
        for _ in range(6):
            response = sign_in(client, username, "wrong")
        page = response.content.decode().replace(username, "USERNAME")
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert LOCKED in pages[0]
    assert pages[0] == pages[1]


def test_many_failures_from_one_address_lock_that_address(client, region):
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR="203.0.113.9")
    assert LOCKED in sign_in(client, "epc", REMOTE_ADDR="203.0.113.9").content.decode()
    assert sign_in(Client(), "epc", REMOTE_ADDR="198.51.100.1").status_code == 302


def test_a_made_up_forwarded_address_does_not_escape_the_address_throttle(client, region, settings):
    settings.YEP_TRUSTED_PROXIES = 1  # the proxy appends the address it saw to X-Forwarded-For
    for n in range(20):
        sign_in(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9")
    response = sign_in(client, "epc", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    assert LOCKED in response.content.decode()


# Two-factor authentication


def test_an_epc_must_set_up_two_factor_before_reaching_any_page(client, region, two_factor_on):
    response = sign_in(client, "epc")
    assert response.status_code == 302 and response.url == reverse("auth2fa:enrol")
    assert not signed_in(client)
    for url in (reverse("web:home"), reverse("people:search")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("auth2fa:verify"))
    page = client.get(reverse("auth2fa:enrol")).content.decode()
    assert "<svg" in page and 'data-testid="secret"' in page


def test_setting_up_with_a_right_code_signs_in_and_a_wrong_code_is_refused(client, region, two_factor_on):
    sign_in(client, "epc")
    page = client.get(reverse("auth2fa:enrol")).content.decode()
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = f"{(int(code(secret)) + 1) % 1000000:06d}"
    response = client.post(reverse("auth2fa:enrol"), {"code": wrong})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert not signed_in(client)
    response = client.post(reverse("auth2fa:enrol"), {"code": code(secret)})
    assert response.status_code == 302 and response.url == reverse("web:home") and signed_in(client)
    assert "You can see 1 young person" in client.get(reverse("web:home")).content.decode()
    assert AuditEvent.objects.filter(actor=region.epc, object_type="two_factor", detail__event="enrolled").exists()


def test_the_next_sign_in_asks_for_the_code(client, region, two_factor_on):
    sign_in(client, "epc")
    secret = enrol(client)
    client.post(reverse("web:logout"))
    response = sign_in(client, "epc")
    assert response.status_code == 302 and response.url == reverse("auth2fa:verify")
    assert not signed_in(client) and client.get(reverse("web:home")).url == reverse("auth2fa:verify")
    response = client.post(reverse("auth2fa:verify"), {"code": code(secret, 30)})
    assert response.status_code == 302 and response.url == reverse("web:home") and signed_in(client)
    assert AuditEvent.objects.filter(actor=region.epc, action="login", detail__two_factor=True).exists()


def test_a_code_cannot_be_used_twice(client, region, two_factor_on):
    sign_in(client, "epc")
    secret = enrol(client)
    used = code(secret)
    client.post(reverse("web:logout"))
    sign_in(client, "epc")
    response = client.post(reverse("auth2fa:verify"), {"code": used})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert not signed_in(client)


def test_five_wrong_codes_send_you_back_to_sign_in_and_lock_the_username(client, region, two_factor_on):
    sign_in(client, "epc")
    secret = enrol(client)
    client.post(reverse("web:logout"))
    sign_in(client, "epc")
    wrong = f"{(int(code(secret)) + 500000) % 1000000:06d}"
    for _ in range(4):
        assert client.post(reverse("auth2fa:verify"), {"code": wrong}).status_code == 200
    response = client.post(reverse("auth2fa:verify"), {"code": wrong}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:login") and LOCKED in response.content.decode()
    assert client.post(reverse("auth2fa:verify"), {"code": code(secret, 30)}).url == reverse("web:login")
    assert not signed_in(client)


def test_a_half_finished_sign_in_expires_after_ten_minutes(client, region, two_factor_on):
    sign_in(client, "epc")
    session = client.session
    session[PENDING_SESSION_KEY] = {**session[PENDING_SESSION_KEY], "since": int(time.time()) - 11 * 60}
    session.save()
    response = client.get(reverse("auth2fa:enrol"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:login")
    assert "Signing in took too long" in response.content.decode() and not signed_in(client)


def test_two_factor_is_optional_for_an_analyst_and_asked_for_once_set_up(client, region, two_factor_on):
    response = sign_in(client, "analyst")
    assert response.status_code == 302 and response.url == reverse("web:home") and signed_in(client)
    assert client.get(reverse("web:home")).status_code == 200
    enrol(client)
    client.post(reverse("web:logout"))
    assert sign_in(client, "analyst").url == reverse("auth2fa:verify")


def test_a_signed_in_epc_without_a_second_factor_is_held_at_set_up(client, region, two_factor_on):
    client.force_login(region.epc)
    response = client.get(reverse("people:search"))
    assert response.status_code == 302 and response.url.startswith(reverse("auth2fa:verify"))
    assert client.get(response.url).url.startswith(reverse("auth2fa:enrol"))
    assert client.get("/api/v1/people", {"q": "Jones"}).status_code == 403
    enrol(client)
    assert client.get(reverse("people:search")).status_code == 200


def test_with_two_factor_off_an_epc_signs_in_with_a_password(client, region, settings):
    settings.YEP_REQUIRE_TWO_FACTOR = False
    assert sign_in(client, "epc").url == reverse("web:home") and signed_in(client)


def test_the_code_form_carries_a_csrf_token_and_is_refused_without_one(region, two_factor_on):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("web:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(reverse("web:login"), {"username": "epc", "password": factories.PASSWORD,
                                       "csrfmiddlewaretoken": token})
    page = client.get(reverse("auth2fa:enrol")).content.decode()
    code_form = re.search(r'<form method="post" novalidate>(.*?)</form>', page, re.S).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', code_form).group(1)
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert client.post(reverse("auth2fa:enrol"), {"code": code(secret)}).status_code == 403
    response = client.post(reverse("auth2fa:enrol"), {"code": code(secret), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and signed_in(client)


def test_an_administrator_resets_a_lost_app_ends_the_sessions_and_it_is_audited(client, region, two_factor_on):
    sign_in(client, "epc")
    enrol(client)
    assert client.get(reverse("web:home")).status_code == 200
    call_command("twofactor", "reset", "epc")
    assert not TwoFactorDevice.objects.filter(user=region.epc).exists()
    assert AuditEvent.objects.filter(object_type="two_factor", object_id=str(region.epc.pk),
                                     detail__event="reset", detail__sessions_ended=1).exists()
    assert client.get(reverse("web:home")).url.startswith(reverse("web:login"))
    assert sign_in(client, "epc").url == reverse("auth2fa:enrol")


def test_resetting_a_user_without_an_app_says_so(region):
    with pytest.raises(CommandError, match="nothing to reset"):
        call_command("twofactor", "reset", "analyst")
    with pytest.raises(CommandError, match="no user called"):
        call_command("twofactor", "reset", "nobody")


# Sessions


def test_a_session_idle_for_half_an_hour_is_signed_out(client, region):
    sign_in(client, "epc")
    assert client.get(reverse("web:home")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("people:search"))
    assert response.status_code == 302 and response.url.startswith(reverse("web:login"))
    assert not signed_in(client)
    page = client.get(response.url).content.decode()
    assert "You were signed out because you had not used YEP for 30 minutes" in page


def test_activity_keeps_a_session_alive_but_not_beyond_a_working_day(client, region):
    sign_in(client, "epc")
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("web:home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = int(time.time()) - 8 * 3600 - 1
    session.save()
    assert client.get(reverse("web:home")).url.startswith(reverse("web:login")) and not signed_in(client)


# Headers and hashing


def test_pages_carry_a_content_security_policy_that_allows_no_inline_script(client, region):
    client.force_login(region.epc)
    for url in (reverse("web:home"), reverse("people:search"), reverse("web:health")):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
    page = client.get(reverse("web:home"))
    assert "no-store" in page.headers["Cache-Control"]
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode()) == []


def test_new_passwords_use_argon2_and_older_hashes_are_upgraded_at_sign_in(client, region):
    assert region.epc.password.startswith("argon2")
    # A hash from before Argon2; no service makes one now, so it is written directly.
    User.objects.filter(pk=region.analyst.pk).update(password=make_password(factories.PASSWORD,
                                                                            hasher="pbkdf2_sha256"))
    assert sign_in(client, "analyst").status_code == 302
    region.analyst.refresh_from_db()
    assert region.analyst.password.startswith("argon2")


def test_only_the_outermost_proxys_address_is_trusted(rf, settings):
    settings.YEP_TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert sign_in_context(request).ip_address == "203.0.113.9"
    settings.YEP_TRUSTED_PROXIES = 0
    assert sign_in_context(request).ip_address == "10.0.0.1"
