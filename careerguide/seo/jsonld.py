"""Structured data (schema.org JSON-LD) built from the same objects the page shows."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import mark_safe

from roadmaps.models import KeyFact


def absolute(path):
    """An absolute URL on the public origin (SITE_URL), never the Host header."""
    return f"{settings.SITE_URL}{path}"


class CompactJSONEncoder(DjangoJSONEncoder):
    """UTF-8 as is and no spaces: the smallest JSON for the page."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "ensure_ascii": False, "separators": (",", ":")})


JSON_SCRIPT_TAG = '<script type="application/json">'
JSON_LD_SCRIPT_TAG = '<script type="application/ld+json">'


def to_script(data):
    """A JSON-LD <script> block. Django's json_script escapes <, > and & as
    \\u003C etc., so no content can close the tag; only the type differs."""
    html = json_script(data, encoder=CompactJSONEncoder)
    if not html.startswith(JSON_SCRIPT_TAG):  # never silently emit the wrong type
        raise RuntimeError(f"unexpected json_script output: {html[:40]!r}")
    return mark_safe(JSON_LD_SCRIPT_TAG + html.removeprefix(JSON_SCRIPT_TAG))


def organization():
    return {
        "@type": "Organization",
        "@id": absolute("/#organization"),
        "name": "Career Guide",
        "url": absolute("/"),
    }


def person(p):
    return {
        "@type": "Person",
        "@id": absolute(reverse("person", kwargs={"slug": p.slug}) + "#person"),
        "name": p.name,
        "url": absolute(reverse("person", kwargs={"slug": p.slug})),
        **({"jobTitle": p.role} if p.role else {}),
        **({"sameAs": [p.profile_url]} if p.profile_url else {}),
    }


def breadcrumbs(url, trail):
    return {
        "@type": "BreadcrumbList",
        "@id": f"{url}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(trail, start=1)
        ],
    }


def salary_distribution(figure):
    name = f"{figure.grade.name}, {figure.country.name}"
    if figure.segment:
        name += f", {figure.segment}"
    data = {
        "@type": "MonetaryAmountDistribution",
        "name": name,
        "currency": figure.currency,
        "duration": "P1Y" if figure.period == figure.Period.YEAR else "P1M",
        "median": figure.amount,
    }
    if figure.p25:
        data["percentile25"] = figure.p25
    if figure.p75:
        data["percentile75"] = figure.p75
    return data


def guide_graph(page, og_image):
    """One @graph: Organization, WebPage, Article, BreadcrumbList, Occupation, FAQPage."""
    guide = page.guide
    url = absolute(guide.get_absolute_url())
    modified = guide.content_changed_at.isoformat()
    description = guide.seo_description or guide.headline
    education = next((f.text for f in page.facts if f.kind == KeyFact.Kind.EDUCATION), "")
    countries = {}
    for region in page.salary_regions:
        for table in region.countries:
            countries[table.country.code] = table.country.name
    graph = [
        organization(),
        {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": guide.title,
            "description": description,
            "inLanguage": "en",
            "isPartOf": {"@id": absolute("/#website")},
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "datePublished": guide.created_at.isoformat(),
            "dateModified": modified,
            "lastReviewed": guide.reviewed_on.isoformat(),
            "primaryImageOfPage": og_image,
        },
        {
            "@type": "WebSite",
            "@id": absolute("/#website"),
            "url": absolute("/"),
            "name": "Career Guide",
            "publisher": {"@id": absolute("/#organization")},
            "inLanguage": "en",
        },
        {
            "@type": "Article",
            "@id": f"{url}#article",
            "headline": guide.title,
            "description": description,
            "inLanguage": "en",
            "mainEntityOfPage": {"@id": url},
            "datePublished": guide.created_at.isoformat(),
            "dateModified": modified,
            "publisher": {"@id": absolute("/#organization")},
            "image": og_image,
            "about": {"@id": f"{url}#occupation"},
        },
        breadcrumbs(url, [("Guides", absolute("/")), (guide.name, url)]),
        {
            "@type": "Occupation",
            "@id": f"{url}#occupation",
            "name": guide.name,
            "description": f"{guide.headline} {guide.intro}".strip(),
            "occupationalCategory": [code for code in [guide.onet_code, guide.isco_code] if code],
            "skills": ", ".join(s.name for s in page.technical_skills + page.soft_skills),
            "educationRequirements": education,
            "estimatedSalary": [
                salary_distribution(f)
                for region in page.salary_regions
                for table in region.countries
                for row in table.rows
                for f in row.figures
            ],
            "occupationLocation": [
                {"@type": "Country", "name": name, "identifier": code}
                for code, name in countries.items()
            ],
        },
    ]
    if guide.reviewed_by:
        reviewer = person(guide.reviewed_by)
        graph.append(reviewer)
        graph[1]["reviewedBy"] = {"@id": reviewer["@id"]}
        graph[3]["author"] = {"@id": reviewer["@id"]}
    else:
        graph[3]["author"] = {"@id": absolute("/#organization")}
    if page.faqs:
        graph.append(
            {
                "@type": "FAQPage",
                "@id": f"{url}#faq",
                "url": f"{url}#faq",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": q.question,
                        "acceptedAnswer": {"@type": "Answer", "text": q.answer},
                    }
                    for q in page.faqs
                ],
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}
