"""A small form with constraints, relevance, choices, a repeat and a personal field."""

from __future__ import annotations

import pytest

from lnob.core import services
from lnob.forms.services import add_form
from lnob.records.analytics import AnalyticsStore

SMALL_FORM = """
| survey   |                    |            |          |          |                           |                       |                |
|          | type               | name       | label    | required | constraint                | relevant              | lnob::personal |
|          | select_one yn      | consent    | Consent  | yes      |                           |                       |                |
|          | begin_group        | hh         | House    |          |                           | ${consent} = 'yes'    |                |
|          | text               | head       | Head     | yes      |                           |                       | yes            |
|          | text               | village    | Village  | yes      |                           |                       |                |
|          | integer            | size       | Size     | yes      | . >= 1 and . <= 30        |                       |                |
|          | select_multiple as | assets     | Assets   |          | not(selected(., 'none') and count-selected(.) > 1) |  |                |
|          | text               | note       | Note     |          | regex(., '^[a-z]+$')      |                       |                |
|          | end_group          |            |          |          |                           |                       |                |
|          | begin_repeat       | people     | People   |          |                           | ${consent} = 'yes'    |                |
|          | integer            | age        | Age      | yes      | . >= 0 and . <= 120       |                       |                |
|          | select_one yn      | school     | School   | yes      |                           | ${age} >= 5 and ${age} <= 17 |         |
|          | end_repeat         |            |          |          |                           |                       |                |
| choices  |                    |            |          |          |                           |                       |                |
|          | list_name          | name       | label    |          |                           |                       |                |
|          | yn                 | yes        | Yes      |          |                           |                       |                |
|          | yn                 | no         | No       |          |                           |                       |                |
|          | as                 | radio      | Radio    |          |                           |                       |                |
|          | as                 | tv         | TV       |          |                           |                       |                |
|          | as                 | none       | None     |          |                           |                       |                |
| settings |                    |            |          |          |                           |                       |                |
|          | form_id            | version    |          |          |                           |                       |                |
|          | small              | 1          |          |          |                           |                       |                |
"""


def small_instance(iid, *, consent="yes", head="Asha", village="Ba", size="3", assets="radio", note="",
                   people=((30, ""), (10, "yes"))):
    ppl = "".join(f"<people><age>{a}</age><school>{s}</school></people>" for a, s in people)
    return (f'<data id="small" version="1"><consent>{consent}</consent><hh><head>{head}</head>'
            f"<village>{village}</village><size>{size}</size><assets>{assets}</assets><note>{note}</note></hh>"
            f"{ppl}<meta><instanceID>{iid}</instanceID></meta></data>")


@pytest.fixture
def small(tmp_path):
    project = services.create_project("small", "Small survey")
    path = tmp_path / "small.md"
    path.write_text(SMALL_FORM, encoding="utf-8")
    fv, _ = add_form(project, path)
    return project, fv, AnalyticsStore(tmp_path / "analytics.duckdb")
