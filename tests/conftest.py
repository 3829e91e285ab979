"""Shared fixtures.

PostgreSQL: tests marked ``postgres`` (or using the ``postgres_url`` fixture)
run against ``$LNOB_TEST_POSTGRES_URL`` (default: the local server
``postgresql://postgres@127.0.0.1:5432/test``) when it answers, and are
reported as *skipped* — never silently passed — when it does not.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
POSTGRES_URL = os.environ.get(
    "LNOB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable(url: str) -> str | None:
    """None when reachable, else the reason it is not."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover
        return f"psycopg not installed: {exc}"
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {url}: {exc}".splitlines()[0]
    return None


_pg_reason: list[str | None] = []


@pytest.fixture(scope="session")
def postgres_url() -> str:
    if not _pg_reason:
        _pg_reason.append(_postgres_reachable(POSTGRES_URL))
    if _pg_reason[0] is not None:
        pytest.skip(_pg_reason[0])
    return POSTGRES_URL


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty Django cache (rate limits, OpenRosa lookups)."""
    try:
        from django.conf import settings

        if not settings.configured:
            yield
            return
        from django.core.cache import cache
    except Exception:  # pragma: no cover - Django not importable
        yield
        return
    cache.clear()
    from django.utils import translation

    translation.activate("en")  # a page rendered in another language leaves it active in this thread
    yield
    translation.deactivate()


_spark: list = []


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session (``local[2]``, 2 shuffle partitions, no UI) for the whole run.

    Tests using it are marked ``spark``; they are reported as *skipped* with the reason when
    pyspark or Java is missing.
    """
    from lnob.stats.spark import spark_available, start_session

    reason = spark_available()
    if reason:
        pytest.skip(f"Spark tests skipped: {reason}")
    if not _spark:
        _spark.append(start_session("local[2]", app_name="lnob-tests",
                                    conf={"spark.sql.shuffle.partitions": "2",  # one per core
                                          "spark.default.parallelism": "2",
                                          # small data: adaptive re-planning only adds stages
                                          "spark.sql.adaptive.enabled": "false",
                                          "spark.driver.memory": "1g"}))
    yield _spark[0]
