"""gzip for the responses the page cache does not compress (the plan form and
plans, 404s): honouring Accept-Encoding's q-values, with `Vary: Accept-Encoding`,
weak ETags and text types only (careerguide.http.compress)."""

import gzip

import pytest
from django.http import HttpResponse, HttpResponseNotModified
from django.test import RequestFactory

from careerguide import starter
from careerguide.http.compress import CompressionMiddleware, accepts_gzip
from tests.browser.conftest import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter_guide(db):
    starter.load()


def vary(response):
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("path", [PAGES["plan"], PAGES["guide"] + "plan/"])
def test_plan_pages_are_gzipped_when_accepted(client, starter_guide, path):
    plain = client.get(path)
    zipped = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert int(zipped["Content-Length"]) == len(zipped.content)
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(zipped)


@pytest.mark.parametrize("refused", ["gzip;q=0", "gzip; q=0.000, br", "*;q=0", "identity"])
def test_gzip_refused_by_q_0_is_not_sent(client, starter_guide, refused):
    response = client.get(PAGES["plan"], headers={"accept-encoding": refused})
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert response.content == client.get(PAGES["plan"]).content
    assert "accept-encoding" in vary(response)


def test_a_cached_page_honours_q_0_too(client, starter_guide):
    """Bug: the page cache sent its stored gzip body to `gzip;q=0` (it only
    looked for the word "gzip" in the header)."""
    first = client.get(PAGES["guide"], headers={"accept-encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"  # stored with its gzip body
    refused = client.get(PAGES["guide"], headers={"accept-encoding": "gzip;q=0"})
    assert refused.status_code == 200
    assert "Content-Encoding" not in refused
    assert refused.content == gzip.decompress(first.content)


def test_the_404_page_is_gzipped(client, starter_guide):
    response = client.get("/no-such-page/", headers={"accept-encoding": "gzip"})
    assert response.status_code == 404
    assert response["Content-Encoding"] == "gzip"
    assert b"<h1" in gzip.decompress(response.content)


def test_images_are_not_compressed_again(client, starter_guide):
    response = client.get(PAGES["guide"] + "social.png", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "Content-Encoding" not in response


def test_guide_etag_is_shared_by_both_encodings_and_revalidates(client, starter_guide):
    plain = client.get(PAGES["guide"])
    zipped = client.get(PAGES["guide"], headers={"accept-encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    assert plain["ETag"] == zipped["ETag"] and plain["ETag"].startswith('W/"')
    again = client.get(
        PAGES["guide"], headers={"accept-encoding": "gzip", "if-none-match": zipped["ETag"]}
    )
    assert again.status_code == 304


def middleware_response(response, accept_encoding="gzip"):
    request = RequestFactory().get("/", headers={"accept-encoding": accept_encoding})
    return CompressionMiddleware(lambda request: response)(request)


def test_a_strong_etag_is_weakened_when_the_body_is_compressed():
    response = middleware_response(HttpResponse("<p>x</p>" * 100, headers={"ETag": '"abc"'}))
    assert response["Content-Encoding"] == "gzip"
    assert response["ETag"] == 'W/"abc"'
    plain = middleware_response(HttpResponse("<p>x</p>" * 100, headers={"ETag": '"abc"'}), "br")
    assert plain["ETag"] == '"abc"' and "Content-Encoding" not in plain


def test_short_bodies_stay_plain_and_a_304_names_its_vary():
    short = middleware_response(HttpResponse("<p>short</p>"))
    assert "Content-Encoding" not in short
    assert "accept-encoding" in vary(middleware_response(HttpResponseNotModified()))


@pytest.mark.parametrize(
    "header, accepted",
    [
        ("gzip", True),
        ("GZIP;Q=0.5", True),
        ("deflate, gzip;q=1.0, br", True),
        ("br, *", True),
        ("br, *;q=0.1", True),
        ("", False),
        ("br", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip ; q=0.0", False),
        ("gzip;q=0, *", False),
        ("*;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip_reads_q_values(header, accepted):
    request = RequestFactory().get("/", headers={"accept-encoding": header})
    assert accepts_gzip(request) is accepted
