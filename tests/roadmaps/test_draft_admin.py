"""Drafts in the admin (roadmaps.workflow.admin.DraftAdminMixin): "Save draft"
through the real change forms and inline formsets leaves the public page
byte-identical until a publisher publishes; the review buttons check their
permissions; a conflicting live change needs the publisher's confirmation."""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import Client, override_settings
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from careerguide.models import SitePage
from roadmaps import stamp
from roadmaps.models import FAQ, Draft, DraftEvent, Guide, Stage
from roadmaps.workflow import services
from salaries.models import SalaryFigure
from stories.models import Story
from tests import factories
from tests.factories import elements

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# -- helpers


class _Form(HTMLParser):
    """The fields a browser would submit from one <form>, as {name: [values]}."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self.select, self.options, self.textarea = None, [], None

    def add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        kind = a.get("type", "text")
        if tag == "input" and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.add(a.get("name"), a.get("value", "on"))
            else:
                self.add(a.get("name"), a.get("value") or "")
        elif tag == "select":
            self.select, self.options = a, []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # A browser drops the newline right after <textarea>.
            self.add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [v for v, selected in self.options if selected]
            if not chosen and self.options and "multiple" not in self.select:
                chosen = [self.options[0][0]]
            for value in chosen:
                self.add(self.select.get("name"), value)
            self.select = None


def form_data(response, model_name):
    """The admin change form's fields as the page shows them."""
    parser = _Form(model_name if model_name.endswith("-form") else f"{model_name}_form")
    parser.feed(response.content.decode())
    return parser.data


def post_form(client, url, edit=None, button="_save_draft"):
    """GET the admin form at `url`, change it with `edit(data)`, submit it."""
    page = client.get(url)
    assert page.status_code == 200
    model_name = page.context["opts"].model_name
    data = form_data(page, model_name)
    if edit:
        edit(data)
    data[button] = ["1"]
    return client.post(url, data)


def set_field(data, name, value):
    assert name in data, f"{name} not on the form"
    data[name] = [value]


def add_inline_row(data, prefix, **fields):
    n = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for name, value in fields.items():
        data[f"{prefix}-{n}-{name}"] = [value]
    data[f"{prefix}-TOTAL_FORMS"] = [str(n + 1)]


def row_index(data, prefix, field, value):
    for key, values in data.items():
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and values == [value]:
            return key.split("-")[1]
    raise AssertionError(f"no {prefix} row with {field}={value!r}")


def public(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content, response["ETag"], response["Last-Modified"]


def guide_url(guide):
    return reverse("admin:roadmaps_guide_change", args=[guide.pk])


def action_url(model_admin_name, draft, action):
    return reverse(f"admin:{model_admin_name}_draft_action", args=[draft.pk, action])


@pytest.fixture(autouse=True)
def _editors_do_not_publish(db):
    """Editors lack the publishing permissions (the roles' migration withholds them)."""
    Group.objects.get(name="Editors").permissions.remove(
        *Permission.objects.filter(codename__in=["publish_draft", "schedule_draft"])
    )


@pytest.fixture
def old_guide(full_guide):
    """The full guide with its dates well in the past, so any move shows."""
    Guide.objects.filter(pk=full_guide.pk).update(content_changed_at=LONG_AGO)
    full_guide.refresh_from_db()
    return full_guide


def retitle_stage(title, was="Stage One Title"):
    def edit(data):
        n = row_index(data, "stage_set", "title", was)
        set_field(data, f"stage_set-{n}-title", title)

    return edit


# -- a stage edit, through the admin, to the public page


def test_a_stage_draft_leaves_the_public_page_byte_identical_until_published(
    editor, editor_client, publisher_client, client, old_guide
):
    assert not editor.has_perm("roadmaps.publish_draft")
    page_url = old_guide.get_absolute_url()
    before = public(client, page_url)
    sitemap = client.get("/sitemap.xml").content
    stamp_before = cache.get(stamp.KEY)
    assert stamp_before is not None

    response = post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted stage title"))
    assert response.status_code == 302
    assert response["Location"] == guide_url(old_guide)
    page = editor_client.get(response["Location"])
    assertContains(page, "Draft saved. The public page is unchanged.")
    [draft] = Draft.objects.all()
    assert (draft.object_id, draft.state, draft.created_by) == (old_guide.pk, "draft", editor)

    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": old_guide.slug}))
    assertContains(preview, "<h3>Drafted stage title</h3>", html=True)
    assert cache.get(stamp.KEY) == stamp_before
    assert Stage.objects.filter(guide=old_guide, title="Stage One Title").exists()
    # Byte-identical, rendered again from the database (the page cache emptied).
    assert public(client, page_url) == before
    cache.clear()
    after = public(client, page_url)
    assert after == before
    assert b"Drafted stage title" not in after[0]
    assert client.get("/sitemap.xml").content == sitemap  # lastmod included

    response = publisher_client.post(action_url("roadmaps_guide", draft, "publish"))
    assert response.status_code == 302
    published = public(client, page_url)
    assertContains(client.get(page_url), "<h3>Drafted stage title</h3>", html=True)
    assert published[2] != before[2]  # Last-Modified moved
    assert client.get("/sitemap.xml").content != sitemap
    assert not Draft.objects.exists()
    assert list(DraftEvent.objects.values_list("action", flat=True)) == ["published", "saved"]


def test_the_change_form_shows_the_draft_with_its_banner_and_history(
    editor, editor_client, old_guide
):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted stage title"))
    draft = Draft.objects.get()
    services.submit(draft, editor, "Please check the months.")
    page = editor_client.get(guide_url(old_guide))
    data = form_data(page, "guide")
    n = row_index(data, "stage_set", "title", "Drafted stage title")
    assert data[f"stage_set-{n}-description"] == ["Stage one description."]
    [banner] = elements(page, "div", id="draft-banner")
    heading = str(elements(banner, "h2")[0])
    assert "by edna — Waiting for review" in heading
    events = [str(li) for li in elements(banner, "li")]
    assert any("Submitted for review" in e and "Please check the months." in e for e in events)
    assert any("edna: Saved the draft" in e for e in events)
    # An editor: discard, preview; no publisher buttons, no schedule link.
    assert elements(banner, "input", type="submit", value="Discard draft")
    assert not elements(banner, "input", type="submit", value="Publish now")
    assert not elements(banner, "a", id="draft-schedule")
    # Only "Save draft" saves a form that shows a draft.
    assert not elements(page, "input", name="_save")
    assert elements(page, "input", name="_save_draft")
    # View on site opens the draft's preview.
    preview = reverse("guide_preview", kwargs={"slug": old_guide.slug})
    assert elements(page, "a", href=preview, **{"class": "viewsitelink"})


def test_publisher_sees_the_review_buttons_and_the_schedule_link(
    editor_client, publisher_client, old_guide
):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted"))
    draft = Draft.objects.get()
    services.submit(draft, draft.created_by)
    [banner] = elements(publisher_client.get(guide_url(old_guide)), "div", id="draft-banner")
    for label in ["Discard draft", "Send back", "Approve", "Publish now"]:
        assert elements(banner, "input", type="submit", value=label), label
    schedule = reverse("admin:roadmaps_schedule_add") + f"?draft={draft.pk}"
    assert elements(banner, "a", href=schedule)


# -- inline formsets: add a stage, delete a FAQ entry


def test_a_draft_adding_a_stage_and_deleting_a_faq_entry_applies_only_on_publish(
    editor_client, publisher_client, client, old_guide
):
    def edit(data):
        add_inline_row(
            data,
            "stage_set",
            month_from="4",
            month_to="6",
            position="1",
            title="A drafted stage",
            description="Drafted.",
            steps="",
            guide=str(old_guide.pk),
        )
        data["faq_set-0-DELETE"] = ["on"]

    response = post_form(editor_client, guide_url(old_guide), edit)
    assert response.status_code == 302, response.context["errors"]
    assert Stage.objects.filter(guide=old_guide).count() == 1
    assert FAQ.objects.filter(guide=old_guide).count() == 1

    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": old_guide.slug}))
    page = preview.context["page"]
    assert [s.title for s in page.stages] == ["Stage One Title", "A drafted stage"]
    assert page.faqs == []
    assertNotContains(preview, "A question?")
    assertNotContains(client.get(old_guide.get_absolute_url()), "A drafted stage")

    publisher_client.post(action_url("roadmaps_guide", Draft.objects.get(), "publish"))
    titles = list(Stage.objects.filter(guide=old_guide).values_list("title", flat=True))
    assert titles == ["Stage One Title", "A drafted stage"]
    assert not FAQ.objects.filter(guide=old_guide).exists()


def test_saving_the_draft_again_updates_the_one_draft(editor_client, publisher_client, old_guide):
    def add_stage(data):
        add_inline_row(
            data, "stage_set", month_from="4", month_to="6", position="1",
            title="New stage", description="d", steps="", guide=str(old_guide.pk),
        )  # fmt: skip

    post_form(editor_client, guide_url(old_guide), add_stage)

    def edit_again(data):
        n = row_index(data, "stage_set", "title", "New stage")
        set_field(data, f"stage_set-{n}-title", "New stage, edited")
        set_field(data, "headline", "A drafted headline.")

    response = post_form(editor_client, guide_url(old_guide), edit_again)
    assert response.status_code == 302, response.context and response.context["errors"]
    [draft] = Draft.objects.all()
    assert list(draft.events.values_list("action", flat=True)) == ["saved", "saved"]
    assert Guide.objects.get(pk=old_guide.pk).headline == "Headline of the guide."

    publisher_client.post(action_url("roadmaps_guide", draft, "publish"))
    titles = sorted(Stage.objects.filter(guide=old_guide).values_list("title", flat=True))
    assert titles == ["New stage, edited", "Stage One Title"]
    assert Guide.objects.get(pk=old_guide.pk).headline == "A drafted headline."


def test_a_form_rendered_from_an_older_draft_is_not_saved_over_it(editor_client, old_guide):
    post_form(editor_client, guide_url(old_guide), retitle_stage("First"))
    stale = form_data(editor_client.get(guide_url(old_guide)), "guide")
    post_form(editor_client, guide_url(old_guide), retitle_stage("Second", was="First"))
    stale["_save_draft"] = ["1"]
    index = row_index(stale, "stage_set", "title", "First")
    stale[f"stage_set-{index}-title"] = ["Third, typed in the stale form"]
    response = editor_client.post(guide_url(old_guide), stale)
    # Refused, with the editor's input kept in the form (nothing they typed is lost).
    assert response.status_code == 200
    assertContains(response, "your changes were not saved")
    assertContains(response, "Third, typed in the stale form")
    assert Draft.objects.get().events.count() == 2


def test_discard_drops_the_draft_and_the_form_shows_the_live_guide(editor_client, old_guide):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted"))
    draft = Draft.objects.get()
    response = editor_client.post(action_url("roadmaps_guide", draft, "discard"))
    assert response.status_code == 302
    assert not Draft.objects.exists()
    assert DraftEvent.objects.filter(action="discarded").count() == 1
    page = editor_client.get(guide_url(old_guide))
    assert not elements(page, "div", id="draft-banner")
    assert row_index(form_data(page, "guide"), "stage_set", "title", "Stage One Title")


def test_an_invalid_draft_shows_the_form_errors_and_saves_nothing(editor_client, old_guide):
    response = post_form(editor_client, guide_url(old_guide), lambda d: set_field(d, "name", ""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert not Draft.objects.exists()


# -- conflicts


def test_publishing_over_a_live_change_needs_confirmation(
    editor_client, publisher_client, old_guide
):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted title"))
    draft = Draft.objects.get()
    stage = Stage.objects.get(guide=old_guide)
    stage.description = "Changed live meanwhile."
    stage.save()

    url = action_url("roadmaps_guide", draft, "publish")
    response = publisher_client.post(url)
    assert response.status_code == 200
    [listed] = elements(response, "ul", id="conflicts")
    assert f"Stage: {stage}" in str(listed)
    cells = elements(listed, "td")
    assert parse_html("<td>Changed live meanwhile.</td>") in cells  # live now
    assert parse_html("<td>Stage one description.</td>") in cells  # in the draft
    assert parse_html("<td>Drafted title</td>") in cells
    assert elements(response, "input", type="hidden", name="confirm", value="1")
    assert Stage.objects.get(pk=stage.pk).title == "Stage One Title"  # nothing applied
    assert Draft.objects.exists()

    response = publisher_client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert Stage.objects.get(pk=stage.pk).title == "Drafted title"
    assert not Draft.objects.exists()


# -- the editor's plain Save on published content


def test_an_editors_save_on_a_published_guide_becomes_a_draft(editor_client, old_guide):
    response = post_form(editor_client, guide_url(old_guide), retitle_stage("Saved"), "_save")
    assert response.status_code == 302
    assert response["Location"] == guide_url(old_guide)
    assertContains(editor_client.get(guide_url(old_guide)), "saved as a draft")
    assert Stage.objects.get(guide=old_guide).title == "Stage One Title"
    assert Draft.objects.get().object_id == old_guide.pk


@override_settings(REVIEW_REQUIRED=False)
def test_without_review_an_editors_save_goes_live_and_they_may_publish(editor_client, old_guide):
    response = post_form(editor_client, guide_url(old_guide), retitle_stage("Live"), "_save")
    assert response.status_code == 302
    assert Stage.objects.get(guide=old_guide).title == "Live"
    assert not Draft.objects.exists()
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted", was="Live"))
    draft = Draft.objects.get()
    assert editor_client.post(action_url("roadmaps_guide", draft, "publish")).status_code == 302
    assert Stage.objects.get(guide=old_guide).title == "Drafted"


def test_an_editors_save_on_an_unpublished_guide_stays_direct(editor_client):
    guide = factories.full_guide(is_published=False)
    response = post_form(editor_client, guide_url(guide), retitle_stage("Direct"), "_save")
    assert response.status_code == 302
    assert Stage.objects.get(guide=guide).title == "Direct"
    assert not Draft.objects.exists()


# -- the buttons' checks


def test_the_buttons_check_permissions_method_and_draft(editor, editor_client, old_guide):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted"))
    draft = Draft.objects.get()
    for action in ["publish", "approve", "send_back"]:
        response = editor_client.post(action_url("roadmaps_guide", draft, action), {"message": "x"})
        assert response.status_code == 403, action
    assert editor_client.get(action_url("roadmaps_guide", draft, "discard")).status_code == 405
    missing = reverse("admin:roadmaps_guide_draft_action", args=[draft.pk + 100, "discard"])
    assert editor_client.post(missing).status_code == 404
    # A draft of a guide is not a story's: the story admin does not know it.
    other = reverse("admin:stories_story_draft_action", args=[draft.pk, "discard"])
    assert editor_client.post(other).status_code == 404
    unknown = reverse("admin:roadmaps_guide_draft_action", args=[draft.pk, "explode"])
    assert editor_client.post(unknown).status_code == 404
    assert Stage.objects.get(guide=old_guide).title == "Stage One Title"
    # Anonymous: the admin's login.
    anonymous = Client().post(action_url("roadmaps_guide", draft, "publish"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_submit_send_back_and_approve(
    editor, editor_client, publisher, publisher_client, old_guide
):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted"))
    draft = Draft.objects.get()
    editor_client.post(action_url("roadmaps_guide", draft, "submit"), {"message": "Ready."})
    draft.refresh_from_db()
    assert draft.state == "submitted"
    # Sending back needs a comment.
    publisher_client.post(action_url("roadmaps_guide", draft, "send_back"))
    draft.refresh_from_db()
    assert draft.state == "submitted"
    publisher_client.post(action_url("roadmaps_guide", draft, "send_back"), {"message": "Fix it."})
    draft.refresh_from_db()
    assert draft.state == "draft"
    publisher_client.post(action_url("roadmaps_guide", draft, "approve"))
    draft.refresh_from_db()
    assert (draft.state, draft.approved_by) == ("approved", publisher)
    actions = list(draft.events.values_list("action", "user__username", "message"))
    assert actions == [
        ("approved", "pia", ""),
        ("sent_back", "pia", "Fix it."),
        ("submitted", "edna", "Ready."),
        ("saved", "edna", ""),
    ]


# -- stories: a change and a new one


def story_url(story):
    return reverse("admin:stories_story_change", args=[story.pk])


def test_a_story_draft_previews_on_its_guide_and_publishes(
    editor_client, publisher_client, client, old_guide
):
    story = Story.objects.get(guide=old_guide)
    response = post_form(
        editor_client, story_url(story), lambda d: set_field(d, "body", "A drafted story body.")
    )
    assert response.status_code == 302
    assert response["Location"] == story_url(story)
    draft = Draft.objects.get()
    page = editor_client.get(story_url(story))
    href = reverse("guide_preview", kwargs={"slug": old_guide.slug}) + f"#story-{story.slug}"
    assert elements(page, "a", href=href)
    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": old_guide.slug}))
    assertContains(preview, "A drafted story body.")
    assertNotContains(client.get(old_guide.get_absolute_url()), "A drafted story body.")
    publisher_client.post(action_url("stories_story", draft, "publish"))
    assertContains(client.get(old_guide.get_absolute_url()), "A drafted story body.")


def test_a_new_story_saved_as_a_draft_is_listed_and_edited_apart(
    editor_client, publisher_client, client, old_guide
):
    def fill(data):
        data.update(
            guide=[str(old_guide.pk)], first_name=["Nadia"], former_role=["Nurse"],
            slug=["nadia-nurse"], body=["Nadia's story."], transition_months=["9"],
            position=["0"], is_published=["on"],
        )  # fmt: skip

    response = post_form(editor_client, reverse("admin:stories_story_add"), fill)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft = Draft.objects.get()
    assert draft.object_id is None
    assert not Story.objects.filter(slug="nadia-nurse").exists()
    draft_url = reverse("admin:stories_story_draft", args=[draft.pk])
    assert response["Location"] == draft_url

    changelist = editor_client.get(reverse("admin:stories_story_changelist"))
    [listed] = elements(changelist, "div", id="new-drafts")
    assert elements(listed, "a", href=draft_url)

    response = post_form(editor_client, draft_url, lambda d: set_field(d, "body", "Edited."))
    assert response.status_code == 302
    assert Draft.objects.count() == 1
    assert not Story.objects.filter(slug="nadia-nurse").exists()
    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": old_guide.slug}))
    assert elements(preview, "article", id="story-nadia-nurse")

    response = publisher_client.post(action_url("stories_story", draft, "publish"))
    story = Story.objects.get(slug="nadia-nurse")
    assert response["Location"] == story_url(story)
    assert story.body == "Edited."
    assertContains(client.get(old_guide.get_absolute_url()), "Edited.")


# -- site pages


def test_a_site_page_draft_has_its_own_preview(editor_client, publisher_client, client):
    page = SitePage.objects.create(slug="about", title="About", description="d", body="Live body.")
    SitePage.objects.filter(pk=page.pk).update(content_changed_at=LONG_AGO)
    before = public(client, "/about/")
    url = reverse("admin:careerguide_sitepage_change", args=[page.pk])
    response = post_form(editor_client, url, lambda d: set_field(d, "body", "Drafted body."))
    assert response.status_code == 302
    draft = Draft.objects.get()
    preview_url = reverse("site_page_preview", kwargs={"slug": "about"})
    assert elements(editor_client.get(url), "a", href=preview_url)

    preview = editor_client.get(preview_url)
    assertContains(preview, "Drafted body.")
    assert preview["Cache-Control"] == "private, no-store"
    assert preview["X-Robots-Tag"] == "noindex, nofollow"
    assert public(client, "/about/") == before
    publisher_client.post(action_url("careerguide_sitepage", draft, "publish"))
    assertContains(client.get("/about/"), "Drafted body.")


# -- the admin index


def test_the_index_lists_drafts_waiting_for_review_and_your_drafts(
    editor, editor_client, publisher_client, old_guide
):
    post_form(editor_client, guide_url(old_guide), retitle_stage("Drafted"))
    story = Story.objects.get(guide=old_guide)
    post_form(editor_client, story_url(story), lambda d: set_field(d, "body", "Drafted."))
    guide_draft, story_draft = Draft.objects.order_by("pk")
    services.submit(story_draft, editor)
    Draft.objects.filter(pk=story_draft.pk).update(updated_at=timezone.now())
    services.submit(guide_draft, editor)

    [waiting] = elements(
        publisher_client.get(reverse("admin:index")), "div", id="waiting-for-review"
    )
    links = [a.attributes for a in elements(waiting, "a")]
    assert [dict(a)["href"] for a in links] == [story_url(story), guide_url(old_guide)]

    page = editor_client.get(reverse("admin:index"))
    assert not elements(page, "div", id="waiting-for-review")
    [mine] = elements(page, "div", id="your-drafts")
    assert elements(mine, "h2") == [parse_html("<h2>Your drafts</h2>")]
    assert "waiting for review" in str(mine)
    assert len(elements(mine, "li")) == 2


# -- salary figures (their admin is django-import-export's too)


def test_a_salary_figure_draft_previews_and_its_lists_still_render(
    editor_client, publisher_client, client, old_guide
):
    figure = SalaryFigure.objects.get(guide=old_guide)
    url = reverse("admin:salaries_salaryfigure_change", args=[figure.pk])
    response = post_form(editor_client, url, lambda d: set_field(d, "amount", "61000"))
    assert response.status_code == 302, response.context and response.context["errors"]
    draft = Draft.objects.get()
    assert elements(editor_client.get(url), "div", id="draft-banner")
    preview = editor_client.get(reverse("guide_preview", kwargs={"slug": old_guide.slug}))
    assertContains(preview, '<span class="amount">€61,000</span>', html=True)
    assertNotContains(client.get(old_guide.get_absolute_url()), "€61,000")
    changelist = editor_client.get(reverse("admin:salaries_salaryfigure_changelist"))
    assert changelist.status_code == 200
    assert elements(changelist, "a", href=reverse("admin:salaries_salaryfigure_import"))
    publisher_client.post(action_url("salaries_salaryfigure", draft, "publish"))
    assert SalaryFigure.objects.get(pk=figure.pk).amount == 61000


def test_a_draft_that_no_longer_fits_shows_the_live_form_and_says_so(editor_client, old_guide):
    story = Story.objects.get(guide=old_guide)
    post_form(editor_client, story_url(story), lambda d: set_field(d, "body", "Drafted."))
    draft = Draft.objects.get()
    # As if a constraint had been added since: the draft's value now violates it.
    draft.data = draft.data.replace('"transition_months": 12', '"transition_months": 500')
    draft.save()
    page = editor_client.get(story_url(story))
    assert page.status_code == 200
    assertContains(page, "This draft no longer fits the live content")
    assert form_data(page, "story")["body"] == [story.body]
    assert elements(page, "input", type="submit", value="Discard draft")
