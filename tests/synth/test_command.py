"""`yep synth` on the command line: clear refusals, files written, no database needed.

These tests have no database fixture, so pytest-django fails any of them that touches the database.
"""

import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _synth(*args: str) -> str:
    out = io.StringIO()
    call_command("synth", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_fewer_than_one_person_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--people must be at least 1"):
        _synth("--people", "0", "--out", str(tmp_path))


def test_a_negative_seed_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--seed must be 0 or more"):
        _synth("--people", "10", "--seed", "-1", "--out", str(tmp_path))


def test_an_unknown_local_authority_code_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Unknown local authority code.*999"):
        _synth("--people", "10", "--la", "681", "999", "--out", str(tmp_path))


def test_a_badly_written_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--as-of must be a date written YYYY-MM-DD, got 23/11/2026"):
        _synth("--people", "10", "--as-of", "23/11/2026", "--out", str(tmp_path))


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--format must be csv or parquet"):
        _synth("--people", "10", "--format", "xlsx", "--out", str(tmp_path))


def test_the_command_writes_the_population_and_prints_a_summary(tmp_path):
    output = _synth("--people", "300", "--seed", "9", "--as-of", "2026-11-23", "--la", "681", "--out", str(tmp_path))
    assert "Wrote 300 people" in output and "people.csv" in output and "extracts/dwp.csv" in output
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["la_codes"] == ["681"] and manifest["seed"] == 9 and manifest["as_of"] == "2026-11-23"
    people = (tmp_path / "people.csv").read_text(encoding="utf-8").splitlines()
    assert len(people) == 301 and all(',"681",' in line for line in people[1:])


def test_parquet_output_has_the_same_columns_and_rows_as_csv(tmp_path):
    common = ("--people", "200", "--seed", "2", "--as-of", "2026-11-23", "--la", "670")
    _synth(*common, "--out", str(tmp_path / "csv"))
    _synth(*common, "--format", "parquet", "--out", str(tmp_path / "parquet"))
    for name in ("people", "activities", "extracts/fe_learners", "truth"):
        table = pq.read_table(tmp_path / "parquet" / f"{name}.parquet")
        lines = (tmp_path / "csv" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert ",".join(table.column_names) == lines[0]
        assert table.num_rows == len(lines) - 1


def test_the_as_of_date_defaults_to_today(tmp_path):
    from django.utils import timezone

    _synth("--people", "20", "--la", "681", "--out", str(tmp_path))
    assert json.loads((tmp_path / "manifest.json").read_text())["as_of"] == timezone.localdate().isoformat()
