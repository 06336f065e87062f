"""The review workflow end to end in Chromium, under the site's CSP: an editor
saves a draft of a live guide, previews it and submits it; a publisher finds it
on the admin index, approves it and schedules it; the schedule runner publishes
it, and the public page changes only then, dated to the go-live time.

Every page is checked for console errors and for its CSP header as it loads
(a blocked inline script or style shows up as a console error). Screenshots of
each step go to pytest's tmp_path (their paths are printed: run with -s) and are
copied to /tmp/workflow-shots/ to be looked at after the run.
"""

import datetime
import io
import shutil
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

SHOTS = Path("/tmp/workflow-shots")
NEW_TITLE = "Foundations, reviewed before going live"


@dataclass
class Visitor:
    """One browser context (a user, or the anonymous public) that records every
    console error, page error and document answered without a CSP header."""

    context: object
    site: str
    shots: Path
    errors: list = field(default_factory=list)

    def __post_init__(self):
        self.context.on("page", self._watch)
        self.context.on("response", self._check_csp)
        self.page = self.context.new_page()

    def _watch(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _check_csp(self, response):
        request = response.request
        document = request.resource_type == "document" and request.url.startswith(self.site)
        if document and "content-security-policy" not in response.headers:
            self.errors.append(f"no CSP header on {request.url}")

    def open(self, path):
        response = self.page.goto(self.site + path, wait_until="load")
        assert response.status == 200, f"{path} answered {response.status}"
        self.settled()
        return response

    def settled(self, page=None):
        """Let late console messages (a blocked resource) arrive, then insist on none."""
        (page or self.page).wait_for_timeout(150)
        assert self.errors == [], self.errors

    def submit(self, locator):
        """Press a submit button and wait for the page the POST leads to."""
        with self.page.expect_navigation(wait_until="load"):
            locator.click()
        self.settled()

    def shot(self, name, page=None, focus=None):
        """A full-page screenshot, or with `focus` (a locator) the viewport around it."""
        path = self.shots / f"{name}.png"
        if focus is not None:
            focus.scroll_into_view_if_needed()
        (page or self.page).screenshot(path=path, full_page=focus is None, animations="disabled")
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
        print(f"screenshot: {path} (copy: {SHOTS / path.name})")


@pytest.fixture
def visitors(browser, site, tmp_path):
    """visitors(user=None) -> a Visitor, logged in with a session cookie when a
    user is given (no login form: the admin's own login is not under test)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.conftest import verified_device

    shots = tmp_path / "shots"
    shots.mkdir()
    host = site.split("//", 1)[1].split(":")[0]
    contexts = []

    def make(user=None):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        if user is not None:
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
        return Visitor(context=context, site=site, shots=shots)

    yield make
    for context in contexts:
        context.close()


def staff(username, group):
    email = f"{username}@example.org"
    user = User.objects.create_user(
        username, password=f"a long {group} password", is_staff=True, email=email
    )
    user.groups.add(Group.objects.get(name=group))
    return user


def body_text(page):
    return page.locator("body").inner_text()


def test_draft_review_schedule_and_publish_in_the_browser(visitors, mailoutbox):
    from roadmaps.models import Draft, Guide, Schedule, Stage

    guide = Guide.objects.get(slug="backend-developer")
    assert guide.is_published
    public_path = reverse("guide", kwargs={"slug": guide.slug})
    change_path = reverse("admin:roadmaps_guide_change", args=[guide.pk])
    editor = visitors(staff("edna", "Editors"))
    publisher = visitors(staff("pia", "Publishers"))
    public = visitors()

    # 1. The editor edits the first stage's title in its (collapsed) inline.
    editor.open(change_path)
    title = editor.page.locator("#id_stage_set-0-title")
    assert not title.is_visible(), "the stages inline should start collapsed"
    editor.page.locator("#stage_set-group summary").click()
    assert title.is_visible()
    old_title = title.input_value()
    stage = Stage.objects.get(pk=editor.page.locator("#id_stage_set-0-id").input_value())
    assert stage.title == old_title and stage.guide == guide
    title.fill(NEW_TITLE)
    editor.shot("01-editor-edits-stage-title", focus=title)
    editor.submit(editor.page.get_by_role("button", name="Save draft", exact=True))

    banner = editor.page.locator("#draft-banner")
    assert "Draft pending since" in banner.locator("h2").inner_text()
    assert "Draft saved. The public page is unchanged." in body_text(editor.page)
    # The form shows the draft now: the inline holds the new title.
    assert editor.page.locator("#id_stage_set-0-title").input_value() == NEW_TITLE
    stage.refresh_from_db()
    assert stage.title == old_title
    editor.shot("02-draft-saved")

    public.open(public_path)
    assert old_title in body_text(public.page)
    assert NEW_TITLE not in body_text(public.page)
    public.shot("03-public-before", focus=public.page.get_by_text(old_title).first)

    with editor.context.expect_page() as opened:
        editor.page.locator("#draft-preview").click()
    preview = opened.value
    preview.wait_for_load_state("load")
    editor.settled(preview)
    preview_path = reverse("guide_preview", kwargs={"slug": guide.slug})
    assert preview.url.startswith(editor.site + preview_path)
    assert "Preview for editors" in body_text(preview)
    assert NEW_TITLE in body_text(preview)
    editor.shot("04-preview", preview, focus=preview.get_by_text(NEW_TITLE).first)
    preview.close()

    editor.page.locator("#draft-submit-message").fill("Clearer first stage, please check.")
    editor.submit(editor.page.get_by_role("button", name="Submit for review", exact=True))
    assert "Submitted for review" in body_text(editor.page)
    assert "Waiting for review" in editor.page.locator("#draft-banner h2").inner_text()
    editor.shot("05-submitted")
    draft = Draft.objects.get()
    assert draft.state == Draft.State.SUBMITTED
    assert [m.to for m in mailoutbox] == [["pia@example.org"]]
    assert mailoutbox[0].subject == f"Review requested: {draft.object_repr}"

    # 2. The publisher finds it on the admin index, approves and schedules it.
    publisher.open(reverse("admin:index"))
    waiting = publisher.page.locator("#waiting-for-review")
    link = waiting.get_by_role("link", name=f"Guide: {draft.object_repr}")
    assert link.count() == 1, waiting.inner_text()
    publisher.shot("06-publisher-index")
    with publisher.page.expect_navigation(wait_until="load"):
        link.click()
    publisher.settled()
    assert publisher.page.url == publisher.site + change_path
    history = publisher.page.locator("#draft-banner .draft-events").inner_text()
    assert "Clearer first stage, please check." in history
    publisher.submit(publisher.page.get_by_role("button", name="Approve", exact=True))
    assert "Approved. Publish it now or schedule it." in body_text(publisher.page)
    assert "Approved by pia" in publisher.page.locator("#draft-banner h2").inner_text()
    publisher.shot("07-approved")
    assert mailoutbox[-1].to == ["edna@example.org"]
    assert mailoutbox[-1].subject == f"Approved: {draft.object_repr}"

    with publisher.page.expect_navigation(wait_until="load"):
        publisher.page.get_by_role("link", name="Schedule…").click()
    publisher.settled()
    # The field takes whole minutes: the first one at least a minute from now.
    minute_ahead = (timezone.localtime() + datetime.timedelta(minutes=2)).replace(
        second=0, microsecond=0
    )
    publisher.page.get_by_label("When").fill(minute_ahead.strftime("%Y-%m-%dT%H:%M"))
    publisher.shot("08-schedule-form")
    publisher.submit(publisher.page.get_by_role("button", name="Schedule", exact=True))
    assert "Scheduled:" in body_text(publisher.page)
    publisher.shot("09-scheduled")
    schedule = Schedule.objects.get(draft=draft, state=Schedule.State.PENDING)
    assert schedule.run_at == minute_ahead

    # Still nothing live: the runner has nothing due yet.
    call_command("run_schedules", "--once", stdout=io.StringIO())
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.PENDING

    # This stands for the minute passing: the test must not wait for it, so the
    # schedule's time moves into the past (to a whole second, as HTTP dates are).
    go_live = (timezone.now() - datetime.timedelta(seconds=5)).replace(microsecond=0)
    Schedule.objects.filter(pk=schedule.pk).update(run_at=go_live)
    out = io.StringIO()
    call_command("run_schedules", "--once", stdout=out)
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.DONE, schedule.error
    assert f"Published {draft.object_repr}" in out.getvalue()
    # Published as approved: the draft is used up, the stage row itself changed.
    assert not Draft.objects.filter(pk=draft.pk).exists()
    stage.refresh_from_db()
    assert stage.title == NEW_TITLE

    # 3. The public page shows the new title, dated to the go-live time.
    response = public.open(public_path)
    assert NEW_TITLE in body_text(public.page)
    assert old_title not in body_text(public.page)
    assert parsedate_to_datetime(response.headers["last-modified"]) == go_live
    public.shot("10-public-after", focus=public.page.get_by_text(NEW_TITLE).first)
