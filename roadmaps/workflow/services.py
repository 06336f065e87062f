"""Every step of a draft's life, recorded as a `DraftEvent`: save, submit, send
back, approve, schedule, publish, discard. Views and the admin call these; they
check nothing about permissions (the admin does), but they keep the states
consistent and the live tables untouched until `publish`.
"""

import contextlib

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from roadmaps import stamp

from . import snapshot
from .models import Draft, DraftEvent, Schedule


class Conflict(Exception):
    """Rows the draft touches changed live after it was started."""

    def __init__(self, rows):
        super().__init__(f"{len(rows)} row(s) changed live since the draft was started")
        self.rows = rows  # [(row key, 'changed'|'deleted'|'added')]


@contextlib.contextmanager
def rolled_back():
    """A transaction whose writes never reach the live tables: previews and the
    admin's draft form run in it. The content stamp is not bumped meanwhile."""
    with stamp.suppressed(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def draft_of(model, object_id):
    """The pending draft of an object, or None."""
    if object_id is None:
        return None
    ct = ContentType.objects.get_for_model(model)
    return Draft.objects.filter(content_type=ct, object_id=object_id).first()


def apply_draft(draft):
    """Apply a draft inside the caller's (rolled-back) transaction."""
    return snapshot.apply(snapshot.load(draft.data))


@contextlib.contextmanager
def previewing(drafts):
    """Inside: the database as it will be once `drafts` are published."""
    with rolled_back():
        for draft in drafts:
            apply_draft(draft)
        yield


def record(action, *, draft=None, obj=None, user=None, message="", model=None, repr_=""):
    target = draft or obj
    ct = draft.content_type if draft else ContentType.objects.get_for_model(model or obj)
    object_id = draft.object_id if draft else getattr(obj, "pk", None)
    event = DraftEvent.objects.create(
        draft=draft,
        content_type=ct,
        object_id=object_id,
        object_repr=(repr_ or str(target))[:200],
        action=action,
        user=user,
        message=message,
    )
    from . import notify  # late: notify imports services' callers' settings

    notify.event_recorded(event)
    return event


def save_draft(*, model, object_id, text, live, user, obj_repr, draft=None):
    """Create or update the draft of an object from a captured snapshot.
    `live` is {row key: hash} of the live rows before this edit. `draft` is
    given for an object that is not live yet (no live row to find it by)."""
    draft = draft or draft_of(model, object_id)
    if draft is None:
        draft = Draft(
            content_type=ContentType.objects.get_for_model(model),
            object_id=object_id,
            created_by=user,
            base=live,
        )
    else:
        # Rows touched for the first time get their live hash now.
        touched = snapshot.touched_keys(snapshot.load(text))
        draft.base = {**{k: live[k] for k in touched if k in live}, **draft.base}
    reopened = draft.state == Draft.State.APPROVED
    if reopened:
        # An approved draft that changes needs a new review; a schedule keeps
        # its own copy of what was approved.
        draft.state = Draft.State.SUBMITTED
        draft.approved_by, draft.approved_at = None, None
    draft.data = text
    draft.object_repr = obj_repr[:200]
    draft.updated_by = user
    draft.save()
    record(
        DraftEvent.Action.SAVED,
        draft=draft,
        user=user,
        message="Edited after approval: back to review." if reopened else "",
    )
    return draft


def submit(draft, user, message=""):
    draft.state = Draft.State.SUBMITTED
    draft.updated_by = user
    draft.save(update_fields=["state", "updated_by", "updated_at"])
    return record(DraftEvent.Action.SUBMITTED, draft=draft, user=user, message=message)


def send_back(draft, user, message=""):
    draft.state = Draft.State.DRAFT
    draft.approved_by, draft.approved_at = None, None
    draft.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    return record(DraftEvent.Action.SENT_BACK, draft=draft, user=user, message=message)


def approve(draft, user, message=""):
    draft.state = Draft.State.APPROVED
    draft.approved_by, draft.approved_at = user, timezone.now()
    draft.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    return record(DraftEvent.Action.APPROVED, draft=draft, user=user, message=message)


def discard(draft, user):
    record(DraftEvent.Action.DISCARDED, draft=draft, user=user)
    Schedule.objects.filter(draft=draft, state=Schedule.State.PENDING).update(
        state=Schedule.State.CANCELLED
    )
    draft.delete()


def conflicts(draft):
    if draft.object_id is None:
        return []
    return snapshot.changed_rows(snapshot.load(draft.data), draft.base)


def publish(draft, user=None, *, confirmed=False, text=None, at=None):
    """Apply the draft (or `text`, the copy a schedule approved) to the live
    tables in one transaction. Raises Conflict unless `confirmed` when rows
    changed live since the draft was started. Returns the live object."""
    text = text or draft.data
    snap = snapshot.load(text)
    if not confirmed and draft.object_id is not None:
        found = snapshot.changed_rows(snap, draft.base)
        if found:
            raise Conflict(found)
    with transaction.atomic(), reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment("Published a draft" + (" (scheduled)" if at else ""))
        obj = snapshot.apply(snap)
        if at is not None:
            _date_at(obj, at)
        record(DraftEvent.Action.PUBLISHED, draft=draft, obj=obj, user=user)
        if text == draft.data:
            draft.delete()
        else:
            # Edits made after approval stay a draft, rebased on what went live.
            draft.object_id = obj.pk
            draft.base = snapshot.live_hashes(obj)
            draft.save(update_fields=["object_id", "base", "updated_at"])
        stamp.bump()  # after commit
    return obj


def _date_at(obj, at):
    """At go-live the page dates are the go-live time, not the runner's."""
    from roadmaps.models import Guide

    guide_id = obj.pk if isinstance(obj, Guide) else getattr(obj, "guide_id", None)
    if guide_id:
        Guide.objects.filter(pk=guide_id).update(content_changed_at=at)
    elif hasattr(obj, "content_changed_at"):
        type(obj).objects.filter(pk=obj.pk).update(content_changed_at=at)


def set_published(obj, value, user=None, at=None):
    """Publish or unpublish a live object (list action, expiry), with its event."""
    obj.is_published = value
    with transaction.atomic(), reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        obj.save()
        if at is not None:
            _date_at(obj, at)
        action = DraftEvent.Action.PUBLISHED if value else DraftEvent.Action.UNPUBLISHED
        record(action, obj=obj, user=user)
        stamp.bump()  # after commit
