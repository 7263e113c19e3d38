"""The linkage engine on a few hundred synthetic records with hand-made people added."""

import pandas as pd
import pytest

from yep.link.engine import LinkSpec, LinkSpecError, link_tables, one_to_one
from yep.link.evaluate import score
from yep.link.layout import LayoutError


def _linked_to(pairs: pd.DataFrame, left_id: str) -> list[str]:
    return pairs.loc[pairs["left_id"] == left_id, "right_id"].tolist()


def test_a_typo_in_the_surname_and_a_transposed_date_of_birth_still_link(linked):
    assert _linked_to(linked.pairs, "L-typo") == ["R-typo"]


def test_the_welsh_and_english_forms_of_a_forename_link(linked):
    assert _linked_to(linked.pairs, "L-form") == ["R-form"]


def test_namesakes_born_the_same_day_who_live_apart_with_other_identifiers_do_not_link(linked):
    assert _linked_to(linked.pairs, "L-namesake") == []
    assert "R-namesake" not in set(linked.pairs["right_id"])


def test_each_record_links_at_most_once_on_either_side(linked):
    assert not linked.pairs["left_id"].duplicated().any()
    assert not linked.pairs["right_id"].duplicated().any()


def test_left_ids_come_from_the_left_table_and_probabilities_pass_the_threshold(linked):
    assert set(linked.pairs["left_id"]) <= set(linked.left["record_id"])
    assert set(linked.pairs["right_id"]) <= set(linked.right["record_id"])
    assert (linked.pairs["match_probability"] >= LinkSpec().threshold).all()


def test_the_small_synthetic_extracts_link_accurately(linked):
    result = score(linked.pairs, linked.truth)
    assert result.precision >= 0.97
    assert result.recall >= 0.95


def test_one_to_one_keeps_the_most_probable_link_of_each_record():
    pairs = pd.DataFrame({"left_id": ["a", "a", "b", "b", "c"], "right_id": ["1", "2", "1", "3", "3"],
                          "match_probability": [0.99, 0.95, 0.97, 0.96, 0.96]})
    kept = one_to_one(pairs)
    assert list(zip(kept["left_id"], kept["right_id"], strict=True)) == [("a", "1"), ("b", "3")]


def test_a_threshold_outside_zero_to_one_is_refused_before_anything_runs():
    with pytest.raises(LinkSpecError):
        link_tables(pd.DataFrame({"record_id": ["1"]}), pd.DataFrame({"record_id": ["2"]}), LinkSpec(threshold=1.5))


def test_a_table_without_record_ids_is_refused():
    with pytest.raises(LayoutError, match="record_id"):
        link_tables(pd.DataFrame({"first_name": ["Siân"]}), pd.DataFrame({"record_id": ["2"]}))


def test_repeated_record_ids_are_refused():
    with pytest.raises(LayoutError, match="more than once"):
        link_tables(pd.DataFrame({"record_id": ["1", "1"]}), pd.DataFrame({"record_id": ["2"]}))
