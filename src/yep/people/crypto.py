"""Encryption of NI numbers at rest (Fernet, key from settings) and a keyed digest for finding duplicates."""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = hashlib.sha256(("fernet:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def digest(value: str) -> str:
    """HMAC-SHA256 of a normalised identifier: equal values give equal digests, without storing the value."""
    key = ("digest:" + settings.FIELD_ENCRYPTION_KEY).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
