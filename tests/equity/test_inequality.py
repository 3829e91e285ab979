"""The library: every measure against healthequal's own test values, plus hand checks.

Expected values marked "healthequal" are copied from the ``expected_*`` lines of
the testthat files of the R package healthequal (WHO, AGPL-3; GitHub
WHOequity/healthequal and CRAN 1.0.0, ``tests/testthat/test-<measure>.R``), on
the data those tests generate (``data/healthequal_*.csv``, see ``data/SOURCE.md``).
We compare with the tolerance the healthequal test itself uses.
"""

from __future__ import annotations

import math

import pytest

from lnob.equity.inequality import MEASURES, read_subgroups_csv, summary_measures
from lnob.errors import InputError

from .conftest import DATA


def rel(expected, tol):
    return pytest.approx(expected, rel=tol)


@pytest.fixture(scope="module")
def ordered():
    d = read_subgroups_csv(DATA / "healthequal_ordered.csv")
    return summary_measures(d.estimate, d.population, se=d.se, order=d.order, names=d.names,
                            ordered=True, favourable=True, scale=100)


@pytest.fixture(scope="module")
def nonordered():
    d = read_subgroups_csv(DATA / "healthequal_nonordered.csv")
    return summary_measures(d.estimate, d.population, se=d.se, names=d.names,
                            ordered=False, favourable=True, scale=100)


# ----------------------------------------------------------------- healthequal, ordered


def test_sii_against_healthequal(ordered):
    # healthequal tests/testthat/test-sii.R: 44.44502, se 0.02190822 (proportion scale in 1.0.0),
    # CI 40.15109 .. 48.73895 (tolerance 1e-6).  We report the SE on the indicator scale (×100).
    m = ordered["sii"]
    assert m.estimate == rel(44.44502, 1e-6)
    assert m.se == rel(0.02190822 * 100, 1e-6)
    assert (m.lower, m.upper) == (rel(40.15109, 1e-6), rel(48.73895, 1e-6))


def test_rii_against_healthequal(ordered):
    # healthequal tests/testthat/test-rii.R: 3.159506, se 0.07644001 (log scale), CI 2.719902 .. 3.67016.
    m = ordered["rii"]
    assert m.estimate == rel(3.159506, 1e-6)
    assert m.se == rel(0.07644001, 1e-6)
    assert (m.lower, m.upper) == (rel(2.719902, 1e-6), rel(3.67016, 1e-6))


def test_aci_against_healthequal(ordered):
    # healthequal tests/testthat/test-aci.R: 7.3284202, se .29368517 (tolerance 1e-6).
    m = ordered["aci"]
    assert m.estimate == rel(7.3284202, 1e-6)
    assert m.se == rel(0.29368517, 1e-5)
    assert m.lower == rel(7.3284202 - 0.29368517 * 1.959963984540054, 1e-6)


def test_rci_against_healthequal(ordered):
    # healthequal tests/testthat/test-rci.R: .17776859, se .0071240491, CI 0.16380545 .. 0.19173172 (tol 1e-3).
    m = ordered["rci"]
    assert m.estimate == rel(0.17776859, 1e-3)
    assert m.se == rel(0.0071240491, 1e-3)
    assert (m.lower, m.upper) == (rel(0.16380545, 1e-3), rel(0.19173172, 1e-3))


def test_par_ordered_against_healthequal(ordered):
    # healthequal tests/testthat/test-parisk.R: 18.775509, se 4.4066348, CI 10.138505 .. 27.412513 (tol 1e-2).
    m = ordered["par"]
    assert m.estimate == rel(18.775509, 1e-6)
    assert m.se == rel(4.4066348, 1e-6)
    assert (m.lower, m.upper) == (rel(10.138505, 1e-4), rel(27.412513, 1e-4))


def test_paf_ordered_against_healthequal(ordered):
    # healthequal tests/testthat/test-paf.R: 45.544548, se .10689361 (tol 1e-6).  healthequal's se is the
    # Walter SE of the fraction; the estimate is in %, so we report se × 100 and a CI on the % scale.
    m = ordered["paf"]
    assert m.estimate == rel(45.544548, 1e-6)
    assert m.se == rel(0.10689361 * 100, 1e-6)
    assert m.lower == rel(45.544548 - 1.959963984540054 * 10.689361, 1e-6)


# ----------------------------------------------------------------- healthequal, non-ordered


@pytest.mark.parametrize(
    "measure, expected, tol, source",
    [
        ("bgv", 46.198326, 1e-6, "test-bgv.R"),
        ("bgsd", 6.7969351, 1e-4, "test-bgsd.R"),
        ("mdmu", 5.891726, 1e-4, "test-mdmu.R"),
        ("mdmw", 5.8348689, 1e-4, "test-mdmw.R"),
        ("mdbu", 16.360001, 1e-4, "test-mdbu.R"),
        ("mdbw", 16.293156, 1e-4, "test-mdbw.R"),
        ("idisu", 8.7018175, 1e-4, "test-idisu.R"),
        ("idisw", 8.6178417, 1e-4, "test-idisw.R"),
        ("ti", 5.0359201, 1e-4, "test-ti.R"),
        ("mld", 5.0524006, 1e-3, "test-mld.R"),
        ("par", 16.293152, 1e-4, "test-par-nonordered.R"),
        ("paf", 24.06426, 1e-4, "test-paf-nonordered.R"),
    ],
)
def test_nonordered_estimates_against_healthequal(nonordered, measure, expected, tol, source):
    # healthequal tests/testthat/<source>, expected_<measure>
    assert nonordered[measure].estimate == rel(expected, tol), source


@pytest.mark.parametrize(
    "measure, expected_se, factor, tol, source",
    [
        ("bgv", 17.134647, 1, 1e-6, "test-bgv.R"),
        ("ti", 0.0014201, 1000, 1e-4, "test-ti.R: se without the ×1000 of the estimate"),
        ("mld", 0.0014242, 1000, 1e-3, "test-mld.R: se without the ×1000 of the estimate"),
        ("par", 1.1994447, 1, 1e-4, "test-par-nonordered.R"),
        ("paf", 0.01771526, 100, 1e-4, "test-paf-nonordered.R: se of the fraction"),
    ],
)
def test_nonordered_ses_against_healthequal(nonordered, measure, expected_se, factor, tol, source):
    m = nonordered[measure]
    assert m.se == rel(expected_se * factor, tol), source
    assert m.lower == pytest.approx(m.estimate - 1.959963984540054 * m.se)


def test_par_nonordered_ci_against_healthequal(nonordered):
    # healthequal tests/testthat/test-par-nonordered.R: CI 13.94224 .. 18.644063 (tol 1e-4)
    m = nonordered["par"]
    assert (m.lower, m.upper) == (rel(13.94224, 1e-4), rel(18.644063, 1e-4))


def test_cov_is_bgsd_over_mean(nonordered):
    # healthequal covar(): bgsd / weighted mean × 100 (no test value in healthequal)
    assert nonordered["cov"].estimate == pytest.approx(100 * 6.7969351 / nonordered.mean, rel=1e-6)


def test_simulated_cis_are_reproducible_and_bracket_plausibly(nonordered):
    d = read_subgroups_csv(DATA / "healthequal_nonordered.csv")
    again = summary_measures(d.estimate, d.population, se=d.se, ordered=False)
    for name in ("bgsd", "cov", "mdmu", "mdmw", "mdbu", "mdbw", "idisu", "idisw", "dindex"):
        m = nonordered[name]
        assert m.ci_method == "simulation" and m.se is None
        assert m.lower < m.upper
        assert (m.lower, m.upper) == (again[name].lower, again[name].upper)


# ----------------------------------------------------------------- applicability


def test_ordered_only_and_nonordered_only_measures_are_none(ordered, nonordered):
    for name in ("sii", "rii", "aci", "rci"):
        assert nonordered[name].estimate is None
        assert ordered[name].estimate is not None
    for name in ("bgv", "bgsd", "cov", "mdmu", "mdmw", "mdbu", "mdbw", "idisu", "idisw", "ti", "mld"):
        assert ordered[name].estimate is None
        assert nonordered[name].estimate is not None
    for name in ("d", "r", "par", "paf", "dindex"):
        assert ordered[name].estimate is not None and nonordered[name].estimate is not None
    assert list(ordered.estimates()) == list(MEASURES)


# ----------------------------------------------------------------- hand checks


def test_two_equal_groups_by_hand():
    # y = 40, 60 with equal populations: μ = 50
    r = summary_measures([40, 60], [500, 500], se=[3, 4], ordered=False)
    assert r.mean == 50
    assert r["d"].estimate == 20 and r["d"].se == pytest.approx(5.0)  # √(3² + 4²)
    assert r["r"].estimate == 1.5
    assert r["r"].se == pytest.approx(math.sqrt((1 / 40 ** 2) * (4 ** 2 + 1.5 ** 2 * 3 ** 2)) / 1.5)
    assert r["dindex"].estimate == pytest.approx((0.5 * 10 + 0.5 * 10) / (2 * 50))  # = 0.1
    # more-than-two-subgroup measures are not defined for J = 2 (healthequal stops)
    for name in ("par", "paf", "bgv", "ti", "mdmw"):
        assert r[name].estimate is None and "more than two" in r[name].note


def test_three_groups_by_hand():
    y, pop = [10.0, 20.0, 30.0], [1.0, 1.0, 2.0]
    p = [0.25, 0.25, 0.5]
    mu = sum(pj * yj for pj, yj in zip(p, y))  # 22.5
    r = summary_measures(y, pop, ordered=False)
    assert r.mean == pytest.approx(22.5)
    bgv = sum(pj * (yj - mu) ** 2 for pj, yj in zip(p, y))
    assert r["bgv"].estimate == pytest.approx(bgv)  # 68.75
    assert r["bgsd"].estimate == pytest.approx(math.sqrt(bgv))
    assert r["cov"].estimate == pytest.approx(100 * math.sqrt(bgv) / mu)
    assert r["mdmu"].estimate == pytest.approx((12.5 + 2.5 + 7.5) / 3)
    assert r["mdmw"].estimate == pytest.approx(0.25 * 12.5 + 0.25 * 2.5 + 0.5 * 7.5)
    assert r["mdbu"].estimate == pytest.approx((20 + 10 + 0) / 3)  # best = 30 (favourable)
    assert r["mdbw"].estimate == pytest.approx(0.25 * 20 + 0.25 * 10)
    assert r["idisu"].estimate == pytest.approx(100 * (22.5 / 3) / mu)
    assert r["idisw"].estimate == pytest.approx(100 * 7.5 / mu)
    assert r["dindex"].estimate == pytest.approx(7.5 / (2 * mu))
    rho = [yj / mu for yj in y]
    assert r["ti"].estimate == pytest.approx(1000 * sum(pj * q * math.log(q) for pj, q in zip(p, rho)))
    assert r["mld"].estimate == pytest.approx(1000 * sum(-pj * math.log(q) for pj, q in zip(p, rho)))
    # PAR: best-performing = 30; PAF = 100·PAR/μ
    assert r["par"].estimate == pytest.approx(30 - mu)
    assert r["paf"].estimate == pytest.approx(100 * (30 - mu) / mu)
    # adverse: best = lowest (10); PAR negative; MDB from the lowest
    a = summary_measures(y, pop, ordered=False, favourable=False)
    assert a["par"].estimate == pytest.approx(10 - mu)
    assert a["mdbw"].estimate == pytest.approx(0.25 * 10 + 0.5 * 20)
    assert a["d"].estimate == 20  # non-ordered without reference: highest − lowest, whatever the direction


def test_aci_rci_by_hand():
    # equal populations, ranks 1/6, 1/2, 5/6: ACI = 2·cov(y, r) = 2·(20/9) = 40/9; RCI = ACI/μ
    r = summary_measures([10, 20, 30], [7, 7, 7], order=[1, 2, 3], ordered=True)
    assert r["aci"].estimate == pytest.approx(40 / 9)
    assert r["rci"].estimate == pytest.approx(40 / 9 / 20)


def test_sii_rii_recover_a_logistic_gradient():
    # estimates exactly on a logistic curve in the ridit rank: the fit recovers it
    from scipy.special import expit

    ranks = [0.125, 0.375, 0.625, 0.875]
    y = [100 * expit(-1 + 2 * r) for r in ranks]
    r = summary_measures(y, [10 ** 7] * 4, order=[1, 2, 3, 4], ordered=True)
    assert r["sii"].estimate == pytest.approx(100 * (expit(1) - expit(-1)), rel=1e-5)
    assert r["rii"].estimate == pytest.approx(expit(1) / expit(-1), rel=1e-5)


def test_ordered_directions():
    y, pop, order = [20, 30, 60], [1, 1, 1], [1, 2, 3]
    fav = summary_measures(y, pop, order=order, ordered=True, favourable=True)
    assert fav["d"].estimate == 40 and fav["r"].estimate == 3  # most advantaged vs most disadvantaged
    adv = summary_measures([60, 30, 20], pop, order=order, ordered=True, favourable=False)
    assert adv["d"].estimate == 40 and adv["r"].estimate == 3  # most disadvantaged vs most advantaged
    # PAR of an ordered dimension: reference = most advantaged (order J), clamped to 0 when it points
    # the wrong way (favourable indicator, most advantaged below the mean)
    low = summary_measures([60, 30, 20], pop, order=order, ordered=True, favourable=True)
    assert low["par"].estimate == 0 and low["paf"].estimate == 0
    assert adv["par"].estimate == pytest.approx(20 - 110 / 3)


def test_reference_subgroup_for_d_and_r():
    y, pop = [50.0, 80.0, 65.0, 40.0], [1, 1, 1, 1]
    fav = summary_measures(y, pop, reference=[0, 0, 1, 0], ordered=False, favourable=True)
    assert fav["d"].estimate == 65 - 40 and fav["r"].estimate == pytest.approx(65 / 40)  # ref − lowest other
    adv = summary_measures(y, pop, reference=[0, 0, 1, 0], ordered=False, favourable=False)
    assert adv["d"].estimate == 80 - 65 and adv["r"].estimate == pytest.approx(80 / 65)  # highest other − ref
    # PAR ignores the reference flag (healthequal's parisk has no reference argument)
    assert fav["par"].estimate == pytest.approx(80 - 58.75)


def test_measures_that_healthequal_leaves_na_are_none():
    # TI/MLD: a negative estimate makes log undefined (NaN in R) → None, not an error
    # (reference + adverse so that R compares two positive estimates: 20 / 30)
    r = summary_measures([-5, 20, 30], [1, 1, 1], reference=[0, 0, 1], favourable=False, ordered=False)
    assert r["r"].estimate == pytest.approx(20 / 30)
    assert r["ti"].estimate is None and r["mld"].estimate is None
    assert r["bgv"].estimate is not None
    # SII/RII: an estimate above the scale gives impossible counts → healthequal returns NA
    s = summary_measures([20, 50, 120], [10, 10, 10], order=[1, 2, 3], ordered=True)
    assert s["sii"].estimate is None and s["rii"].estimate is None and s["aci"].estimate is not None
    # zero estimates: TI/MLD substitute 1e-6 as healthequal
    z = summary_measures([0, 20, 30], [1, 1, 1], reference=[0, 0, 1], favourable=False, ordered=False)
    assert z["ti"].estimate is not None and z["mld"].estimate > 0


def test_zero_denominator_of_r_is_an_error():
    with pytest.raises(InputError) as exc:
        summary_measures([0, 20, 30], [1, 1, 1], order=[1, 2, 3], ordered=True)
    assert exc.value.code == "equity.nonpositive-estimate" and exc.value.hint


@pytest.mark.parametrize(
    "kwargs, code",
    [
        (dict(estimate=[1], population=[1], ordered=False), "equity.too-few-subgroups"),
        (dict(estimate=[1, 2], population=[1, -1], ordered=False), "equity.negative-population"),
        (dict(estimate=[1, 2], population=[0, 0], ordered=False), "equity.zero-population"),
        (dict(estimate=[1, 2, 3], population=[1, 1, 1], ordered=True), "equity.missing-order"),
        (dict(estimate=[1, 2, 3], population=[1, 1, 1], order=[1, 1, 3], ordered=True), "equity.bad-order"),
        (dict(estimate=[1, 2, 3], population=[1, 1, 1], reference=[1, 1, 0], ordered=False),
         "equity.multiple-references"),
        (dict(estimate=[1, 2, 3], population=[1, 1, 1], reference=[0, 0, 0], ordered=False), "equity.no-reference"),
    ],
)
def test_invalid_input(kwargs, code):
    with pytest.raises(Exception) as exc:
        summary_measures(**kwargs)
    assert getattr(exc.value, "code", None) == code
    assert exc.value.hint and exc.value.where
