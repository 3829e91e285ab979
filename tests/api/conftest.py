"""A project with a form (personal fields at the root and in a repeat), records, a user and a token per role."""

from __future__ import annotations

import pytest

from lnob.core import services
from lnob.core.roles import ROLES

FORM = """
| survey   |               |          |          |                |
|          | type          | name     | label    | lnob::personal |
|          | text          | hh_name  | Head     | yes            |
|          | integer       | members  | Members  |                |
|          | select_one yn | toilet   | Toilet   |                |
|          | begin_repeat  | roster   | People   |                |
|          | text          | name     | Name     | yes            |
|          | integer       | age      | Age      |                |
|          | end_repeat    |          |          |                |
| choices  |               |          |          |                |
|          | list_name     | name     | label    |                |
|          | yn            | yes      | Yes      |                |
|          | yn            | no       | No       |                |
| settings |               |          |          |                |
|          | form_id       | version  |          |                |
|          | visit         | 1        |          |                |
"""


def instance(iid: str, members: int, ages: list[int]) -> str:
    people = "".join(f"<roster><name>P{i}</name><age>{a}</age></roster>" for i, a in enumerate(ages))
    return (f'<data id="visit" version="1"><hh_name>Asha {members}</hh_name><members>{members}</members>'
            f"<toilet>yes</toilet>{people}<meta><instanceID>{iid}</instanceID></meta></data>")


class World(dict):
    def auth(self, who: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self['tokens'][who]}"} if who else {}


@pytest.fixture
def world(tmp_path, settings):
    from django.core.cache import cache

    from lnob.api.tokens import create_token
    from lnob.forms.services import add_form
    from lnob.records.services import reset_analytics, store_records, sync_analytics

    cache.clear()
    settings.API_RATE_LIMIT = 100000
    project = services.create_project("wash", "WASH", org="Org")
    other = services.create_project("other", "Other", org="Org")
    path = tmp_path / "visit.md"
    path.write_text(FORM, encoding="utf-8")
    fv, _ = add_form(project, path)
    reset_analytics(project, fv.form)  # the test workspace's analytics store outlives each test's database
    store_records(project, fv, [instance(f"uuid:{i}", i, [30 + i, 5]) for i in range(1, 4)], source="import")
    sync_analytics(project)
    users, tokens = {}, {}
    for role in ROLES:
        users[role] = services.create_user("u_" + role, "a-long-passphrase", validate=False)
        services.grant_role(users[role], project, role)
    users["stranger"] = services.create_user("stranger", "a-long-passphrase", validate=False)
    services.grant_role(users["stranger"], other, "owner")
    for who, user in users.items():
        tokens[who] = create_token(user, name="test")[1]
    return World(project=project, other=other, users=users, tokens=tokens, form_version=fv)
