"""axe-core (all its default rules) finds nothing, in light and dark, with every
<details> open so the hidden answers and salary notes are checked too.

axe leaves some contrast checks undecided ("incomplete"): SVG chart text, and the
learning-path labels beside the timeline's pseudo-elements. Those are measured here
instead: text colour (or SVG fill) against the nearest opaque background, >= 4.5:1.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import PAGES

UNDECIDED_CONTRAST = """targets => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b]
    .map(c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c;
    }
    return [255, 255, 255];
  };
  return targets.map(selector => {
    const el = document.querySelector(selector);
    const style = getComputedStyle(el);
    const fg = rgb(el instanceof SVGElement ? style.fill : style.color);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    return [selector, Math.round((a + 0.05) / (b + 0.05) * 100) / 100];
  });
}"""


def axe_problems(page, label):
    """(axe violation reports, text below 4.5:1 that axe left undecided) for the
    page as it is now, in light and in dark."""
    axe = Axe()
    reports, low_contrast = [], []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = axe.run(page, options={"resultTypes": ["violations", "incomplete"]})
        if results.violations_count:
            reports.append(f"--- {label} {scheme}\n{results.generate_report()}")
        undecided = [
            node["target"][0]
            for rule in results.response["incomplete"]
            if rule["id"] == "color-contrast"
            for node in rule["nodes"]
        ]
        for selector, ratio in page.evaluate(UNDECIDED_CONTRAST, undecided):
            if ratio < 4.5:
                low_contrast.append(f"{scheme}: {selector} {ratio}:1")
    return reports, low_contrast


@pytest.mark.parametrize("name", PAGES)
def test_axe_reports_no_violations(tab, name):
    page = tab.open(name)
    tab.open_all_details()
    assert page.locator("details:not([open])").count() == 0
    reports, low_contrast = axe_problems(page, f"{name} {tab.viewport}")
    assert not reports, "\n".join(reports)
    assert low_contrast == []
    assert tab.errors == []


def test_axe_does_find_a_violation(browser):
    """The harness itself works: a page with an unlabelled image fails."""
    page = browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png">')
        results = Axe().run(page)
        assert "image-alt" in results.generate_report()
    finally:
        page.close()
