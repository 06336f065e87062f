"""Email about review steps (Django's email framework; EMAIL_URL picks the backend).

A submitted draft is announced to every active publisher with an address; a
draft sent back or approved is announced to its author. Mail goes out once the
step is committed (a rolled-back step announces nothing), and a mail outage is
logged, never raised: it must not break a save.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from roadmaps.permissions import PUBLISHERS

from .models import DraftEvent

log = logging.getLogger(__name__)

# action: (template, subject); the subject gets the object's name.
MAILS = {
    DraftEvent.Action.SUBMITTED: ("workflow/email/submitted.txt", "Review requested: {}"),
    DraftEvent.Action.SENT_BACK: ("workflow/email/sent_back.txt", "Sent back for changes: {}"),
    DraftEvent.Action.APPROVED: ("workflow/email/approved.txt", "Approved: {}"),
}


def event_recorded(event):
    """Called for every DraftEvent (services.record)."""
    if event.action not in MAILS:
        return
    recipients = _recipients(event)
    if recipients:
        transaction.on_commit(lambda: _send(event, recipients))


def _recipients(event):
    if event.action == DraftEvent.Action.SUBMITTED:
        users = get_user_model().objects.filter(groups__name=PUBLISHERS, is_active=True)
        return sorted(set(users.exclude(email="").values_list("email", flat=True)))
    author = event.draft.created_by if event.draft else None
    if author and author.is_active and author.email:
        return [author.email]
    return []


def admin_url(event):
    """An absolute link to where the step is acted on: the object's admin page
    (its draft is edited and reviewed there), or, for an object not live yet,
    the draft's own page when the admin has one."""
    ct = event.content_type
    candidates = []
    if event.object_id is not None:
        candidates.append((f"admin:{ct.app_label}_{ct.model}_change", [event.object_id]))
    if event.draft_id:
        # The draft admin's page of an item not live yet (roadmaps.workflow.admin).
        candidates.append((f"admin:{ct.app_label}_{ct.model}_draft", [event.draft_id]))
    candidates.append(("admin:index", []))
    for name, args in candidates:
        try:
            return settings.SITE_URL + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return settings.SITE_URL


def _send(event, recipients):
    template, subject = MAILS[event.action]
    user = event.user
    # The event names the draft ("Draft of …"); the mail names what it changes.
    name = event.draft.object_repr if event.draft else event.object_repr
    context = {
        "event": event,
        "object": name,
        "user": (user.get_full_name() or user.get_username()) if user else "The schedule runner",
        "message": event.message,
        "link": admin_url(event),
    }
    body = render_to_string(template, context)
    for address in recipients:
        try:
            send_mail(
                subject.format(name),
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
            )
        except Exception:
            # Logged with the traceback; the review step itself is saved.
            log.exception("review email not sent: %s to %s", event.action, address)
