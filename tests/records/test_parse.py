"""Parsing OpenRosa instances into typed values."""

from __future__ import annotations

import pytest

from lnob.errors import InputError
from lnob.forms.services import library_form
from lnob.forms.xlsform import convert
from lnob.records.parse import parse_instance

FORM_MD = """
| survey   |                   |          |          |
|          | type              | name     | label    |
|          | today             | today    |          |
|          | begin_group       | wash     | WASH     |
|          | select_one src    | source   | Source   |
|          | integer           | minutes  | Minutes  |
|          | decimal           | litres   | Litres   |
|          | end_group         |          |          |
|          | select_multiple a | assets   | Assets   |
|          | date              | visit    | Visit    |
|          | note              | bye      | Bye      |
|          | begin_repeat      | roster   | People   |
|          | text              | name     | Name     |
|          | integer           | age      | Age      |
|          | begin_repeat      | jobs     | Jobs     |
|          | text              | job      | Job      |
|          | end_repeat        |          |          |
|          | end_repeat        |          |          |
| choices  |                   |          |          |
|          | list_name         | name     | label    |
|          | src               | piped    | Piped    |
|          | src               | well     | Well     |
|          | a                 | tv       | TV       |
|          | a                 | radio    | Radio    |
| settings |                   |          |          |
|          | form_id           | version  |          |
|          | hh                | 4        |          |
"""

INSTANCE = """<?xml version='1.0' ?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="hh" version="4">
  <today>2025-03-04</today>
  <wash><source>well</source><minutes>25</minutes><litres>12.5</litres></wash>
  <assets>  tv   radio </assets>
  <visit>2025-03-04T10:00:00.000+07:00</visit>
  <bye/>
  <roster><name>Lan &amp; Mai</name><age>34</age>
    <jobs><job>farmer</job></jobs><jobs><job>weaver</job></jobs>
  </roster>
  <roster><name>An</name><age/><jobs><job/></jobs></roster>
  <surprise>kept raw only</surprise>
  <orx:meta><orx:instanceID>uuid:abc</orx:instanceID><orx:deprecatedID>uuid:old</orx:deprecatedID></orx:meta>
</data>"""


@pytest.fixture(scope="module")
def form():
    return convert(FORM_MD.encode(), "hh.md").survey_json


def test_typed_values_groups_and_nested_repeats(form):
    p = parse_instance(INSTANCE, form)
    assert (p.form_id, p.version, p.instance_id, p.deprecated_id) == ("hh", "4", "uuid:abc", "uuid:old")
    assert p.values == {"today": "2025-03-04", "wash__source": "well", "wash__minutes": 25,
                        "wash__litres": 12.5, "assets": "tv radio", "visit": "2025-03-04"}
    assert p.repeats["roster"] == [
        {"_index": 1, "_parent_index": 0, "name": "Lan & Mai", "age": 34},
        {"_index": 2, "_parent_index": 0, "name": "An", "age": None},
    ]
    assert p.repeats["jobs"] == [
        {"_index": 1, "_parent_index": 1, "job": "farmer"},
        {"_index": 2, "_parent_index": 1, "job": "weaver"},
        {"_index": 3, "_parent_index": 2, "job": None},
    ]
    assert p.unknown == ["surprise"]
    assert p.problems == []


def test_missing_elements_are_none_and_bad_numbers_are_reported(form):
    xml = ('<data id="hh" version="4"><wash><minutes>lots</minutes></wash>'
           '<meta><instanceID>uuid:x</instanceID></meta></data>')
    p = parse_instance(xml.encode(), form)
    assert p.values["wash__minutes"] is None and p.values["wash__source"] is None
    assert p.repeats == {"roster": [], "jobs": []}
    assert [pr.code for pr in p.problems] == ["records.bad-value"]
    assert p.problems[0].where == "wash/minutes"
    assert p.deprecated_id is None


def test_bad_and_dangerous_xml(form):
    with pytest.raises(InputError) as exc:
        parse_instance("<data><unclosed></data>", form)
    assert exc.value.code == "records.bad-xml"
    bomb = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<data id="hh">&b;</data>')
    with pytest.raises(InputError) as exc:
        parse_instance(bomb, form)
    assert exc.value.code == "records.forbidden-xml"


def test_no_consent_submission_of_the_shipped_form():
    form = convert(library_form("lnob_household")).survey_json
    xml = ('<data id="lnob_household" version="2025060101"><start>2025-03-03T08:00:00.000+07:00</start>'
           '<end/><today>2025-03-03</today><country>VN</country><consent>no</consent><no_consent_end/>'
           '<location><district/><district_iso/><district_other/><area/><village/></location>'
           '<household><hh_size/></household>'
           '<wash><water_source/><water_location/><water_time/><water_shortage/><sanitation/>'
           '<sanitation_shared/></wash><protection><sp_receives/><sp_types/></protection>'
           '<wealth><assets/></wealth><thanks/><meta><instanceID>uuid:n</instanceID></meta></data>')
    p = parse_instance(xml, form)
    assert p.values["consent"] == "no" and p.values["country"] == "VN"
    assert p.values["today"] == "2025-03-03"
    assert {k for k, v in p.values.items() if v is not None} == {"start", "today", "country", "consent"}
    assert p.repeats == {"roster": []} and p.unknown == []
