"""Per-project keyed pseudonyms for research extracts (seed 000 §4.3, §8 item 61).

Each approved project has its own secret: 32 random bytes in ``YEP_RESEARCH_KEYS_DIR/<code>.key``, readable by
the service's account only and never in the database, so an extract and a copy of the database together still
cannot be joined back to a person. A pseudonym is HMAC-SHA256 of the person's internal id under the project's
secret: stable for one project across extracts, unrelated between projects.
"""

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from .models import ResearchProject

SECRET_BYTES = 32
PSEUDONYM_LENGTH = 16  # hex characters: 64 bits, no collision to expect in a register of a few hundred thousand


class MissingSecret(Exception):
    """The project's secret file is not there (never created, or lost: restore it from the backup)."""


def secret_path(code: str) -> Path:
    """Where the secret of the project ``code`` lives."""
    folder: Path = settings.YEP_RESEARCH_KEYS_DIR
    return folder / f"{code}.key"


def has_secret(project: ResearchProject) -> bool:
    return secret_path(project.code).is_file()


def create_secret(project: ResearchProject) -> bool:
    """Create the project's secret (mode 0600, in a folder of mode 0700) unless it exists; True when created.

    An existing secret is never replaced: every earlier extract's pseudonyms depend on it."""
    path = secret_path(project.code)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(SECRET_BYTES))
    return True


def _secret(project: ResearchProject) -> bytes:
    path = secret_path(project.code)
    try:
        secret = path.read_bytes()
    except FileNotFoundError:
        raise MissingSecret(str(path)) from None
    if len(secret) < SECRET_BYTES:
        raise MissingSecret(str(path))
    return secret


def pseudonymiser(project: ResearchProject) -> Callable[[int], str]:
    """A function giving each person id its pseudonym for ``project`` (the secret read once, for a whole
    extract). Raises ``MissingSecret`` when the project has no secret."""
    secret = _secret(project)

    def pseudonym_of(person_id: int) -> str:
        return hmac.new(secret, str(person_id).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]

    return pseudonym_of


def pseudonym(project: ResearchProject, person_id: int) -> str:
    """The pseudonym of one person in ``project``: the same in every extract of the project, different in any
    other project."""
    return pseudonymiser(project)(person_id)
