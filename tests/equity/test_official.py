"""Official statistics (lnob.equity.official, lnob official): the UK 1.2.1 Open SDG file,
SDMX-CSV and SDMX-ML on the SDG DSD, comparison with community results, the data-gap
matrix and Open SDG's progress measure (sdg-build ProgressMeasure.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lnob.equity.official import (CommunityEstimate, compare, gap_matrix, headline_points, progress,
                                  read_official, read_open_sdg)
from lnob.errors import LnobError

UK = Path(__file__).resolve().parents[1] / "data" / "sdg_official" / "uk_sdg_1-2-1_ons.csv"


def test_uk_open_sdg_import():
    d = read_open_sdg(UK)
    assert d.indicator == "1.2.1" and d.format == "open-sdg"
    assert len(d.observations) == 13 * 21
    dims = d.dimensions()
    assert dims["Sex"] == ["Female", "Male"]
    assert "16 to 24" in dims["Age"]
    head = dict(headline_points(d))
    assert head[2015] == 16.6 and len(head) == 13


def community_table():
    # a synthetic community result table: headline, by sex, and by disability (no official data)
    return [
        CommunityEstimate("1.2.1", 2015, 17.0, 15.5, 18.5),                       # consistent
        CommunityEstimate("1.2.1", 2015, 22.0, 20.0, 24.0, disaggregation={"Sex": "Female"}),  # higher
        CommunityEstimate("1.2.1", 2015, 10.0, 8.0, 12.0, disaggregation={"Sex": "Male"}),     # lower
        CommunityEstimate("1.2.1", 2015, 31.0, 27.0, 35.0, disaggregation={"Disability": "Yes"}),
        CommunityEstimate("1.2.1", 2015, 16.9, se=0.3, ci_low=16.3, ci_high=17.5),
    ]


def test_compare_and_gap_matrix():
    d = read_open_sdg(UK)
    official = {o.disaggregation.get("Sex"): o.value for o in d.observations
                if o.year == 2015 and "Age" not in o.disaggregation}
    res = compare(community_table(), d)
    assert [r.direction for r in res[:4]] == ["consistent", "community higher", "community lower", "no official value"]
    assert res[1].official.value == official["Female"]
    assert res[0].method == "outside community CI"
    # an official SE turns the check into a z-test of two independent estimates
    d.observations = [o for o in d.observations]
    head = [o for o in d.observations if o.year == 2015 and o.headline][0]
    head.se = 0.2
    r = compare([community_table()[4]], d)[0]
    z = (16.9 - 16.6) / math.hypot(0.3, 0.2)
    assert r.method == "z-test" and r.z == pytest.approx(z)
    assert r.significant is False
    gm = {g["dimension"]: g for g in gap_matrix(d, community_table())}
    assert gm["Disability"]["status"] == "community only"
    assert gm["Age"]["status"] == "official only"
    assert gm["Sex"]["status"] == "both"


def test_year_tolerance():
    d = read_open_sdg(UK)
    c = CommunityEstimate("1.2.1", 2019, 17.0, 15.0, 19.0)
    assert compare([c], d)[0].official is None
    assert compare([c], d, year_tolerance=2)[0].official.year == 2017


def test_progress_measure():
    # no target, lower is better: CAGR of the headline 2015 -> 2017
    d = read_open_sdg(UK)
    pts = headline_points(d)
    p = progress(pts, direction="negative")
    vals = dict(pts)
    cagr = (vals[2017] / vals[2015]) ** (1 / 2) - 1
    assert p.base_year == 2015 and p.current_year == 2017
    assert p.value == pytest.approx(-cagr)
    expected = ("substantial_progress" if -cagr >= 0.015 else "moderate_progress" if -cagr >= 0.005
                else "limited_progress" if -cagr >= 0 else "deterioration")
    assert p.status == expected
    # hand-checked cases of sdg-build's thresholds
    assert progress([(2015, 100), (2020, 110)]).status == "substantial_progress"   # +1.9 %/year
    assert progress([(2015, 100), (2020, 103)]).status == "moderate_progress"      # +0.6 %/year
    assert progress([(2015, 100), (2020, 101)]).status == "limited_progress"       # +0.2 %/year
    assert progress([(2015, 100), (2020, 95)]).status == "deterioration"
    assert progress([(2015, 100)]).status == "not_available"
    # with a target: ratio of the observed to the required growth
    p = progress([(2015, 50), (2020, 60)], target=80)
    need = (80 / 50) ** (1 / 15) - 1
    assert p.value == pytest.approx(((60 / 50) ** (1 / 5) - 1) / need)
    assert p.status == "substantial_progress"
    assert progress([(2015, 50), (2020, 85)], target=80).status == "target_achieved"
    assert progress([(2015, 50), (2020, 85)], target=80).score == 5
    # a natural limit shrinks the thresholds: 98 -> 99 % is substantial near 100 %
    assert progress([(2015, 98), (2020, 99)], limit=100).status == "substantial_progress"
    # base year not in the data: the first later year is used
    assert progress([(2014, 10), (2016, 11), (2018, 12)]).base_year == 2016


SDMX_CSV = """STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE
dataflow,IAEG-SDGs:DF_SDG_GLH(1.14),I,A,N,SI_POV_NAHC,826,_T,_T,2015,16.6,PT
dataflow,IAEG-SDGs:DF_SDG_GLH(1.14),I,A,N,SI_POV_NAHC,826,F,_T,2015,17.1,PT
dataflow,IAEG-SDGs:DF_SDG_GLH(1.14),I,A,N,SI_POV_NAHC,826,M,_T,2015,16.1,PT
"""


def test_sdmx_csv(tmp_path):
    p = tmp_path / "sdg.csv"
    p.write_text(SDMX_CSV)
    d = read_official(p)
    assert d.format == "sdmx-csv" and d.indicator == "1.2.1"
    assert [o.disaggregation for o in d.observations] == [{}, {"SEX": "F"}, {"SEX": "M"}]
    res = compare([CommunityEstimate("1.2.1", 2015, 25.0, 22.0, 28.0, disaggregation={"SEX": "F"},
                                     area="826")], d)
    assert res[0].official.value == 17.1 and res[0].direction == "community higher"
    p.write_text(SDMX_CSV.replace(",F,_T,2015", ",X,_T,2015"))
    with pytest.raises(LnobError) as e:
        read_official(p)
    assert e.value.code == "official.bad-code" and "line 3" in e.value.where and "SEX" in e.value.where


SDMX_ML = """<?xml version="1.0" encoding="UTF-8"?>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
  xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific">
 <message:DataSet ss:structureRef="SDG">
  <Series FREQ="A" REPORTING_TYPE="N" SERIES="SI_POV_NAHC" REF_AREA="826" SEX="F" AGE="_T" UNIT_MEASURE="PT">
   <Obs TIME_PERIOD="2015" OBS_VALUE="17.1"/>
   <Obs TIME_PERIOD="2016" OBS_VALUE="17.4"/>
  </Series>
 </message:DataSet>
</message:StructureSpecificData>
"""

GENERIC = """<?xml version="1.0" encoding="UTF-8"?>
<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
  xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">
 <message:DataSet>
  <generic:Series>
   <generic:SeriesKey><generic:Value id="FREQ" value="A"/><generic:Value id="SERIES" value="SI_POV_NAHC"/>
    <generic:Value id="REF_AREA" value="826"/><generic:Value id="SEX" value="_T"/></generic:SeriesKey>
   <generic:Obs><generic:ObsDimension value="2017"/><generic:ObsValue value="17.4"/></generic:Obs>
  </generic:Series>
 </message:DataSet>
</message:GenericData>
"""


def test_sdmx_ml(tmp_path):
    p = tmp_path / "sdg.xml"
    p.write_text(SDMX_ML)
    d = read_official(p)
    assert d.format == "sdmx-ml" and [(o.year, o.value) for o in d.observations] == [(2015, 17.1), (2016, 17.4)]
    assert d.observations[0].disaggregation == {"SEX": "F"}
    p.write_text(GENERIC)
    d = read_official(p)
    assert [(o.year, o.value, o.disaggregation) for o in d.observations] == [(2017, 17.4, {})]
    p.write_text(SDMX_ML.replace('SERIES="SI_POV_NAHC"', 'SERIES="NOT_A_SERIES"'))
    with pytest.raises(LnobError) as e:
        read_official(p)
    assert e.value.code == "official.bad-code"


def test_cli_official(cli, tmp_path):
    code, out, err = cli("official", "import", UK, "--direction", "negative", "--format", "json")
    assert code == 0, err
    rec = json.loads(out)
    assert rec["indicator"] == "1.2.1" and rec["observations"] == 273
    assert rec["progress"]["status"] in ("substantial_progress", "moderate_progress", "limited_progress",
                                         "deterioration")
    code, out, err = cli("official", "import", UK)
    assert code == 0 and "Progress" in out
    com = tmp_path / "community.csv"
    com.write_text("year,Sex,Disability,estimate,ci_low,ci_high\n2015,,,17.0,15.5,18.5\n"
                   "2015,Female,,22.0,20.0,24.0\n2015,,Yes,31,27,35\n")
    code, out, err = cli("official", "compare", UK, com, "--format", "json")
    assert code == 0, err
    rec = json.loads(out)
    assert [c["result"] for c in rec["comparisons"]] == ["consistent", "community higher", "no official value"]
    assert {g["dimension"]: g["status"] for g in rec["gaps"]}["Disability"] == "community only"
    code, out, err = cli("official", "compare", UK, com)
    assert code == 0 and "Data gaps" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(SDMX_CSV.replace(",M,_T,2015", ",M,Y999,2015"))
    code, out, err = cli("official", "import", bad)
    assert code == 1 and "[official.bad-code]" in err and "line 4" in err and "hint:" in err
    assert len(err.strip().splitlines()) == 1


def test_open_sdg_metadata_and_bad_indicator(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(UK.read_text())
    meta = tmp_path / "meta.yml"
    meta.write_text("---\nindicator_number: 1.2.1\nreporting_status: complete\n---\n")
    d = read_open_sdg(data, meta)
    assert d.indicator == "1.2.1" and d.metadata["reporting_status"] == "complete"
    assert read_open_sdg(data).indicator is None
    meta.write_text("indicator_number: 99.9.9\n")
    with pytest.raises(LnobError) as e:
        read_open_sdg(data, meta)
    assert e.value.code == "official.unknown-indicator"
