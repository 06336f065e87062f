"""Proxy trust (issue 15, finding 4): forwarded headers count only from
TRUSTED_PROXIES, so nobody who reaches gunicorn directly can dodge a lockout,
lock someone else out, or pass for HTTPS; and a lockout cannot be kept going.

The deployment tested is the one the probe found: one load balancer
(10.0.0.0/8 here) in front, and gunicorn reachable directly as well.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from careerguide.http.clientip import client_ip
from careerguide.http.proxy import UntrustedForwardedHeadersMiddleware
from tests.servers import deploy_check

LB = "10.0.0.0/8"
PROXY = "10.99.0.1"  # the load balancer, as gunicorn sees it
ATTACKER = "198.51.100.20"  # a client talking to gunicorn directly
VICTIM = "203.0.113.7"
PASSWORD = "the right long password"


@pytest.fixture
def behind_lb(settings):
    settings.TRUSTED_PROXIES = [LB]


def ip(rf, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(rf.get("/", **extra))


# client_ip


def test_a_direct_peer_is_its_own_address_whatever_it_forwards(rf, behind_lb):
    assert ip(rf, ATTACKER, "6.6.6.6") == ATTACKER
    assert ip(rf, ATTACKER, f"{VICTIM}, {PROXY}") == ATTACKER
    assert ip(rf, ATTACKER, "") == ATTACKER


def test_the_issues_example_from_a_direct_peer_is_not_believed(rf, behind_lb):
    # django-ipware believes this: its proxy list matches 10.99.0.1 in the header.
    assert ip(rf, ATTACKER, "203.0.113.9, 10.99.0.1") == ATTACKER


def test_nobody_is_trusted_by_default(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert ip(rf, PROXY, "203.0.113.9") == PROXY


def test_from_a_trusted_proxy_the_rightmost_untrusted_entry_is_the_client(rf, behind_lb):
    assert ip(rf, PROXY, VICTIM) == VICTIM
    # Entries left of it were sent by the client and mean nothing.
    assert ip(rf, PROXY, f"6.6.6.6, 1.2.3.4, {VICTIM}") == VICTIM


def test_a_chain_of_trusted_proxies_is_skipped(rf, settings):
    settings.TRUSTED_PROXIES = [LB, "192.0.2.0/24"]  # load balancer and a CDN
    assert ip(rf, PROXY, f"6.6.6.6, {VICTIM}, 192.0.2.10, 10.1.2.3") == VICTIM
    # All of the chain trusted (a probe from the proxies themselves): the leftmost.
    assert ip(rf, PROXY, "192.0.2.10, 10.1.2.3") == "192.0.2.10"
    # No header at all from a trusted peer: the peer.
    assert ip(rf, PROXY) == PROXY


def test_ipv6_peers_clients_and_networks(rf, settings):
    settings.TRUSTED_PROXIES = ["2001:db8:100::/48", LB]
    assert ip(rf, "2001:db8:100::5", "2001:db8:ffff::1") == "2001:db8:ffff::1"
    assert ip(rf, "2001:db8:100::5", "2001:DB8:FFFF:0:0:0:0:1") == "2001:db8:ffff::1"
    assert ip(rf, "2001:db8:100::5", "[2001:db8:ffff::1]:443") == "2001:db8:ffff::1"
    assert ip(rf, "2001:db8:200::5", "203.0.113.9") == "2001:db8:200::5"
    # A dual-stack socket reports an IPv4 load balancer as IPv4-mapped IPv6.
    assert ip(rf, "::ffff:10.99.0.1", VICTIM) == VICTIM
    assert ip(rf, "::ffff:198.51.100.20", VICTIM) == ATTACKER


def test_a_malformed_entry_stops_at_the_last_trusted_hop(rf, behind_lb):
    assert ip(rf, PROXY, "not-an-ip") == PROXY
    assert ip(rf, PROXY, f"{VICTIM}, garbage, 10.5.5.5") == "10.5.5.5"
    assert ip(rf, PROXY, f"{VICTIM},,") == PROXY
    assert ip(rf, PROXY, "999.1.1.1") == PROXY
    # A port after an IPv4 address (some load balancers add it) is not malformed.
    assert ip(rf, PROXY, f"{VICTIM}:51234") == VICTIM


def test_a_bad_network_or_the_old_setting_stops_the_settings_from_loading(monkeypatch):
    import runpy

    from django.conf import settings

    path = str(settings.BASE_DIR / "careerguide" / "settings.py")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1/8")  # host bits set: a typo
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        runpy.run_path(path)
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32")
    assert runpy.run_path(path)["TRUSTED_PROXIES"] == ["10.0.0.0/8", "2001:db8::/32"]
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXY_COUNT was removed.*"
                       r"TRUSTED_PROXIES=10\.0\.0\.0/8"):  # fmt: skip
        runpy.run_path(path)


# Forwarded headers and HTTPS


def test_the_middleware_drops_forwarded_headers_from_untrusted_peers_only(rf, behind_lb):
    seen = {}
    middleware = UntrustedForwardedHeadersMiddleware(lambda r: seen.update(r.META))
    headers = {
        "HTTP_X_FORWARDED_FOR": VICTIM,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example",
        "HTTP_FORWARDED": "for=203.0.113.7;proto=https",
    }
    middleware(rf.get("/", REMOTE_ADDR=ATTACKER, **headers))
    assert not set(headers) & set(seen)
    seen.clear()
    middleware(rf.get("/", REMOTE_ADDR=PROXY, **headers))
    assert {k: seen[k] for k in headers} == headers


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_x_forwarded_proto_from_an_untrusted_peer_does_not_make_a_request_secure(rf, behind_lb):
    """BEHIND_PROXY's SECURE_PROXY_SSL_HEADER, with the middleware in front."""
    middleware = UntrustedForwardedHeadersMiddleware(lambda r: r.is_secure())
    assert middleware(rf.get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_PROTO="https")) is False
    assert middleware(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")) is True


@pytest.mark.django_db
@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_SSL_REDIRECT=True
)
def test_through_the_site_a_direct_peer_claiming_https_is_still_redirected(client, behind_lb):
    home = reverse("home")
    direct = client.get(home, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301
    assert direct["Location"].startswith("https://")
    proxied = client.get(home, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


# Lockouts through the real admin login


@pytest.fixture
def victim(db):
    return User.objects.create_user("victim", password=PASSWORD, is_staff=True)


def login(client, remote, password="wrong guess", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        reverse("admin:login"), {"username": "victim", "password": password}, **extra
    )


def test_rotating_x_forwarded_for_from_one_direct_client_still_locks_out(
    client, settings, behind_lb, victim
):
    statuses = [
        login(client, ATTACKER, forwarded=f"203.0.113.{n}, {PROXY}").status_code
        for n in range(1, settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert login(client, ATTACKER, PASSWORD, forwarded="203.0.113.99").status_code == 429


def test_spoofing_a_victims_address_locks_out_the_attacker_not_the_victim(
    client, settings, behind_lb, victim
):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = login(client, ATTACKER, forwarded=VICTIM)
    assert last.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The attacker's own address is locked, even with the right password...
    assert login(client, ATTACKER, PASSWORD, forwarded=VICTIM).status_code == 429
    # ...and the victim, coming through the load balancer, signs in.
    assert login(client, PROXY, PASSWORD, forwarded=VICTIM).status_code == 302


def test_a_failure_during_lockout_does_not_extend_it(client, settings, victim):
    """Failing once in a while during a lockout must not keep it going for ever
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False). The clock axes
    reads is moved on: it stamps each attempt with its `now`."""
    start = timezone.now()
    cool_off = settings.AXES_COOLOFF_TIME

    def at(moment):
        return mock.patch("axes.handlers.proxy.now", return_value=moment)

    with at(start):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            last = login(client, VICTIM)
    assert last.status_code == 429
    # Failures near the end of the cool-off, while still locked out.
    for minutes_left in (5, 1):
        with at(start + cool_off - datetime.timedelta(minutes=minutes_left)):
            assert login(client, VICTIM).status_code == 429
    # The lockout ends on time, counted from the failure that caused it.
    with at(start + cool_off + datetime.timedelta(seconds=30)):
        assert login(client, VICTIM, PASSWORD).status_code == 302


# Deploy checks


def test_deploy_check_behind_a_proxy_needs_trusted_proxies():
    """As the Dockerfile runs (BEHIND_PROXY=true): clean with TRUSTED_PROXIES set,
    careerguide.W004 without."""
    configured = deploy_check(BEHIND_PROXY="true", TRUSTED_PROXIES="10.0.0.0/16,2001:db8::/48")
    assert configured.returncode == 0, configured.stdout + configured.stderr
    assert "no issues" in configured.stdout
    unset = deploy_check(BEHIND_PROXY="true", TRUSTED_PROXIES=None)
    assert unset.returncode != 0
    assert "careerguide.W004" in unset.stdout + unset.stderr
    assert "TRUSTED_PROXIES" in unset.stdout + unset.stderr


def test_the_proxy_check_warns_only_behind_a_proxy_without_trusted_proxies(settings):
    from careerguide.checks import proxy_without_trusted_proxies as check

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    assert [w.id for w in check()] == ["careerguide.W004"]
    settings.TRUSTED_PROXIES = [LB]
    assert check() == []
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXIES = []
    assert check() == []
