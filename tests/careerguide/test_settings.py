"""Settings that a development checkout and production read differently: where the
SECRET_KEY comes from, and the one SITE_URL of a run.

Each test runs the real settings file in a subprocess with a controlled
environment, from a checkout of its own (`BASE_DIR` is a temporary directory), so
neither this shell's variables nor the real `.secret-key` or `.env` count.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILE_KEY = "file-key-" + "f" * 50
ENV_KEY = "env-key-" + "e" * 50
# The settings module of the temporary checkout: the real settings file, run from
# there, so BASE_DIR (and `.secret-key`, `.env`) is that checkout's.
SHIM = """\
import runpy
from pathlib import Path

_settings = runpy.run_path(str(Path(__file__).parent / "careerguide" / "settings.py"))
globals().update({name: value for name, value in _settings.items() if name.isupper()})
"""


@pytest.fixture
def checkout(tmp_path):
    (tmp_path / "careerguide").mkdir()
    shutil.copy(ROOT / "careerguide" / "settings.py", tmp_path / "careerguide" / "settings.py")
    (tmp_path / "checkout_settings.py").write_text(SHIM)
    return tmp_path


def run(checkout, code, **env):
    """`code` after django.setup(), with only `env` (and PATH) in the environment."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         f"from django.conf import settings; {code}"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(checkout),
             "DJANGO_SETTINGS_MODULE": "checkout_settings", **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def value(checkout, expression, **env):
    result = run(checkout, f"print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_secret_key_a_development_checkout_uses_the_key_file(checkout):
    (checkout / ".secret-key").write_text(FILE_KEY + "\n")
    assert value(checkout, "settings.SECRET_KEY") == FILE_KEY
    assert value(checkout, "settings.SECRET_KEY_FROM_FILE") == "True"


def test_secret_key_from_the_environment_wins_over_the_file(checkout):
    (checkout / ".secret-key").write_text(FILE_KEY)
    assert value(checkout, "settings.SECRET_KEY", SECRET_KEY=ENV_KEY) == ENV_KEY
    assert value(checkout, "settings.SECRET_KEY_FROM_FILE", SECRET_KEY=ENV_KEY) == "False"


@pytest.mark.parametrize("https", ["true", "1", "on"])
def test_with_https_on_a_missing_secret_key_refuses_even_with_the_file(checkout, https):
    (checkout / ".secret-key").write_text(FILE_KEY)
    result = run(checkout, "print(settings.SECRET_KEY)", HTTPS=https)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert FILE_KEY not in result.stdout + result.stderr
    # With the key in the environment, production starts.
    assert value(checkout, "settings.SECRET_KEY", HTTPS=https, SECRET_KEY=ENV_KEY) == ENV_KEY


@pytest.mark.parametrize("content", [None, "", "\n"])
def test_no_key_and_no_usable_file_refuses(checkout, content):
    if content is not None:
        (checkout / ".secret-key").write_text(content)
    result = run(checkout, "print(settings.SECRET_KEY)")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_site_url_follows_port_unless_site_url_is_set(checkout):
    key = {"SECRET_KEY": ENV_KEY}
    assert value(checkout, "settings.SITE_URL", **key) == "http://127.0.0.1:8000"
    assert value(checkout, "settings.SITE_URL", PORT="9000", **key) == "http://127.0.0.1:9000"
    site = {"SITE_URL": "https://careers.example.org/", "PORT": "9000", **key}
    assert value(checkout, "settings.SITE_URL", **site) == "https://careers.example.org"


def test_absolute_urls_of_a_run_use_its_port(checkout):
    """JSON-LD and the sitemap build on SITE_URL, as canonical, Open Graph and robots
    do (test_seo checks every page against SITE_URL)."""
    code = (
        "from careerguide.seo import jsonld, sitemaps; s = sitemaps.HomeSitemap(); "
        "print(jsonld.absolute('/x/'), f'{s.get_protocol()}://{s.get_domain()}/x/')"
    )
    result = run(checkout, code, PORT="9000", SECRET_KEY=ENV_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://127.0.0.1:9000/x/"] * 2


def check_ids(checkout, deploy=True, **env):
    code = (
        "from django.core import checks; "
        f"print(*[m.id for m in checks.run_checks(include_deployment_checks={deploy})])"
    )
    result = run(checkout, code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_deploy_check_warns_when_the_key_came_from_the_file(checkout):
    (checkout / ".secret-key").write_text(FILE_KEY)
    assert "careerguide.W001" in check_ids(checkout)
    assert "careerguide.W001" not in check_ids(checkout, SECRET_KEY=ENV_KEY)
    # Only `check --deploy` warns: development stays quiet.
    assert "careerguide.W001" not in check_ids(checkout, deploy=False)
