from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A 5,000-household demo workspace with `lnob run demo` done (full design, depth 2)."""
    from helpers import lnob

    home = tmp_path_factory.mktemp("ind_demo")
    r = lnob("demo", "--no-serve", home=home)
    assert r.code == 0, r.err
    r = lnob("run", "demo", home=home)
    assert r.code == 0, r.err
    home.joinpath("run.err").write_text(r.err)
    return home
