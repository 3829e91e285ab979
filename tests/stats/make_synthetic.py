"""Write the deterministic synthetic survey samples used by the R comparison tests.

Run from the repository root:  .venv/bin/python tests/stats/make_synthetic.py
Outputs (project-authored test data) in tests/data/survey_microdata/:

* synth_multi.csv — 6 strata, two-stage sample (PSU → SSU → households) with fpc at both
  stages (counts ``N1``/``N2`` and fractions ``frac1``/``frac2``), weights ``wt``, missing
  values in ``y``, ``x`` and ``cat``, a domain (``region`` R3) absent from most strata, column
  names with a dot and a space (``inc.pc``, ``hh size``), and JK1 (``jk1_*``), JKn (``jkn_*``)
  and bootstrap (``bs_*``) replicate weights.
* synth_lonely.csv — the same design with stratum S6 subset down to a single PSU.
* synth_brr.csv — 8 strata × 2 PSUs with BRR (``brr_*``) and Fay rho=0.5 (``fay_*``) weights.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "survey_microdata"


def _round(v):
    return "NA" if v is None else (repr(float(v)) if isinstance(v, float) else v)


def multi(seed: int = 20240501):
    rng = np.random.default_rng(seed)
    rows = []
    psu_id = 0
    for h in range(1, 7):
        n_psu = [3, 4, 2, 5, 3, 3][h - 1]
        N1 = n_psu * int(rng.integers(3, 9))
        for _j in range(n_psu):
            psu_id += 1
            n_ssu = int(rng.integers(1, 4)) if psu_id % 4 else 1
            N2 = n_ssu + int(rng.integers(0, 6)) if psu_id % 5 else n_ssu
            effect = rng.normal(0, 3)
            for k in range(n_ssu):
                for _i in range(int(rng.integers(2, 6))):
                    region = ["R1", "R2"][int(rng.integers(0, 2))]
                    if h in (2, 5) and rng.random() < 0.5:
                        region = "R3"
                    y = 50 + 2 * h + effect + rng.normal(0, 8)
                    x = 10 + rng.gamma(2.0, 2.0)
                    cat = ["a", "b", "c"][int(rng.choice(3, p=[0.5, 0.3, 0.2]))]
                    rows.append({
                        "stratum": f"S{h}", "psu": psu_id, "ssu": k + 1,
                        "N1": N1, "N2": N2, "frac1": n_psu / N1, "frac2": n_ssu / N2,
                        "wt": float(round((N1 / n_psu) * (N2 / n_ssu) * rng.uniform(0.8, 1.2), 6)),
                        "y": None if rng.random() < 0.08 else float(round(y, 3)),
                        "x": None if rng.random() < 0.04 else float(round(x, 3)),
                        "cat": None if rng.random() < 0.06 else cat,
                        "region": region,
                        "sex": ["f", "m"][int(rng.integers(0, 2))],
                        "inc.pc": float(round(rng.lognormal(5, 0.5), 2)),
                        "hh size": int(rng.integers(1, 9)),
                        "poor": int(rng.random() < 0.3),
                    })
    return rows, rng


def add_replicates(rows, rng, n_boot: int = 40):
    psus = sorted({r["psu"] for r in rows})
    strata = {}
    for r in rows:
        strata.setdefault(r["stratum"], set()).add(r["psu"])
    R = len(psus)
    for i, p in enumerate(psus, start=1):  # JK1: delete one PSU, reweight the rest by R/(R-1)
        for r in rows:
            r[f"jk1_{i}"] = 0.0 if r["psu"] == p else r["wt"] * R / (R - 1)
    i = 0
    for h in sorted(strata):  # JKn: delete one PSU of stratum h, reweight h by n_h/(n_h-1)
        members = sorted(strata[h])
        n_h = len(members)
        if n_h < 2:
            continue
        for p in members:
            i += 1
            for r in rows:
                if r["stratum"] != h:
                    r[f"jkn_{i}"] = r["wt"]
                else:
                    r[f"jkn_{i}"] = 0.0 if r["psu"] == p else r["wt"] * n_h / (n_h - 1)
    for b in range(1, n_boot + 1):  # Rao-Wu bootstrap: n_h - 1 PSUs drawn with replacement
        mult = {}
        for h, members in strata.items():
            members = sorted(members)
            n_h = len(members)
            draws = rng.choice(members, size=max(n_h - 1, 1), replace=True)
            for p in members:
                mult[p] = (n_h / max(n_h - 1, 1)) * int(np.sum(draws == p))
        for r in rows:
            r[f"bs_{b}"] = r["wt"] * mult[r["psu"]]


def brr(seed: int = 7):
    rng = np.random.default_rng(seed)
    H = np.array([[1]])
    while H.shape[0] < 8:
        H = np.block([[H, H], [H, -H]])
    rows = []
    for h in range(8):
        for j in range(2):
            for _i in range(int(rng.integers(3, 7))):
                w = float(round(rng.uniform(20, 60), 4))
                r = {"stratum": h + 1, "psu": 2 * h + j + 1, "w": w,
                     "y": float(round(30 + h + rng.normal(0, 5), 3)),
                     "grp": ["u", "v"][int(rng.integers(0, 2))],
                     "flag": int(rng.random() < 0.4)}
                for rep in range(8):
                    chosen = 0 if H[rep, h] > 0 else 1
                    r[f"brr_{rep + 1}"] = 2 * w if j == chosen else 0.0
                    r[f"fay_{rep + 1}"] = (1.5 if j == chosen else 0.5) * w
                rows.append(r)
    return rows


def write(rows, name):
    cols = list(rows[0].keys())
    for r in rows:
        for c in r:
            if c not in cols:
                cols.append(c)
    with open(OUT / name, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow([_round(r.get(c)) for c in cols])


def main():
    rows, rng = multi()
    add_replicates(rows, rng)
    write(rows, "synth_multi.csv")
    s6 = sorted({r["psu"] for r in rows if r["stratum"] == "S6"})
    lonely = [r for r in rows if r["stratum"] != "S6" or r["psu"] == s6[0]]
    lonely = [{k: v for k, v in r.items() if not k.startswith(("jk", "bs_"))} for r in lonely]
    write(lonely, "synth_lonely.csv")
    write(brr(), "synth_brr.csv")


if __name__ == "__main__":
    main()
