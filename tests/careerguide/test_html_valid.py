"""The W3C Nu HTML Checker (vnu.jar) finds no error on any public page: every URL
in the sitemap, with the starter content, plus the 404 page and a filled plan.

The pages are rendered by Django's test client into files and checked in one vnu
run (one JVM start, a few seconds). Warnings are allowed and printed. The jar is
found the way the browser tests find Chromium: at a fixed place (`.ci/run`
installs it there with npm) or at $VNU_JAR; without Java or the jar the test is
skipped locally and fails when CI=true.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from careerguide.models import SitePage
from careerguide.templatetags.site_tags import datetime_attr
from tests.browser.conftest import PAGES
from tests.factories import elements

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / "node_modules/vnu-jar/build/dist/vnu.jar")
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# A page the checker must reject: proves the run really checked the files.
CANARY = (
    '<!DOCTYPE html><html lang="en"><title>canary</title>'
    '<p><time datetime="2026-01-02T03:04:05.123456+00:00">2 January</time></p></html>'
)


def java_and_jar():
    """(java, jar), or skip (fail when CI=true) naming what is missing."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java (Debian package `openjdk-17-jre-headless`)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR} (the `npm install … vnu-jar` line of .ci/run, or set VNU_JAR)")
    if missing:
        message = "Nu HTML Checker not run, missing: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return java, VNU_JAR


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = ElementTree.fromstring(response.content).findall("sm:url/sm:loc", SITEMAP_NS)
    return [urlsplit(loc.text)._replace(scheme="", netloc="").geturl() for loc in locations]


def check(java, jar, files):
    """vnu's messages for `files`, as {path: [message, ...]}."""
    result = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The JSON report goes to stderr; a crash leaves something else there.
    report = json.loads(result.stderr)
    messages = {str(path): [] for path in files}
    for message in report["messages"]:
        # A message about no file (the checker's own failure) is kept under "".
        messages.setdefault(urlsplit(message.get("url", "")).path, []).append(message)
    return messages


def describe(message):
    kind = message.get("subType", message["type"])  # info, warning, error, non-document-error
    return f"  line {message.get('lastLine', '?')}: {kind}: {message['message']}"


def is_error(message):
    return message["type"] != "info"  # "error", or "non-document-error": the file was not read


@pytest.mark.django_db
def test_nu_html_checker_finds_no_errors(client, tmp_path):
    java, jar = java_and_jar()
    from careerguide import starter

    starter.load()
    pages = {path: 200 for path in sitemap_paths(client)}
    assert {"/", PAGES["guide"], PAGES["guide"] + "plan/"} <= set(pages), pages
    pages[PAGES["plan"]] = 200
    pages["/no-such-page/"] = 404
    files = {}
    for i, (path, status) in enumerate(pages.items()):
        response = client.get(path)
        assert response.status_code == status, path
        assert response["Content-Type"].startswith("text/html"), path
        files[path] = tmp_path / f"page-{i}.html"
        files[path].write_bytes(response.content)
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY)

    messages = check(java, jar, [*files.values(), canary])

    assert [m["type"] for m in messages.pop(str(canary))] == ["error"]
    errors = [describe(m) for m in messages.pop("", [])]
    report = []
    for path, file in files.items():
        found = messages[str(file)]
        errors += [f"{path}\n{describe(m)}" for m in found if is_error(m)]
        report += [f"{path}\n{describe(m)}" for m in found if not is_error(m)]
    print(f"Nu HTML Checker: {len(files)} pages, {len(report)} warnings/info", *report, sep="\n")
    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize(
    "value, attribute",
    [
        (
            datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
            "2026-01-02T03:04:05+00:00",
        ),
        (
            datetime.datetime(
                2026, 1, 2, 3, 4, 5, 999999, tzinfo=datetime.timezone(-datetime.timedelta(hours=5))
            ),
            "2026-01-02T08:04:05+00:00",  # in the site's time zone (UTC)
        ),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        (None, ""),
    ],
)
def test_time_datetime_attributes_are_iso_8601_to_the_second(value, attribute):
    assert datetime_attr(value) == attribute


@pytest.mark.django_db
def test_a_site_pages_last_updated_time_is_to_the_second(client):
    page = SitePage.objects.create(
        slug=SitePage.FOOTER[0], title="About", description="About us.", body="Body."
    )
    changed = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)
    SitePage.objects.filter(pk=page.pk).update(content_changed_at=changed)
    [time] = elements(client.get(page.get_absolute_url()), "time")
    assert dict(time.attributes)["datetime"] == "2026-03-04T05:06:07+00:00"
