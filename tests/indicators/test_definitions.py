"""The definitions format: loading the library, and bad input pointing at file:line."""

from __future__ import annotations

import pytest

from lnob.errors import InputError
from lnob.indicators.binding import Binding
from lnob.indicators.definitions import load_library, read_file

HEAD = "format: 1\n"


def _write(tmp_path, text, name="defs.yml"):
    p = tmp_path / name
    p.write_text(HEAD + text)
    return p


def test_library_loads_with_sdg_codes():
    lib = load_library()
    ids = {i.id for i in lib.indicators}
    for need in ("wgss_disability", "basic_drinking_water", "basic_sanitation", "school_attendance",
                 "birth_registration", "child_marriage", "social_protection", "health_insurance",
                 "mpi_dep_water", "mpi_dep_sanitation", "mpi_dep_school_attendance", "mpi_dep_assets"):
        assert need in ids
    assert lib.indicator("birth_registration").sdg == ["16.9.1"]
    assert lib.indicator("birth_registration").series == ["SG_REG_BRTH"]
    assert lib.indicator("child_marriage").higher_is_better is False
    dims = {d.id: d for d in lib.dimensions}
    assert dims["sex"].codelist == "CL_SEX" and dims["disability"].codelist == "CL_DISABILITY"
    assert dims["wealth"].codelist == "CL_QUANTILE" and [c.code for c in dims["wealth"].categories] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert all(d.factors for d in lib.dimensions)
    assert lib.indicator("basic_sanitation").title["vi"]


def test_bad_sdg_code_points_at_line(tmp_path):
    p = _write(tmp_path, "indicators:\n  - id: x\n    title: X\n    kind: proportion\n    unit: person\n"
                         "    sdg: [6.1.9]\n    outcome: age > 1\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "sdg.unknown-indicator" and e.value.where.endswith("defs.yml:7")


def test_expression_syntax_error_points_at_line_and_column(tmp_path):
    p = _write(tmp_path, "indicators:\n  - id: x\n    title: X\n    kind: proportion\n    unit: person\n"
                         "    outcome: age >> 1\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "indicators.expr-syntax" and "defs.yml:7:" in e.value.where


def _bind(lib):
    form_cols = {"age": "BIGINT", "sex": "VARCHAR"}
    return Binding(lib, form_cols)


def test_unknown_field_and_type_misuse(tmp_path):
    p = _write(tmp_path, "indicators:\n  - id: x\n    title: X\n    kind: proportion\n    unit: person\n"
                         "    outcome: agee > 1\n  - id: y\n    title: Y\n    kind: proportion\n    unit: person\n"
                         "    outcome: age + 'x' > 1\n")
    lib = read_file(p)
    b = _bind(lib)
    with pytest.raises(InputError) as e:
        b.compile(lib.indicator("x").outcome, expect="boolean")
    assert e.value.code == "indicators.unknown-field" and "defs.yml:7:14" in e.value.where
    assert "age" in e.value.hint
    with pytest.raises(InputError) as e:
        b.compile(lib.indicator("y").outcome, expect="boolean")
    assert e.value.code == "indicators.expr-type" and "defs.yml:12:" in e.value.where


def test_dimension_with_one_category(tmp_path):
    p = _write(tmp_path, "dimensions:\n  - id: d\n    title: D\n    unit: person\n    factors: [discrimination]\n"
                         "    categories:\n      - {code: A, when: \"age > 1\"}\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "indicators.dimension-one-category" and e.value.where.endswith("defs.yml:8")


def test_duplicate_key_unknown_key_format(tmp_path):
    p = _write(tmp_path, "indicators:\n  - id: x\n    id: y\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "indicators.yaml-duplicate-key" and e.value.where.endswith(":4")
    p = _write(tmp_path, "indicators:\n  - id: x\n    titel: X\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "indicators.unknown-key" and "title" in e.value.hint
    p = tmp_path / "f.yml"
    p.write_text("format: 2\n")
    with pytest.raises(InputError) as e:
        read_file(p)
    assert e.value.code == "indicators.bad-format" and e.value.where.endswith("f.yml:1")


def test_wealth_quintiles_are_population_quintiles():
    import numpy as np

    from lnob.indicators.wealth import pca_index, weighted_quantile_groups

    rng = np.random.default_rng(1)
    latent = rng.normal(size=5000)
    items = (latent[:, None] + rng.normal(size=(5000, 20)) > np.linspace(-1, 1, 20)).astype(float)
    w = rng.uniform(1, 3, size=5000)
    score, load = pca_index(items, w)
    assert np.corrcoef(score, latent)[0, 1] > 0.7 and np.all(load > 0)
    q = weighted_quantile_groups(score, w, 5)
    shares = np.array([w[q == k].sum() for k in range(1, 6)]) / w.sum()
    assert np.all(np.abs(shares - 0.2) < 0.03)
