"""Review required (roadmaps.workflow.enforce): an editor's write to live content
is refused by the server on every admin path but the change form's Save (which
saves a draft); a publisher's succeeds. Unpublishing a live guide first lists
the addresses that will answer 404. Review steps send email."""

import logging

import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.html import parse_html
from django.urls import reverse
from pytest_django.asserts import assertContains
from reversion.models import Version

from careerguide.models import SitePage
from roadmaps.models import FAQ, Draft, DraftEvent, Guide, Person, Skill, Stage
from roadmaps.workflow import enforce, services
from salaries.models import SalaryFigure
from salaries.resources import SalaryFigureResource
from stories.models import Story
from tests import factories
from tests.factories import elements, save_revision

pytestmark = pytest.mark.django_db

REFUSED = enforce.MESSAGE


def assert_refused(response, message=REFUSED):
    """A 403 in the admin, saying why."""
    assertContains(
        response, f'<p class="errornote" id="refused">{message}</p>', status_code=403, html=True
    )


@pytest.fixture
def draft_guide(db):
    """An unpublished guide with a row in every section: a draft in all but name."""
    return factories.full_guide(is_published=False)


# The rule


def test_live_is_what_the_public_sees(full_guide, draft_guide):
    story = Story.objects.get(guide=full_guide)
    figure = SalaryFigure.objects.get(guide=full_guide)
    assert enforce.is_live(full_guide)
    assert enforce.is_live(Stage.objects.get(guide=full_guide))
    assert enforce.is_live(story) and enforce.is_live(figure)
    assert not enforce.is_live(draft_guide)
    assert not enforce.is_live(Stage.objects.get(guide=draft_guide))
    assert not enforce.is_live(Story.objects.get(guide=draft_guide))  # published, guide is not
    assert not enforce.is_live(factories.story(full_guide, is_published=False))
    assert not enforce.is_live(factories.figure(full_guide, segment="Hidden", is_published=False))
    page = SitePage.objects.create(slug="x", title="X", description="d", body="b")
    assert enforce.is_live(page)
    assert not enforce.is_live(Person.objects.create(name="P", slug="p"))


def test_may_write_live(full_guide, draft_guide, editor, publisher):
    stage = Stage.objects.get(guide=full_guide)
    assert enforce.may_write_live(publisher, stage)
    assert not enforce.may_write_live(editor, stage)
    assert enforce.may_write_live(editor, Stage.objects.get(guide=draft_guide))
    # Publishing an unpublished story is a live write (checked as it will be).
    story = factories.story(full_guide, is_published=False)
    assert enforce.may_write_live(editor, story)
    story.is_published = True
    assert not enforce.may_write_live(editor, story)
    # ... and so is unpublishing a live one (checked as it is stored).
    live = Story.objects.get(guide=full_guide, first_name="Olga")
    live.is_published = False
    assert not enforce.may_write_live(editor, live)
    with pytest.raises(enforce.LiveWriteRefused, match="save a draft"):
        enforce.require_write_live(editor, live)
    # Inside a rolled-back transaction (a draft being captured) nothing is live.
    with services.rolled_back():
        assert enforce.may_write_live(editor, stage)
    with override_settings(REVIEW_REQUIRED=False):
        assert enforce.may_write_live(editor, stage)


# List edits


def list_edit(client, url, obj, **changes):
    """POST the change list's formset as the browser would, with `changes`
    made to `obj`'s row."""
    formset = client.get(url).context["cl"].formset
    management = formset.management_form
    data = {management.add_prefix(k): v for k, v in management.initial.items()}
    data["_save"] = "Save"
    for form in formset.forms:
        values = {name: form.initial.get(name) for name in form.fields}
        values["id"] = form.instance.pk
        if form.instance.pk == obj.pk:
            values.update(changes)
        for name, value in values.items():
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:  # 0 is a value
                data[form.add_prefix(name)] = value
    return client.post(url, data)


FIGURES = "admin:salaries_salaryfigure_changelist"


def test_list_edit_of_a_live_figure(editor_client, publisher_client, full_guide):
    figure = SalaryFigure.objects.get(guide=full_guide)
    url = reverse(FIGURES)
    for field, value in [("amount", 60000), ("p25", 40000), ("p75", 70000)]:
        response = list_edit(editor_client, url, figure, **{field: value})
        assert_refused(response)
    figure.refresh_from_db()
    assert (figure.amount, figure.p25, figure.p75) == (53000, None, None)
    # Unpublishing it is a live write too.
    assert list_edit(editor_client, url, figure, is_published=False).status_code == 403
    assert SalaryFigure.objects.get(pk=figure.pk).is_published

    assert list_edit(publisher_client, url, figure, amount=60000).status_code == 302
    figure.refresh_from_db()
    assert figure.amount == 60000


def test_list_edit_of_an_unpublished_figure_is_an_editors_to_make(editor_client, full_guide):
    hidden = factories.figure(full_guide, segment="Hidden", is_published=False)
    response = list_edit(editor_client, reverse(FIGURES), hidden, amount=61000)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.amount == 61000
    # ... but ticking "published" makes it live: refused.
    response = list_edit(editor_client, reverse(FIGURES), hidden, is_published=True)
    assert response.status_code == 403
    assert not SalaryFigure.objects.get(pk=hidden.pk).is_published


def test_list_edit_of_story_flags(editor_client, publisher_client, full_guide):
    url = reverse("admin:stories_story_changelist")
    draft = factories.story(full_guide, first_name="Newcomer", is_published=False)
    live = Story.objects.get(guide=full_guide, first_name="Olga")
    assert list_edit(editor_client, url, draft, is_published=True).status_code == 403
    assert list_edit(editor_client, url, live, is_published=False).status_code == 403
    assert list_edit(editor_client, url, draft, position=5).status_code == 302  # still a draft
    assert Story.objects.filter(is_published=True).get() == live

    assert list_edit(publisher_client, url, draft, is_published=True).status_code == 302
    assert Story.objects.get(pk=draft.pk).is_published


def second_stage(guide):
    return Stage.objects.create(
        guide=guide, month_from=4, month_to=6, title="Stage Two", description="Two."
    )


def test_reordering_blocks_and_guides(editor_client, publisher_client, full_guide, draft_guide):
    url = reverse("admin:roadmaps_stage_changelist")
    live = Stage.objects.get(guide=full_guide)
    hidden = Stage.objects.get(guide=draft_guide)
    live_two, hidden_two = second_stage(full_guide), second_stage(draft_guide)
    assert list_edit(editor_client, url, live, position=7).status_code == 403
    assert Stage.objects.get(pk=live.pk).position == 0
    # A number past the end puts the row last; the others close up.
    assert list_edit(editor_client, url, hidden, position=7).status_code == 302
    assert list(draft_guide.stage_set.values_list("pk", "position")) == [
        (hidden_two.pk, 0),
        (hidden.pk, 1),
    ]
    guides = reverse("admin:roadmaps_guide_changelist")
    assert list_edit(editor_client, guides, full_guide, position=3).status_code == 403
    assert Guide.objects.get(pk=full_guide.pk).position == 0

    assert list_edit(publisher_client, url, live, position=7).status_code == 302
    assert list(full_guide.stage_set.values_list("pk", "position")) == [
        (live_two.pk, 0),
        (live.pk, 1),
    ]
    assert list_edit(publisher_client, guides, draft_guide, position=0).status_code == 302
    assert list(Guide.objects.values_list("pk", "position")) == [
        (draft_guide.pk, 0),
        (full_guide.pk, 1),
    ]


def test_with_review_off_editors_write_live_content(editor_client, full_guide):
    figure = SalaryFigure.objects.get(guide=full_guide)
    with override_settings(REVIEW_REQUIRED=False):
        assert list_edit(editor_client, reverse(FIGURES), figure, amount=60000).status_code == 302
    assert SalaryFigure.objects.get(pk=figure.pk).amount == 60000


# Publish and unpublish actions


def action(client, name, objs, **extra):
    url = reverse(f"admin:{objs[0]._meta.app_label}_{objs[0]._meta.model_name}_changelist")
    return client.post(url, {"action": name, "_selected_action": [o.pk for o in objs], **extra})


def test_publish_action_is_for_publishers(editor_client, publisher_client, full_guide, publisher):
    story = factories.story(full_guide, first_name="Newcomer", is_published=False)
    response = editor_client.get(reverse("admin:stories_story_changelist"))
    choices = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "publish" not in choices and "unpublish" not in choices
    response = action(editor_client, "publish", [story])
    assert response.status_code == 403
    assert not Story.objects.get(pk=story.pk).is_published

    assert action(publisher_client, "publish", [story]).status_code == 302
    assert Story.objects.get(pk=story.pk).is_published
    event = DraftEvent.objects.get(action=DraftEvent.Action.PUBLISHED)
    assert (event.object_id, event.user) == (story.pk, publisher)


def test_unpublish_action_on_figures(editor_client, publisher_client, full_guide):
    figure = SalaryFigure.objects.get(guide=full_guide)
    assert action(editor_client, "unpublish", [figure]).status_code == 403
    assert SalaryFigure.objects.get(pk=figure.pk).is_published
    assert action(publisher_client, "unpublish", [figure]).status_code == 302
    assert not SalaryFigure.objects.get(pk=figure.pk).is_published
    assert DraftEvent.objects.filter(action="unpublished", object_id=figure.pk).exists()


# The block admins' own forms


def _form_values(form, data):
    values = {**form.initial}
    if form.instance.pk is not None and form._meta.model._meta.pk.name in form.fields:
        values[form._meta.model._meta.pk.name] = form.instance.pk
    for name, value in values.items():
        if name in {"created_at", "updated_at"} or name not in form.fields:
            continue
        key = form.add_prefix(name)
        if isinstance(value, list):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif value is True:
            data[key] = "on"
        elif value is not None and value is not False:  # 0 is a value
            data[key] = getattr(value, "pk", value)


def change_form_data(client, url):
    """The change form's POST data, unchanged: its fields and inline rows."""
    context = client.get(url).context
    data = {}
    _form_values(context["adminform"].form, data)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.initial_forms:
            _form_values(form, data)
    return data


@pytest.mark.parametrize("model", [Stage, Skill, FAQ])
def test_block_admin_forms(editor_client, publisher_client, full_guide, draft_guide, model):
    info = f"admin:roadmaps_{model._meta.model_name}"
    live = model.objects.filter(guide=full_guide).first()
    url = reverse(f"{info}_change", args=[live.pk])
    data = change_form_data(editor_client, url)
    data["position"] = 9
    response = editor_client.post(url, data)
    assert response.status_code == 403
    assert model.objects.get(pk=live.pk).position == 0
    # Adding a row to a live guide, or moving a row onto it, is refused too.
    text_field = {Stage: "title", Skill: "name", FAQ: "question"}[model]
    add = editor_client.post(reverse(f"{info}_add"), data | {text_field: "A new row"})
    assert add.status_code == 403
    hidden = model.objects.filter(guide=draft_guide).first()
    hidden_url = reverse(f"{info}_change", args=[hidden.pk])
    moved = change_form_data(editor_client, hidden_url) | {
        "guide": full_guide.pk,
        text_field: "A moved row",
    }
    assert editor_client.post(hidden_url, moved).status_code == 403
    assert model.objects.get(pk=hidden.pk).guide == draft_guide
    # A draft guide's row is an editor's to change.
    kept = change_form_data(editor_client, hidden_url) | {text_field: "Renamed"}
    assert editor_client.post(hidden_url, kept).status_code == 302
    assert str(getattr(model.objects.get(pk=hidden.pk), text_field)) == "Renamed"

    # Order 9 puts the row last among its guide's rows.
    assert publisher_client.post(url, data).status_code == 302
    assert (
        model.objects.get(pk=live.pk).position == model.objects.filter(guide=full_guide).count() - 1
    )


# Deletes


def test_deleting_live_content(editor_client, publisher_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    url = reverse("admin:stories_story_delete", args=[story.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    faq = FAQ.objects.get(guide=full_guide)
    faq_url = reverse("admin:roadmaps_faq_delete", args=[faq.pk])
    assert editor_client.post(faq_url, {"post": "yes"}).status_code == 403
    assert Story.objects.filter(pk=story.pk).exists() and FAQ.objects.filter(pk=faq.pk).exists()
    # The change form offers no Delete link either.
    change = editor_client.get(reverse("admin:stories_story_change", args=[story.pk]))
    assert not elements(change, "a", href=url)

    assert publisher_client.post(url, {"post": "yes"}).status_code == 302
    assert publisher_client.post(faq_url, {"post": "yes"}).status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not FAQ.objects.filter(pk=faq.pk).exists()


def test_bulk_delete_of_live_figures(editor_client, publisher_client, full_guide):
    live = SalaryFigure.objects.get(guide=full_guide)
    hidden = factories.figure(full_guide, segment="Hidden", is_published=False)
    response = action(editor_client, "delete_selected", [live, hidden], post="yes")
    assert response.status_code == 403
    assert SalaryFigure.objects.count() == 2
    # Only unpublished rows: deleted.
    assert action(editor_client, "delete_selected", [hidden], post="yes").status_code == 302
    assert not SalaryFigure.objects.filter(pk=hidden.pk).exists()

    assert action(publisher_client, "delete_selected", [live], post="yes").status_code == 302
    assert not SalaryFigure.objects.exists()


def test_a_draft_guides_story_is_deleted_by_an_editor(editor_client, draft_guide):
    story = Story.objects.get(guide=draft_guide)
    url = reverse("admin:stories_story_delete", args=[story.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not Story.objects.filter(pk=story.pk).exists()


# CSV import


def upload_changing_the_live_figure(amount=54000):
    dataset = SalaryFigureResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row["amount"] = amount
    upload = tablib.Dataset(headers=dataset.headers)
    upload.append([row[h] for h in dataset.headers])
    return {
        "format": "0",
        "resource": "0",
        "import_file": SimpleUploadedFile("figures.csv", upload.csv.encode()),
    }


IMPORT = "admin:salaries_salaryfigure_import"
CONFIRM = "admin:salaries_salaryfigure_process_import"


def test_importing_into_a_live_figure(editor_client, publisher_client, full_guide):
    response = editor_client.post(reverse(IMPORT), upload_changing_the_live_figure())
    assert_refused(
        response,
        "This file changes live content: only a publisher can import it. "
        "Save the changes as drafts and submit them for review.",
    )
    assert SalaryFigure.objects.get().amount == 53000

    preview = publisher_client.post(reverse(IMPORT), upload_changing_the_live_figure())
    assert preview.status_code == 200
    assert preview.context["result"].totals["update"] == 1
    confirm = dict(preview.context["confirm_form"].initial)
    # An editor replaying the publisher's confirmation is refused (the upload is
    # the publisher's, so its name means nothing to the editor): nothing saved.
    assert editor_client.post(reverse(CONFIRM), confirm).status_code == 400
    assert SalaryFigure.objects.get().amount == 53000

    preview = publisher_client.post(reverse(IMPORT), upload_changing_the_live_figure())
    confirm = dict(preview.context["confirm_form"].initial)
    assert publisher_client.post(reverse(CONFIRM), confirm).status_code == 302
    assert SalaryFigure.objects.get().amount == 54000


def test_importing_into_a_draft_guide_is_an_editors_to_do(editor_client, draft_guide):
    preview = editor_client.post(reverse(IMPORT), upload_changing_the_live_figure(55000))
    assert preview.status_code == 200
    confirm = dict(preview.context["confirm_form"].initial)
    assert editor_client.post(reverse(CONFIRM), confirm).status_code == 302
    assert SalaryFigure.objects.get().amount == 55000


# History: revert and recover


def test_reverting_a_live_story(editor_client, publisher_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    save_revision(story)
    old = Version.objects.get_for_object(story).get()
    story.body = "The current body."
    save_revision(story)
    url = reverse("admin:stories_story_revision", args=[story.pk, old.pk])
    data = change_form_data(editor_client, url)  # looking is allowed
    assert editor_client.post(url, data).status_code == 403
    assert Story.objects.get(pk=story.pk).body == "The current body."

    assert publisher_client.post(url, data).status_code == 302
    assert Story.objects.get(pk=story.pk).body == old.field_dict["body"]


def test_reverting_a_guide_to_an_unpublished_version(editor_client, publisher_client, guide):
    guide.is_published = False
    save_revision(guide)
    unpublished = Version.objects.get_for_object(guide).get()
    guide.is_published = True
    save_revision(guide)
    url = reverse("admin:roadmaps_guide_revision", args=[guide.pk, unpublished.pk])
    data = change_form_data(editor_client, url)
    assert editor_client.post(url, data).status_code == 403
    assert Guide.objects.get(pk=guide.pk).is_published
    assert publisher_client.post(url, data).status_code == 302
    assert not Guide.objects.get(pk=guide.pk).is_published


def test_recovering_a_deleted_live_story(editor_client, publisher_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    save_revision(story)
    publisher_client.post(reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"})
    deleted = Version.objects.get_deleted(Story).get()
    url = reverse("admin:stories_story_recover", args=[deleted.pk])
    data = change_form_data(editor_client, url)
    assert editor_client.post(url, data).status_code == 403
    assert not Story.objects.filter(pk=story.pk).exists()

    assert publisher_client.post(url, data).status_code == 302
    assert Story.objects.filter(pk=story.pk, body=story.body).exists()


# Unpublishing a live guide


def test_unpublishing_a_guide_lists_what_answers_404_then_unpublishes(
    publisher_client, full_guide, publisher, settings
):
    reviewer = Person.objects.create(name="Rita Reviewer", slug="rita")
    both = Person.objects.create(name="Bo Both", slug="bo")
    full_guide.reviewed_by = reviewer
    full_guide.save()
    factories.guide(reviewed_by=both)  # keeps Bo's page alive
    second = factories.guide(reviewed_by=both)

    response = action(publisher_client, "unpublish", [full_guide, second])
    assert response.status_code == 200
    assert Guide.objects.get(pk=full_guide.pk).is_published  # nothing yet
    [box] = elements(response, "div", id="urls-answering-404")
    hrefs = [dict(a.attributes)["href"] for a in elements(box, "a")]
    site = settings.SITE_URL
    slug = full_guide.slug
    assert hrefs[:3] == [
        site + reverse("guide", kwargs={"slug": slug}),
        site + reverse("guide_card", kwargs={"slug": slug}),
        site + reverse("plan", kwargs={"slug": slug}),
    ]
    assert site + reverse("guide", kwargs={"slug": second.slug}) in hrefs
    assert site + reverse("person", kwargs={"slug": "rita"}) in hrefs
    assert site + reverse("person", kwargs={"slug": "bo"}) not in hrefs
    assert elements(box, "h2")[-1] == parse_html("<h2>People</h2>")
    [form] = elements(response, "form", id="unpublish-confirm")
    assert elements(form, "input", name="confirm", value="yes")
    assert len(elements(form, "input", name="_selected_action")) == 2

    confirmed = action(publisher_client, "unpublish", [full_guide, second], confirm="yes")
    assert confirmed.status_code == 302
    assert not Guide.objects.filter(pk__in=[full_guide.pk, second.pk], is_published=True)
    events = DraftEvent.objects.filter(action="unpublished", user=publisher)
    assert set(events.values_list("object_id", flat=True)) == {full_guide.pk, second.pk}
    anonymous = Client()
    assert anonymous.get(full_guide.get_absolute_url()).status_code == 404
    assert anonymous.get(reverse("person", kwargs={"slug": "rita"})).status_code == 404


def test_unpublishing_a_guide_is_for_publishers(editor_client, full_guide):
    assert action(editor_client, "unpublish", [full_guide]).status_code == 403
    assert action(editor_client, "unpublish", [full_guide], confirm="yes").status_code == 403
    assert Guide.objects.get(pk=full_guide.pk).is_published


def test_unpublished_guides_need_no_confirmation(publisher_client, draft_guide):
    response = action(publisher_client, "unpublish", [draft_guide])
    assert response.status_code == 302


# Email


def make_draft(obj, author):
    return Draft.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj),
        data="{}",
        created_by=author,
        updated_by=author,
    )


@pytest.fixture
def author(editor):
    editor.email = "edna@example.org"
    editor.first_name, editor.last_name = "Edna", "Editor"
    editor.save()
    return editor


def test_submitting_emails_every_active_publisher(
    full_guide, author, publisher, mailoutbox, django_capture_on_commit_callbacks, settings
):
    publishers = Group.objects.get(name="Publishers")
    for name, email, active in [("no-mail", "", True), ("gone", "gone@example.org", False)]:
        User.objects.create_user(name, email=email, is_active=active).groups.add(publishers)
    User.objects.create_user("eve", email="eve@example.org").groups.add(
        Group.objects.get(name="Editors")
    )
    draft = make_draft(full_guide, author)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(draft, author, "New salary intro & stages.")
    [mail] = mailoutbox
    assert mail.to == ["pia@example.org"]
    assert mail.subject == f"Review requested: {full_guide}"
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    link = settings.SITE_URL + reverse("admin:roadmaps_guide_change", args=[full_guide.pk])
    assert f'Edna Editor submitted a draft of "{full_guide}" for review.' in mail.body
    assert "New salary intro & stages." in mail.body  # plain text: not escaped
    assert link in mail.body


@pytest.mark.parametrize(
    ("step", "subject", "line"),
    [
        (services.send_back, "Sent back for changes", "pia sent your draft of"),
        (services.approve, "Approved", "pia approved your draft of"),
    ],
)
def test_review_outcomes_email_the_author(
    full_guide, author, publisher, mailoutbox, django_capture_on_commit_callbacks, step, subject,
    line,
):  # fmt: skip
    story = Story.objects.get(guide=full_guide)
    draft = make_draft(story, author)
    with django_capture_on_commit_callbacks(execute=True):
        step(draft, publisher, "Shorter, please.")
    [mail] = mailoutbox
    assert mail.to == ["edna@example.org"]
    assert mail.subject == f"{subject}: {story}"
    assert f'{line} "{story}"' in mail.body
    assert "Shorter, please." in mail.body
    assert reverse("admin:stories_story_change", args=[story.pk]) in mail.body


def test_a_new_items_draft_links_to_its_draft_page(
    full_guide, author, publisher, mailoutbox, django_capture_on_commit_callbacks, settings
):
    draft = make_draft(full_guide, author)
    draft.object_id = None  # a guide not live yet
    draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(draft, publisher)
    [mail] = mailoutbox
    link = settings.SITE_URL + reverse("admin:roadmaps_guide_draft", args=[draft.pk])
    assert link in mail.body


def test_no_email_for_an_author_without_an_address_nor_for_other_steps(
    full_guide, editor, publisher, mailoutbox, django_capture_on_commit_callbacks
):
    draft = make_draft(full_guide, editor)  # the editor has no address
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(draft, publisher)
        services.record(DraftEvent.Action.SAVED, draft=draft, user=editor)
    assert mailoutbox == []


def test_no_email_for_a_step_rolled_back(full_guide, author, publisher, mailoutbox):
    """Mail goes out on commit: the test's transaction never commits."""
    services.submit(make_draft(full_guide, author), author)
    assert mailoutbox == []


def test_a_mail_outage_never_breaks_the_step(
    full_guide, author, publisher, mailoutbox, django_capture_on_commit_callbacks, caplog,
    monkeypatch,
):  # fmt: skip
    def down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("roadmaps.workflow.notify.send_mail", down)
    draft = make_draft(full_guide, author)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        services.submit(draft, author)
    assert Draft.objects.get(pk=draft.pk).state == Draft.State.SUBMITTED
    assert "review email not sent" in caplog.text


def test_the_preview_banner_still_shows_for_a_publisher(publisher_client, full_guide):
    """Publishers are staff: the staff-only preview opens for them."""
    response = publisher_client.get(reverse("guide_preview", kwargs={"slug": full_guide.slug}))
    assertContains(response, "Preview for editors", status_code=200)


def test_live_site_pages_are_reviewed_like_guides(editor_client, publisher_client):
    """Bug: the site pages' admin was not a ContentAdmin, so an editor could
    unpublish or delete a live page with no review."""
    from careerguide.models import SitePage

    page = SitePage.objects.create(slug="about", title="About", description="d", body="Text.")
    url = reverse("admin:careerguide_sitepage_changelist")
    assert list_edit(editor_client, url, page, is_published=False).status_code == 403
    delete = reverse("admin:careerguide_sitepage_delete", args=[page.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert SitePage.objects.get(pk=page.pk).is_published

    assert list_edit(publisher_client, url, page, is_published=False).status_code == 302
    assert not SitePage.objects.get(pk=page.pk).is_published
