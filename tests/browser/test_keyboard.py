"""Keyboard alone: the skip link and the FAQ accordion."""

import pytest
from playwright.sync_api import expect

from .conftest import PAGES

IS_FIRST_FAQ_SUMMARY = "document.activeElement === document.querySelector('.faq summary')"
IS_TOC_FAQ_LINK = "document.activeElement.matches('nav.toc a[href=\"#faq\"]')"


@pytest.mark.parametrize("name", PAGES)
def test_first_tab_shows_the_skip_link_and_enter_moves_focus_to_main(tab, name):
    page = tab.open(name)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    # Off screen until focused, then slides in: wait until it is wholly in view.
    expect(skip).to_be_in_viewport(ratio=1)
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")
    assert tab.errors == []


def test_faq_opens_with_the_keyboard_alone(tab):
    """Tab to "FAQ" in the contents, Enter jumps there, Tab reaches the first
    question, Enter opens it, Space closes it. Reduced motion: the jump is instant."""
    tab.page.emulate_media(reduced_motion="reduce")
    page = tab.open("guide")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(IS_TOC_FAQ_LINK):
            break
    else:
        pytest.fail("40 presses of Tab never reached the contents' FAQ link")
    page.keyboard.press("Enter")
    page.wait_for_url("**#faq")
    page.keyboard.press("Tab")
    assert page.evaluate(IS_FIRST_FAQ_SUMMARY), "Tab after the FAQ link missed the first question"

    faq = page.locator("details.faq").first
    answer = faq.locator(".faq-answer")
    expect(faq).not_to_have_attribute("open", "")
    expect(answer).to_be_hidden()
    page.keyboard.press("Enter")
    expect(faq).to_have_attribute("open", "")
    expect(answer).to_be_visible()
    expect(answer).to_be_in_viewport()
    assert page.evaluate(IS_FIRST_FAQ_SUMMARY), "focus left the question"

    page.keyboard.press("Space")
    expect(answer).to_be_hidden()
    assert tab.errors == []
