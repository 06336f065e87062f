"""Small factories: the fewest rows a test needs, with overridable fields."""

import datetime
import itertools

from roadmaps.models import (
    FAQ,
    Background,
    Comparison,
    Country,
    Guide,
    KeyFact,
    LanguageOption,
    MarketInsight,
    Myth,
    Reference,
    Region,
    Resource,
    Skill,
    Stage,
)
from salaries.models import Grade, SalaryFigure, Source
from stories.models import Story

_seq = itertools.count(1)


def guide(**kw):
    n = next(_seq)
    fields = {
        "name": f"Test Developer {n}",
        "slug": f"test-developer-{n}",
        "headline": "Headline of the guide.",
        "intro": "Intro of the guide.",
        "reviewed_on": datetime.date(2026, 11, 20),
        "is_published": True,
    }
    fields.update(kw)
    return Guide.objects.create(**fields)


def region(**kw):
    n = next(_seq)
    fields = {"name": f"Region {n}", "slug": f"region-{n}"}
    fields.update(kw)
    return Region.objects.create(**fields)


def country(**kw):
    n = next(_seq)
    code = kw.pop("code", None) or f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}"
    fields = {"name": f"Country {code}", "code": code}
    fields.update(kw)
    if "region" not in fields:
        fields["region"] = region()
    return Country.objects.get_or_create(code=fields.pop("code"), defaults=fields)[0]


def grade(name="Junior", position=0, all_levels=False):
    return Grade.objects.get_or_create(
        slug=name.lower().replace(" ", "-"),
        defaults={"name": name, "position": position, "is_all_levels": all_levels},
    )[0]


def grades():
    return [
        grade(name, position, name == "All levels")
        for position, name in enumerate(["Junior", "Middle", "Senior", "Lead", "All levels"])
    ]


def source(**kw):
    n = next(_seq)
    fields = {"name": f"Source {n}", "url": f"https://example.org/source-{n}"}
    fields.update(kw)
    return Source.objects.create(**fields)


def reference(**kw):
    n = next(_seq)
    fields = {"title": f"Report {n}", "publisher": f"Publisher {n}",
              "url": f"https://example.org/report-{n}", "published": "2025"}  # fmt: skip
    fields.update(kw)
    return Reference.objects.create(**fields)


def figure(guide, **kw):
    fields = {
        "guide": guide,
        "amount": 50000,
        "currency": "EUR",
        "period": "year",
        "data_year": 2025,
    }
    fields.update(kw)
    fields.setdefault("country", country(code="DE"))
    fields.setdefault("grade", grade())
    fields.setdefault("source", source())
    return SalaryFigure.objects.create(**fields)


def story(guide, **kw):
    n = next(_seq)
    fields = {
        "guide": guide,
        "slug": f"person-{n}",
        "first_name": f"Person{n}",
        "former_role": "Teacher",
        "transition_months": 12,
        "body": f"Story body {n}.",
        "is_published": True,
    }
    fields.update(kw)
    return Story.objects.create(**fields)


def full_guide(**kw):
    """A guide with one row of every block (`roadmaps.blocks.BLOCKS`), so one row in
    every section, each with recognisable text."""
    g = guide(**kw)
    python = Skill.objects.create(guide=g, name="Python", kind="technical")
    Skill.objects.create(guide=g, name="Teamwork", kind="soft")
    stage = Stage.objects.create(
        guide=g,
        month_from=1,
        month_to=3,
        title="Stage One Title",
        description="Stage one description.",
        steps="First step\nSecond step",
    )
    stage.skills.add(python)
    Resource.objects.create(
        guide=g, stage=stage, title="Resource One Title", url="https://docs.example.org/one/"
    )
    KeyFact.objects.create(
        guide=g,
        kind="training",
        label="Training Duration",
        min_months=6,
        max_months=18,
        is_estimate=True,
    )
    cited = reference(publisher="Survey Publisher", title="A survey", published="July 2025")
    english = KeyFact.objects.create(
        guide=g, kind="english", label="English Level", text="B1 level"
    )
    english.sources.add(cited)
    Comparison.objects.create(
        guide=g, related_name="Frontend Developer", points="Point one\nPoint two"
    )
    Myth.objects.create(guide=g, myth="A myth text", reality="The reality text")
    FAQ.objects.create(guide=g, question="A question?", answer="An answer.", see_also="salaries")
    eu = Region.objects.get_or_create(slug="europe", defaults={"name": "Europe"})[0]
    MarketInsight.objects.create(guide=g, region=eu, text="A market insight.").sources.add(cited)
    Background.objects.create(guide=g, name="Teacher")
    LanguageOption.objects.create(guide=g, name="Python")
    grades()
    figure(g, country=country(code="DE", region=eu), grade=grade("Junior"), amount=53000)
    story(g, first_name="Olga", former_role="School Teacher")
    return g


def save_revision(obj, user=None, comment=""):
    """Save `obj` as django-reversion's admin does: one revision, with its user."""
    import reversion

    with reversion.create_revision():
        obj.save()
        if user:
            reversion.set_user(user)
        reversion.set_comment(comment)


# Reading pages


def elements(page, tag, **attrs):
    """The `tag` elements of a response (or of an element found before) whose
    attributes include `attrs`, in page order, parsed as `assertContains(...,
    html=True)` parses it. For what a needle can't check: an order, an absence."""
    from django.test.html import Element, RootElement, parse_html

    def walk(node):
        if not isinstance(node, RootElement):  # parse_html's root is <html> itself
            have = dict(node.attributes)
            if node.name == tag and all(have.get(k) == v for k, v in attrs.items()):
                yield node
        for child in node.children:
            if isinstance(child, Element):
                yield from walk(child)

    root = page if isinstance(page, Element) else parse_html(page.content.decode())
    return list(walk(root))


def draft_of_edit(guide, user, edit):
    """A draft of `guide` made as the admin's "Save draft" makes one: apply the
    existing draft, make the change (`edit(guide)`), capture the rows, roll
    back; then store the draft. The live tables never change."""
    from roadmaps.workflow import services, snapshot

    live = snapshot.live_hashes(guide)
    existing = services.draft_of(Guide, guide.pk)
    with services.rolled_back():
        if existing:
            services.apply_draft(existing)
        obj = Guide.objects.get(pk=guide.pk)
        edit(obj)
        text = snapshot.capture(obj, live.keys())
    return services.save_draft(
        model=Guide, object_id=guide.pk, text=text, live=live, user=user, obj_repr=str(guide)
    )
