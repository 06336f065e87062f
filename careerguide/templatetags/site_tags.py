"""Template filters for site pages."""

import datetime
import re
from collections import Counter

import markdown as md
import nh3
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from careerguide.models import SitePage

register = template.Library()

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "blockquote",
    "br",
    "hr",
}


TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


def _render(text):
    """(Markdown as HTML before sanitizing, after sanitizing)."""
    html = md.markdown(text or "", extensions=[], output_format="html")
    # Headings start at h2: the page's h1 is its title.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener"
    )
    return html, clean


def dropped_tags(text):
    """The HTML elements (images, raw HTML) the page will not show, by name:
    the site page admin warns the editor about them on save."""
    html, clean = _render(text)
    lost = Counter(TAG.findall(html.lower())) - Counter(TAG.findall(clean.lower()))
    return sorted(lost)


@register.filter
def markdown(text):
    """Editor Markdown → HTML, sanitized with nh3: editors are trusted with
    content, not with scripts (a stored script could act as a superuser)."""
    return mark_safe(_render(text)[1])


@register.filter
def datetime_attr(value):
    """A date or datetime for a `<time datetime>` attribute: ISO 8601 to the second,
    with its offset, in the site's time zone. Django's `date:"c"` keeps microseconds,
    and HTML allows at most three digits of a second (the Nu checker rejects six)."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat() if isinstance(value, datetime.date) else ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.simple_tag
def cite(item):
    """Where a key fact, FAQ answer or market note comes from (`item`: a guide
    page row with `shown_sources` and `is_estimate`): its references, linked,
    or "Editors' estimate". Small linked text; nothing when an FAQ answer needs
    neither.

    The markup of every citation on the guide page is made here, in Python: the
    page shows one per fact, answer and note, and as an included template it was
    the page's second most expensive partial."""
    refs = item.shown_sources
    if not refs and not item.is_estimate:
        return ""
    methodology = reverse("site_page", args=[SitePage.METHODOLOGY])
    if not refs:
        return format_html(
            '<span class="cite"><a href="{}">Editors\' estimate</a></span>', methodology
        )
    links = format_html_join(
        "; ",
        '<a href="{}" rel="nofollow noopener" title="{}">{}</a>',
        ((ref.url, ref.title, ref.label) for ref in refs),
    )
    estimate = (
        format_html('; <a href="{}">editors\' estimate</a>', methodology)
        if item.is_estimate
        else ""
    )
    plural = "s" if len(refs) != 1 else ""
    return format_html('<span class="cite">Source{}: {}{}</span>', plural, links, estimate)
