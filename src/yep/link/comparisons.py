"""The comparisons and blocking rules of the person model, over the columns of ``layout.standardise``.

Names: exact (with a term-frequency adjustment, so a match on Jones counts for less than one on Prosser), the same
Welsh/English form or nickname group, Jaro-Winkler levels, a hyphenated part (Morgan-Jones = Jones), and forename
and surname swapped. Date of birth: exact, day and month transposed, one character different, the year off by one,
within a month. Postcode and address: the same address, full postcode, sector, district, area. Sex and the
identifiers (UPN, ULN, NI number) are compared only when both sides hold some.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on

from yep.link.layout import IDENTIFIERS

Comparison = Any  # a Splink ComparisonCreator; Splink's types are internal


def forename() -> Comparison:
    return cl.CustomComparison(
        output_column_name="forename",
        comparison_levels=[
            cll.NullLevel("forename"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            cll.ExactMatchLevel("forename_group").configure(label_for_charts="Same name in Welsh or English"),
            cll.JaroWinklerLevel("forename", 0.92),
            cll.CustomLevel(
                "list_contains(string_split(forenames_l, ' '), forename_r) "
                "OR list_contains(string_split(forenames_r, ' '), forename_l)",
                label_for_charts="One of the other's forenames",
            ),
            cll.ColumnsReversedLevel("forename", "surname").configure(label_for_charts="Forename and surname swapped"),
            cll.JaroWinklerLevel("forename", 0.8),
            cll.ElseLevel(),
        ],
    )


def surname() -> Comparison:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("surname", 0.92),
            cll.CustomLevel(
                "(length(surname_r) >= 3 AND contains(surname_l, surname_r)) "
                "OR (length(surname_l) >= 3 AND contains(surname_r, surname_l))",
                label_for_charts="One part of a hyphenated surname",
            ),
            cll.ColumnsReversedLevel("surname", "forename").configure(label_for_charts="Surname and forename swapped"),
            cll.JaroWinklerLevel("surname", 0.8),
            cll.ElseLevel(),
        ],
    )


def date_of_birth() -> Comparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_l = dob_swapped_r", label_for_charts="Day and month transposed"),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One character different"),
            cll.CustomLevel(
                "dob_month_day_l = dob_month_day_r "
                "AND abs(try_cast(dob_year_l AS INTEGER) - try_cast(dob_year_r AS INTEGER)) = 1",
                label_for_charts="Year off by one",
            ),
            cll.CustomLevel(
                "abs(datediff('day', try_cast(dob_l AS DATE), try_cast(dob_r AS DATE))) <= 31",
                label_for_charts="Within a month",
            ),
            cll.ElseLevel(),
        ],
    )


def postcode(with_address: bool) -> Comparison:
    """Postcode levels, with the address line folded in when both sides have one.

    One comparison, not two: a young person who moves changes both, and two comparisons would count the move
    twice (Fellegi-Sunter assumes the comparisons independent given the match status).
    """
    sector = "regexp_extract(postcode_{s}, '^[A-Z]{{1,2}}[0-9][A-Z0-9]? [0-9]')"
    district = "regexp_extract(postcode_{s}, '^[A-Z]{{1,2}}[0-9][A-Z0-9]?')"
    area = "regexp_extract(postcode_{s}, '^[A-Z]{{1,2}}')"

    def same(expression: str) -> str:
        return f"{expression.format(s='l')} = {expression.format(s='r')} AND {expression.format(s='l')} <> ''"

    levels: list[Any] = [cll.CustomLevel("(postcode_l IS NULL OR postcode_r IS NULL)" + (
        " AND (address_l IS NULL OR address_r IS NULL)" if with_address else ""), label_for_charts="Null")
              .configure(is_null_level=True)]
    if with_address:
        levels.append(cll.CustomLevel(
            "postcode_l = postcode_r AND jaro_winkler_similarity(address_l, address_r) >= 0.9",
            label_for_charts="Same postcode and address"))
    levels.append(cll.ExactMatchLevel("postcode").configure(label_for_charts="Same postcode"))
    if with_address:
        levels.append(cll.CustomLevel("jaro_winkler_similarity(address_l, address_r) >= 0.95",
                                      label_for_charts="Same address, postcode differs or missing"))
    levels += [cll.CustomLevel(same(sector), label_for_charts="Same postcode sector"),
               cll.CustomLevel(same(district), label_for_charts="Same postcode district"),
               cll.CustomLevel(same(area), label_for_charts="Same postcode area"),
               cll.ElseLevel()]
    return cl.CustomComparison(output_column_name="postcode", comparison_levels=levels)


def sex() -> Comparison:
    return cl.ExactMatch("sex")


def identifier(name: str) -> Comparison:
    """An identifier: exact, or one character slipped (a mistyped digit), or different."""
    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[
            cll.NullLevel(name),
            cll.ExactMatchLevel(name),
            cll.LevenshteinLevel(name, 1).configure(label_for_charts="One character different"),
            cll.ElseLevel(),
        ],
    )


def comparisons_for(shared: set[str]) -> list[Comparison]:
    """The comparisons for the optional columns both tables hold (``shared``), after the names and date."""
    chosen = [forename(), surname(), date_of_birth()]
    if "postcode" in shared:
        chosen.append(postcode(with_address="address" in shared))
    if "sex" in shared:
        chosen.append(sex())
    chosen += [identifier(name) for name in IDENTIFIERS if name in shared]
    return chosen


# Wider rules that rescue pairs whose date of birth is missing or wholly wrong (copied from a relative, say). They
# are used only where they stay cheap: at 250,000 records a side, forename and surname alone is 5 million pairs.
WIDE_RULES = (("forename", "surname"), ("surname", "dob_year"), ("forename", "surname_initial", "dob_year"))


def prediction_blocking_rules(shared: set[str], wide: tuple[tuple[str, ...], ...] = ()) -> list[Any]:
    """Which pairs are scored at all: a true pair is missed only when every rule fails, so the rules are chosen
    to fail for different errors (a wrong date, a changed surname, a move of address, a preferred forename).

    Each rule is narrow enough that common names stay cheap: surname and year of birth alone would pair every
    Jones born in 2008 with every other (35 million pairs in two 250,000-record extracts).
    """
    rules = [
        block_on("dob", "surname_initial"),
        block_on("dob", "forename_initial"),
        block_on("dob", "forename_group"),  # Dafydd and David share an initial; Iolo and Edward do not
        "l.dob = r.dob_swapped AND l.surname_initial = r.surname_initial",
        block_on("forename", "surname", "dob_year"),  # a typo in the day or month
        block_on("forename_initial", "surname", "dob_month_day"),  # the year off
    ]
    if "postcode" in shared:
        rules += [block_on("postcode", "forename_initial"), block_on("postcode", "surname")]
    rules += [block_on(name) for name in IDENTIFIERS if name in shared]
    rules += [block_on(*columns) for columns in wide]
    return rules


def training_blocking_rules(shared: set[str]) -> list[Any]:
    """Blocking rules for the EM sessions: each session leaves the compared columns of its rule untrained, so
    between them every comparison is trained at least once."""
    rules = [block_on("dob"), block_on("forename", "surname")]
    if "postcode" in shared:
        rules.append(block_on("postcode"))
    return rules
