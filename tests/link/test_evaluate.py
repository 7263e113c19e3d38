"""Precision, recall and F1 against the true links."""

import pandas as pd
import pytest

from yep.link.evaluate import score


def test_scores_count_found_true_and_correct_links():
    found = pd.DataFrame({"left_id": ["a", "b", "c", "a"], "right_id": ["1", "2", "9", "1"]})  # (a, 1) twice
    truth = pd.DataFrame({"left_id": ["a", "b", "d", "e"], "right_id": ["1", "2", "4", "5"]})
    result = score(found, truth)
    assert (result.found, result.true, result.correct) == (3, 4, 2)
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == pytest.approx(1 / 2)
    assert result.f1 == pytest.approx(4 / 7)


def test_no_links_found_scores_zero_without_dividing_by_zero():
    empty = pd.DataFrame({"left_id": [], "right_id": []})
    truth = pd.DataFrame({"left_id": ["a"], "right_id": ["1"]})
    result = score(empty, truth)
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)
