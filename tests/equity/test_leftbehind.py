"""lnob.equity.leftbehind without Django: the global MPI's nested weights, the ranking of findings
across indicators, and the matching of official disaggregations to project dimensions."""

from __future__ import annotations

from fractions import Fraction

import pytest

from lnob.equity.leftbehind import data_gaps, mpi_deprivations, official_category, official_dimension, rank_findings
from lnob.equity.mpi import check_weights
from lnob.errors import LnobError


def test_global_mpi_weights_nest_over_the_dimensions_present():
    deps = {d.column: d.weight for d in mpi_deprivations(
        ["mpi_dep_school_attendance", "mpi_dep_years_schooling", "mpi_dep_water", "mpi_dep_sanitation",
         "mpi_dep_electricity", "mpi_dep_assets", "mpi_dep_cooking_fuel", "mpi_dep_housing", "basic_sanitation"])}
    # education 1/2 over two indicators, living standards 1/2 over six (OPHI's 1/3 and 1/18 without health)
    assert deps["mpi_dep_school_attendance"] == Fraction(1, 4)
    assert deps["mpi_dep_water"] == Fraction(1, 12) and "basic_sanitation" not in deps
    assert sum(deps.values()) == 1
    demo = {d.column: d.weight for d in mpi_deprivations(
        ["mpi_dep_school_attendance", "mpi_dep_water", "mpi_dep_sanitation", "mpi_dep_electricity", "mpi_dep_assets"])}
    assert demo["mpi_dep_school_attendance"] == Fraction(1, 2) and demo["mpi_dep_assets"] == Fraction(1, 8)
    check_weights(mpi_deprivations(list(demo)), Fraction(1, 3))


def test_project_weights_must_name_indicators_with_results_and_sum_to_one():
    deps = mpi_deprivations(["a", "b"], {"a": "1/3", "b": "2/3"})
    assert [d.weight for d in deps] == [Fraction(1, 3), Fraction(2, 3)]
    with pytest.raises(LnobError) as e:
        mpi_deprivations(["a"], {"a": "1/2", "zz": "1/2"})
    assert e.value.code == "equity.unknown-deprivation"
    with pytest.raises(LnobError) as e:
        check_weights(mpi_deprivations(["a", "b"], {"a": "0.33", "b": "0.66"}), Fraction(1, 3))
    assert e.value.code == "equity.weights-sum"


def test_ranking_across_indicators():
    items = [
        {"id": "small", "gap": -0.05, "overall_value": 0.8, "q": 0.001},
        {"id": "big", "gap": -0.40, "overall_value": 0.8, "q": 0.03},
        {"id": "mean", "gap": -3.0, "overall_value": 10.0, "q": 0.01, "relative": True},  # 30 % below
        {"id": "flagged", "gap": -0.60, "overall_value": 0.8, "q": 0.001, "unreliable": True},
        {"id": "tie", "gap": -0.40, "overall_value": 0.5, "q": 0.001},
    ]
    assert [i["id"] for i in rank_findings(items)] == ["tie", "big", "mean", "small", "flagged"]


class _Cat:
    def __init__(self, code, sdmx, en):
        self.code, self.sdmx, self.title = code, sdmx, {"en": en}


class _Dim:
    def __init__(self, ident, sdmx, en, cats=()):
        self.id, self.sdmx, self.title, self.categories = ident, sdmx, {"en": en}, list(cats)


DIMS = [_Dim("sex", "SEX", "Sex", [_Cat("F", "F", "Female"), _Cat("M", "M", "Male")]),
        _Dim("urbanisation", "URBANISATION", "Urban / rural"), _Dim("ethnicity", None, "Ethnicity")]


def test_official_columns_and_categories_match_project_dimensions():
    assert official_dimension("Sex", DIMS) == "sex" and official_dimension("SEX", DIMS) == "sex"
    assert official_dimension("URBANISATION", DIMS) == "urbanisation"
    assert official_dimension("Age", DIMS) is None
    assert official_category(DIMS[0], "F", "Female") and official_category(DIMS[0], "F", "F")
    assert not official_category(DIMS[0], "F", "Male")


def test_data_gap_matrix():
    rows = data_gaps({"water": {"sex", "ethnicity"}, "san": {"sex"}}, {"water": ["Sex", "Age"], "pov": ["SEX"]}, DIMS)
    got = {r["indicator"]: r["cells"] for r in rows}
    assert got["water"] == {"sex": "both", "ethnicity": "community", "Age": "official"}
    assert got["san"] == {"sex": "community"} and got["pov"] == {"sex": "official"}
