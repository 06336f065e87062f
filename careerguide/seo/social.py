"""The guide's social card: a 1200×630 PNG drawn with Pillow from its title and
key facts. Drawn on request and kept in the cache under the guide's
`content_changed_at`, so it is redrawn only when the guide changes and needs no
shared disk between app servers."""

import io
import textwrap

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BG = (15, 23, 42)
ACCENT = (56, 189, 248)
TEXT = (248, 250, 252)
MUTED = (203, 213, 225)


def _font(size):
    return ImageFont.load_default(size=size)


def _plain(text, limit=None):
    """Pillow's bundled font has no dashes beyond ASCII; keep lines short."""
    text = text.replace("–", "-").replace("—", "-")
    if limit and len(text) > limit:
        text = text[: limit - 3].rstrip(" ,;:-") + "..."
    return text


def draw_card(title, facts, site="Career Guide"):
    """Return PNG bytes for a card with the title and up to three facts."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BG)
    d = ImageDraw.Draw(image)
    d.rectangle([0, 0, 24, HEIGHT], fill=ACCENT)
    d.text((80, 64), site.upper(), font=_font(34), fill=ACCENT)
    y = 140
    for line in textwrap.wrap(_plain(title), width=26)[:3]:
        d.text((80, y), line, font=_font(72), fill=TEXT)
        y += 88
    y = max(y + 30, 440)
    x = 80
    for label, value in facts[:3]:
        d.text((x, y), _plain(label, 20), font=_font(28), fill=MUTED)
        d.text((x, y + 40), _plain(value, 15), font=_font(40), fill=TEXT)
        x += 360
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _cached(key, draw, timeout):
    """PNG bytes from the cache, drawn (and stored) on a miss by get_or_set.
    A cache outage only costs a redraw; it never breaks the image."""
    try:
        return cache.get_or_set(key, draw, timeout=timeout)
    except Exception:
        return draw()


def card_for(guide, facts):
    """Cached PNG for a guide; `facts` are KeyFact rows (only the first three show)."""
    key = f"social-card:{guide.pk}:{guide.content_changed_at.timestamp()}"
    return _cached(
        key,
        lambda: draw_card(guide.title, [(f.label, f.value) for f in facts]),
        timeout=60 * 60 * 24 * 30,
    )


def draw_site_card():
    """The site-wide card for pages that are not guides."""
    return _cached(
        "social-card:site:v1",
        lambda: draw_card(
            "Move into a tech profession, step by step",
            [
                ("Roadmaps", "month by month"),
                ("Salaries", "with sources"),
                ("Stories", "career changes"),
            ],
        ),
        timeout=None,
    )
