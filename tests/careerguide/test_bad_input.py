"""Hostile input never produces a 500 or a traceback: random paths, query
strings, headers, methods and form values against every URL pattern, through a
client that enforces CSRF checks like a browser-less attacker would meet."""

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerguide.models import SitePage
from tests import factories

pytestmark = pytest.mark.django_db

NASTY = [
    "%00",
    "%FF",
    "%2e%2e/",
    "..",
    "%",
    "<script>",
    "'\"",
    "\u202e",
    "a" * 300,
    "%C0%AF",
    "\\",
    "//",
    ";",
    "?",
    "#",
]


@pytest.fixture
def site(db):
    guide = factories.full_guide(slug="backend-developer")
    SitePage.objects.create(slug="about", title="About", description="d", body="b")
    return guide


def concrete_paths():
    """One real path per URL pattern (the admin with a few of its pages)."""
    return [
        "/",
        "/careers/backend-developer/plan/",
        "/careers/backend-developer/",
        "/careers/backend-developer/social.png",
        "/careers/backend-developer/salaries/",
        "/careers/backend-developer/salaries.csv",
        "/preview/careers/backend-developer/",
        "/preview/about/",
        "/social.png",
        "/people/nobody/",
        "/robots.txt",
        "/.well-known/security.txt",
        "/favicon.ico",
        "/sitemap.xml",
        "/about/",
        "/healthz",
        "/readyz",
        "/admin/",
        "/admin/login/",
        "/admin/salaries/salaryfigure/",
        "/admin/salaries/salaryfigure/import/",
    ]


def test_every_url_pattern_is_covered():
    """Each of careerguide.urls' own patterns is matched by a fuzzed path; the only
    include is the admin's (sampled above). The probes are answered by middleware."""
    from careerguide import urls

    included = [p for p in urls.urlpatterns if isinstance(p, URLResolver)]
    assert [r.app_name for r in included] == ["admin"]
    routes = {}
    for path in concrete_paths():
        try:
            routes.setdefault(resolve(path).route, path)
        except Resolver404:
            assert path in {"/healthz", "/readyz"}, f"{path} matches no URL pattern"
    own = [str(p.pattern) for p in urls.urlpatterns if isinstance(p, URLPattern)]
    missing = [route for route in own if route not in routes]
    assert not missing, f"URL patterns no fuzzed path reaches: {missing}"


def check(response):
    assert response.status_code < 500, response.status_code
    body = response.content if not response.streaming else b""
    assert b"Traceback" not in body


ENFORCING = Client(enforce_csrf_checks=True, raise_request_exception=False)
text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
fuzz_part = st.one_of(st.sampled_from(NASTY), text)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(concrete_paths()),
    suffix=fuzz_part,
    query=st.lists(
        st.tuples(st.sampled_from(["p", "q", "a", "background", "skills", "%00"]), fuzz_part),
        max_size=5,
    ),
    method=st.sampled_from(["get", "head", "options", "post", "put", "patch", "delete"]),
    header=st.tuples(
        st.sampled_from(
            [
                "HTTP_IF_NONE_MATCH",
                "HTTP_IF_MODIFIED_SINCE",
                "HTTP_ACCEPT_ENCODING",
                "HTTP_X_REQUEST_ID",
                "HTTP_X_FORWARDED_FOR",
                "HTTP_RANGE",
                "HTTP_COOKIE",
            ]
        ),
        text,
    ),
    form=st.dictionaries(
        st.sampled_from(["username", "password", "import_file", "x", "p"]), fuzz_part, max_size=3
    ),
)
def test_random_requests_never_fail(site, path, suffix, query, method, header, form):
    target = path + (suffix if not path.endswith(".xml") else "")
    qs = "&".join(f"{k}={v}" for k, v in query)
    url = f"{target}?{qs}" if qs else target
    extra = {header[0]: header[1].encode("utf-8", "ignore").decode("latin-1")}
    call = getattr(ENFORCING, method)
    if method in {"post", "put", "patch"}:
        response = call(url, form if method == "post" else "x=1", **extra)
    else:
        response = call(url, **extra)
    check(response)


@pytest.mark.parametrize("path", concrete_paths())
def test_each_pattern_with_the_classic_attacks(site, path):
    check(ENFORCING.get(path + "%00"))
    check(ENFORCING.get(path + "%FF"))
    check(ENFORCING.get(path + "?p=%00&p=%FF&p=1&p=2"))  # repeated keys
    check(ENFORCING.get(path + "x" * 5000))  # overlong
    check(ENFORCING.head(path))
    check(ENFORCING.options(path))
    for method in (ENFORCING.put, ENFORCING.patch, ENFORCING.delete):
        assert method(path).status_code in {403, 404, 405}
    post = ENFORCING.post(path, {"a": "b"})
    assert post.status_code in {403, 404, 405}  # no CSRF token
    big = ENFORCING.post(path, {"a": "x" * (3 * 1024 * 1024)})
    assert big.status_code in {400, 403, 404, 405, 413}
    assert ENFORCING.get(path, headers={"host": "evil.example"}).status_code in {400, 200}
