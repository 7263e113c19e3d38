"""`yep link run` and `yep link evaluate`: the documented columns, and clear refusals of bad input."""

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import small_tables


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("link")
    left, right, truth = small_tables()
    left.to_csv(folder / "left.csv", index=False)
    right.to_csv(folder / "right.csv", index=False)
    truth.to_csv(folder / "truth.csv", index=False)
    return folder


def test_run_writes_left_id_right_id_and_match_probability(files, capsys):
    call_command("link", "run", str(files / "left.csv"), str(files / "right.csv"), "--out", str(files / "pairs.csv"),
                 "--threshold", "0.9")
    pairs = pd.read_csv(files / "pairs.csv", dtype={"left_id": str, "right_id": str})
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability"]
    assert set(pairs["left_id"]) <= set(pd.read_csv(files / "left.csv", dtype=str)["record_id"])
    assert pairs["match_probability"].between(0.9, 1).all()
    assert f"{len(pairs)} links written" in capsys.readouterr().out

    call_command("link", "evaluate", str(files / "pairs.csv"), str(files / "truth.csv"))
    printed = capsys.readouterr().out
    assert "precision 0.9" in printed or "precision 1.0000" in printed
    assert "recall" in printed and "F1" in printed


def test_a_missing_file_is_named(files):
    with pytest.raises(CommandError, match="There is no file .*nowhere.csv"):
        call_command("link", "run", str(files / "nowhere.csv"), str(files / "right.csv"), "--out",
                     str(files / "out.csv"))


def test_a_file_without_record_id_is_refused(files):
    (files / "bad.csv").write_text("first_name,last_name\nSiân,Evans\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.csv has no record_id column"):
        call_command("link", "run", str(files / "bad.csv"), str(files / "right.csv"), "--out",
                     str(files / "out.csv"))


@pytest.mark.parametrize("threshold", ["1.5", "0", "high"])
def test_a_bad_threshold_is_refused(files, threshold):
    with pytest.raises(CommandError, match="threshold must be a number between 0 and 1"):
        call_command("link", "run", str(files / "left.csv"), str(files / "right.csv"), "--out",
                     str(files / "out.csv"), "--threshold", threshold)


def test_evaluate_needs_left_id_and_right_id(files):
    (files / "odd.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="needs the columns left_id and right_id"):
        call_command("link", "evaluate", str(files / "odd.csv"), str(files / "truth.csv"))
