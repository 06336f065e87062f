"""Template filters for site pages."""

import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

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


@register.filter
def markdown(text):
    """Editor Markdown → HTML, sanitized with nh3: editors are trusted with
    content, not with scripts (a stored script could act as a superuser)."""
    html = md.markdown(text or "", extensions=[], output_format="html")
    # Headings start at h2: the page's h1 is its title.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return mark_safe(
        nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener")
    )
