"""Editor-controlled order (`roadmaps.ordering`): positions stay unique (a
database rule) and gapless through every path that writes them: the guide's
inline rows, change-list edits, a block's own form, deletes, reverts and
recoveries, publishing a draft, imports and their undo. A swap never passes
through negative numbers (`position` is unsigned): rows are parked above
`ordering.PARK` inside the transaction instead."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from reversion.models import Version

from roadmaps import ordering
from roadmaps.models import FAQ, Guide, Skill, Stage
from roadmaps.workflow import services
from roadmaps.workflow.models import Draft
from tests import factories
from tests.conftest import login_verified
from tests.roadmaps.test_draft_admin import form_data, guide_url, row_index, set_field

pytestmark = pytest.mark.django_db


def three_faqs(guide):
    first = FAQ.objects.get(guide=guide)
    second = FAQ.objects.create(guide=guide, question="Second?", answer="Two.")
    third = FAQ.objects.create(guide=guide, question="Third?", answer="Three.")
    return first, second, third


def order(guide, model=FAQ):
    return list(model.objects.filter(guide=guide).order_by("position").values_list("pk", flat=True))


def positions(guide, model=FAQ):
    return list(
        model.objects.filter(guide=guide).order_by("position").values_list("position", flat=True)
    )


def guide_form(client, guide):
    page = client.get(guide_url(guide))
    assert page.status_code == 200
    return form_data(page, "guide")


def set_position(data, prefix, pk, value):
    set_field(data, f"{prefix}-{row_index(data, prefix, 'id', str(pk))}-position", str(value))


def test_new_rows_go_last_and_the_database_refuses_a_tie(full_guide):
    *_, third = three_faqs(full_guide)
    assert positions(full_guide) == [0, 1, 2]
    with pytest.raises(IntegrityError), transaction.atomic():
        FAQ.objects.filter(pk=third.pk).update(position=0)


def test_a_swap_in_the_guide_form_saves_both_rows_with_one_revision(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    data = guide_form(publisher_client, full_guide)
    set_position(data, "faq_set", first.pk, 2)
    set_position(data, "faq_set", third.pk, 0)
    versions = Version.objects.get_for_object(full_guide).count()
    response = publisher_client.post(guide_url(full_guide), {**data, "_save": ["1"]})
    assert response.status_code == 302
    assert order(full_guide) == [third.pk, second.pk, first.pk]
    assert positions(full_guide) == [0, 1, 2]
    assert Version.objects.get_for_object(full_guide).count() == versions + 1


def test_a_number_typed_onto_another_row_takes_its_place(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    data = guide_form(publisher_client, full_guide)
    set_position(data, "faq_set", third.pk, 0)  # the others keep 0 and 1: a tie
    assert publisher_client.post(guide_url(full_guide), {**data, "_save": ["1"]}).status_code == 302
    assert order(full_guide) == [third.pk, first.pk, second.pk]
    assert positions(full_guide) == [0, 1, 2]


def test_deleting_an_inline_row_closes_the_gap(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    data = guide_form(publisher_client, full_guide)
    index = row_index(data, "faq_set", "id", str(second.pk))
    data[f"faq_set-{index}-DELETE"] = ["on"]
    assert publisher_client.post(guide_url(full_guide), {**data, "_save": ["1"]}).status_code == 302
    assert order(full_guide) == [first.pk, third.pk]
    assert positions(full_guide) == [0, 1]


def test_deleting_from_the_list_closes_the_gap(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    url = reverse("admin:roadmaps_faq_changelist")
    response = publisher_client.post(
        url, {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert order(full_guide) == [second.pk, third.pk]
    assert positions(full_guide) == [0, 1]


def test_a_blocks_own_form_moves_it_and_the_others_along(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    url = reverse("admin:roadmaps_faq_change", args=[third.pk])
    data = form_data(publisher_client.get(url), "faq")
    set_field(data, "position", "0")
    assert publisher_client.post(url, {**data, "_save": ["1"]}).status_code == 302
    assert order(full_guide) == [third.pk, first.pk, second.pk]
    # Each row that moved has a version saying so: the reorder can be undone.
    assert Version.objects.get_for_object(first).first().field_dict["position"] == 1


def test_reverting_a_swap_brings_the_old_order_back(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    factories.save_revision(full_guide)
    old = Version.objects.get_for_object(full_guide).first()
    data = guide_form(publisher_client, full_guide)
    set_position(data, "faq_set", first.pk, 2)
    set_position(data, "faq_set", third.pk, 0)
    publisher_client.post(guide_url(full_guide), {**data, "_save": ["1"]})
    assert order(full_guide) == [third.pk, second.pk, first.pk]

    url = reverse("admin:roadmaps_guide_revision", args=[full_guide.pk, old.pk])
    page = publisher_client.get(url)
    assert page.status_code == 200
    # Looking at the old version changes nothing.
    assert order(full_guide) == [third.pk, second.pk, first.pk]
    reverted = publisher_client.post(url, {**form_data(page, "guide"), "_save": ["1"]})
    assert reverted.status_code == 302
    assert order(full_guide) == [first.pk, second.pk, third.pk]
    assert positions(full_guide) == [0, 1, 2]


def test_a_recovered_row_returns_to_its_place(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    factories.save_revision(second)
    publisher_client.post(reverse("admin:roadmaps_faq_delete", args=[second.pk]), {"post": "yes"})
    assert positions(full_guide) == [0, 1]
    version = Version.objects.get_deleted(FAQ).get(object_id=str(second.pk))
    url = reverse("admin:roadmaps_faq_recover", args=[version.pk])
    page = publisher_client.get(url)
    assert page.status_code == 200
    assert publisher_client.post(url, {**form_data(page, "faq"), "_save": ["1"]}).status_code == 302
    assert order(full_guide) == [first.pk, second.pk, third.pk]
    assert positions(full_guide) == [0, 1, 2]


def test_a_list_edit_swaps_two_rows(publisher_client, full_guide):
    first, second, third = three_faqs(full_guide)
    url = reverse("admin:roadmaps_faq_changelist") + f"?guide__id__exact={full_guide.pk}"
    page = publisher_client.get(url)
    data = form_data(page, "changelist-form")
    assert data, "the list's form was not found"
    for key, values in list(data.items()):
        if key.endswith("-id"):
            pk = int(values[0])
            new = {first.pk: 1, second.pk: 0}.get(pk)
            if new is not None:
                data[key.replace("-id", "-position")] = [str(new)]
    response = publisher_client.post(url, {**data, "_save": ["Save"]})
    assert response.status_code == 302
    assert order(full_guide) == [second.pk, first.pk, third.pk]


def test_publishing_a_draft_that_reorders_swaps_the_live_rows(editor_client, publisher, full_guide):
    first, second, third = three_faqs(full_guide)
    data = guide_form(editor_client, full_guide)
    set_position(data, "faq_set", first.pk, 2)
    set_position(data, "faq_set", third.pk, 0)
    saved = editor_client.post(guide_url(full_guide), {**data, "_save_draft": ["1"]})
    assert saved.status_code == 302
    assert order(full_guide) == [first.pk, second.pk, third.pk]  # live: not yet
    draft = Draft.objects.get(object_id=full_guide.pk)
    services.publish(draft, publisher)
    assert order(full_guide) == [third.pk, second.pk, first.pk]
    assert positions(full_guide) == [0, 1, 2]


def test_a_story_draft_moved_to_the_top_keeps_the_others_in_order(full_guide):
    olga = full_guide.story_set.get()
    second = factories.story(full_guide, first_name="Ben")
    third = factories.story(full_guide, first_name="Cara")
    third.position = 0
    plan = ordering.arrange([(third, 0)])
    third.save()
    plan.finish()
    got = list(full_guide.story_set.order_by("position").values_list("pk", "position"))
    assert got == [(third.pk, 0), (olga.pk, 1), (second.pk, 2)]


def test_guides_are_ordered_too(db):
    one, two = factories.guide(name="One"), factories.guide(name="Two")
    assert [one.position, two.position] == [0, 1]
    plan = ordering.arrange([(two, 0)])
    two.save()
    plan.finish()
    assert list(Guide.objects.values_list("name", flat=True)) == ["Two", "One"]


def test_skills_keep_their_own_numbers_per_guide(full_guide):
    other = factories.guide(name="Other")
    Skill.objects.create(guide=other, name="Python")
    assert positions(other, Skill) == [0]
    assert positions(full_guide, Skill) == [0, 1]


def test_every_ordered_model_has_the_database_rule():
    for model in ordering.ordered_models():
        fields = [
            tuple(c.fields)
            for c in model._meta.constraints
            if "position" in getattr(c, "fields", ())
        ]
        within = (model.order_within,) if model.order_within else ()
        assert fields == [(*within, "position")], model


def test_a_stage_list_reorders_across_the_page(publisher_client, full_guide):
    extra = Stage.objects.create(
        guide=full_guide, month_from=4, month_to=6, title="Second", description="d"
    )
    first = Stage.objects.get(guide=full_guide, title="Stage One Title")
    url = reverse("admin:roadmaps_stage_change", args=[extra.pk])
    data = form_data(publisher_client.get(url), "stage")
    set_field(data, "position", "0")
    assert publisher_client.post(url, {**data, "_save": ["1"]}).status_code == 302
    assert order(full_guide, Stage) == [extra.pk, first.pk]


def test_a_reorder_saved_meanwhile_refuses_the_older_guide_form(publisher_client, full_guide):
    """Two sessions: the second publisher reorders the FAQ in its list while the
    first has the guide's form open; the first one's save is refused."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    first, second, third = three_faqs(full_guide)
    otto = guide_form(publisher_client, full_guide)
    edna = User.objects.create_user("edna.o", password="a long password", is_staff=True)
    edna.groups.add(Group.objects.get(name="Publishers"))
    other = Client()
    login_verified(other, edna)
    url = reverse("admin:roadmaps_faq_change", args=[third.pk])
    data = form_data(other.get(url), "faq")
    set_field(data, "position", "0")
    assert other.post(url, {**data, "_save": ["1"]}).status_code == 302

    set_field(otto, "headline", "Otto's headline")
    response = publisher_client.post(guide_url(full_guide), {**otto, "_save": ["1"]})
    assert response.status_code == 200
    [message] = response.context["adminform"].form.non_field_errors()
    assert "edna.o" in message and "Order" in message
    assert Guide.objects.get(pk=full_guide.pk).headline != "Otto's headline"
    assert order(full_guide) == [third.pk, first.pk, second.pk]
