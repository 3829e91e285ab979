"""Login → project → dashboard → indicator page → map → (brief, when the publish layer has a web
view) → language switch, in headless Chromium on a phone-sized screen; on every page axe-core
reports no serious or critical violation and the first load transfers ≤ 300 KB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BUDGET = 300 * 1024
IND = "basic_sanitation"


class Meter:
    """Bytes on the wire (compressed bodies + headers) per page load, from CDP Network events."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.total = 0
        self.cdp.on("Network.loadingFinished", lambda e: self._add(e["encodedDataLength"]))

    def _add(self, n):
        self.total += int(n)

    def reset(self):
        self.total = 0


def check_axe(page, name):
    page.evaluate(AXE.read_text(encoding="utf-8"))
    res = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    bad = [v for v in json.loads(res)["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, (name, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad])


def visit(page, meter, shots, name, go):
    meter.reset()
    go()
    page.wait_for_load_state("networkidle")
    assert meter.total <= BUDGET, (name, meter.total)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    check_axe(page, name)
    return meter.total


def test_dashboard_journey(server, browser, shots):
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    page = ctx.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    meter = Meter(page)
    weights = {}
    weights["login"] = visit(page, meter, shots, "01-login", lambda: page.goto(server + "/accounts/login/"))
    page.fill("#id_username", "demo")
    page.fill("#id_password", "leave-no-one-behind")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, page.content()[:2000]
    weights["project"] = visit(page, meter, shots, "02-project", lambda: page.goto(server + "/p/demo/"))
    weights["dashboard"] = visit(page, meter, shots, "03-dashboard", lambda: page.goto(server + "/p/demo/dashboard/"))
    # keyboard: the skip link is the first stop, then the page's links
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip", page.evaluate("document.activeElement.outerHTML")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    weights["goal"] = visit(page, meter, shots, "04-goal", lambda: page.click("a[href='/p/demo/dashboard/goals/6/']"))
    weights["indicator"] = visit(page, meter, shots, "05-indicator",
                                 lambda: page.click(f"a[href='/p/demo/dashboard/indicators/{IND}/']"))
    assert page.locator("figure.chart").count() == 1 and page.locator("svg.choropleth").count() == 1
    # htmx: another dimension replaces the chart in place
    page.select_option("#by", "province")
    page.wait_for_load_state("networkidle")
    page.locator("#bygroup-h", has_text="Province").wait_for()  # (no wait_for_function: the CSP forbids eval)
    weights["map"] = visit(page, meter, shots, "06-map", lambda: page.click(f"a[href$='/{IND}/map/']"))
    assert page.locator("svg.choropleth path").count() == 64
    weights["intersections"] = visit(page, meter, shots, "07-intersections",
                                     lambda: page.goto(server + f"/p/demo/dashboard/indicators/{IND}/intersections/?a=sex&b=urbanisation"))
    weights["gaps"] = visit(page, meter, shots, "08-gaps",
                            lambda: page.goto(server + f"/p/demo/dashboard/indicators/{IND}/gaps/?by=ethnic_group"))
    # the interactive chart (opt-in download): Vega renders under the CSP (no eval)
    page.goto(server + f"/p/demo/dashboard/indicators/{IND}/")
    page.click("button[data-vega]")
    page.wait_for_selector("#groups-vega svg", timeout=30000)
    page.screenshot(path=str(shots / "09-vega.png"), full_page=True)
    brief = page.locator("a[href*='/brief/']")
    assert brief.count(), "the indicator page offers the advocacy brief"
    with page.expect_download(timeout=120000) as dl:
        brief.first.click()
    assert dl.value.suggested_filename.endswith(".pdf")
    assert dl.value.path().read_bytes()[:5] == b"%PDF-"
    # language switch
    page.select_option("#language", "vi")
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "vi"
    page.screenshot(path=str(shots / "10-vi.png"), full_page=True)
    check_axe(page, "vi")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    (shots / "weights.json").write_text(json.dumps(weights, indent=1))
    ctx.close()


#: every other page a member reaches from the project page (GET pages; the demo user is an owner)
PAGES = [
    ("11-home", "/"),
    ("12-left-behind", "/p/demo/left-behind/"),
    ("13-left-behind-indicator", f"/p/demo/left-behind/indicators/{IND}/?by=ethnic_group"),
    ("14-indicators", "/p/demo/indicators/"),
    ("15-definitions", "/p/demo/indicators/definitions/"),
    ("16-definitions-edit", "/p/demo/indicators/definitions/edit/"),
    ("17-records", "/p/demo/records/"),
    ("18-quality", "/p/demo/records/quality/"),
    ("19-import", "/p/demo/records/import/"),
    ("20-export", "/p/demo/records/export/"),
    ("21-personal-data", "/p/demo/settings/personal-data/"),
    ("22-jobs", "/p/demo/jobs/"),
    ("23-audit", "/p/demo/audit/"),
    ("24-form", "/p/demo/forms/lnob_household/"),
    ("25-sources", "/p/demo/dashboard/sources/"),
    ("26-coalitions", "/p/demo/coalitions/"),
    ("27-public", "/p/demo/public/"),
    ("28-public-indicator", f"/p/demo/public/indicators/{IND}/"),
]


def test_every_member_page_is_accessible_and_light(server, browser, shots):
    """axe-core finds no serious or critical violation on any page, each under the 300 KB budget."""
    ctx = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    page = ctx.new_page()
    page.goto(server + "/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "leave-no-one-behind")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    meter = Meter(page)
    weights = {}
    for name, url in PAGES:
        meter.reset()
        resp = page.goto(server + url, timeout=300000)
        assert resp is not None and resp.status == 200, (name, resp and resp.status)
        page.wait_for_load_state("networkidle")
        assert meter.total <= BUDGET, (name, meter.total)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        check_axe(page, name)
        weights[name] = meter.total
    (shots / "weights-pages.json").write_text(json.dumps(weights, indent=1))
    ctx.close()
