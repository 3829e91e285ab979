"""Schemathesis against the live WSGI app with a token: no generated request makes a server error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

#: examples per operation (the default run stays well under a minute)
EXAMPLES = 20


def test_no_server_errors(world, settings):
    settings.API_RATE_LIMIT = 10**6
    from lnob.indicators.models import IndicatorResult

    # a stored result, so that /results and /published get past their 404 (release, disclosure control)
    rows = [{"indicator": "basic_sanitation", "sdg": ["6.2.1"], "groups": g, "estimate": e, "se": 0.02,
             "ci_low": e - 0.04, "ci_high": e + 0.04, "n": n, "flags": []}
            for g, e, n in [({}, 0.61, 210), ({"sex": "1"}, 0.6, 200), ({"sex": "2"}, 0.8, 10)]]
    IndicatorResult.objects.create(project=world["project"], indicator="basic_sanitation", title={"en": "Sanitation"},
                                   sdg=["6.2.1"], kind="proportion", unit="person", definition_hash="d" * 64,
                                   snapshot_hash="s" * 64, provenance={}, rows=rows)
    # as Django's test client does: a request must not close the test's database connection
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        _run(world)
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def _run(world):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {world['tokens']['owner']}"}
    failures, ran, statuses, counter = [], 0, set(), []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hsettings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                   suppress_health_check=list(HealthCheck))
        def check(case):
            # half the examples address the real project (random slugs only reach the 404 branch)
            counter.append(1)
            if case.path_parameters and "slug" in case.path_parameters and len(counter) % 2:
                case.path_parameters["slug"] = "wash"
                if "form_id" in case.path_parameters and len(counter) % 4 == 1:
                    case.path_parameters["form_id"] = "visit"
                if "indicator" in case.path_parameters and len(counter) % 4 == 1:
                    case.path_parameters["indicator"] = "basic_sanitation"
            statuses.add(case.call_and_validate(headers=headers, checks=[not_a_server_error]).status_code)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
        ran += 1
    assert ran >= 15
    assert {200, 202} <= statuses, statuses  # the token worked: requests got past authentication
    assert not failures, "\n\n".join(failures)
