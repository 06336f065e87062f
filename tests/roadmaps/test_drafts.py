"""Drafts of live content: captured in a rolled-back transaction, previewed
without touching the live tables, published in one transaction."""

import pytest

from roadmaps.models import FAQ, Draft, DraftEvent, Guide, Stage
from roadmaps.workflow import services
from tests.factories import draft_of_edit


def _add_stage_delete_faq(guide):
    Stage.objects.create(
        guide=guide, month_from=4, month_to=6, title="A drafted stage", description="d"
    )
    FAQ.objects.filter(guide=guide).delete()
    Stage.objects.filter(guide=guide, title="Stage One Title").update(title="Edited title")


@pytest.mark.django_db
def test_a_draft_changes_nothing_live_until_published(full_guide, editor):
    before = list(Stage.objects.filter(guide=full_guide).values_list("title", flat=True))
    draft = draft_of_edit(full_guide, editor, _add_stage_delete_faq)

    assert list(Stage.objects.filter(guide=full_guide).values_list("title", flat=True)) == before
    assert FAQ.objects.filter(guide=full_guide).count() == 1
    with services.previewing([draft]):
        titles = set(Stage.objects.filter(guide=full_guide).values_list("title", flat=True))
        assert titles == {"Edited title", "A drafted stage"}
        assert not FAQ.objects.filter(guide=full_guide).exists()
    assert FAQ.objects.filter(guide=full_guide).count() == 1

    services.publish(draft, editor)
    titles = set(Stage.objects.filter(guide=full_guide).values_list("title", flat=True))
    assert titles == {"Edited title", "A drafted stage"}
    assert not FAQ.objects.filter(guide=full_guide).exists()
    assert not Draft.objects.exists()
    actions = list(DraftEvent.objects.values_list("action", flat=True))
    assert actions == ["published", "saved"]


@pytest.mark.django_db
def test_editing_a_draft_again_keeps_its_new_rows_once(full_guide, editor):
    draft_of_edit(full_guide, editor, _add_stage_delete_faq)

    def new_headline(guide):
        guide.headline = "New"
        guide.save()

    draft = draft_of_edit(full_guide, editor, new_headline)
    services.publish(draft, editor)
    assert Stage.objects.filter(guide=full_guide, title="A drafted stage").count() == 1
    assert Guide.objects.get(pk=full_guide.pk).headline == "New"


@pytest.mark.django_db
def test_a_live_change_after_the_draft_started_is_a_conflict(full_guide, editor):
    draft = draft_of_edit(full_guide, editor, _add_stage_delete_faq)
    stage = Stage.objects.get(guide=full_guide, title="Stage One Title")
    stage.description = "Changed live by a publisher"
    stage.save()

    with pytest.raises(services.Conflict) as caught:
        services.publish(draft, editor)
    assert caught.value.rows == [(f"roadmaps.stage:{stage.pk}", "changed")]
    assert Stage.objects.get(pk=stage.pk).title == "Stage One Title"  # nothing applied

    services.publish(draft, editor, confirmed=True)
    assert Stage.objects.get(pk=stage.pk).title == "Edited title"


@pytest.mark.django_db
def test_a_new_row_that_clashes_with_a_live_one_is_refused_not_merged(full_guide, editor):
    """Bug: applying a snapshot through the deserializer turned a drafted new
    skill into an update of a live skill with the same name."""
    from django.db import IntegrityError

    from roadmaps.models import Skill

    draft = draft_of_edit(
        full_guide,
        editor,
        lambda g: Skill.objects.create(guide=g, name="Docker", kind="technical"),
    )
    live = Skill.objects.create(guide=full_guide, name="Docker", kind="soft", description="Live")
    with pytest.raises(IntegrityError):
        services.publish(draft, editor, confirmed=True)
    live.refresh_from_db()
    assert (live.kind, live.description) == ("soft", "Live")
    assert Draft.objects.filter(pk=draft.pk).exists()
