"""Security middleware: headers that lock every response down (a Content Security Policy and its companions), and
the rules of a signed-in session (idle and absolute timeouts, the second factor).

``SignInMiddleware`` is the enforcement point for two-factor authentication: a signed-in user who needs a second
factor and whose session has not verified one reaches only the second-factor pages, sign-out, the language switch
and the health check; the API answers 403.
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .services import authentication
from .services.authentication import PENDING_SESSION_KEY, VERIFIED_SESSION_KEY
from .views_auth import LAST_ACTIVITY_SESSION_KEY, NOTICE_SESSION_KEY, SIGNED_IN_AT_SESSION_KEY

ACTIVITY_RESOLUTION = 60  # seconds between updates of the last-activity stamp; saves writing the session each time

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # no inline scripts: the page set-up is web/static/web/init.js
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])
# django-ninja's docs page (/api/v1/docs) loads Swagger UI from a CDN and starts it with an inline script, which
# the policy above would block. The page holds no personal data, so it gets its own policy allowing just that
# CDN and inline script, and keeps every other restriction (no framing, forms and base to this site only).
API_DOCS_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' https://cdn.jsdelivr.net",
    "img-src 'self' data: https://django-ninja.dev",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb"))

# Pages a signed-in user may reach before the second factor: the second-factor pages themselves (namespace
# auth2fa), signing in and out, the language switch and the health check. Static files never get this far.
OPEN_BEFORE_SECOND_FACTOR = {"web:login", "web:logout", "web:language", "web:health"}


class SecurityHeadersMiddleware:
    """Adds the Content Security Policy, Permissions-Policy and Cross-Origin-Opener-Policy to every response,
    and stops browsers and proxies keeping any page shown to a signed-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        docs = match is not None and match.view_name == "api:openapi-view"
        response.headers.setdefault("Content-Security-Policy", API_DOCS_POLICY if docs else CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # pages of personal data stay out of caches and the back button
        return response


class SignInMiddleware:
    """Signs out a session idle for ``YEP_SESSION_IDLE_MINUTES`` or older than ``SESSION_COOKIE_AGE``, and holds a
    session that still owes a second factor at the second-factor pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ended = _session_ended(request)
        if ended:
            auth.logout(request)
            request.session[NOTICE_SESSION_KEY] = ended
            if not _is_api(request.path_info):
                return redirect_to_login(request.get_full_path())
            # An API call carries on anonymous, and is refused by the API's own authentication.
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        match = request.resolver_match
        if match is None or _open_before_second_factor(match):
            return None
        user = request.user
        if not user.is_authenticated:
            # Password given, code not yet: finish that first. (The API refuses an anonymous caller itself.)
            if request.session.get(PENDING_SESSION_KEY) and match.namespace != "api":
                return redirect("auth2fa:verify")
            return None
        # With the requirement off, the login page alone asks for the codes of those who set up an app; a session
        # it did not make (a test's force_login) is let through.
        if not settings.YEP_REQUIRE_TWO_FACTOR or request.session.get(VERIFIED_SESSION_KEY):
            return None
        if not authentication.second_factor_expected(user):
            return None
        if match.namespace == "api":
            return JsonResponse({"detail": _("Sign in with the code from your authenticator app first.")},
                                status=403)
        return redirect(reverse("auth2fa:verify") + "?" + urlencode({"next": request.get_full_path()}))


def _session_ended(request: HttpRequest) -> str:
    """Why a signed-in session has ended ("idle" or "ended"), or "" while it lives; notes this request's activity."""
    if not request.user.is_authenticated:
        return ""
    session = request.session
    signed_in_at = session.get(SIGNED_IN_AT_SESSION_KEY)
    last = session.get(LAST_ACTIVITY_SESSION_KEY)
    if signed_in_at is None or last is None:
        # Not made by the sign-in pages, which stamp both: a test's force_login, or a session from before these
        # checks. Its database expiry (SESSION_COOKIE_AGE from when it was last saved) still ends it.
        return ""
    now = int(time.time())
    # Saving the session for the activity stamp also pushes its expiry on, so the working-day limit
    # (SESSION_COOKIE_AGE) is kept here, from the moment of signing in.
    if now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "ended"
    if now - last > settings.YEP_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - last >= ACTIVITY_RESOLUTION:
        session[LAST_ACTIVITY_SESSION_KEY] = now
    return ""


def _open_before_second_factor(match: ResolverMatch) -> bool:
    return match.namespace == "auth2fa" or match.view_name in OPEN_BEFORE_SECOND_FACTOR


def _is_api(path: str) -> bool:
    try:
        return resolve(path).namespace == "api"
    except Resolver404:
        return False
