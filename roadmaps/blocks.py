"""The one list of content blocks, and of the sections of a guide's page.

Everything that needs the set of blocks reads it from here: the guide page's
sections, ids and table of contents, the FAQ's "see also" choices, the
invalidation signals, django-reversion's follow list, the starter loader, the
bench content generator, the links the guide page prefetches with each block
(`Block.prefetch`) and the query-count test.

Models are named by label ("app.Model"), so this module imports no models and
the models can import it. Adding a block is one `Block` line here (and a
`Section` line if it has a section of its own); see the README's recipe.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Section:
    """A section of the guide page, in page order."""

    id: str  # the anchor, e.g. "path": /careers/<slug>/#path
    title: str  # the table of contents' label, and the FAQ's "Read more" text
    template: str  # the partial that renders the section's inside
    shown_if: str = ""  # a GuidePage attribute: the section is left out while it is empty
    in_toc: bool = True
    css: str = ""  # extra classes on the <section>


@dataclass(frozen=True)
class Block:
    """A kind of row that belongs to one guide (a `ContentBlock` subclass)."""

    model: str  # "app_label.ModelName"
    section: str = ""  # the section that shows it; "" when only the plan uses it
    # Edited on the guide's admin form, so the guide's history follows its rows.
    # Figures and stories have admins (and histories) of their own.
    inline: bool = True
    # Many-to-many links the guide page shows with each row: one query each,
    # however many rows (`prefetches`), which `careerguide.pages.attach_links`
    # reads into `row.shown_<link>` for the templates.
    prefetch: tuple = ()


SECTIONS = (
    Section("salaries", "Salaries", "salaries/_salaries.html"),
    Section("path", "Learning path", "roadmaps/_stages.html"),
    Section("skills", "Skills", "roadmaps/_skills.html"),
    Section("duration", "How long it takes", "roadmaps/_facts.html"),
    Section("comparisons", "Related fields", "roadmaps/_comparisons.html"),
    Section("stories", "Career transitions", "stories/_stories.html", shown_if="stories"),
    Section("myths", "Myths", "roadmaps/_myths.html"),
    Section("market", "Market", "roadmaps/_market.html", shown_if="market"),
    Section("faq", "FAQ", "roadmaps/_faq.html"),
    Section("start", "Your plan", "roadmaps/_cta.html", in_toc=False, css="cta"),
)

BLOCKS = (
    Block("roadmaps.Stage", section="path", prefetch=("skills",)),
    # Shown in each stage: one query of its own (a prefetch on the stages), so it
    # counts as a block on the page. After the stages: its rows name a stage.
    Block("roadmaps.Resource", section="path"),
    Block("roadmaps.Skill", section="skills"),
    # Facts, FAQ answers and market notes show their sources (`Reference`).
    Block("roadmaps.KeyFact", section="duration", prefetch=("sources",)),
    Block("roadmaps.Comparison", section="comparisons"),
    Block("roadmaps.Myth", section="myths"),
    Block("roadmaps.FAQ", section="faq", prefetch=("sources",)),
    Block("roadmaps.MarketInsight", section="market", prefetch=("sources",)),
    Block("roadmaps.Background"),
    Block("roadmaps.LanguageOption"),
    Block("salaries.SalaryFigure", section="salaries", inline=False),
    Block("stories.Story", section="stories", inline=False),
)

# "See also" links in FAQ answers point at a section other than the FAQ itself.
SECTION_CHOICES = [(s.id, s.title) for s in SECTIONS if s.in_toc and s.id != "faq"]


def block_models(*, inline=None, on_page=None):
    """The block model classes, in registry order, optionally filtered."""
    return [
        apps.get_model(b.model)
        for b in BLOCKS
        if (inline is None or b.inline == inline)
        and (on_page is None or bool(b.section) == on_page)
    ]


def accessor(model):
    """The guide's reverse accessor for a block model, e.g. `stage_set`."""
    return f"{model._meta.model_name}_set"


def page_block_count():
    """How many block types the guide page reads: one query each."""
    return len(block_models(on_page=True))


def prefetches(model):
    """The lookups the guide page prefetches with `model`'s rows."""
    label = model._meta.label
    return next((b.prefetch for b in BLOCKS if b.model == label), ())


def page_prefetch_count():
    """How many prefetch queries the guide page's blocks add: one per lookup."""
    return sum(len(b.prefetch) for b in BLOCKS if b.section)
