"""Signing in: every attempt recorded, lockouts after repeated failures, and each user's authenticator app
(TOTP, RFC 6238) as a second factor. The only writer of ``LoginAttempt`` and ``TwoFactorDevice``.

An attempt is a username and password, or a code at the second step. ``LoginAttempt.succeeded`` means the person
ended up signed in: a correct password that still needs a code records nothing until the code is given, so a
stolen password cannot reset the failure count by being typed again between guessed codes.
"""

import datetime
import hmac
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone

from yep.people.crypto import decrypt, encrypt
from yep.people.models import Role, User

from .. import audit
from ..models import AuditAction, LoginAttempt, TwoFactorDevice

# Roles that see young people's named records: their accounts need a second factor (YEP_REQUIRE_TWO_FACTOR).
# Staff who see named records, and administrators, who can change who sees them.
NAMED_RECORD_ROLES = (Role.EPC, Role.LEAD_WORKER, Role.CAREERS_ADVISER, Role.SCHOOL_STAFF, Role.PROVIDER_STAFF,
                      Role.DPO, Role.ADMINISTRATOR)
ISSUER = "YEP"  # the name an authenticator app shows beside the code

# Session markers, set by the sign-in pages and read by access.middleware.
PENDING_SESSION_KEY = "yep_sign_in_pending"  # password verified, second factor not yet: the user is NOT signed in
VERIFIED_SESSION_KEY = "yep_two_factor_verified"  # the second factor was verified in this session


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.YEP_LOGIN_LOCKOUT_MINUTES)


def _recent_failures(now: datetime.datetime) -> Any:
    return LoginAttempt.objects.filter(succeeded=False, at__gt=_window_start(now), at__lte=now)


def sign_in_locked(*, username: str, ip_address: str | None, now: datetime.datetime | None = None) -> bool:
    """Whether sign-in is refused for this username or address, right password or not.

    Locked while the username has ``YEP_LOGIN_MAX_FAILURES`` failed attempts, or the address
    ``YEP_LOGIN_IP_MAX_FAILURES``, within the last ``YEP_LOGIN_LOCKOUT_MINUTES``. Refused attempts count as
    failures, so a lockout lasts while someone keeps trying. A username that does not exist is locked exactly as
    one that does, so the answer never reveals which usernames exist.
    """
    failures = _recent_failures(now or timezone.now())
    if failures.filter(username=username).count() >= settings.YEP_LOGIN_MAX_FAILURES:
        return True
    return ip_address is not None and \
        failures.filter(ip_address=ip_address).count() >= settings.YEP_LOGIN_IP_MAX_FAILURES


@transaction.atomic
def record_failed_sign_in(*, username: str, context: audit.AuditContext,
                          now: datetime.datetime | None = None) -> None:
    """Record a wrong password, a wrong code or an attempt refused by a lockout; audit the lockout it starts."""
    now = now or timezone.now()
    username = username[:150]
    LoginAttempt.objects.create(username=username, ip_address=context.ip_address, at=now, succeeded=False)
    failures = _recent_failures(now)
    # Audited once, by the failure that starts the lockout; later refusals only add attempts.
    if failures.filter(username=username).count() == settings.YEP_LOGIN_MAX_FAILURES:
        _audit_lockout(username, "username", context)
    if context.ip_address and \
            failures.filter(ip_address=context.ip_address).count() == settings.YEP_LOGIN_IP_MAX_FAILURES:
        _audit_lockout(username, "address", context)


def _audit_lockout(username: str, by: str, context: audit.AuditContext) -> None:
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    audit.record(None, AuditAction.DENIED, context, object_type="user", object_id=user_id or "",
                 detail={"event": "locked_out", "by": by, "username": username,
                         "minutes": settings.YEP_LOGIN_LOCKOUT_MINUTES})


@transaction.atomic
def record_sign_in(user: User, *, two_factor: bool, context: audit.AuditContext,
                   now: datetime.datetime | None = None) -> None:
    """Record that ``user`` is now signed in (with or without a second factor), in the attempts and the audit log."""
    LoginAttempt.objects.create(username=user.get_username(), ip_address=context.ip_address,
                                at=now or timezone.now(), succeeded=True)
    audit.record(user, AuditAction.LOGIN, context, object_type="user", object_id=user.pk,
                 detail={"two_factor": two_factor})


def two_factor_required(user: User) -> bool:
    """Whether ``user`` must use a second factor: YEP_REQUIRE_TWO_FACTOR is on and an active role sees named
    records. Everyone else may set one up, and is then asked for it too (``second_factor_expected``)."""
    if not settings.YEP_REQUIRE_TWO_FACTOR:
        return False
    return user.active_memberships().filter(role__in=NAMED_RECORD_ROLES).exists()


def second_factor_expected(user: User) -> bool:
    """Whether signing ``user`` in needs a code: they have an authenticator app, or they are required to (one
    query, as the middleware asks it on every request of a session not yet verified)."""
    condition = Q(two_factor__confirmed_at__isnull=False)
    if settings.YEP_REQUIRE_TWO_FACTOR:
        condition |= Q(Exists(user.active_memberships().filter(role__in=NAMED_RECORD_ROLES)))
    return User.objects.filter(pk=user.pk).filter(condition).exists()


def confirmed_device(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


@transaction.atomic
def start_two_factor_enrolment(user: User) -> TwoFactorDevice:
    """The unconfirmed device ``user`` is setting up, made with a new secret if there is none yet.

    Raises ValueError when ``user`` already has a confirmed device: replacing one needs ``reset_two_factor``
    by an administrator, so a stolen password cannot move the second factor to another phone.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValueError(f"{user.get_username()} already has a confirmed authenticator app")
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret_encrypted=encrypt(pyotp.random_base32()))
    return device


def device_secret(device: TwoFactorDevice) -> str:
    """The base32 secret, for the enrolment page only (QR code and the key typed by hand)."""
    return decrypt(device.secret_encrypted)


def provisioning_uri(device: TwoFactorDevice) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(device_secret(device)).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


def _matching_step(device: TwoFactorDevice, code: str, now: datetime.datetime) -> int | None:
    """The time step ``code`` is right for: this 30-second step or one either side (a phone's clock drifts), and
    never a step at or before the last one used, so a code works once (RFC 6238 §5.2)."""
    totp = pyotp.TOTP(device_secret(device))
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def confirm_two_factor_enrolment(user: User, code: str, *, context: audit.AuditContext,
                                 now: datetime.datetime | None = None) -> bool:
    """Confirm ``user``'s new authenticator app with its first code; False (nothing changed) if the code is wrong."""
    now = now or timezone.now()
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    step = _matching_step(device, code, now) if device is not None else None
    if device is None or step is None:
        return False
    device.confirmed_at = now
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    audit.record(user, AuditAction.CHANGE, context, object_type="two_factor", object_id=user.pk,
                 detail={"event": "enrolled"})
    return True


@transaction.atomic
def check_second_factor(user: User, code: str, *, context: audit.AuditContext,
                        now: datetime.datetime | None = None) -> bool:
    """Whether ``code`` is right for ``user``'s confirmed authenticator app; a right code is used up, a wrong one
    is recorded as a failed attempt and counts towards the username's lockout."""
    now = now or timezone.now()
    # The row lock makes two requests carrying the same code take turns, so only one of them can use it.
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    step = _matching_step(device, code, now) if device is not None else None
    if device is None or step is None:
        record_failed_sign_in(username=user.get_username(), context=context, now=now)
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


@transaction.atomic
def reset_two_factor(user: User, *, actor: Any, context: audit.AuditContext) -> bool:
    """Remove ``user``'s authenticator app (lost or replaced) and end their sessions; they set up a new one at
    their next sign-in. Returns False, and records nothing, when they had none."""
    removed, _counts = TwoFactorDevice.objects.filter(user=user).delete()
    if not removed:
        return False
    sessions = _end_sessions(user)
    audit.record(actor, AuditAction.CHANGE, context, object_type="two_factor", object_id=user.pk,
                 detail={"event": "reset", "user": user.get_username(), "sessions_ended": sessions})
    return True


def _end_sessions(user: User) -> int:
    """Delete ``user``'s live sessions, signed in or half-way through signing in, so a phone that was lost while
    signed in gives no further access. Only database sessions (the default) can be found this way."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        pending = data.get(PENDING_SESSION_KEY) or {}
        if str(data.get(SESSION_KEY)) == str(user.pk) or pending.get("user") == user.pk:
            session.delete()
            ended += 1
    return ended
