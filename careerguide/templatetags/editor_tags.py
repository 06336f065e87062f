"""Admin-only template tags."""

from django import template
from django.conf import settings
from django.db.models import Max, Q
from django.db.models.functions import Coalesce

from careerguide.editors.attention import needs_attention as compute
from roadmaps.workflow.admin import admin_url
from roadmaps.workflow.enforce import PUBLISH_PERMISSION
from roadmaps.workflow.models import Draft, DraftEvent

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_attention(context):
    context["stale_months"] = settings.STALE_FIGURE_MONTHS
    return compute()


@register.simple_tag(takes_context=True)
def draft_panels(context):
    """The admin index's review lists: for publishers, the drafts waiting for
    review, the longest-waiting first; for everyone, their own drafts."""
    user = context["request"].user
    drafts = Draft.objects.select_related("content_type", "updated_by")
    waiting = None
    if user.has_perm(PUBLISH_PERMISSION):
        submitted = Max("events__at", filter=Q(events__action=DraftEvent.Action.SUBMITTED))
        waiting = [
            (draft, admin_url(draft))
            for draft in drafts.filter(state=Draft.State.SUBMITTED)
            # An approved draft edited again is back in review with no new
            # "submitted" step: it waits since that edit.
            .annotate(waiting_since=Coalesce(submitted, "updated_at"))
            .order_by("waiting_since", "pk")
        ]
    mine = [
        (draft, admin_url(draft))
        for draft in drafts.filter(Q(created_by=user) | Q(updated_by=user)).order_by(
            "-updated_at", "-pk"
        )
    ]
    return {"waiting": waiting, "mine": mine}
