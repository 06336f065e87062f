"""Layout in a real browser: section headings, horizontal overflow, console errors and
full-page screenshots (test-artifacts/<page>-<viewport>-<mode>.png) in light, dark
and print media."""

import pytest
from playwright.sync_api import expect

from .conftest import PAGES

# Emulated media per mode, and the body background each must produce (which also
# proves the hashed stylesheet was served and applied).
MODES = {
    "light": ({"media": "screen", "color_scheme": "light"}, "rgb(255, 255, 255)"),
    "dark": ({"media": "screen", "color_scheme": "dark"}, "rgb(18, 21, 25)"),
    "print": ({"media": "print", "color_scheme": "light"}, "rgb(255, 255, 255)"),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_section_heading_is_visible(tab, name):
    page = tab.open(name)
    headings = page.locator("section > h2")
    assert headings.count() >= (9 if name == "guide" else 1)
    width = page.viewport_size["width"]
    for heading in headings.all():
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_visible()
        expect(heading).to_be_in_viewport()
        box = heading.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
            f"{heading.inner_text()!r} is cut off at {width}px: {box}"
        )
    assert tab.errors == []


@pytest.mark.parametrize("name", PAGES)
def test_renders_light_dark_and_print_without_overflow_or_errors(tab, name):
    page = tab.open(name)
    problems = []
    for mode, (media, background) in MODES.items():
        page.emulate_media(**media)
        if page.evaluate("getComputedStyle(document.body).backgroundColor") != background:
            problems.append(f"{mode}: the stylesheet's {mode} background is not applied")
        scroll_width, inner_width, sticking_out = tab.overflow()
        if scroll_width > inner_width:
            problems.append(
                f"{mode}: scrollWidth {scroll_width} > innerWidth {inner_width}: {sticking_out}"
            )
        tab.screenshot(mode)
    assert problems == []
    assert tab.errors == []
