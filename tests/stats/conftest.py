"""Fixtures of the statistics tests: one suite, run on every engine.

``engine`` is parametrised over DuckDB (embedded), PostgreSQL and Spark; the PostgreSQL variant
uses the repository's ``postgres_url`` fixture and is skipped when the server is unreachable,
the Spark variant (marked ``spark``) uses the ``spark_session`` fixture (one ``local[2]``
session) and is skipped when pyspark or Java is missing.
Files are loaded into temporary tables, which disappear with the connection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "cases.json").read_text())
FIXTURES = HERE / "fixtures"


@pytest.fixture(scope="session",
                params=["duckdb", "postgresql",
                        # the whole contract on Spark takes minutes (a Spark job per query): marked slow;
                        # the default run checks Spark through tests/stats/test_spark_dialect.py and the
                        # demo sweep in tests/indicators/test_spark_sweep.py
                        pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.slow])])
def engine(request):
    from lnob.stats import connect

    if request.param == "duckdb":
        eng = connect("duckdb")
    elif request.param == "spark":
        from lnob.stats.spark import SparkEngine

        eng = SparkEngine(spark=request.getfixturevalue("spark_session"))
    else:
        url = request.getfixturevalue("postgres_url")
        eng = connect(url)
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def survey_dir(data_dir) -> Path:
    return data_dir / "survey_microdata"


@pytest.fixture(scope="session")
def tables(engine, survey_dir):
    """Loaded tables, one per data file, shared by the tests of one engine."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = engine.load(survey_dir / name)
        return cache[name]

    return get
