"""The linkage engine on Spark, for national datasets: the same model and links as ``engine.link_tables``, with the
blocked pairs scored by Splink's Spark backend instead of DuckDB.

Training stays on DuckDB, on the engine's seeded sample (at most ``LinkSpec.training_records`` a side): the
parameters need tens of thousands of records, not millions, so a sample trains in seconds on the driver, and a
model trained the same way as the DuckDB engine's gives the same links on either backend (training on Spark would
draw a different u sample and so a slightly different model). The saved model is then turned into Spark SQL and
every blocked pair is scored on Spark; one-to-one runs on the driver over the pairs above the threshold (a few per
record).

The session is local (``local[*]``) unless ``YEP_SPARK_MASTER`` names a cluster; see docs/operations.md.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import sqlglot
from django.utils.translation import gettext as _
from splink import DuckDBAPI, Linker
from sqlglot import exp

from yep.link.engine import (
    LinkSpec,
    Progress,
    _oriented,
    _sample,
    _settings,
    _train,
    affordable_wide_rules,
    no_pairs,
    one_to_one,
    shared_columns,
)
from yep.link.layout import check_layout, standardise

# Operators' settings (docs/operations.md, "Linkage at national scale"), read when a run starts.
MASTER = "YEP_SPARK_MASTER"  # local[*] by default; spark://host:7077, yarn or k8s://... for a cluster
DRIVER_MEMORY = "YEP_SPARK_DRIVER_MEMORY"  # the driver's heap; in local mode this is all of Spark's memory
SHUFFLE_PARTITIONS = "YEP_SPARK_SHUFFLE_PARTITIONS"
CHECKPOINT_DIR = "YEP_SPARK_CHECKPOINT_DIR"  # must be shared storage (HDFS, S3) on a cluster

# Log only errors from the moment Java starts (setLogLevel comes only once the session is up).
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkUnavailable(RuntimeError):
    """Spark cannot start here: pyspark is not installed or there is no Java runtime."""


def _default_partitions() -> int:
    # Spark's default of 200 shuffle partitions makes thousands of tiny tasks on one machine.
    return max(4, 2 * (os.cpu_count() or 2))


def check_spark() -> None:
    """Raise SparkUnavailable unless pyspark is installed and there is a Java runtime for the driver (which runs
    here whatever the master)."""
    try:
        import pyspark  # noqa: F401 (only whether it imports)
    except ImportError:
        raise SparkUnavailable(_("pyspark is not installed (pip install -e '.[spark]')")) from None
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkUnavailable(_("Spark needs a Java runtime (17 or later) and there is no java on the PATH"))


@contextmanager
def spark_session(workdir: Path) -> Iterator[Any]:
    """A Spark session for one linkage run, with its checkpoints under ``workdir``; stopped on the way out.

    Raises:
        SparkUnavailable: pyspark is not installed, or there is no ``java`` to run the driver.
    """
    check_spark()
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    master = os.environ.get(MASTER, "local[*]")
    log_config = workdir / "log4j2.properties"
    log_config.write_text(_LOG4J2)
    builder = SparkSession.builder.master(master).appName("yep-link")
    if master.startswith("local"):
        # Spill files hold personal data: keep them in this run's folder, removed when it ends. A cluster's
        # executors use the local folders their cluster manager gives them, and there the web UI shows progress.
        builder = builder.config("spark.local.dir", str(workdir / "scratch")).config("spark.ui.enabled", "false")
    session = (
        builder
        .config("spark.driver.memory", os.environ.get(DRIVER_MEMORY, "2g"))
        # Splink's Scala functions (jaro_winkler and others) that the comparisons call.
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get(SHUFFLE_PARTITIONS, str(_default_partitions())))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log_config.as_uri()}")
        .getOrCreate()
    )
    try:
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(os.environ.get(CHECKPOINT_DIR, str(workdir / "checkpoints")))
        yield session
    finally:
        _remove_checkpoints(session)
        session.stop()


def _remove_checkpoints(session: Any) -> None:
    """Delete this run's checkpoint folder: on a cluster it is shared storage, and it holds personal data."""
    folder = session.sparkContext._jsc.sc().getCheckpointDir()  # Spark adds a folder of its own per session
    if folder.isDefined():
        path = session._jvm.org.apache.hadoop.fs.Path(folder.get())
        filesystem = path.getFileSystem(session.sparkContext._jsc.hadoopConfiguration())
        filesystem.delete(path, True)


def _spark_sql(sql: str) -> str:
    """One condition of the DuckDB model in Spark SQL; ``jaro_winkler`` is Splink's Scala function on Spark."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = tree.transform(lambda node: exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
                          if isinstance(node, exp.JarowinklerSimilarity) else node)
    return tree.sql(dialect="spark")


def spark_model(model: dict[str, Any], shared: set[str], wide: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """The trained DuckDB model (``save_model_to_json``) with every SQL condition and blocking rule for Spark.

    The parameters (prior, m and u probabilities, term-frequency settings) are kept as they are.
    """
    converted = dict(model, sql_dialect="spark")
    converted["comparisons"] = [
        dict(comparison, comparison_levels=[
            level if level["sql_condition"] == "ELSE" else dict(level, sql_condition=_spark_sql(level["sql_condition"]))
            for level in comparison["comparison_levels"]])
        for comparison in model["comparisons"]]
    converted["blocking_rules_to_generate_predictions"] = _settings(shared, wide).create_settings_dict("spark")[
        "blocking_rules_to_generate_predictions"]
    return converted


def _train_on_duckdb(left: pd.DataFrame, right: pd.DataFrame, shared: set[str], spec: LinkSpec,
                     say: Progress) -> dict[str, Any]:
    """The model the DuckDB engine trains: the same seeded sample of each side and the same sessions."""
    with duckdb.connect() as connection:
        db_api = DuckDBAPI(connection)
        tables = [db_api.register(_sample(left, spec), table_name="link_left"),
                  db_api.register(_sample(right, spec), table_name="link_right")]
        linker = Linker(tables, _settings(shared), log_level=logging.ERROR)
        _train(linker, shared, spec, say)
        model: dict[str, Any] = linker.misc.save_model_to_json()
    return model


def _spark_table(session: Any, frame: pd.DataFrame) -> Any:
    """A Spark table of standardised records, every column text (a column blank on one side has no type to infer)."""
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(str(name), StringType(), nullable=True) for name in frame.columns])
    return session.createDataFrame(frame, schema=schema)


def score_pairs_spark(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec,
                      progress: Progress | None = None) -> pd.DataFrame:
    """Every blocked pair with a match probability of at least ``spec.threshold``, scored on Spark."""
    from splink import SparkAPI

    say = progress or (lambda _message: None)
    say("preparing the records")
    left_std, right_std = standardise(left), standardise(right)
    shared = shared_columns(left_std, right_std)
    model = spark_model(_train_on_duckdb(left_std, right_std, shared, spec, say), shared,
                        affordable_wide_rules(left_std, right_std, spec))
    say("starting Spark")
    with tempfile.TemporaryDirectory(prefix="yep-spark-") as workdir, spark_session(Path(workdir)) as session:
        # Locally, cached tables spill to spark.local.dir anyway; on a cluster Splink's default writes each
        # intermediate table as parquet under the checkpoint dir, which keeps the query plans short.
        local = session.sparkContext.master.startswith("local")
        # Splink's SparkAPI has no type hints.
        db_api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=session, break_lineage_method="persist" if local else "parquet")
        tables = [db_api.register(_spark_table(session, left_std), table_name="link_left"),
                  db_api.register(_spark_table(session, right_std), table_name="link_right")]
        linker = Linker(tables, model, log_level=logging.ERROR)
        say("scoring pairs on Spark")
        predictions = linker.inference.predict(threshold_match_probability=spec.threshold)
        columns = ["source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r", "match_probability"]
        pairs = predictions.as_spark_dataframe().select(*columns).toPandas()
    return _oriented(pairs)


def link_tables_spark(left: pd.DataFrame, right: pd.DataFrame, spec: LinkSpec | None = None,
                      progress: Progress | None = None) -> pd.DataFrame:
    """Link two person-layout tables on Spark: the same contract and links as ``engine.link_tables``.

    Raises:
        LinkSpecError: the spec is impossible. LayoutError: a table has no, blank or repeated record ids.
        SparkUnavailable: Spark cannot start here (no pyspark, or no Java runtime).
    """
    spec = spec or LinkSpec()
    spec.check()
    check_layout(left, "left")
    check_layout(right, "right")
    if left.empty or right.empty:
        return no_pairs()
    check_spark()  # before training, which takes a while
    return one_to_one(score_pairs_spark(left, right, spec, progress))
