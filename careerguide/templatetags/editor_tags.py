"""Admin-only template tags."""

from django import template
from django.conf import settings

from careerguide.editors.attention import needs_attention as compute

register = template.Library()


@register.simple_tag(takes_context=True)
def needs_attention(context):
    context["stale_months"] = settings.STALE_FIGURE_MONTHS
    return compute()
