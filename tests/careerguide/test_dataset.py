"""The salary dataset: /careers/<slug>/salaries.csv (every published figure with its
source and the source's terms, UTF-8 with a BOM, formula cells neutralised, an
attachment with validators and 304, kept a download by the page cache), the
salary page's `Dataset` JSON-LD, and the methodology page's licence."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from careerguide import starter
from careerguide.pages import SALARY_DATASET_QUERIES
from roadmaps.models import Guide
from salaries.models import SalaryFigure
from tests import factories

pytestmark = pytest.mark.django_db
SITE = "https://careers.example.org"
HEADER = [
    "guide", "country", "grade", "segment", "proxy role", "statistic", "pay basis", "amount",
    "p25", "p75", "currency", "period", "data year", "source name", "source URL",
    "source terms", "note",
]  # fmt: skip


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def csv_url(guide):
    return reverse("guide_salaries_csv", kwargs={"slug": guide.slug})


def read(response):
    raw = response.content
    assert raw.startswith("\ufeff".encode()), "a BOM, so spreadsheets read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_every_published_figure_with_its_source_and_terms(client, full_guide):
    source = factories.source(
        name="Wynagrodzenia.pl (GUS) — łódzkie", url="https://example.org/ł", terms="CC BY 4.0"
    )
    factories.figure(full_guide, country=factories.country(code="PL", name="Poland"),
                     amount=7500, currency="PLN", period="month", pay_basis="b2b",
                     p25=6000, p75=9200, data_year=2022, source=source, segment="Startups",
                     is_proxy_role=True, note="Net of VAT (€ not used).")  # fmt: skip
    factories.figure(full_guide, segment="Hidden", is_published=False)
    response = client.get(csv_url(full_guide))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{full_guide.slug}-salaries.csv"'
    )
    header, *rows = read(response)
    assert header == HEADER
    assert len(rows) == SalaryFigure.objects.published().filter(guide=full_guide).count() == 2
    by_country = {row[1]: dict(zip(HEADER, row, strict=True)) for row in rows}
    assert by_country["Poland"] == {
        "guide": full_guide.name,
        "country": "Poland",
        "grade": "Junior",
        "segment": "Startups",
        "proxy role": "yes",
        "statistic": "median",
        "pay basis": "B2B contract rate",
        "amount": "7500",
        "p25": "6000",
        "p75": "9200",
        "currency": "PLN",
        "period": "month",
        "data year": "2022",
        "source name": "Wynagrodzenia.pl (GUS) — łódzkie",
        "source URL": "https://example.org/ł",
        "source terms": "CC BY 4.0",
        "note": "Net of VAT (€ not used).",
    }
    germany = by_country["Country DE"]
    assert (germany["p25"], germany["p75"], germany["proxy role"]) == ("", "", "no")
    assert "Hidden" not in response.content.decode("utf-8-sig")


def test_formula_cells_are_neutralised_and_numbers_stay_numbers(client, full_guide):
    source = factories.source(name='=HYPERLINK("https://evil.example")', terms="@SUM(A1)")
    factories.figure(full_guide, segment="+1", note="-2+3", source=source, amount=40000)
    _, *rows = read(client.get(csv_url(full_guide)))
    row = dict(zip(HEADER, next(r for r in rows if r[3] == "'+1"), strict=True))
    assert row["source name"] == '\'=HYPERLINK("https://evil.example")'
    assert row["source terms"] == "'@SUM(A1)"
    assert row["note"] == "'-2+3"
    assert row["amount"] == "40000"  # a number, not "'40000"


def test_validators_304_and_exactly_the_pinned_queries(client, full_guide):
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(csv_url(full_guide))
    assert len(ctx) == SALARY_DATASET_QUERIES == 2
    full_guide.refresh_from_db()
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    cache.clear()  # revalidated by the view itself, not only by the page cache
    assert (
        client.get(csv_url(full_guide), headers={"if-none-match": first["ETag"]}).status_code == 304
    )
    assert (
        client.get(
            csv_url(full_guide), headers={"if-modified-since": first["Last-Modified"]}
        ).status_code
        == 304
    )
    assert client.head(csv_url(full_guide)).status_code == 200


def test_the_page_cache_keeps_it_a_download(client, full_guide):
    first = client.get(csv_url(full_guide))
    with CaptureQueriesContext(connection) as ctx:
        hit = client.get(csv_url(full_guide), headers={"accept-encoding": "gzip"})
    assert len(ctx) == 0, "served from the page cache"
    assert hit["Content-Encoding"] == "gzip"
    for header in ("Content-Disposition", "Content-Type", "ETag", "Last-Modified"):
        assert hit[header] == first[header], header
    revalidated = client.get(csv_url(full_guide), headers={"if-none-match": first["ETag"]})
    assert revalidated.status_code == 304


def test_an_unknown_or_unpublished_guide_has_no_download(client, full_guide):
    assert client.get("/careers/no-such-guide/salaries.csv").status_code == 404
    Guide.objects.filter(pk=full_guide.pk).update(is_published=False)
    assert client.get(csv_url(full_guide)).status_code == 404


# Dataset JSON-LD on the salary page


def json_ld(response):
    [block] = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(block)


def test_the_salary_page_describes_the_dataset_for_dataset_search(client, full_guide):
    factories.figure(full_guide, country=factories.country(code="US", name="United States"),
                     amount=133080, currency="USD", data_year=2024)  # fmt: skip
    factories.figure(full_guide, segment="Old", data_year=2020)
    page_url = reverse("guide_salaries", kwargs={"slug": full_guide.slug})
    graph = json_ld(client.get(page_url))
    assert graph["@context"] == "https://schema.org"
    nodes = {node["@type"]: node for node in graph["@graph"]}
    assert {"Organization", "WebPage", "Dataset", "BreadcrumbList"} <= set(nodes)
    dataset = nodes["Dataset"]
    full_guide.refresh_from_db()
    assert dataset["name"] == f"{full_guide.name} salaries by country and grade"
    assert 50 <= len(dataset["description"]) <= 5000  # Google's bounds
    assert dataset["url"] == f"{SITE}{page_url}"
    assert dataset["creator"] == {"@id": nodes["Organization"]["@id"]}
    assert nodes["Organization"]["name"] == "Career Guide"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["temporalCoverage"] == "2020/2025"
    assert dataset["dateModified"] == full_guide.content_changed_at.isoformat()
    assert dataset["distribution"] == [
        {
            "@type": "DataDownload",
            "contentUrl": f"{SITE}{csv_url(full_guide)}",
            "encodingFormat": "text/csv",
            "name": f"{full_guide.name} salaries by country and grade (CSV, UTF-8)",
        }
    ]
    assert {c["name"] for c in dataset["spatialCoverage"]} == {"Country DE", "United States"}
    assert nodes["WebPage"]["mainEntity"] == {"@id": dataset["@id"]}
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [c["item"] for c in crumbs][-1] == f"{SITE}{page_url}"
    # The download it names is there.
    assert client.get(csv_url(full_guide)).status_code == 200


def test_one_data_year_is_a_single_year(client, full_guide):
    graph = json_ld(client.get(reverse("guide_salaries", kwargs={"slug": full_guide.slug})))
    [dataset] = [n for n in graph["@graph"] if n["@type"] == "Dataset"]
    assert dataset["temporalCoverage"] == "2025"


def test_the_methodology_page_states_the_licence_and_links_the_file(client, db):
    starter.load()
    response = client.get(reverse("site_page", kwargs={"slug": "methodology"}))
    link = reverse("guide_salaries_csv", kwargs={"slug": "backend-developer"})
    assertContains(response, f'href="{link}"')
    assertContains(response, "CC BY 4.0")
    assertContains(response, "source terms")
    assert client.get(link).status_code == 200
    # The starter sources carry their terms, into the file.
    _, *rows = read(client.get(link))
    terms = {row[HEADER.index("source name")]: row[HEADER.index("source terms")] for row in rows}
    assert terms["Stack Overflow Developer Survey 2025"].startswith("Open Database License (ODbL)")
    assert all(terms.values())
