"""Load the starter content (fixtures/starter/) into a fresh database, once.

A `StarterContent` marker row records the load. Once it exists the loader
refuses to run, even if editors later empty tables: nothing an editor saved
(or deleted on purpose) is ever reloaded over.
"""

import csv
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

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
    Person,
    Region,
    Skill,
    Stage,
    StarterContent,
)
from salaries.models import Grade, SalaryFigure, Source
from stories.models import Story

from .models import SitePage

STARTER_DIR = Path(settings.BASE_DIR) / "fixtures" / "starter"
MARKER = "starter-content-v1"
GRADES = [
    ("Junior", "junior", False),
    ("Middle", "middle", False),
    ("Senior", "senior", False),
    ("Lead", "lead", False),
    ("All levels", "all-levels", True),
]


class AlreadyLoaded(Exception):
    pass


def already_loaded():
    return StarterContent.objects.filter(name=MARKER).exists()


@transaction.atomic
def load(directory=STARTER_DIR):
    """Load every starter file; returns counts per model. Raises AlreadyLoaded."""
    if already_loaded():
        raise AlreadyLoaded(MARKER)
    directory = Path(directory)
    counts = {}
    countries = _load_regions(json.loads((directory / "regions.json").read_text("utf-8")))
    counts["countries"] = len(countries)
    grades = {}
    for position, (name, slug, all_levels) in enumerate(GRADES):
        grades[name], _ = Grade.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position, "is_all_levels": all_levels}
        )
    sources = _load_sources(directory / "salary-sources.csv")
    site = json.loads((directory / "site.json").read_text("utf-8"))
    reviewer = Person.objects.create(**site["reviewer"])
    for pos, page in enumerate(site["pages"]):
        SitePage.objects.create(position=pos, **page)
    for path in sorted(directory.glob("guide-*.json")):
        data = json.loads(path.read_text("utf-8"))
        guide = _load_guide(data, countries, reviewer)
        counts[guide.slug] = guide
    counts["figures"] = _load_figures(directory / "salary-figures.csv", countries, grades, sources)
    StarterContent.objects.create(name=MARKER)
    return counts


def _load_regions(regions):
    countries = {}
    for r_pos, region in enumerate(regions):
        obj, _ = Region.objects.get_or_create(
            slug=region["slug"], defaults={"name": region["name"], "position": r_pos}
        )
        for c_pos, country in enumerate(region["countries"]):
            countries[country["code"]], _ = Country.objects.get_or_create(
                code=country["code"],
                defaults={"name": country["name"], "region": obj, "position": c_pos},
            )
    return countries


def _load_sources(path):
    sources = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            sources[row["name"]], _ = Source.objects.get_or_create(
                name=row["name"],
                defaults={
                    "short_name": row["short_name"],
                    "publisher": row["publisher"],
                    "url": row["url"],
                    "methodology": row["methodology"],
                },
            )
    return sources


def _load_guide(data, countries, reviewer):
    g = data["guide"]
    guide = Guide.objects.create(
        name=g["name"],
        slug=g["slug"],
        headline=g["headline"],
        intro=g["intro"],
        seo_title=g["seo_title"],
        seo_description=g["seo_description"],
        onet_code=g["onet_code"],
        isco_code=g["isco_code"],
        reviewed_on=datetime.date.fromisoformat(g["reviewed_on"]),
        baseline_hours_per_week=g["baseline_hours_per_week"],
        plan_min_months=g["plan_min_months"],
        plan_max_months=g["plan_max_months"],
        salary_intro=g["salary_intro"],
        salary_caveat=g["salary_caveat"],
        path_intro=g["path_intro"],
        skills_intro=g["skills_intro"],
        market_intro=g["market_intro"],
        cta_text=g["cta_text"],
        reviewed_by=reviewer,
        is_published=True,
        is_featured=True,
    )
    skills = {}
    for pos, s in enumerate(data["skills"]):
        skills[s["name"]] = Skill.objects.create(
            guide=guide,
            name=s["name"],
            kind=s["kind"],
            description=s["description"],
            position=pos,
        )
    for pos, s in enumerate(data["stages"]):
        stage = Stage.objects.create(
            guide=guide,
            month_from=s["month_from"],
            month_to=s["month_to"],
            open_ended=s["open_ended"],
            title=s["title"],
            description=s["description"],
            steps="\n".join(s["steps"]),
            position=pos,
        )
        stage.skills.set([skills[name] for name in s["skills"]])
    for pos, f in enumerate(data["facts"]):
        KeyFact.objects.create(
            guide=guide,
            kind=f["kind"],
            label=f["label"],
            min_months=f["min"],
            max_months=f["max"],
            text=f["text"],
            position=pos,
        )
    for pos, c in enumerate(data["comparisons"]):
        Comparison.objects.create(
            guide=guide,
            related_name=c["name"],
            points="\n".join(c["points"]),
            related_guide=Guide.objects.filter(slug=c.get("slug", "")).first(),
            position=pos,
        )
    backgrounds = {}
    for pos, b in enumerate(data["backgrounds"]):
        backgrounds[b["name"]] = Background.objects.create(
            guide=guide, name=b["name"], position=pos
        )
        backgrounds[b["name"]].skills.set([skills[name] for name in b["skills"]])
    for pos, name in enumerate(data["languages"]):
        LanguageOption.objects.create(guide=guide, name=name, position=pos)
    for pos, s in enumerate(data["stories"]):
        story = Story.objects.create(
            guide=guide,
            slug=s["slug"],
            first_name=s["first_name"],
            former_role=s["former_role"],
            transition_months=s["transition_months"],
            background=backgrounds.get(s["background"]),
            hours_per_week=s["hours_per_week"],
            stack=s["stack"],
            body=s["body"],
            position=pos,
            is_published=True,
        )
        story.skills.set([skills[name] for name in s["skills"]])
    for pos, m in enumerate(data["myths"]):
        Myth.objects.create(guide=guide, myth=m["myth"], reality=m["reality"], position=pos)
    regions = {r.slug: r for r in Region.objects.all()}
    for pos, m in enumerate(data["market"]):
        MarketInsight.objects.create(
            guide=guide, region=regions[m["region"]], text=m["text"], position=pos
        )
    for pos, q in enumerate(data["faq"]):
        FAQ.objects.create(
            guide=guide,
            question=q["question"],
            answer=q["answer"],
            see_also=q["see_also"],
            position=pos,
        )
    return guide


def _int_or_none(value):
    return int(value) if value.strip() else None


def _load_figures(path, countries, grades, sources):
    guides = {g.slug: g for g in Guide.objects.all()}
    count = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for pos, row in enumerate(csv.DictReader(fh)):
            SalaryFigure.objects.create(
                guide=guides[row["guide"]],
                country=countries[row["country"]],
                grade=grades[row["grade"]],
                source=sources[row["source"]],
                segment=row["segment"],
                is_proxy_role=row["proxy_role"] == "yes",
                statistic=row["statistic"],
                pay_basis=row["pay_basis"],
                amount=int(row["amount"]),
                p25=_int_or_none(row["p25"]),
                p75=_int_or_none(row["p75"]),
                currency=row["currency"],
                period=row["period"],
                data_year=int(row["data_year"]),
                source_url=row["figure_url"],
                note=row["note"],
                position=pos,
            )
            count += 1
    return count
