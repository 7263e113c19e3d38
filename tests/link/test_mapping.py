"""The data hub's field parsers: what a partner's spreadsheet writes is read, and what it cannot mean is refused."""

import datetime

import pytest

from yep.link.mapping import check_mapping, default_mapping, parse_date
from yep.link.models import SourceKind


@pytest.mark.parametrize("text", ["2009-03-04", "04/03/2009", "4/3/2009"])
def test_a_date_is_read_as_iso_or_as_spreadsheets_write_it(text):
    assert parse_date(text) == datetime.date(2009, 3, 4)


@pytest.mark.parametrize("text", ["2009-13-01", "31/02/2009", "2009/03/04", "04-03-09", "yesterday", ""])
def test_a_date_that_is_not_one_is_refused_with_how_to_write_it(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD or DD/MM/YYYY"):
        parse_date(text)


def test_each_kind_maps_its_usual_columns_and_a_mapping_needs_an_id_and_something_to_link_by():
    assert check_mapping(default_mapping(SourceKind.FE_LEARNERS)) == []
    assert "uln" in default_mapping(SourceKind.FE_LEARNERS) and "upn" not in default_mapping(SourceKind.FE_LEARNERS)
    problems = check_mapping({"first_name": "forename", "shoe_size": "size"})
    assert len(problems) == 3  # an unknown field, no record id, nothing to link by
