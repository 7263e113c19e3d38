"""Finding young people by name, date of birth, UPN, ULN or postcode, tolerant of typos and of Welsh/English
forms of a name (Siân Jones finds Sian Jones; Dafydd finds David and Dai; "Willaims" finds Williams).

Candidates come from indexed keys (exact, sound-alike and prefix surname keys, name-form groups, date of
birth, postcode); they are then ranked by similarity. Searching runs over whatever queryset the caller
passes, which is always ``access.policy.people_visible_to(...)``.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from . import identifiers, names
from .models import Person, PersonName

_UPN = re.compile(r"^[A-Za-z]\d{12}$")
_ULN = re.compile(r"^\d{10}$")
_POSTCODE = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?\s?\d[A-Za-z]{2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
CANDIDATE_LIMIT = 2000


@dataclass
class SearchTerms:
    """A search box's contents, split into what each part looks like."""

    words: list[str] = field(default_factory=list)
    dob: datetime.date | None = None
    postcode: str = ""
    upn: str = ""
    uln: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.dob or self.postcode or self.upn or self.uln)


def _parse_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            continue
    return None


_PREFIXES = {"ap", "ab", "ferch", "verch"}


def _tokens(text: str) -> list[str]:
    """Words of the query, with a Welsh patronymic prefix kept on the name after it ("ap Rhys")."""
    tokens: list[str] = []
    for word in text.replace(",", " ").split():
        if tokens and tokens[-1].lower() in _PREFIXES:
            tokens[-1] = f"{tokens[-1]} {word}"
        else:
            tokens.append(word)
    return tokens


def parse(query: str, *, dob: datetime.date | None = None, postcode: str = "") -> SearchTerms:
    terms = SearchTerms(dob=dob, postcode=identifiers.postcode_key(postcode) if postcode else "")
    text = query.strip()
    compact = re.sub(r"\s+", "", text)
    if _POSTCODE.match(text) and not _ULN.match(compact):
        terms.postcode = identifiers.postcode_key(text)
        return terms
    for token in _tokens(text):
        if _UPN.match(token):
            terms.upn = token.upper()
        elif _ULN.match(token):
            terms.uln = token
        elif (day := _parse_date(token)) is not None:
            terms.dob = day
        elif names.fold(token):
            terms.words.append(token)
    return terms


def _swapped(day: datetime.date) -> datetime.date | None:
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def _surname_clause(word: str) -> Q:
    key = names.surname_key(word)
    clause = Q(surname_key=key) | Q(surname_sound=names.sound(key))
    if len(key) >= 4:
        clause |= Q(surname_key__startswith=key[:3])
    return clause


def _forename_clause(word: str) -> Q:
    key = names.fold(word)
    return Q(forename_group=names.forename_group(word)) | Q(forename_key__startswith=key[:2])


def _name_clause(words: list[str]) -> Q:
    """One word: a surname or a forename. Several: some word is the forename and another the surname."""
    if len(words) == 1:
        return _surname_clause(words[0]) | Q(forename_group=names.forename_group(words[0]))
    clause = Q(pk__in=[])
    for i, forename in enumerate(words):
        for j, surname in enumerate(words):
            if i != j:
                clause |= _forename_clause(forename) & _surname_clause(surname)
    return clause


def _candidates(visible: QuerySet[Person], terms: SearchTerms) -> QuerySet[Person]:
    people = visible.filter(merged_into__isnull=True)  # a merged record's young person is found by the other
    if terms.upn:
        people = people.filter(upn=terms.upn)
    if terms.uln:
        people = people.filter(uln=terms.uln)
    if terms.postcode:
        people = people.filter(postcode_key=terms.postcode)
    if terms.dob:
        dates = {terms.dob, _swapped(terms.dob)} - {None}
        people = people.filter(dob__in=dates)
    if terms.words:
        matching = PersonName.objects.filter(_name_clause(terms.words)).values("person_id")
        people = people.filter(pk__in=matching)
    return people


def _name_score(person: Person, words: list[str]) -> float:
    """Average over the words of the best similarity to any of the person's names (1.0 = exact or same name)."""
    keys = [(n.forename_key, n.forename_group, n.surname_key) for n in person.names.all()]
    total = 0.0
    for word in words:
        folded, group = names.surname_key(word), names.forename_group(word)
        total += max(
            (max(names.similarity(folded, surname), names.similarity(folded, forename), float(group == fgroup))
             for forename, fgroup, surname in keys),
            default=0.0,
        )
    return total / len(words)


MIN_NAME_SCORE = 0.8


def search(visible: QuerySet[Person], terms: SearchTerms, limit: int = 50) -> list[Person]:
    """The best matches among ``visible``, best first; at most ``limit``."""
    if terms.is_empty:
        return []
    candidates = list(
        _candidates(visible, terms).select_related("la_of_residence").prefetch_related("names")[:CANDIDATE_LIMIT]
    )
    ranked = []
    for person in candidates:
        name_score = _name_score(person, terms.words) if terms.words else 1.0
        if name_score >= MIN_NAME_SCORE:
            exact_dob = 1.0 if terms.dob and person.dob == terms.dob else 0.0
            ranked.append((name_score + exact_dob, person))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].legal_surname, pair[1].pk))
    return [person for _, person in ranked[:limit]]
