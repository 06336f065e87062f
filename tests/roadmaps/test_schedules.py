"""Scheduled publishing and expiry: the Schedule row decides, the runner
(`manage.py run_schedules`) acts on due pending rows exactly once."""

import datetime
import io
import os
import signal
import threading
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from careerguide.models import SitePage
from roadmaps.models import Draft, DraftEvent, Guide, Schedule, Stage
from roadmaps.workflow import scheduling, services
from stories.models import Story
from tests.factories import draft_of_edit, elements


def _headline(text):
    def edit(guide):
        guide.headline = text
        guide.save()

    return edit


def _new_stage(guide):
    Stage.objects.create(guide=guide, month_from=4, month_to=6, title="New", description="d")


def _approved(guide, editor, publisher, headline="Approved headline"):
    draft = draft_of_edit(guide, editor, _headline(headline))
    services.approve(draft, publisher)
    return draft


def _ago(**kw):
    return timezone.now().replace(microsecond=0) - datetime.timedelta(**kw)


def _run_once():
    out = io.StringIO()
    call_command("run_schedules", "--once", stdout=out)
    return out.getvalue()


def _guide_url(guide):
    return reverse("guide", kwargs={"slug": guide.slug})


# The runner


@pytest.mark.django_db
def test_a_schedule_in_the_past_runs_on_the_next_pass_dated_at_its_time(
    client, full_guide, editor, publisher
):
    draft = _approved(full_guide, editor, publisher)
    run_at = _ago(hours=2)
    schedule = scheduling.schedule_publish(draft, run_at, publisher)
    assert schedule.data == draft.data
    before = client.get(_guide_url(full_guide))  # cached under the old content
    assert "Approved headline" not in before.content.decode()

    output = _run_once()

    assert f"Published {full_guide}" in output
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.DONE
    assert schedule.done_at >= run_at
    guide = Guide.objects.get(pk=full_guide.pk)
    assert guide.headline == "Approved headline"
    assert guide.content_changed_at == run_at
    assert not Draft.objects.exists()
    page = client.get(_guide_url(full_guide))
    assert "Approved headline" in page.content.decode()
    assert page["Last-Modified"] == http_date(run_at.timestamp())
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert f"<lastmod>{run_at.isoformat()}</lastmod>" in sitemap
    published = DraftEvent.objects.get(action=DraftEvent.Action.PUBLISHED)
    assert published.user is None  # the runner acted
    assert DraftEvent.objects.filter(action=DraftEvent.Action.SCHEDULED, user=publisher).exists()


@pytest.mark.django_db
def test_a_future_schedule_waits_and_is_not_lost_when_the_runner_was_down(
    full_guide, editor, publisher
):
    draft = _approved(full_guide, editor, publisher)
    run_at = timezone.now() + datetime.timedelta(hours=1)
    schedule = scheduling.schedule_publish(draft, run_at, publisher)

    assert _run_once() == "Nothing due.\n"
    assert Guide.objects.get(pk=full_guide.pk).headline != "Approved headline"

    # The runner comes back three hours after the time: it runs on that pass.
    results = scheduling.run_due(now=run_at + datetime.timedelta(hours=3))
    assert [s.pk for s, _ in results] == [schedule.pk]
    assert Guide.objects.get(pk=full_guide.pk).headline == "Approved headline"


@pytest.mark.django_db
def test_a_cancelled_schedule_never_runs(full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=5), publisher)

    assert scheduling.cancel(schedule, publisher) is True
    assert scheduling.cancel(schedule, publisher) is False  # once only

    assert _run_once() == "Nothing due.\n"
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.CANCELLED
    assert Guide.objects.get(pk=full_guide.pk).headline != "Approved headline"
    assert Draft.objects.get().state == Draft.State.APPROVED
    assert DraftEvent.objects.filter(action=DraftEvent.Action.UNSCHEDULED).count() == 1


@pytest.mark.django_db
def test_a_new_time_replaces_the_pending_schedule(full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    first = scheduling.schedule_publish(draft, _ago(minutes=5), publisher)
    second = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)

    first.refresh_from_db()
    assert first.state == Schedule.State.CANCELLED
    _run_once()
    second.refresh_from_db()
    assert second.state == Schedule.State.DONE
    assert DraftEvent.objects.filter(action=DraftEvent.Action.PUBLISHED).count() == 1


@pytest.mark.django_db
def test_only_the_approved_snapshot_goes_live_never_later_edits(full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher, headline="Approved headline")
    scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    later = draft_of_edit(full_guide, editor, _headline("Edited after approval"))
    assert later.state == Draft.State.SUBMITTED  # back to review

    _run_once()

    assert Guide.objects.get(pk=full_guide.pk).headline == "Approved headline"
    left = Draft.objects.get()
    assert left.state == Draft.State.SUBMITTED
    assert "Edited after approval" in left.data
    # Rebased on what went live, so publishing the edit later is no conflict.
    assert services.conflicts(left) == []


@pytest.mark.django_db
def test_only_an_approved_draft_can_be_scheduled(full_guide, editor, publisher):
    draft = draft_of_edit(full_guide, editor, _headline("Not reviewed"))
    with pytest.raises(scheduling.NotSchedulable, match="not approved"):
        scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_expiry_unpublishes_a_story_and_the_cached_page_follows(client, full_guide, publisher):
    story = Story.objects.get(guide=full_guide)
    before = client.get(_guide_url(full_guide))
    assert "Olga" in before.content.decode()
    run_at = _ago(minutes=3)
    scheduling.schedule_expiry(story, run_at, publisher)

    assert f"Unpublished {story}" in _run_once()

    assert not Story.objects.get(pk=story.pk).is_published
    page = client.get(_guide_url(full_guide))
    assert page.status_code == 200
    assert "Olga" not in page.content.decode()
    assert Guide.objects.get(pk=full_guide.pk).content_changed_at == run_at
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert f"<lastmod>{run_at.isoformat()}</lastmod>" in sitemap
    event = DraftEvent.objects.get(action=DraftEvent.Action.UNPUBLISHED)
    assert (event.object_id, event.user) == (story.pk, None)


@pytest.mark.django_db
def test_expiry_of_a_site_page_takes_it_out_of_the_sitemap(client, publisher):
    page = SitePage.objects.create(
        slug="campaign", title="Campaign", description="A page for a while.", body="Text."
    )
    url = reverse("site_page", kwargs={"slug": "campaign"})
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("sitemap")).content.decode()
    scheduling.schedule_expiry(page, _ago(seconds=30), publisher)

    _run_once()

    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("sitemap")).content.decode()


@pytest.mark.django_db
def test_only_live_stories_figures_and_site_pages_can_expire(full_guide, publisher):
    story = Story.objects.get(guide=full_guide)
    story.is_published = False
    story.save()
    with pytest.raises(scheduling.NotSchedulable, match="not published"):
        scheduling.schedule_expiry(story, _ago(minutes=1), publisher)
    with pytest.raises(scheduling.NotSchedulable, match="cannot be scheduled"):
        scheduling.schedule_expiry(full_guide, _ago(minutes=1), publisher)
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_two_claims_of_one_row_run_it_once(full_guide, editor, publisher):
    draft = draft_of_edit(full_guide, editor, _new_stage)
    services.approve(draft, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)

    assert scheduling.run_one(schedule.pk) is not None
    assert scheduling.run_one(schedule.pk) is None
    assert scheduling.run_due() == []
    assert Stage.objects.filter(guide=full_guide, title="New").count() == 1
    assert DraftEvent.objects.filter(action=DraftEvent.Action.PUBLISHED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_run_a_row_once(full_guide, editor, publisher):
    """Two threads (two connections) claim the same row while the first is
    still publishing: the second's claim waits, then matches nothing."""
    draft = draft_of_edit(full_guide, editor, _new_stage)
    services.approve(draft, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    real_publish = services.publish
    started = threading.Event()

    def slow_publish(*args, **kwargs):
        started.set()
        time.sleep(0.5)  # the other runner claims meanwhile
        return real_publish(*args, **kwargs)

    results = []

    def runner():
        from django.db import connection

        try:
            results.append(scheduling.run_one(schedule.pk))
        finally:
            connection.close()

    with mock.patch.object(services, "publish", slow_publish):
        first = threading.Thread(target=runner)
        first.start()
        assert started.wait(5)
        second = threading.Thread(target=runner)
        second.start()
        first.join(10)
        second.join(10)

    assert sorted(r is None for r in results) == [False, True]
    assert Stage.objects.filter(guide=full_guide, title="New").count() == 1
    assert DraftEvent.objects.filter(action=DraftEvent.Action.PUBLISHED).count() == 1


@pytest.mark.django_db
def test_a_failure_is_recorded_and_the_pass_goes_on(full_guide, editor, publisher):
    other = Story.objects.get(guide=full_guide)
    draft = _approved(full_guide, editor, publisher)
    failing = scheduling.schedule_publish(draft, _ago(minutes=2), publisher)
    expiry = scheduling.schedule_expiry(other, _ago(minutes=1), publisher)

    with mock.patch.object(services, "publish", side_effect=RuntimeError("disk full")):
        output = _run_once()

    failing.refresh_from_db()
    expiry.refresh_from_db()
    assert (failing.state, failing.error) == (Schedule.State.FAILED, "RuntimeError: disk full")
    assert "Failed" in output
    assert expiry.state == Schedule.State.DONE
    assert not Story.objects.get(pk=other.pk).is_published
    assert Guide.objects.get(pk=full_guide.pk).headline != "Approved headline"


@pytest.mark.django_db
def test_a_draft_published_by_hand_first_is_not_applied_again(full_guide, editor, publisher):
    draft = draft_of_edit(full_guide, editor, _new_stage)
    services.approve(draft, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    services.publish(draft, publisher)

    _run_once()

    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.FAILED
    assert "published or discarded" in schedule.error
    assert Stage.objects.filter(guide=full_guide, title="New").count() == 1


@pytest.mark.django_db
def test_discarding_the_draft_cancels_its_schedule(full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    services.discard(draft, publisher)

    assert _run_once() == "Nothing due.\n"
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_the_loop_runs_passes_and_stops_cleanly_on_sigterm(full_guide, publisher, settings):
    settings.SCHEDULE_POLL_SECONDS = 60
    story = Story.objects.get(guide=full_guide)
    scheduling.schedule_expiry(story, _ago(minutes=1), publisher)
    original = signal.getsignal(signal.SIGTERM)
    real_run_due = scheduling.run_due

    def run_due_then_stop():
        results = real_run_due()
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd or `make run` stops it
        return results

    started = time.monotonic()
    with mock.patch.object(scheduling, "run_due", run_due_then_stop):
        call_command("run_schedules")

    assert time.monotonic() - started < 5  # not the 60 s poll
    assert not Story.objects.get(pk=story.pk).is_published
    assert signal.getsignal(signal.SIGTERM) is original


# The admin


def _add_url(**query):
    ((key, value),) = query.items()
    return reverse("admin:roadmaps_schedule_add") + f"?{key}={value}"


@pytest.mark.django_db
def test_the_add_view_schedules_an_approved_draft_in_utc(
    publisher_client, full_guide, editor, publisher
):
    draft = _approved(full_guide, editor, publisher)
    url = _add_url(draft=draft.pk)

    page = publisher_client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["run_at"].label == "When (UTC)"
    assert "A time in the past is allowed" in page.context["form"]["run_at"].help_text
    (field,) = elements(page, "input", name="run_at")
    assert dict(field.attributes)["type"] == "datetime-local"

    response = publisher_client.post(url, {"run_at": "2031-03-04T09:30"})
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.run_at == datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC)
    assert (schedule.action, schedule.draft, schedule.data) == ("publish", draft, draft.data)
    changelist = publisher_client.get(response["Location"])
    assert "2031-03-04 09:30 UTC" in changelist.content.decode()
    cancel = reverse("admin:roadmaps_schedule_cancel", args=[schedule.pk])
    assert elements(changelist, "a", href=cancel)
    # Read-only: moving it is a cancel and a new schedule.
    detail = publisher_client.get(reverse("admin:roadmaps_schedule_change", args=[schedule.pk]))
    assert detail.status_code == 200
    assert not elements(detail, "input", name="run_at")


@pytest.mark.django_db
def test_the_add_view_refuses_a_draft_that_is_not_approved(publisher_client, full_guide, editor):
    draft = draft_of_edit(full_guide, editor, _headline("Not reviewed"))
    url = _add_url(draft=draft.pk)

    page = publisher_client.get(url)
    assert page.status_code == 200
    assert page.context["problem"].startswith("This draft is not approved")
    response = publisher_client.post(url, {"run_at": "2031-03-04T09:30"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This draft is not approved: a publisher must approve it before it can be scheduled."
    ]
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_the_add_view_schedules_an_expiry(publisher_client, full_guide):
    story = Story.objects.get(guide=full_guide)
    url = _add_url(expire=f"stories.story:{story.pk}")

    page = publisher_client.get(url)
    assert page.status_code == 200
    response = publisher_client.post(url, {"run_at": "2020-01-01T00:00"})  # past: next pass
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.action, schedule.object_id) == ("unpublish", story.pk)
    _run_once()
    assert not Story.objects.get(pk=story.pk).is_published


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?draft=abc", 400),
        ("?draft=999999", 404),
        ("?expire=roadmaps.guide:1", 400),
        ("?expire=stories.story:x", 400),
        ("?expire=stories.story:999999", 404),
        ("?draft=1&expire=stories.story:1", 400),
    ],
)
def test_the_add_view_answers_bad_input_plainly(publisher_client, query, status):
    response = publisher_client.get(reverse("admin:roadmaps_schedule_add") + query)
    assert response.status_code == status


@pytest.mark.django_db
def test_the_add_view_without_a_target_lists_what_can_be_scheduled(
    publisher_client, full_guide, editor, publisher
):
    draft = _approved(full_guide, editor, publisher)
    story = Story.objects.get(guide=full_guide)
    page = publisher_client.get(reverse("admin:roadmaps_schedule_add"))
    assert page.status_code == 200
    assert elements(page, "a", href=_add_url(draft=draft.pk))
    assert elements(page, "a", href=_add_url(expire=f"stories.story:{story.pk}"))


@pytest.mark.django_db
def test_cancel_view_cancels_a_pending_schedule(publisher_client, full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    url = reverse("admin:roadmaps_schedule_cancel", args=[schedule.pk])

    assert publisher_client.get(url).status_code == 200
    assert publisher_client.post(url).status_code == 302
    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.CANCELLED
    assert publisher_client.put(url).status_code == 405
    missing = reverse("admin:roadmaps_schedule_cancel", args=[999999])
    assert publisher_client.get(missing).status_code == 404


@pytest.mark.django_db
def test_editors_cannot_schedule_or_cancel(editor_client, full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    schedule = scheduling.schedule_publish(draft, tomorrow, publisher)
    cancel = reverse("admin:roadmaps_schedule_cancel", args=[schedule.pk])
    story = Story.objects.get(guide=full_guide)

    assert editor_client.get(_add_url(draft=draft.pk)).status_code == 403
    when = {"run_at": "2031-03-04T09:30"}
    assert editor_client.post(_add_url(draft=draft.pk), when).status_code == 403
    expire = _add_url(expire=f"stories.story:{story.pk}")
    assert editor_client.post(expire, when).status_code == 403
    assert editor_client.get(cancel).status_code == 403
    assert editor_client.post(cancel).status_code == 403
    changelist = reverse("admin:roadmaps_schedule_changelist")
    editor_client.post(changelist, {"action": "cancel_selected", "_selected_action": [schedule.pk]})

    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.PENDING
    assert Schedule.objects.count() == 1


@pytest.mark.django_db
def test_the_bulk_cancel_action(publisher_client, full_guide, editor, publisher):
    draft = _approved(full_guide, editor, publisher)
    schedule = scheduling.schedule_publish(draft, _ago(minutes=1), publisher)
    changelist = reverse("admin:roadmaps_schedule_changelist")

    publisher_client.post(
        changelist, {"action": "cancel_selected", "_selected_action": [schedule.pk]}
    )

    schedule.refresh_from_db()
    assert schedule.state == Schedule.State.CANCELLED


@pytest.mark.django_db
def test_the_draft_history_is_a_read_only_list(publisher_client, full_guide, editor, publisher):
    _approved(full_guide, editor, publisher)
    page = publisher_client.get(reverse("admin:roadmaps_draftevent_changelist"))
    assert page.status_code == 200
    assert list(page.context["cl"].result_list.values_list("action", flat=True)) == [
        "approved",
        "saved",
    ]
    assert publisher_client.get(reverse("admin:roadmaps_draftevent_add")).status_code == 403
    filtered = publisher_client.get(
        reverse("admin:roadmaps_draftevent_changelist") + "?action__exact=saved"
    )
    assert [e.action for e in filtered.context["cl"].result_list] == ["saved"]
