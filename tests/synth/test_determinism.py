"""The same options always give the same files; anything else gives a different population."""

import datetime
import hashlib
import json

import pytest

from yep.synth import SynthConfig, SynthConfigError, generate

from .conftest import AS_OF


def _files(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _run(tmp_path, name, **options):
    out = tmp_path / name
    settings = {"people": 400, "seed": 3, "as_of": AS_OF} | options
    generate(SynthConfig(out=out, **settings))
    return _files(out)


def test_same_seed_date_and_options_give_byte_identical_files(tmp_path):
    first, second = _run(tmp_path, "a"), _run(tmp_path, "b")
    assert first.keys() == second.keys()
    assert "people.csv" in first and "extracts/dwp.csv" in first and "manifest.json" in first
    assert first == second


def test_a_different_seed_gives_a_different_population(tmp_path):
    first, second = _run(tmp_path, "a"), _run(tmp_path, "b", seed=4)
    assert first["people.csv"] != second["people.csv"]
    assert first["extracts/careers_service.csv"] != second["extracts/careers_service.csv"]


def test_a_different_as_of_date_gives_different_ages_and_activities(tmp_path):
    first = _run(tmp_path, "a")
    later = _run(tmp_path, "b", as_of=datetime.date(2027, 11, 23))
    assert first["people.csv"] != later["people.csv"]
    assert first["activities.csv"] != later["activities.csv"]


def test_the_order_local_authorities_are_given_in_does_not_matter(tmp_path):
    first = _run(tmp_path, "a", la_codes=["681", "670"])
    second = _run(tmp_path, "b", la_codes=["670", "681"])
    assert first == second


def test_the_manifest_lists_every_file_with_its_rows_and_checksum(tmp_path):
    files = _run(tmp_path, "a")
    manifest = json.loads(files["manifest.json"])
    assert manifest["seed"] == 3 and manifest["as_of"] == "2026-11-23" and manifest["people"] == 400
    assert len(manifest["la_codes"]) == 22
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert entry["rows"] == files[name].count(b"\n") - 1


def test_the_library_refuses_a_request_it_cannot_meet(tmp_path):
    for options in ({"people": 0}, {"la_codes": ["123"]}, {"fmt": "xlsx"}, {"seed": -2}):
        settings = {"people": 10, "seed": 1, "out": tmp_path, "as_of": AS_OF} | options
        with pytest.raises(SynthConfigError):
            generate(SynthConfig(**settings))
    assert not any(tmp_path.iterdir())
