"""The admin works under the strict CSP: every page an editor uses, including
django-import-export's and django-reversion's, loads with no console errors
(a blocked inline script or style shows up as one)."""

import pytest

EDITOR_PAGES = [
    "/admin/",
    "/admin/roadmaps/guide/",
    "/admin/roadmaps/guide/{guide}/change/",
    "/admin/roadmaps/guide/{guide}/history/",
    "/admin/salaries/salaryfigure/",
    "/admin/salaries/salaryfigure/?fresh=stale",
    "/admin/salaries/salaryfigure/import/",
    "/admin/salaries/salaryfigure/export/",
    "/admin/salaries/salaryfigure/recover/",
    "/admin/salaries/importlog/",
    "/admin/roadmaps/schedule/",
    "/admin/roadmaps/draftevent/",
    "/admin/stories/story/",
    "/admin/stories/story/add/",
    "/preview/careers/backend-developer/",
]


@pytest.fixture
def editor_tab(staff_tab, site):
    from roadmaps.models import Guide

    page, errors = staff_tab("edna", "Editors")
    guide = Guide.objects.get(slug="backend-developer").pk
    return page, errors, site, guide


def test_admin_pages_have_no_console_errors_under_the_csp(editor_tab):
    page, errors, site, guide = editor_tab
    for path in EDITOR_PAGES:
        response = page.goto(site + path.format(guide=guide), wait_until="load")
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path
        page.wait_for_timeout(150)
        assert errors == [], (path, errors)


def test_export_select_all_toggle_works_without_inline_handlers(editor_tab):
    page, errors, site, _ = editor_tab
    page.goto(site + "/admin/salaries/salaryfigure/export/", wait_until="load")
    toggle = page.locator("input.select-toggle")
    assert toggle.count() == 1
    boxes = page.locator("input[type=checkbox][name^='salaryfigureresource_']")
    assert boxes.count() > 5
    toggle.uncheck()
    assert all(not boxes.nth(i).is_checked() for i in range(boxes.count()))
    toggle.check()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert page.locator("[onchange], [onclick], [style]").count() == 0
    assert errors == []
