"""Build lnob designs/specs from the shared cases.json and compare with R fixtures."""

from __future__ import annotations

import math

from lnob.stats import Design, Mean, Proportion, Ratio, ReplicateDesign, Total

REL = 1e-9


def design_of(d: dict):
    if d["type"] == "taylor":
        return Design(
            weights=d.get("weights"), strata=d.get("strata"), clusters=d.get("clusters"),
            fpc=d.get("fpc"), nest=d.get("nest", False), lonely_psu=d.get("lonely_psu", "fail"),
            adjust_domain_lonely=d.get("adjust_domain_lonely", False),
        )
    return ReplicateDesign(
        weights=d.get("weights"), prefix=d["prefix"], type=d["rep_type"], fay=d.get("fay"),
        mse=d.get("mse", False), strata=d.get("strata"), clusters=d.get("clusters"),
    )


def specs_of(stats: list[dict]):
    out = []
    for s in stats:
        if s["stat"] == "mean":
            out.append(Mean(s["var"]))
        elif s["stat"] == "total":
            out.append(Total(s["var"]))
        elif s["stat"] == "proportion":
            out.append(Proportion(s["var"]))
        else:
            out.append(Ratio(s["num"], s["den"]))
    return out


def norm(v):
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return float(v)
    return v


def key(statistic, variable, level, domain: dict):
    return (statistic, variable, norm(level), tuple(sorted((k, norm(v)) for k, v in domain.items())))


def close(a, b, rel=REL) -> bool:
    if a is None or b is None:
        return a is None and b is None or (a is not None and math.isnan(a)) or (
            b is not None and isinstance(b, float) and math.isnan(b))
    if isinstance(a, float) and math.isnan(a):
        return b is None or math.isnan(b)
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
