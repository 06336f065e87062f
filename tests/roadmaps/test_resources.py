"""Stage resources (`roadmaps.Resource`): a block of its own, each row in one
stage of its guide; its rules in plain words, the guide's form that offers
only the guide's own stages, the list of its own, history, and the guide page
that shows them for one query more."""

import pytest
import reversion
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from reversion.models import Version

from careerguide.pages import guide_page_queries
from roadmaps import ordering
from roadmaps.admin import ResourceAdmin
from roadmaps.blocks import block_models
from roadmaps.models import Draft, Guide, Resource, Stage
from roadmaps.workflow import services
from tests import factories
from tests.factories import elements
from tests.roadmaps.test_constraint_messages import bound_form, constraint
from tests.roadmaps.test_draft_admin import (
    action_url,
    add_inline_row,
    form_data,
    post_form,
    row_index,
    set_field,
)

pytestmark = pytest.mark.django_db


def stage(guide, n=1, **kw):
    fields = {"month_from": n, "month_to": n, "title": f"Stage {n}", "description": "Learn."}
    fields.update(kw)
    return Stage.objects.create(guide=guide, **fields)


def resource(stage, **kw):
    fields = {"title": "The Python Tutorial", "url": "https://docs.python.org/3/tutorial/"}
    fields.update(kw)
    return Resource.objects.create(guide_id=stage.guide_id, stage=stage, **fields)


def guide_url(guide):
    return reverse("admin:roadmaps_guide_change", args=[guide.pk])


@pytest.fixture
def bare_guide(full_guide):
    """The full guide without the resources it may come with, so that each
    test counts only its own."""
    Resource.objects.filter(guide=full_guide).delete()
    return full_guide


# -- The model's rules


def test_a_resource_belongs_to_a_stage_of_its_own_guide(guide):
    other = stage(factories.guide())
    row = Resource(guide=guide, stage=other, title="Pro Git", url="https://git-scm.com/book/en/v2")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert error.value.message_dict["stage"] == [
        "Choose one of this guide's stages: that stage belongs to another guide."
    ]
    row.stage = stage(guide)
    row.full_clean()  # the guide's own stage: fine


def test_without_a_guide_the_resource_takes_its_stages(guide):
    row = Resource(stage=stage(guide), title="Pro Git", url="https://git-scm.com/book/en/v2")
    row.full_clean(exclude={"guide", "position"})
    assert row.guide_id == guide.pk


def test_an_address_that_is_no_web_page_is_refused_next_to_the_url(guide):
    row = resource(stage(guide))
    message = constraint(Resource, "resource_url_web").violation_error_message
    assert message == "The URL is a web address: it starts with https:// (or http://)."
    form = bound_form(row, url="ftp://example.org/manual")  # a URL Django's check lets by
    assert not form.is_valid()
    assert form.errors["url"] == [message]
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=row.pk).update(url="ftp://example.org/manual")


def test_an_unknown_kind_is_refused_in_plain_words_and_by_the_database(guide):
    row = resource(stage(guide))
    rule = constraint(Resource, "resource_kind_known")
    row.kind = "podcast"
    with pytest.raises(ValidationError) as error:
        rule.validate(Resource, row)
    assert error.value.message_dict == {
        "kind": ["The kind is documentation, tutorial, course, book or video."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(pk=row.pk).update(kind="podcast")


def test_a_stage_links_a_url_once(guide):
    first = resource(stage(guide))
    twin = Resource(guide=guide, stage=first.stage, title="Again", url=first.url)
    with pytest.raises(ValidationError) as error:
        twin.full_clean(exclude={"position"})
    assert error.value.messages == ["This stage already links this URL."]
    # Another stage may link it too.
    Resource(guide=guide, stage=stage(guide, 2), title="Again", url=first.url).full_clean(
        exclude={"position"}
    )


def test_deleting_a_stage_deletes_its_resources(guide):
    doomed, kept = stage(guide), stage(guide, 2)
    resource(doomed)
    survivor = resource(kept, url="https://git-scm.com/book/en/v2")
    doomed.delete()
    assert list(Resource.objects.all()) == [survivor]
    assert Resource._meta.get_field("stage").remote_field.on_delete.__name__ == "CASCADE"


def test_resources_are_ordered_within_their_guide_like_every_block(guide):
    first, second = stage(guide), stage(guide, 2)
    rows = [resource(second, url="https://a.example/"), resource(first, url="https://b.example/")]
    assert [r.position for r in rows] == [0, 1]
    assert list(Resource.objects.filter(guide=guide)) == rows
    assert "roadmaps_resource_position" in {c.name for c in Resource._meta.constraints}


def test_a_stage_groups_its_resources_by_price_and_kind(guide):
    s = stage(guide)
    python = resource(s)
    node = resource(s, title="Node.js", url="https://nodejs.org/en/learn")
    course = resource(
        s, title="Missing Semester", url="https://missing.csail.mit.edu/", kind="course"
    )
    book = resource(
        s, title="A paid book", url="https://books.example/", kind="book", is_free=False
    )
    assert s.resource_groups == [
        ("Free documentation", [python, node]),
        ("Free course", [course]),
        ("Paid book", [book]),
    ]


def add_pro_git(data, in_stage, **fields):
    """The guide form's data with a new resource row, Pro Git, in `in_stage`."""
    add_inline_row(
        data,
        "resource_set",
        stage=str(in_stage.pk),
        title="Pro Git",
        url="https://git-scm.com/book/en/v2",
        kind="book",
        is_free="on",
        **fields,
    )


# -- The admin


def test_the_guide_form_offers_only_the_guides_own_stages(full_guide, publisher_client):
    stage(factories.guide(), title="Another guide's stage")
    response = publisher_client.get(guide_url(full_guide))
    # The empty row a new resource is made from.
    [select] = elements(response, "select", name="resource_set-__prefix__-stage")
    offered = [dict(o.attributes).get("value") for o in elements(select, "option")]
    assert offered == ["", *(str(pk) for pk in full_guide.stage_set.values_list("pk", flat=True))]
    # No add or change links beside it: stages are edited in this same form.
    assertNotContains(response, 'id="add_id_resource_set')
    assertNotContains(response, 'id="change_id_resource_set')


def test_a_forged_stage_of_another_guide_is_refused(full_guide, publisher_client):
    foreign = stage(factories.guide())

    def edit(data):
        add_pro_git(data, foreign)

    response = post_form(publisher_client, guide_url(full_guide), edit, button="_save")
    assert response.status_code == 200
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.model is Resource
    )
    assert "stage" in formset.formset.forms[-1].errors
    assert not Resource.objects.filter(title="Pro Git").exists()


def test_a_resource_added_on_the_guide_form_is_shown_in_its_stage(
    full_guide, publisher_client, client
):
    first = full_guide.stage_set.get()

    def edit(data):
        add_pro_git(data, first, note="chapters 1 to 3")

    response = post_form(publisher_client, guide_url(full_guide), edit, button="_save")
    assert response.status_code == 302, response.context and response.context["errors"]
    added = Resource.objects.get(title="Pro Git")
    assert (added.guide, added.stage) == (full_guide, first)
    page = client.get(full_guide.get_absolute_url())
    assertContains(
        page,
        '<li><a href="https://git-scm.com/book/en/v2">Pro Git</a> '
        '<span class="resource-note">(chapters 1 to 3)</span></li>',
        html=True,
    )
    assertContains(page, "<dt>Free book</dt>", html=True)


def test_deleting_a_stage_on_the_guide_form_takes_its_resources_and_closes_the_gaps(
    bare_guide, publisher_client
):
    first = bare_guide.stage_set.get()
    second = stage(bare_guide, 2, title="Second stage")
    resource(second, url="https://a.example/")
    kept = resource(first, url="https://b.example/")
    resource(second, url="https://c.example/", title="Edited with its stage")
    factories.save_revision(bare_guide, comment="Before")

    def edit(data):
        data[f"stage_set-{row_index(data, 'stage_set', 'id', str(second.pk))}-DELETE"] = ["on"]
        # The editor also changed a resource of that stage in the same save.
        n = row_index(data, "resource_set", "title", "Edited with its stage")
        set_field(data, f"resource_set-{n}-title", "Changed, then gone")

    response = post_form(publisher_client, guide_url(bare_guide), edit, button="_save")
    assert response.status_code == 302
    assert list(Resource.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.position == 0  # gapless again
    assert not Resource.objects.filter(title="Changed, then gone").exists()

    # One revert of the guide's revision before brings the stage and its resources back.
    before = Version.objects.get_for_object(bare_guide).get(revision__comment="Before")
    groups = {(Resource, bare_guide.pk), (Stage, bare_guide.pk)}
    with transaction.atomic(), reversion.create_revision():
        ordering.park_groups(groups)  # as the admin's revert does (`ContentAdmin`)
        before.revision.revert(delete=True)
        ordering.arrange(groups=groups).finish()
    assert Stage.objects.filter(pk=second.pk).exists()
    assert Resource.objects.filter(stage=second).count() == 2


def test_the_resource_list_filters_by_guide_and_stage(bare_guide, publisher_client):
    assert ResourceAdmin.list_filter[:2] == ["guide", "stage"]
    row = resource(bare_guide.stage_set.get())
    url = reverse("admin:roadmaps_resource_changelist")
    response = publisher_client.get(url, {"guide__id__exact": bare_guide.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [row]
    response = publisher_client.get(url, {"stage__id__exact": row.stage_id})
    assert list(response.context["cl"].queryset) == [row]


def test_the_resources_own_form_takes_the_guide_from_the_stage(full_guide, publisher_client):
    first = full_guide.stage_set.get()
    add = reverse("admin:roadmaps_resource_add")
    form = publisher_client.get(add)
    assert "guide" not in form.context["adminform"].form.fields
    [option] = [
        o for o in elements(form, "option") if dict(o.attributes).get("value") == str(first.pk)
    ]
    assert f"{full_guide}: {first}" in option.children
    data = form_data(form, "resource")
    data.update(
        stage=[str(first.pk)],
        title=["Pro Git"],
        kind=["book"],
        url=["https://git-scm.com/book/en/v2"],
        is_free=["on"],
        _save=["1"],
    )
    response = publisher_client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Resource.objects.get(title="Pro Git").guide == full_guide


def test_an_existing_resource_stays_in_its_guide(full_guide, publisher_client):
    row = resource(full_guide.stage_set.get())
    elsewhere = stage(factories.guide(), title="Elsewhere")
    response = publisher_client.get(reverse("admin:roadmaps_resource_change", args=[row.pk]))
    [select] = elements(response, "select", name="stage")
    values = {dict(o.attributes).get("value") for o in elements(select, "option")}
    assert str(row.stage_id) in values and str(elsewhere.pk) not in values


def test_an_editors_resource_is_a_draft_until_a_publisher_publishes_it(
    bare_guide, editor_client, publisher_client, client
):
    first = bare_guide.stage_set.get()

    def edit(data):
        add_pro_git(data, first)

    response = post_form(editor_client, guide_url(bare_guide), edit)  # "Save draft"
    assert response.status_code == 302
    assert not Resource.objects.exists()
    assertNotContains(client.get(bare_guide.get_absolute_url()), "Pro Git")
    [draft] = Draft.objects.all()
    published = publisher_client.post(action_url("roadmaps_guide", draft, "publish"))
    assert published.status_code == 302
    assert Resource.objects.get().stage == first
    assertContains(client.get(bare_guide.get_absolute_url()), "Pro Git")


def test_a_draft_adds_a_stage_then_its_resources_and_publishing_links_them(
    bare_guide, editor, publisher
):
    def add_stage(guide):
        stage(guide, 4, title="Drafted stage")

    def add_resource(guide):
        drafted = Stage.objects.get(guide=guide, title="Drafted stage")
        resource(drafted, title="Drafted docs", url="https://docs.example.org/")

    factories.draft_of_edit(bare_guide, editor, add_stage)
    draft = factories.draft_of_edit(bare_guide, editor, add_resource)
    assert not Stage.objects.filter(title="Drafted stage").exists()  # nothing live yet
    assert not Resource.objects.exists()

    services.publish(draft, publisher)
    live = Resource.objects.get(title="Drafted docs")
    # The stage got a new id when published; the resource follows it.
    assert (live.stage.title, live.guide, live.position) == ("Drafted stage", bare_guide, 0)


# -- History


def test_resources_have_history_like_every_block():
    assert Resource in block_models(inline=True)
    assert reversion.is_registered(Resource)
    assert isinstance(admin.site._registry[Resource], ResourceAdmin)
    assert "resource_set" in reversion.revisions._get_options(Guide).follow
    # The walk reverts an edit and recovers a deletion of every model editors change.
    from tests.roadmaps.test_undo_walk import BUILDERS, walked_models

    assert "roadmaps.resource" in BUILDERS
    assert Resource in walked_models()


# -- The guide page


def test_the_guide_page_shows_each_stages_resources_for_one_query_more(
    client, bare_guide, django_assert_num_queries
):
    first = bare_guide.stage_set.get()
    second = stage(bare_guide, 2, title="Second stage")
    resource(first)
    resource(
        first, title="Pro Git", url="https://git-scm.com/book/en/v2", kind="book", is_free=False
    )
    resource(second, title="Docker: Get started", url="https://docs.docker.com/get-started/")
    # The Resource block is on the page: one query (the stages' prefetch), 16 in all.
    assert Resource in block_models(on_page=True)
    assert guide_page_queries() == 16
    with django_assert_num_queries(16):
        response = client.get(bare_guide.get_absolute_url())
    [path] = elements(response, "section", id="path")
    lists = elements(path, "dl", **{"class": "resources"})
    assert len(lists) == 2  # one per stage that has resources
    assertContains(
        response,
        '<dl class="resources"><div><dt>Free documentation</dt><dd><ul><li>'
        '<a href="https://docs.python.org/3/tutorial/">The Python Tutorial</a></li></ul></dd>'
        "</div><div><dt>Paid book</dt><dd><ul><li>"
        '<a href="https://git-scm.com/book/en/v2">Pro Git</a></li></ul></dd></div></dl>',
        html=True,
    )
    assert len(elements(lists[1], "a", href="https://docs.docker.com/get-started/")) == 1


def test_a_stage_without_resources_shows_no_resource_heading(client, bare_guide):
    response = client.get(bare_guide.get_absolute_url())
    assertNotContains(response, "<h4>Resources</h4>", html=True)
    assert not elements(response, "dl", **{"class": "resources"})
