"""Scheduled publishing and expiry: creating, cancelling and running `Schedule` rows.

The row is the source of truth. The runner (`manage.py run_schedules`) acts only
on rows that are pending and due, so a cancelled row never fires and a row that
fell due while the runner was down runs on its next pass. Changing a schedule's
time is a cancel plus a new row, never an edit, so the history stays readable.

Exactly once: a row is claimed by an UPDATE that only matches while it is still
pending, in the same transaction as the change it makes. A second runner's
claim waits for that transaction and then matches nothing; a runner that dies
mid-change rolls back, leaving the row pending for the next pass.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Draft, DraftEvent, Schedule

log = logging.getLogger(__name__)

# What may expire: the live objects with their own `is_published`. A guide is
# unpublished by hand (it takes every block with it).
EXPIRABLE = ("stories.story", "salaries.salaryfigure", "careerguide.sitepage")


class NotSchedulable(Exception):
    """The draft or object cannot be scheduled; the message says why, for editors."""


def when(at):
    """'2026-12-01 09:00 UTC': a schedule time as editors see it."""
    local = timezone.localtime(at)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def check_publish(draft):
    """Raise NotSchedulable unless `draft` may be scheduled to publish."""
    if draft is None:
        raise NotSchedulable("This draft no longer exists.")
    if draft.state != Draft.State.APPROVED:
        raise NotSchedulable(
            "This draft is not approved: a publisher must approve it before it can be scheduled."
        )


def check_expiry(obj):
    """Raise NotSchedulable unless `obj` may be scheduled to expire."""
    if obj is None:
        raise NotSchedulable("This item no longer exists.")
    if not expirable(obj):
        raise NotSchedulable(f"A {obj._meta.verbose_name} cannot be scheduled to expire.")
    if not obj.is_published:
        raise NotSchedulable(
            f"This {obj._meta.verbose_name} is not published: there is nothing to expire."
        )


def schedule_publish(draft, run_at, user):
    """Publish the approved `draft` at `run_at`. The approved snapshot is copied
    into the schedule, so edits made later (which send the draft back to review)
    never go live with it. A pending publish of the same draft is replaced."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        check_publish(draft)
        for old in Schedule.objects.filter(draft=draft, state=Schedule.State.PENDING):
            cancel(old, user, message="Replaced by a new time.")
        schedule = Schedule.objects.create(
            content_type=draft.content_type,
            object_id=draft.object_id,
            object_repr=draft.object_repr,
            action=Schedule.Action.PUBLISH,
            run_at=run_at,
            draft=draft,
            data=draft.data,
            created_by=user,
        )
        services.record(
            DraftEvent.Action.SCHEDULED,
            draft=draft,
            user=user,
            message=f"Publishing at {when(run_at)}.",
        )
    return schedule


def expirable(obj):
    return obj._meta.label_lower in EXPIRABLE


def schedule_expiry(obj, run_at, user):
    """Unpublish the live story, figure or site page `obj` at `run_at`. A pending
    expiry of the same object is replaced."""
    check_expiry(obj)
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
        check_expiry(obj)
        ct = ContentType.objects.get_for_model(obj)
        pending = Schedule.objects.filter(
            content_type=ct,
            object_id=obj.pk,
            action=Schedule.Action.UNPUBLISH,
            state=Schedule.State.PENDING,
        )
        for old in pending:
            cancel(old, user, message="Replaced by a new time.")
        schedule = Schedule.objects.create(
            content_type=ct,
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            action=Schedule.Action.UNPUBLISH,
            run_at=run_at,
            created_by=user,
        )
        services.record(
            DraftEvent.Action.SCHEDULED,
            obj=obj,
            user=user,
            message=f"Expiry (unpublish) at {when(run_at)}.",
        )
    return schedule


def target(schedule):
    """The live object a schedule acts on, or None (not live yet, or deleted)."""
    if schedule.object_id is None:
        return None
    model = schedule.content_type.model_class()
    return model._default_manager.filter(pk=schedule.object_id).first()


def cancel(schedule, user, message=""):
    """Cancel a pending schedule. Returns False when it was no longer pending
    (it ran, failed or was cancelled meanwhile): the claim makes a cancel and a
    run that race end with exactly one of them."""
    with transaction.atomic():
        claimed = Schedule.objects.filter(pk=schedule.pk, state=Schedule.State.PENDING).update(
            state=Schedule.State.CANCELLED
        )
        if not claimed:
            return False
        schedule.state = Schedule.State.CANCELLED
        text = f"Cancelled: {schedule.get_action_display().lower()} at {when(schedule.run_at)}."
        if message:
            text += f" {message}"
        if schedule.draft_id is not None:
            services.record(
                DraftEvent.Action.UNSCHEDULED, draft=schedule.draft, user=user, message=text
            )
        else:
            services.record(
                DraftEvent.Action.UNSCHEDULED,
                obj=target(schedule),
                model=schedule.content_type.model_class(),
                repr_=schedule.object_repr,
                user=user,
                message=text,
            )
    return True


def due(now):
    """Pending schedules whose time has come, oldest first."""
    return Schedule.objects.filter(state=Schedule.State.PENDING, run_at__lte=now).order_by(
        "run_at", "pk"
    )


def run_due(now=None):
    """One pass of the runner: run every due schedule once. Returns
    [(schedule, outcome text)]. A failure is recorded on its row and logged; the
    pass goes on with the next row."""
    now = now or timezone.now()
    results = []
    for pk in list(due(now).values_list("pk", flat=True)):
        outcome = run_one(pk)
        if outcome is not None:
            results.append(outcome)
    return results


def run_one(pk):
    """Claim and run one schedule. Returns (schedule, outcome) or None when
    another runner (or a cancel) got to it first."""
    try:
        with transaction.atomic():
            # The claim and the change commit together: if the change never
            # commits (a crash), neither does the claim.
            claimed = Schedule.objects.filter(pk=pk, state=Schedule.State.PENDING).update(
                state=Schedule.State.DONE, done_at=timezone.now()
            )
            if not claimed:
                return None
            schedule = Schedule.objects.select_related("draft", "content_type").get(pk=pk)
            try:
                with transaction.atomic():
                    outcome = _perform(schedule)
            except Skipped as exc:
                log.warning("schedule %s skipped: %s: %s", pk, schedule, exc)
                failure = str(exc)
            except Exception as exc:
                log.exception("schedule %s failed: %s", pk, schedule)
                failure = f"{type(exc).__name__}: {exc}"
            else:
                failure = None
            if failure is not None:
                Schedule.objects.filter(pk=pk).update(
                    state=Schedule.State.FAILED, error=failure[:2000]
                )
                schedule.refresh_from_db()
                return schedule, f"Failed: {schedule} ({schedule.error})"
    except Exception:
        # The claim itself failed (database locked or gone): the row is still
        # pending and the next pass tries again.
        log.exception("schedule %s could not be claimed", pk)
        return None
    log.info("schedule %s: %s", pk, outcome)
    schedule.refresh_from_db()
    return schedule, outcome


class Skipped(Exception):
    """Nothing to do any more; recorded as a failure with this explanation."""


def _perform(schedule):
    if schedule.action == Schedule.Action.PUBLISH:
        if schedule.draft is None:
            # Published by hand (or discarded) before its time: applying the
            # copy again would add its new rows a second time.
            raise Skipped("The draft was published or discarded before this time.")
        services.publish(
            schedule.draft, None, confirmed=True, text=schedule.data, at=schedule.run_at
        )
        return f"Published {schedule.object_repr} (due {when(schedule.run_at)})"
    obj = target(schedule)
    if obj is None:
        raise Skipped("The item no longer exists.")
    if not obj.is_published:
        return f"{schedule.object_repr} was already unpublished (due {when(schedule.run_at)})"
    services.set_published(obj, False, at=schedule.run_at)
    return f"Unpublished {schedule.object_repr} (due {when(schedule.run_at)})"
