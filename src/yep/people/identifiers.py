"""Identifier and postcode rules: UPN and ULN check characters, NI number format, UK postcode format.

Each ``check_*`` returns the normalised value or raises ``ValueError`` with a translated message.
"""

import re

from django.utils.translation import gettext as _

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters; I, O and S are never used
_UPN = re.compile(r"^[A-Z][0-9]{12}$")
_ULN = re.compile(r"^[1-9][0-9]{9}$")
_NI = re.compile(r"^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])([0-9]{6})([A-D])$")
_NI_BANNED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def upn_check_letter(body: str) -> str:
    """The check letter for the last 12 characters of a UPN (weights 2..13, modulus 23)."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError(f"a UPN body is 12 digits, got {body!r}")
    total = sum(int(ch) * weight for weight, ch in enumerate(body, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def check_upn(value: str) -> str:
    upn = value.strip().upper()
    if not _UPN.match(upn):
        raise ValueError(_("A UPN is a letter followed by 12 digits, for example A123456789012."))
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValueError(_("This UPN's check letter is wrong: check it has been copied correctly."))
    return upn


def uln_check_digit(first9: str) -> str | None:
    """The tenth digit of a ULN, or None when no valid ULN starts with these nine digits."""
    if len(first9) != 9 or not first9.isdigit() or first9[0] == "0":
        raise ValueError(f"a ULN starts with 9 digits, the first not 0, got {first9!r}")
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first9)) % 11
    return None if remainder == 0 else str(10 - remainder)


def check_uln(value: str) -> str:
    uln = value.strip().replace(" ", "")
    if not _ULN.match(uln):
        raise ValueError(_("A ULN is 10 digits and does not start with 0."))
    if uln_check_digit(uln[:9]) != uln[9]:
        raise ValueError(_("This ULN's check digit is wrong: check it has been copied correctly."))
    return uln


def check_ni_number(value: str) -> str:
    ni = value.strip().upper().replace(" ", "")
    match = _NI.match(ni)
    if not match or ni[:2] in _NI_BANNED_PREFIXES:
        raise ValueError(_("An NI number is two letters, six digits and a letter A to D, for example AB123456C."))
    return ni


def check_postcode(value: str) -> str:
    """A UK postcode in its standard form with one space, e.g. 'cf243ab' -> 'CF24 3AB'."""
    compact = re.sub(r"\s+", "", value.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise ValueError(_("Enter a real postcode, like CF10 1AA."))
    return f"{match.group(1)} {match.group(2)}"


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode.upper())
