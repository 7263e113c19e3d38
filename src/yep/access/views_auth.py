"""Signing in, step by step: the password form with its lockout (used by ``web.views.LoginView``), then the
second factor, setting up an authenticator app or entering its code.

Between a right password and a right code the session holds a pending marker and the user is NOT signed in
(``request.user`` is anonymous); only a right code signs them in. The same pages also serve a signed-in user
whose session still needs a second factor (``access.middleware.SignInMiddleware`` sends them here).
"""

import time
from dataclasses import dataclass
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yep.people.models import User

from .audit import AuditContext, client_address
from .guards import public
from .services import authentication
from .services.authentication import PENDING_SESSION_KEY, VERIFIED_SESSION_KEY

NOTICE_SESSION_KEY = "yep_sign_in_notice"  # why the login page is shown again: idle, ended, codes, expired, locked
WRONG_CODES_SESSION_KEY = "yep_wrong_codes"
# Stamped when a sign-in completes; access.middleware ends the session when idle or a working day old.
SIGNED_IN_AT_SESSION_KEY = "yep_signed_in_at"  # seconds since the epoch
LAST_ACTIVITY_SESSION_KEY = "yep_last_activity"  # seconds since the epoch, refreshed at most once a minute
PENDING_SECONDS = 10 * 60  # time to find a phone, or install an app, between password and code
MAX_WRONG_CODES = 5  # then back to the login page; each wrong code also counts towards the username's lockout
SIGN_IN = "sign in"  # the audit purpose

# The same words whether or not the username exists, so a lockout never reveals which usernames are real.
LOCKED_MESSAGE = gettext_lazy("Too many attempts. Wait %(minutes)s minutes and try again, or ask your administrator.")


def _locked_error() -> ValidationError:
    return ValidationError(LOCKED_MESSAGE, code="locked", params={"minutes": settings.YEP_LOGIN_LOCKOUT_MINUTES})


def sign_in_context(request: HttpRequest | None) -> AuditContext:
    return AuditContext(purpose=SIGN_IN, channel="web", ip_address=client_address(request) if request else None)


def notice_text(code: str) -> str:
    """The message the login page shows when a sign-in or session ended early."""
    texts = {
        "idle": _("You were signed out because you had not used YEP for %(minutes)s minutes. Sign in again.")
        % {"minutes": settings.YEP_SESSION_IDLE_MINUTES},
        "ended": _("You were signed out because you had been signed in for %(hours)s hours. Sign in again.")
        % {"hours": settings.SESSION_COOKIE_AGE // 3600},
        "codes": _("Too many wrong codes. Sign in again."),
        "expired": _("Signing in took too long. Sign in again."),
        "locked": str(LOCKED_MESSAGE) % {"minutes": settings.YEP_LOGIN_LOCKOUT_MINUTES},
    }
    return texts.get(code, "")


def take_notice(request: HttpRequest) -> str:
    return notice_text(request.session.pop(NOTICE_SESSION_KEY, ""))


class SignInForm(AuthenticationForm):
    """The login form, refusing a username or address that is locked out before it checks the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Enter a correct username and password. Both are case-sensitive."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        context = sign_in_context(self.request)
        # Checked first, so a right password during a lockout is refused like a wrong one.
        if authentication.sign_in_locked(username=username, ip_address=context.ip_address):
            authentication.record_failed_sign_in(username=username, context=context)
            raise _locked_error()
        self.user_cache = auth.authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            authentication.record_failed_sign_in(username=username, context=context)
            if authentication.sign_in_locked(username=username, ip_address=context.ip_address):
                raise _locked_error()
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, error_messages={
        "required": gettext_lazy("Enter the 6-digit code from your authenticator app")})

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("Enter the 6-digit code from your authenticator app"))
        return code


def sign_in(request: HttpRequest, user: User, redirect_to: str) -> HttpResponse:
    """After a right password: sign ``user`` in, or first ask for their second factor (or for them to set one up)."""
    if not authentication.second_factor_expected(user):
        return _finish(request, user, backend=getattr(user, "backend", None), redirect_to=redirect_to,
                       two_factor=False)
    request.session.cycle_key()  # the half-signed-in state gets a session id of its own
    request.session[PENDING_SESSION_KEY] = {"user": user.pk, "backend": getattr(user, "backend", None),
                                            "since": int(time.time()), "next": redirect_to}
    request.session[WRONG_CODES_SESSION_KEY] = 0
    has_device = authentication.confirmed_device(user) is not None
    return redirect("auth2fa:verify" if has_device else "auth2fa:enrol")


@dataclass(frozen=True)
class _Signing:
    """The person on a second-factor page: half-way through signing in (``pending``), or signed in already."""

    user: User
    pending: dict[str, Any] | None
    verified: bool


def _signing(request: HttpRequest) -> _Signing | None:
    if request.user.is_authenticated:
        return _Signing(request.user, None, bool(request.session.get(VERIFIED_SESSION_KEY)))
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY)
        request.session[NOTICE_SESSION_KEY] = "expired"
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return _Signing(user, pending, False) if user is not None else None


def _next(request: HttpRequest, signing: _Signing) -> str:
    target = signing.pending["next"] if signing.pending else request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return str(target)
    return reverse(settings.LOGIN_REDIRECT_URL)


def _finish(request: HttpRequest, user: User, *, backend: str | None, redirect_to: str,
            two_factor: bool) -> HttpResponse:
    now = int(time.time())
    if request.user.is_authenticated:
        request.session.cycle_key()  # a new session id for the now two-factor session
        request.session.setdefault(SIGNED_IN_AT_SESSION_KEY, now)
    else:
        auth.login(request, user, backend=backend)
        request.session.pop(VERIFIED_SESSION_KEY, None)  # a fresh sign-in proves only what it proves now
        request.session[SIGNED_IN_AT_SESSION_KEY] = now
    request.session[LAST_ACTIVITY_SESSION_KEY] = now
    request.session.pop(PENDING_SESSION_KEY, None)
    request.session.pop(WRONG_CODES_SESSION_KEY, None)
    if two_factor:
        request.session[VERIFIED_SESSION_KEY] = True
    authentication.record_sign_in(user, two_factor=two_factor, context=sign_in_context(request))
    response = redirect(redirect_to)
    if not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        # Staff see the site in their own preferred language until they switch.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language, samesite="Lax")
    return response


def _start_again(request: HttpRequest, notice: str) -> HttpResponse:
    """Back to the login page, signed out, with a notice saying why."""
    if request.user.is_authenticated:
        auth.logout(request)
    else:
        request.session.pop(PENDING_SESSION_KEY, None)
        request.session.pop(WRONG_CODES_SESSION_KEY, None)
        request.session.cycle_key()
    request.session[NOTICE_SESSION_KEY] = notice
    return redirect("web:login")


def _wrong_code(request: HttpRequest, signing: _Signing, form: CodeForm) -> HttpResponse | None:
    """Count a wrong code; after ``MAX_WRONG_CODES`` start again at the login page, else explain on the form."""
    wrong = request.session.get(WRONG_CODES_SESSION_KEY, 0) + 1
    request.session[WRONG_CODES_SESSION_KEY] = wrong
    if wrong >= MAX_WRONG_CODES:
        locked = authentication.sign_in_locked(username=signing.user.get_username(),
                                               ip_address=client_address(request))
        return _start_again(request, "locked" if locked else "codes")
    if form.is_valid():
        form.add_error("code", _("That code is not right. Enter the code the app shows now."))
    return None


def _continue(request: HttpRequest, signing: _Signing, two_factor: bool) -> HttpResponse:
    backend = signing.pending["backend"] if signing.pending else None
    return _finish(request, signing.user, backend=backend, redirect_to=_next(request, signing), two_factor=two_factor)


@public  # the person is between password and code, so not signed in: the view checks the pending marker itself
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the user's authenticator app."""
    signing = _signing(request)
    if signing is None:
        return redirect("web:login")
    if signing.verified:
        return redirect(_next(request, signing))
    if authentication.confirmed_device(signing.user) is None:
        return redirect(reverse("auth2fa:enrol") + _query(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        context = sign_in_context(request)
        username = signing.user.get_username()
        if authentication.sign_in_locked(username=username, ip_address=context.ip_address):
            authentication.record_failed_sign_in(username=username, context=context)
            return _start_again(request, "locked")
        if form.is_valid() and authentication.check_second_factor(signing.user, form.cleaned_data["code"],
                                                                  context=context):
            return _continue(request, signing, two_factor=True)
        restart = _wrong_code(request, signing, form)
        if restart is not None:
            return restart
    return render(request, "access/two_factor_verify.html", {"form": form})


@public  # as verify: used half-way through signing in; the view checks the pending marker itself
@never_cache  # the page shows the secret
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code and the key to type, confirmed by a first code."""
    signing = _signing(request)
    if signing is None:
        return redirect("web:login")
    if authentication.confirmed_device(signing.user) is not None:
        if not signing.verified:
            return redirect(reverse("auth2fa:verify") + _query(request))
        return render(request, "access/two_factor_enrol.html", {"already_set_up": True})
    device = authentication.start_two_factor_enrolment(signing.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid() and authentication.confirm_two_factor_enrolment(
                signing.user, form.cleaned_data["code"], context=sign_in_context(request)):
            messages.success(request, _("Your authenticator app is set up. YEP will ask for a code from it each "
                                        "time you sign in."))
            return _continue(request, signing, two_factor=True)
        restart = _wrong_code(request, signing, form)
        if restart is not None:
            return restart
    return render(request, "access/two_factor_enrol.html", _enrolment_page(device, form, signing))


def _query(request: HttpRequest) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


def _enrolment_page(device: Any, form: CodeForm, signing: _Signing) -> dict[str, Any]:
    secret = authentication.device_secret(device)
    qr = segno.make(authentication.provisioning_uri(device), error="m")
    # segno writes the SVG itself (no user input reaches it as markup), so it is safe to embed.
    svg = qr.svg_inline(scale=5, light="#fff", title=_("QR code for your authenticator app"))
    return {
        "form": form,
        "qr_svg": mark_safe(svg),  # noqa: S308 (segno's own SVG, escaped title, see above)
        "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": authentication.two_factor_required(signing.user),
        "username": signing.user.get_username(),
    }
