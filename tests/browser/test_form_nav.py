"""The guide's long form in Chromium (templates/admin/change_form.html,
static/admin-ext/forms.js): a link in the error summary takes the editor to
the field in error, focused, in view, its section open; a link in the section
navigation opens its closed section; a section whose only error is the group's
own starts open. All under the CSP: no console errors."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from roadmaps.models import Guide, Stage

from .conftest import ARTIFACTS

IN_OPEN_SECTIONS = "el => { const d = el.closest('details'); return d === null || d.open; }"
IS_FOCUSED = "el => el === document.activeElement"


@pytest.fixture
def publisher_page(staff_tab, site, publisher):
    """The publisher's browser at 1280 × 800 (their Save writes live, so an
    invalid form comes back at once), recording console and page errors."""
    page, errors = staff_tab(publisher)
    guide = Guide.objects.get(slug="backend-developer")
    page.goto(site + reverse("admin:roadmaps_guide_change", args=[guide.pk]), wait_until="load")
    return page, errors


def save(page):
    with page.expect_navigation(wait_until="load"):
        page.locator("input[name=_save]").click()


def test_the_summary_link_takes_the_editor_to_the_field_in_error(publisher_page):
    page, errors = publisher_page
    page.locator("#stage_set-group summary").click()
    page.locator("#id_stage_set-1-title").fill("")
    save(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name="Stages, row 2: Title — This field is required.")
    field = page.locator("#id_stage_set-1-title")
    expect(field).not_to_be_in_viewport()  # about 2,000 px further down
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "form-nav-summary.png")

    link.click()

    expect(field).to_be_in_viewport()
    expect(field).to_be_focused()
    assert field.evaluate(IN_OPEN_SECTIONS)
    page.screenshot(path=ARTIFACTS / "form-nav-field.png")
    assert page.url.endswith("#id_stage_set-1-title")
    field.fill("Databases and APIs")  # the editor fixes it right there
    save(page)
    assert page.locator("#error-summary").count() == 0
    assert Stage.objects.filter(title="Databases and APIs").exists()
    assert errors == []


@pytest.mark.parametrize(
    ("name", "target"),
    [("Stages (4)", "#stage_set-group"), ("History", "#fieldset-0-5-heading")],
)
def test_a_section_link_opens_its_closed_section(publisher_page, name, target):
    page, errors = publisher_page
    section = page.locator(target).locator("xpath=ancestor-or-self::*[.//details][1]//details")
    details = section.first
    expect(details).not_to_have_attribute("open", "")

    page.locator("#sections-nav").get_by_role("link", name=name, exact=True).click()

    expect(details).to_have_attribute("open", "")
    expect(page.locator(target)).to_be_in_viewport()
    # What the section holds is shown now, not only its heading.
    inside = details.locator("input:not([type=hidden]), .readonly").first
    expect(inside).to_be_visible()
    assert errors == []


def test_a_section_whose_only_error_is_its_own_starts_open(publisher_page):
    page, errors = publisher_page
    # The one error Django leaves inside a closed section: the group's own,
    # with no row in error (here its row count, as a broken page posts it).
    page.locator("#id_myth_set-TOTAL_FORMS").evaluate("el => { el.value = 'many'; }")
    save(page)

    group = page.locator("#myth_set-group")
    expect(group.locator("details")).to_have_attribute("open", "")
    expect(group.locator(".errorlist").first).to_be_visible()
    link = page.locator("#error-summary a[href='#myth_set-group']")
    expect(link).to_have_text(re.compile("^Myths — ManagementForm data is missing"))
    link.click()
    expect(group).to_be_in_viewport()
    assert group.evaluate(IS_FOCUSED)
    assert errors == []


def test_the_summary_and_the_navigation_pass_axe_in_light_and_dark(publisher_page):
    from axe_playwright_python.sync_playwright import Axe

    page, errors = publisher_page
    form_url = page.url
    reports = []
    for scheme in ("light", "dark"):
        # Loaded in the scheme: switching on a shown page would catch the
        # admin's links mid colour transition.
        page.emulate_media(color_scheme=scheme)
        page.goto(form_url, wait_until="load")
        page.locator("#stage_set-group summary").click()
        page.locator("#id_stage_set-1-title").fill("")
        save(page)
        assert page.locator("#error-summary li").count() == 1
        results = Axe().run(page, context=["#error-summary", "#sections-nav"])
        if results.violations_count:
            reports.append(f"--- {scheme}\n{results.generate_report()}")
    assert not reports, "\n".join(reports)
    assert errors == []
