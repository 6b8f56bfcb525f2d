"""An HTTP client that cannot be aimed at internal addresses (server-side request forgery).

For a service that fetches URLs its users give (a quality checker, a harvester, a link
checker). Every connection, redirects included, goes through ``GuardedBackend``: it resolves
the host itself, refuses when any address is not globally routable (private, loopback,
link-local, reserved, shared, multicast, unspecified) unless the host or the address is in the
allow-list, and then connects to the address it vetted, so that a DNS answer that changes
between the check and the connection (rebinding) cannot slip through. TLS still verifies the
certificate against the host name of the URL.

An IPv6 address that carries an IPv4 address is judged by the IPv4 address it carries
(``embedded_ipv4``): IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, 6to4
``2002::/16``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``, Teredo ``2001::/32`` (its server
and its client).

A refusal says why (``refused: internal address (loopback)``), never what the host resolved
to: that would tell whoever gave the URL about the internal network.

``trusted_origins`` are origins (scheme, host and port, exactly) that the client may reach
whatever their addresses: a service of the platform itself, say, on a private network or on
the loopback of a developer's machine. A request to another scheme or port of the same host is
guarded like any other, and so is every redirect away from a trusted origin.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (scheme, host, port) as httpx normalises them: "http", "catalog.example", 80.
Origin = tuple[str, str, int]

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")
# The prefix lengths RFC 6052 lets a NAT64 prefix inside 64:ff9b:1::/48 have.
_NAT64_LOCAL_USE_PREFIXES = (48, 56, 64, 96)


class RefusedTarget(Exception):
    """The URL points at an address the client must not reach.

    ``address`` is kept for the operator's logs; the message, which reaches whoever gave the
    URL, only says what kind of address it was.
    """

    def __init__(self, host: str, reason: str, address: str | None = None) -> None:
        super().__init__(f"refused: internal address ({reason})")
        self.host = host
        self.reason = reason
        self.address = address


def _rfc6052_ipv4(address: ipaddress.IPv6Address, prefix_length: int) -> ipaddress.IPv4Address:
    """The IPv4 address a NAT64 address with a prefix of this length carries (RFC 6052 §2.2:
    bits 64 to 71 are always skipped)."""
    value = int(address)

    def bits(start: int, length: int) -> int:
        return (value >> (128 - start - length)) & ((1 << length) - 1)

    if prefix_length == 96:
        return ipaddress.IPv4Address(bits(96, 32))
    before = 64 - prefix_length
    after = 32 - before
    return ipaddress.IPv4Address((bits(prefix_length, before) << after) | bits(72, after))


def embedded_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries, in every form that routes to them; empty
    for an IPv4 address or an IPv6 address that carries none. A local-use NAT64 address may be
    read with several prefix lengths: every reading is returned."""
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        server, client = address.teredo
        return (server, client)
    if address in _NAT64_WELL_KNOWN:
        return (_rfc6052_ipv4(address, 96),)
    if address in _NAT64_LOCAL_USE:
        readings = (_rfc6052_ipv4(address, length) for length in _NAT64_LOCAL_USE_PREFIXES)
        return tuple(dict.fromkeys(readings))
    # ``::`` and ``::1`` are the unspecified and loopback addresses, not IPv4-compatible ones.
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return (ipaddress.IPv4Address(int(address)),)
    return ()


def _why_internal(address: IPAddress) -> str | None:
    # Most specific first: link-local and loopback addresses also count as private.
    for reason in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{reason}"):
            return reason.replace("_", "-")
    if not address.is_global:
        return "not-global"
    return None


def why_internal(address: IPAddress) -> str | None:
    """The kind of internal address this is (loopback, private…), or None for a public one.
    An address that carries IPv4 addresses is judged by them."""
    embedded = embedded_ipv4(address)
    if embedded:
        return next((r for r in map(_why_internal, embedded) if r is not None), None)
    return _why_internal(address)


@dataclass(frozen=True)
class AllowList:
    """Hosts (exact names) and networks the client may reach although they are internal."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From entries that are host names, IP addresses or networks (CIDR)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def _in_networks(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)

    def allows(self, host: str, address: IPAddress) -> bool:
        """The host is allowed, or the address is in an allowed network (as are all the IPv4
        addresses it carries, when it carries some)."""
        if host.lower().rstrip(".") in self.hosts or self._in_networks(address):
            return True
        embedded = embedded_ipv4(address)
        return bool(embedded) and all(map(self._in_networks, embedded))


def origin_of(url: str | httpx.URL) -> Origin:
    """The origin of an absolute http(s) URL, its port made explicit; ValueError otherwise."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"not a URL: {exc}") from exc
    scheme = parsed.scheme
    if scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"not an absolute http(s) URL: {str(url)!r}")
    port = parsed.port or (443 if scheme == "https" else 80)
    if not 0 < port < 65536:
        raise ValueError(f"not a TCP port: {port}")
    return scheme, parsed.raw_host.decode("ascii").lower(), port


async def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])  # no IPv6 zone
        if address not in seen:
            seen.append(address)
    return seen


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to vetted addresses; ``trusted`` endpoints (host, port) are vetted by
    their origin, not their addresses."""

    def __init__(self, allow: AllowList, trusted: frozenset[tuple[str, int]] = frozenset()) -> None:
        self.allow = allow
        self.trusted = trusted
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await asyncio.wait_for(resolve(host, port), timeout)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if (host.lower(), port) not in self.trusted:
            # Refuse when any answer is internal: a name that mixes public and internal
            # addresses is itself suspicious.
            for address in addresses:
                reason = why_internal(address)
                if reason is not None and not self.allow.allows(host, address):
                    raise RefusedTarget(host, reason, str(address))
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address
                last_error = exc
        raise last_error or httpcore.ConnectError(f"{host} has no address")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not reachable through this client")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _transport(backend: GuardedBackend, max_connections: int) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx 0.28 offers no public way to pass a network backend: replace the pool it built
    # with one that has the guard (same TLS context, no proxy: the environment is ignored).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=max_connections,
        network_backend=backend,
    )
    return transport


class OriginRouter(httpx.AsyncBaseTransport):
    """Sends each request (each redirect too: the client follows them above the transport)
    to the trusted transport when its origin is one of ``origins``, else to the strict one."""

    def __init__(
        self,
        strict: httpx.AsyncBaseTransport,
        trusted: httpx.AsyncBaseTransport,
        origins: frozenset[Origin],
    ) -> None:
        self.strict = strict
        self.trusted = trusted
        self.origins = origins

    def is_trusted(self, url: httpx.URL) -> bool:
        try:
            return origin_of(url) in self.origins
        except ValueError:
            return False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.trusted if self.is_trusted(request.url) else self.strict
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self.strict.aclose()
        await self.trusted.aclose()


def guarded_client(
    allowlist: Iterable[str],
    *,
    timeout: float,
    max_redirects: int,
    user_agent: str,
    max_connections: int = 20,
    trusted_origins: Iterable[str] = (),
) -> httpx.AsyncClient:
    """An HTTP client that refuses internal addresses but those allowed (``allowlist``: hosts,
    addresses, networks) and the ``trusted_origins`` (URLs whose scheme, host and port are
    trusted whatever they resolve to)."""
    allow = AllowList.parse(allowlist)
    transport: httpx.AsyncBaseTransport = _transport(GuardedBackend(allow), max_connections)
    origins = frozenset(origin_of(url) for url in trusted_origins)
    if origins:
        endpoints = frozenset((host, port) for _scheme, host, port in origins)
        trusted = _transport(GuardedBackend(allow, endpoints), max_connections)
        transport = OriginRouter(transport, trusted, origins)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=max_redirects,
        trust_env=False,
        headers={"User-Agent": user_agent},
    )


__all__ = [
    "AllowList",
    "GuardedBackend",
    "OriginRouter",
    "RefusedTarget",
    "embedded_ipv4",
    "guarded_client",
    "origin_of",
    "resolve",
    "why_internal",
]
