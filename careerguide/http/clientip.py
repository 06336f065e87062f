"""The client's IP address, believed from forwarded headers only when a trusted
proxy sent them.

`TRUSTED_PROXIES` lists the networks (CIDRs, IPv4 or IPv6) of the load
balancer, and of any CDN in front of it. The rules:

- If `REMOTE_ADDR` (the peer of gunicorn's socket) is not in a trusted network,
  the client is `REMOTE_ADDR`, whatever `X-Forwarded-For` says: anyone can
  write that header, and a direct peer's is never believed.
- If it is, `X-Forwarded-For` is read from the right (each proxy appends the
  address it saw), skipping trusted addresses; the first untrusted one is the
  client. Entries further left were written by the client and mean nothing.
- A malformed entry met on the way (neither an IPv4 nor an IPv6 address, with
  or without a port) stops the walk: the client is then the last trusted hop,
  the nearest address known for sure. Lockouts key on that proxy rather than
  on something a client may have typed.
- All of the chain trusted (a probe from the load balancer itself): the
  leftmost, that is the last trusted hop too.

Addresses come back in canonical form, IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as
a dual-stack socket reports IPv4 peers) as plain IPv4, so one client has one
address in lockouts and logs.
"""

import functools
import ipaddress
import re

from django.conf import settings

# "[2001:db8::1]:443" or "[2001:db8::1]", and "192.0.2.1:8080": some load
# balancers append the client's port.
_BRACKETED = re.compile(r"^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$")
_IPV4_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$")


@functools.lru_cache(maxsize=8)
def trusted_networks(values):
    """`TRUSTED_PROXIES` (a tuple of strings) as ip_network objects, parsed once
    per distinct value (the settings validate them at load)."""
    return tuple(ipaddress.ip_network(value.strip()) for value in values if value.strip())


def networks():
    return trusted_networks(tuple(settings.TRUSTED_PROXIES))


def parse_ip(value):
    """An ip_address from a header or REMOTE_ADDR entry, or None if malformed."""
    value = (value or "").strip()
    match = _BRACKETED.match(value) or _IPV4_PORT.match(value)
    if match:
        value = match.group(1)
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address, nets=None):
    """Whether an ip_address (or None) lies in a trusted network."""
    if address is None:
        return False
    return any(address in net for net in (networks() if nets is None else nets))


def peer_is_trusted(request):
    """Whether the socket peer is a trusted proxy, so forwarded headers count."""
    nets = networks()
    return bool(nets) and is_trusted(parse_ip(request.META.get("REMOTE_ADDR")), nets)


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR")
    nets = networks()
    peer = parse_ip(remote)
    if not nets or not is_trusted(peer, nets):
        return str(peer) if peer is not None else remote
    last_trusted = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",") if forwarded.strip() else []):
        address = parse_ip(entry)
        if address is None:
            break
        if not is_trusted(address, nets):
            return str(address)
        last_trusted = address
    return str(last_trusted)
