"""Real-browser tests: Debian's chromium, driven by Playwright's sync API, against
pytest-django's live server with the real starter content.

Playwright's sync API keeps an event loop running in the test thread while it is
started, so Django would refuse ORM calls there (SynchronousOnlyOperation). This
package allows them with DJANGO_ALLOW_ASYNC_UNSAFE, set only while its tests run and
with Playwright stopped before it is unset: the rest of the suite keeps Django's
protection, and subprocesses it starts (e.g. `check --deploy`, which rejects the
variable as async.E001) never inherit it.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PAGES = {
    "home": "/",
    "guide": "/careers/backend-developer/",
    # The personalized roadmap with answers: the plan, then the form again.
    "plan": "/careers/backend-developer/plan/?background=system-administrator"
    "&skills=command-line-linux&skills=docker-containers&hours=10&region=europe&language=python",
}
VIEWPORTS = {"375x812": (375, 812), "1280x800": (1280, 800)}


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving static files the way production does.

    pytest-django wraps the site in Django's StaticFilesHandler, which answers every
    /static/ request itself from the app finders and knows nothing of the manifest's
    hashed names (site.<hash>.css is a 404). Without that wrapper the request reaches
    whitenoise's middleware, which serves STATIC_ROOT as in production.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright):
    """One headless chromium for this package, stopped after its last test.
    Missing: skipped locally, failed when CI=true."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (Debian package `chromium`): browser tests not run"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server's origin, with the starter content committed."""
    from careerguide import starter

    starter.load()
    return live_server.url


@dataclass
class Tab:
    """A page at one viewport, recording console errors, page errors and any request
    that leaves the live server (aborted: nothing is fetched from the internet)."""

    page: object
    origin: str
    viewport: str
    errors: list = field(default_factory=list)
    name: str = ""

    def open(self, name):
        self.name = name
        response = self.page.goto(self.origin + PAGES[name], wait_until="load")
        assert response.status == 200, f"{PAGES[name]} answered {response.status}"
        return self.page

    def screenshot(self, mode):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.viewport}-{mode}.png"
        self.page.screenshot(path=path, full_page=True, animations="disabled")
        return path

    def overflow(self):
        """(scrollWidth, innerWidth, elements sticking out on the right)."""
        return self.page.evaluate(
            """() => {
              const width = window.innerWidth;
              const out = [...document.body.querySelectorAll('*')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .slice(0, 8)
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
              return [document.documentElement.scrollWidth, width, out];
            }"""
        )

    def open_all_details(self):
        self.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def tab(browser, site, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = Tab(page=context.new_page(), origin=site, viewport=viewport)

    def keep_local(route):
        if route.request.url.startswith(site + "/"):
            route.continue_()
        else:
            tab.errors.append(f"request outside the site: {route.request.url}")
            route.abort()

    context.route("**/*", keep_local)
    tab.page.on(
        "console",
        lambda msg: (
            msg.type == "error" and tab.errors.append(f"console: {msg.text} {msg.location}")
        ),
    )
    tab.page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
    yield tab
    context.close()


@pytest.fixture
def staff_tab(browser, site):
    """open(user, group=None, width=1280) -> (page, console errors): a tab signed
    in as `user`, or, given a name and a group (Editors or Publishers), as a new
    staff user of that group."""
    import django_otp
    from django.conf import settings as dj_settings
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from tests.conftest import verified_device

    contexts = []

    def open_tab(user, group=None, width=1280, height=800):
        if isinstance(user, str):
            user = User.objects.create_user(user, password="a long staff password", is_staff=True)
            user.groups.add(Group.objects.get(name=group))
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        # Past the second factor too, as the sign-in's last step leaves it.
        session[django_otp.DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        host = site.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": dj_settings.SESSION_COOKIE_NAME, "value": session.session_key,
              "domain": host, "path": "/"}]
        )  # fmt: skip
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page, errors

    yield open_tab
    for context in contexts:
        context.close()
