"""`yep link run --backend spark`: the Spark backend (pyspark in local mode) finds the same links as DuckDB.

Spark is started once for the module, through the command, on the shared 1,500-record synthetic pair with
hand-made people (``conftest.small_tables``); its links are compared with the DuckDB engine's (``linked``).
"""

import shutil

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yep.link.engine import LinkSpec, _settings
from yep.link.evaluate import score
from yep.link.spark import link_tables_spark, spark_model

from .conftest import small_tables

# Starting Spark's Java process and scoring the pairs take tens of seconds; the tests below share one run.
needs_java = pytest.mark.skipif(
    shutil.which("java") is None,
    reason="Spark needs a Java runtime (17 or later) and there is no java on the PATH: apt-get install "
           "default-jre-headless")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spark")
    left, right, _truth = small_tables()
    left.to_csv(folder / "left.csv", index=False)
    right.to_csv(folder / "right.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def spark_pairs(files):
    with pytest.MonkeyPatch.context() as patch:
        # Two shuffle partitions: a few thousand records make tiny tasks, and each task costs time to schedule.
        patch.setenv("YEP_SPARK_SHUFFLE_PARTITIONS", "2")
        patch.setenv("YEP_SPARK_DRIVER_MEMORY", "1g")
        call_command("link", "run", str(files / "left.csv"), str(files / "right.csv"), "--out",
                     str(files / "spark.csv"), "--backend", "spark")
    return pd.read_csv(files / "spark.csv", dtype={"left_id": str, "right_id": str})


def _pair_set(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(pairs["left_id"], pairs["right_id"], strict=True))


@pytest.mark.slow
@needs_java
def test_spark_and_duckdb_find_the_same_links(linked, spark_pairs):
    assert _pair_set(spark_pairs) == _pair_set(linked.pairs)
    both = linked.pairs.merge(spark_pairs, on=["left_id", "right_id"], suffixes=("_duckdb", "_spark"))
    # One model on both backends. Splink's Scala Jaro-Winkler and DuckDB's disagree in the last digits for a few
    # names (2 links of 17,262 at 20,000 records a side), which can move a name across a level's threshold.
    apart = (both["match_probability_duckdb"] - both["match_probability_spark"]).abs() > 1e-3
    assert apart.mean() <= 0.01


@pytest.mark.slow
@needs_java
def test_spark_links_accurately_and_keeps_the_hand_made_cases(linked, spark_pairs):
    result = score(spark_pairs, linked.truth)
    assert result.f1 >= 0.96
    pairs = _pair_set(spark_pairs)
    assert ("L-typo", "R-typo") in pairs and ("L-form", "R-form") in pairs
    assert "L-namesake" not in set(spark_pairs["left_id"])


@pytest.mark.slow
@needs_java
def test_spark_links_each_record_at_most_once(spark_pairs):
    assert not spark_pairs["left_id"].duplicated().any()
    assert not spark_pairs["right_id"].duplicated().any()
    assert (spark_pairs["match_probability"] >= LinkSpec().threshold).all()


def test_without_java_the_command_says_spark_cannot_start(files, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("YEP_SPARK_MASTER", raising=False)
    with pytest.raises(CommandError, match="Spark cannot start here: Spark needs a Java runtime"):
        call_command("link", "run", str(files / "left.csv"), str(files / "right.csv"), "--out",
                     str(files / "out.csv"), "--backend", "spark")
    assert not (files / "out.csv").exists()


def test_an_unknown_backend_is_refused(files):
    with pytest.raises(CommandError, match="invalid choice: 'hadoop'"):
        call_command("link", "run", str(files / "left.csv"), str(files / "right.csv"), "--out",
                     str(files / "out.csv"), "--backend", "hadoop")


def test_empty_tables_give_no_links_without_starting_spark():
    pairs = link_tables_spark(pd.DataFrame({"record_id": pd.Series(dtype=str)}), pd.DataFrame({"record_id": ["2"]}))
    assert pairs.empty
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability"]


def test_the_spark_model_keeps_the_parameters_and_speaks_spark_sql():
    shared = {"postcode", "address", "sex", "ni_number"}
    model = _settings(shared).create_settings_dict("duckdb")  # a DuckDB model, as the engine saves it
    model["probability_two_random_records_match"] = 0.0004
    converted = spark_model(model, shared, ())
    assert converted["probability_two_random_records_match"] == 0.0004

    def levels(settings):
        return [level for comparison in settings["comparisons"] for level in comparison["comparison_levels"]]

    assert [level.get("m_probability") for level in levels(converted)] == [
        level.get("m_probability") for level in levels(model)]
    text = " ".join(level["sql_condition"] for level in levels(converted)).lower()
    assert "jaro_winkler(" in text and "jaro_winkler_similarity" not in text  # Splink's Scala function on Spark
    assert "list_contains" not in text and '"' not in text  # DuckDB's list functions and identifier quotes
    assert "regexp_extract(postcode_l, '^[a-z]{1,2}', 0)" in text  # Spark's default group is 1, DuckDB's 0
