"""The admin works under the strict CSP: every page an editor uses, including
django-import-export's and django-reversion's, loads with no console errors
(a blocked inline script or style shows up as one)."""

import pytest
from django.contrib.auth.models import Group, User

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
def editor_tab(browser, site):
    from django.conf import settings as dj_settings
    from django.contrib.sessions.backends.db import SessionStore

    from roadmaps.models import Guide

    user = User.objects.create_user("edna", password="a long editor password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    host = site.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": dj_settings.SESSION_COOKIE_NAME, "value": session.session_key,
          "domain": host, "path": "/"}]
    )  # fmt: skip
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    guide = Guide.objects.get(slug="backend-developer").pk
    yield page, errors, site, guide
    context.close()


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
