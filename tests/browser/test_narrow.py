"""The admin on a 375 px phone (static/admin-ext/narrow.css): an editor fixes a
salary figure and edits a story and a guide's stage, a publisher publishes a
draft from the review list and edits the salary figures' list, and on every
page of the way nothing runs off the screen or under the edge of its box, and
the button that saves or publishes is on screen and takes the click.

Wide tables (a change list, a tabular inline) may scroll inside their own box;
the page may not. Screenshots: test-artifacts/narrow-*.png.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from roadmaps.models import Draft, Guide, Stage
from roadmaps.workflow import services
from salaries.models import SalaryFigure
from stories.models import Story
from tests.conftest import login_verified
from tests.roadmaps.test_draft_admin import post_form, set_field

from .conftest import ARTIFACTS

WIDTH, HEIGHT = 375, 812
SAVED_FOR_REVIEW = "your changes were saved as a draft"

# What the page shows that is cut off: each visible control, label, link and
# heading must lie inside the first box around it that clips or scrolls, and
# inside the screen. Tables that scroll in their own box are left out, as are
# what is hidden on purpose (screen-reader text, the select2 original, the
# template row of an inline).
CUT_OFF = """() => {
  const root = document.documentElement;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  const shown = '#container input:not([type=hidden]), #container textarea, #container select, '
    + '#container button, #container .select2-container, #container label, #container a, '
    + '#container h1, #container h2, #container h3, #container .submit-row';
  for (const el of document.querySelectorAll(shown)) {
    if (el.closest('.results, .tabular .wrapper, .visually-hidden, .select2-hidden-accessible, '
                   + '.empty-form, #nav-sidebar')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.right > root.clientWidth || r.left < 0) found.push(name(el) + ' is off the screen');
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX === 'visible') continue;
      const b = box.getBoundingClientRect();
      if (r.right > b.right + 0.5 || r.left < b.left - 0.5) {
        found.push(name(el) + ' is cut off by ' + name(box));
      }
      break;
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, cut: found.slice(0, 10)};
}"""


@dataclass
class Phone:
    """One logged-in user's browser at 375 × 812, recording console and page
    errors (a blocked inline script or style shows up as one)."""

    page: object
    site: str
    errors: list = field(default_factory=list)

    def open(self, path):
        response = self.page.goto(self.site + path, wait_until="load")
        assert response.status == 200, f"{path} answered {response.status}"
        return self.page

    def fits(self, shot):
        """The page is as wide as the screen, nothing in it is cut off, no
        errors; then a full-page screenshot test-artifacts/narrow-<shot>.png."""
        found = self.page.evaluate(CUT_OFF)
        assert found["clientWidth"] == WIDTH
        assert found["scrollWidth"] <= found["clientWidth"], (shot, found)
        assert found["cut"] == [], (shot, found["cut"])
        assert self.errors == [], (shot, self.errors)
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=ARTIFACTS / f"narrow-{shot}.png", full_page=True,
                             animations="disabled")  # fmt: skip

    def press(self, button):
        """A submit button on screen, within the width, that takes the click;
        waits for the page the POST leads to."""
        expect(button).to_be_visible()
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport(ratio=1)
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
        with self.page.expect_navigation(wait_until="load"):
            button.click()  # Playwright clicks only what is hit there, enabled and still

    def message(self):
        return self.page.locator("ul.messagelist").inner_text()


@pytest.fixture
def phone(browser, site):
    """phone(user) -> a Phone logged in as `user` (a session cookie: the
    admin's login form is not under test)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.conftest import verified_device

    host = site.split("//", 1)[1].split(":")[0]
    contexts = []

    def make(user):
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        contexts.append(context)
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        # Past the second factor too, as the sign-in's last step leaves it.
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
              "domain": host, "path": "/"}]
        )  # fmt: skip
        phone = Phone(page=context.new_page(), site=site)
        phone.page.on("console", lambda msg: msg.type == "error" and phone.errors.append(msg.text))
        phone.page.on("pageerror", lambda exc: phone.errors.append(f"page error: {exc}"))
        return phone

    yield make
    for context in contexts:
        context.close()


def plain_figure():
    """A live figure with no percentiles, so any positive amount is valid."""
    return (
        SalaryFigure.objects.filter(is_published=True, p25__isnull=True, p75__isnull=True)
        .order_by("pk")
        .first()
    )


def test_an_editor_fixes_a_salary_figure(phone, editor):
    figure = plain_figure()
    old = figure.amount
    me = phone(editor)
    page = me.open(reverse("admin:salaries_salaryfigure_change", args=[figure.pk]))
    me.fits("figure-form")

    page.locator("#id_amount").fill(str(old + 1000))
    me.press(page.locator("input[name=_save]"))

    assert SAVED_FOR_REVIEW in me.message()
    me.fits("figure-saved")
    draft = Draft.objects.get()
    assert draft.model is SalaryFigure and draft.object_id == figure.pk
    figure.refresh_from_db()
    assert figure.amount == old  # the public figure waits for review


def test_an_editor_edits_a_story_and_submits_it(phone, editor):
    story = Story.objects.filter(is_published=True).order_by("pk").first()
    me = phone(editor)
    page = me.open(reverse("admin:stories_story_change", args=[story.pk]))
    me.fits("story-form")

    body = page.locator("#id_body")
    body.fill(body.input_value() + "\n\nShe now mentors career changers.")
    me.press(page.locator("input[name=_save]"))

    assert SAVED_FOR_REVIEW in me.message()
    me.fits("story-draft")
    page.locator("#draft-submit-message").fill("Added the last paragraph.")
    me.press(page.get_by_role("button", name="Submit for review", exact=True))
    assert "Submitted for review" in me.message()
    assert Draft.objects.get().state == Draft.State.SUBMITTED


def test_a_publisher_publishes_a_draft_from_the_review_list(phone, editor, publisher):
    story = Story.objects.filter(is_published=True).order_by("pk").first()
    url = reverse("admin:stories_story_change", args=[story.pk])
    client = Client()
    login_verified(client, editor)
    added = "\n\nShe now mentors career changers."

    def edit(data):
        set_field(data, "body", data["body"][0] + added)

    post_form(client, url, edit, button="_save")
    services.submit(Draft.objects.get(), editor)
    me = phone(publisher)

    page = me.open(reverse("admin:index"))
    waiting = page.locator("#waiting-for-review")
    expect(waiting).to_be_visible()
    me.fits("drafts-list")
    link = waiting.get_by_role("link", name=f"Story: {story}")
    with page.expect_navigation(wait_until="load"):
        link.click()
    expect(page.locator("#draft-banner")).to_be_visible()
    me.fits("draft")

    me.press(page.get_by_role("button", name="Publish now", exact=True))

    assert "Published. The public page shows the change now." in me.message()
    me.fits("published")
    story.refresh_from_db()
    assert story.body.endswith(added.strip())
    assert not Draft.objects.exists()
    # The history of drafts, a change list, fits too.
    me.open(reverse("admin:roadmaps_draftevent_changelist"))
    me.fits("draft-history")


def test_an_editor_edits_a_stage_of_the_guide(phone, editor):
    guide = Guide.objects.get(slug="backend-developer")
    stage = Stage.objects.filter(guide=guide).order_by("position").first()
    me = phone(editor)
    page = me.open(reverse("admin:roadmaps_guide_change", args=[guide.pk]))
    me.fits("guide-form")

    page.locator("#stage_set-group summary").click()
    title = page.locator("#id_stage_set-0-title")
    expect(title).to_be_visible()
    expect(page.locator("#id_stage_set-0-description")).to_be_visible()
    me.fits("guide-stages")
    title.fill("Foundations, checked on a phone")
    me.press(page.locator("input[name=_save]"))

    assert SAVED_FOR_REVIEW in me.message()
    me.fits("guide-saved")
    assert Draft.objects.get().model is Guide
    stage.refresh_from_db()
    assert stage.title != "Foundations, checked on a phone"


def test_a_publisher_edits_the_salary_figures_list(phone, publisher):
    me = phone(publisher)
    page = me.open(reverse("admin:salaries_salaryfigure_changelist"))
    me.fits("figures-list")
    results = page.locator("#changelist-form .results")
    # The table scrolls in its own box, which stays within the screen.
    assert results.evaluate("el => el.scrollWidth > el.clientWidth")
    assert results.bounding_box()["x"] + results.bounding_box()["width"] <= WIDTH

    figure = plain_figure()
    old = figure.amount
    row = page.locator("#result_list tbody tr", has=page.locator(f"input[value='{figure.pk}']"))
    amount = row.locator("input[name$='-amount']")
    amount.scroll_into_view_if_needed()
    amount.fill(str(old + 500))
    me.press(page.locator("#changelist-form input[name=_save]"))

    assert "was changed successfully" in me.message()
    me.fits("figures-list-saved")
    figure.refresh_from_db()
    assert figure.amount == old + 500


def test_an_invalid_guide_form_lists_its_errors_on_a_phone(phone, editor):
    guide = Guide.objects.get(slug="backend-developer")
    me = phone(editor)
    page = me.open(reverse("admin:roadmaps_guide_change", args=[guide.pk]))
    page.locator("#stage_set-group summary").click()
    page.locator("#id_stage_set-1-title").fill("")
    me.press(page.locator("input[name=_save]"))

    summary = page.locator("#error-summary")
    expect(summary).to_be_in_viewport()
    me.fits("guide-errors")
    summary.get_by_role("link", name="Stages, row 2: Title — This field is required.").click()
    field = page.locator("#id_stage_set-1-title")
    expect(field).to_be_in_viewport()
    expect(field).to_be_focused()
    assert not Draft.objects.exists()
