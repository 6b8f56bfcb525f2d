"""The URL guard (libs/http/urlguard.py): which addresses it refuses, the IPv4 addresses that
IPv6 forms carry, the allow-list, and the trusted origins, with a client and a server on this
machine's loopback."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator

import httpx
import pytest

from libs.http.urlguard import (
    AllowList,
    GuardedBackend,
    RefusedTarget,
    embedded_ipv4,
    guarded_client,
    origin_of,
    why_internal,
)


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


# --- internal addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("fd00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not-global"),  # shared address space (carrier-grade NAT)
    ],
)
def test_internal_addresses_are_named(address: str, reason: str) -> None:
    assert why_internal(ip(address)) == reason


# Each IPv6 form that carries an IPv4 address, carrying an internal one and a public one.
EMBEDDING = [
    # IPv4-mapped
    ("::ffff:127.0.0.1", ["127.0.0.1"], "loopback"),
    ("::ffff:10.0.0.1", ["10.0.0.1"], "private"),
    ("::ffff:8.8.8.8", ["8.8.8.8"], None),
    # IPv4-compatible (deprecated, still routed by some stacks through automatic tunnels)
    ("::127.0.0.1", ["127.0.0.1"], "loopback"),
    ("::169.254.169.254", ["169.254.169.254"], "link-local"),
    ("::8.8.8.8", ["8.8.8.8"], None),
    # 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
    ("2002:7f00:1::", ["127.0.0.1"], "loopback"),
    ("2002:a9fe:a9fe::1", ["169.254.169.254"], "link-local"),
    ("2002:c0a8:1::", ["192.168.0.1"], "private"),
    ("2002:808:808::1", ["8.8.8.8"], None),
    # NAT64, the well-known prefix: the last 32 bits
    ("64:ff9b::127.0.0.1", ["127.0.0.1"], "loopback"),
    ("64:ff9b::10.0.0.1", ["10.0.0.1"], "private"),
    ("64:ff9b::8.8.8.8", ["8.8.8.8"], None),
    # Teredo: the server (bits 32-63) and the client (the last 32 bits, inverted)
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", ["65.54.227.120", "192.0.2.45"], "private"),
    ("2001:0:7f00:1::f7f7:f7f7", ["127.0.0.1", "8.8.8.8"], "loopback"),
    ("2001:0:808:808::f5ff:fffe", ["8.8.8.8", "10.0.0.1"], "private"),
    ("2001:0:808:808::f7f7:f7f7", ["8.8.8.8", "8.8.8.8"], None),
]


@pytest.mark.parametrize(("address", "carried", "reason"), EMBEDDING)
def test_an_ipv6_address_is_judged_by_the_ipv4_addresses_it_carries(
    address: str, carried: list[str], reason: str | None
) -> None:
    assert [str(a) for a in embedded_ipv4(ip(address))] == carried
    assert why_internal(ip(address)) == reason


def test_a_local_use_nat64_address_is_judged_by_every_prefix_length_it_may_have() -> None:
    # 64:ff9b:1::/48 may hold prefixes of 48, 56, 64 or 96 bits (RFC 6052, RFC 8215): each
    # reading of the address is judged, and it passes only when every one is public.
    loopback_96 = ip("64:ff9b:1::7f00:1")
    assert ipaddress.IPv4Address("127.0.0.1") in embedded_ipv4(loopback_96)
    assert why_internal(loopback_96) is not None
    private_48 = ip("64:ff9b:1:a00:0:100::")  # 10.0, the u octet, 0.1
    assert ipaddress.IPv4Address("10.0.0.1") in embedded_ipv4(private_48)
    assert why_internal(private_48) is not None
    public_everywhere = ip("64:ff9b:1:808:8:808:808:808")
    assert all(not a.is_private for a in embedded_ipv4(public_everywhere))
    assert why_internal(public_everywhere) is None


@pytest.mark.parametrize("address", ["196.200.1.1", "2a00:1450:4007::200e", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert embedded_ipv4(ip(address)) == ()
    assert why_internal(ip(address)) is None


# --- the allow-list -------------------------------------------------------------------------------


def test_the_allow_list_takes_hosts_and_networks() -> None:
    allow = AllowList.parse([" 10.0.0.0/8 ", "Files.Internal.Example.", "::1", ""])
    assert allow.hosts == frozenset({"files.internal.example"})
    assert allow.allows("files.internal.example.", ip("192.168.1.1"))
    assert allow.allows("other.example", ip("10.20.30.40"))
    assert allow.allows("other.example", ip("::1"))
    assert not allow.allows("other.example", ip("192.168.1.1"))
    assert not allow.allows("other.example", ip("127.0.0.1"))


def test_an_allowed_network_allows_the_ipv6_forms_of_its_addresses() -> None:
    allow = AllowList.parse(["127.0.0.1"])
    assert allow.allows("x", ip("::ffff:127.0.0.1"))
    assert allow.allows("x", ip("2002:7f00:1::"))
    assert not allow.allows("x", ip("::ffff:127.0.0.2"))
    # Teredo carries two addresses: both must be allowed.
    assert not allow.allows("x", ip("2001:0:7f00:1::f7f7:f7f7"))


# --- refusals say the kind of address, not the address --------------------------------------------


async def test_a_refusal_names_the_kind_of_address_and_never_the_address() -> None:
    backend = GuardedBackend(AllowList.parse([]))
    with pytest.raises(RefusedTarget) as refused:
        await backend.connect_tcp("10.11.12.13", 80, timeout=1)
    assert str(refused.value) == "refused: internal address (private)"
    assert "10.11.12.13" not in str(refused.value)
    assert refused.value.reason == "private"


# --- trusted origins ------------------------------------------------------------------------------


def test_an_origin_is_scheme_host_and_port() -> None:
    assert origin_of("http://127.0.0.1:8001/api/v1/x?y=1") == ("http", "127.0.0.1", 8001)
    assert origin_of("https://Catalog.Example") == ("https", "catalog.example", 443)
    assert origin_of("http://catalog.example/") == ("http", "catalog.example", 80)
    assert origin_of("http://[::1]:8001") == ("http", "::1", 8001)
    for wrong in ("ftp://catalog.example", "/relative", "http://[::1", "http://x:70000"):
        with pytest.raises(ValueError):
            origin_of(wrong)


class LoopbackServer:
    """An HTTP server on 127.0.0.1 that answers every request with ``status`` (and a redirect
    to ``location`` when given)."""

    def __init__(self, location: str | None = None) -> None:
        self.location = location
        self.hits = 0
        self.port = 0
        self.server: asyncio.Server | None = None

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        self.hits += 1
        if self.location:
            head = f"HTTP/1.1 302 Found\r\nLocation: {self.location}\r\n"
        else:
            head = "HTTP/1.1 200 OK\r\n"
        writer.write(f"{head}Content-Length: 2\r\nConnection: close\r\n\r\nok".encode())
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> LoopbackServer:
        self.server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def catalog() -> AsyncIterator[LoopbackServer]:
    async with LoopbackServer() as server:
        yield server


def client(*trusted: str, allow: tuple[str, ...] = ()) -> httpx.AsyncClient:
    return guarded_client(
        allow, trusted_origins=trusted, timeout=2, max_redirects=3, user_agent="tests"
    )


async def test_the_trusted_origin_is_reached_on_the_loopback(catalog: LoopbackServer) -> None:
    origin = f"http://127.0.0.1:{catalog.port}"
    async with client(origin) as http:
        response = await http.get(f"{origin}/api/v1/resources/1/download?signature=x")
    assert response.status_code == 200 and catalog.hits == 1


async def test_without_trust_the_loopback_is_refused(catalog: LoopbackServer) -> None:
    async with client() as http:
        with pytest.raises(RefusedTarget, match=r"\(loopback\)"):
            await http.get(f"http://127.0.0.1:{catalog.port}/")
    assert catalog.hits == 0


async def test_the_same_host_on_another_port_is_refused(catalog: LoopbackServer) -> None:
    async with LoopbackServer() as other, client(f"http://127.0.0.1:{catalog.port}") as http:
        with pytest.raises(RefusedTarget):
            await http.get(f"http://127.0.0.1:{other.port}/")
        assert other.hits == 0


async def test_the_same_host_and_port_with_another_scheme_is_refused(
    catalog: LoopbackServer,
) -> None:
    async with client(f"http://127.0.0.1:{catalog.port}") as http:
        with pytest.raises(RefusedTarget):
            await http.get(f"https://127.0.0.1:{catalog.port}/")
    assert catalog.hits == 0


async def test_another_name_for_the_same_address_is_refused(catalog: LoopbackServer) -> None:
    async with client(f"http://127.0.0.1:{catalog.port}") as http:
        with pytest.raises(RefusedTarget):
            await http.get(f"http://localhost:{catalog.port}/")
    assert catalog.hits == 0


async def test_a_redirect_from_the_trusted_origin_elsewhere_is_guarded(
    catalog: LoopbackServer,
) -> None:
    async with LoopbackServer(location=f"http://127.0.0.1:{catalog.port}/internal") as trusted:
        async with client(f"http://127.0.0.1:{trusted.port}") as http:
            with pytest.raises(RefusedTarget):
                await http.get(f"http://127.0.0.1:{trusted.port}/download")
        assert trusted.hits == 1
    assert catalog.hits == 0


async def test_a_redirect_within_the_trusted_origin_is_followed(catalog: LoopbackServer) -> None:
    origin = f"http://127.0.0.1:{catalog.port}"
    async with LoopbackServer(location=f"{origin}/file") as redirecting:
        other = f"http://127.0.0.1:{redirecting.port}"
        async with client(origin, other) as http:
            response = await http.get(f"{other}/download")
    assert response.status_code == 200 and catalog.hits == 1


async def test_the_allow_list_still_applies_beside_trusted_origins(
    catalog: LoopbackServer,
) -> None:
    async with client("http://catalog.example", allow=("127.0.0.1",)) as http:
        response = await http.get(f"http://127.0.0.1:{catalog.port}/")
    assert response.status_code == 200
