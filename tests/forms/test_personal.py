"""Personal fields: the lnob::personal column, and suggestions for unmarked fields."""

from __future__ import annotations

from lnob.forms.personal import suggest_personal
from lnob.forms.xlsform import convert

FORM = """
| survey |          |              |            |                |
|        | type     | name         | label      | lnob::personal |
|        | text     | hh_name      | Name       | yes            |
|        | text     | phone_number | Phone      |                |
|        | geopoint | location     | Where      |                |
|        | text     | comments     | Comments   |                |
|        | integer  | age          | Age        |                |
|        | select_one yn | has_toilet | Toilet?  |                |
|        | image    | photo        | Photo      |                |
| choices |         |              |            |                |
|        | list_name | name        | label      |                |
|        | yn       | yes          | Yes        |                |
|        | yn       | no           | No         |                |
"""


def test_marked_and_suggested(tmp_path):
    path = tmp_path / "f.md"
    path.write_text(FORM)
    fields = convert(path).fields()
    marked = {f.name for f in fields if f.personal}
    assert marked == {"hh_name"}
    suggested = {s.field: s.reason for s in suggest_personal(fields)}
    assert set(suggested) == {"phone_number", "location", "comments", "photo"}
    assert "phone" in suggested["phone_number"] and "free text" in suggested["comments"]
    assert "age" not in suggested and "has_toilet" not in suggested
