"""Which addresses the URL checker refuses, and what the allow-list lets through."""

from __future__ import annotations

import ipaddress

import pytest

from services.governance.domain.urlguard import AllowList, why_internal


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
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not-global"),  # shared address space (carrier-grade NAT)
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6 is read as the IPv4 it carries
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_internal_addresses_are_named(address: str, reason: str) -> None:
    assert why_internal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", ["196.200.1.1", "2a00:1450:4007::200e", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert why_internal(ipaddress.ip_address(address)) is None


def test_the_allow_list_takes_hosts_and_networks() -> None:
    allow = AllowList.parse([" 10.0.0.0/8 ", "Files.Internal.Example.", "::1", ""])
    assert allow.hosts == frozenset({"files.internal.example"})
    assert allow.allows("files.internal.example.", ipaddress.ip_address("192.168.1.1"))
    assert allow.allows("other.example", ipaddress.ip_address("10.20.30.40"))
    assert allow.allows("other.example", ipaddress.ip_address("::1"))
    assert not allow.allows("other.example", ipaddress.ip_address("192.168.1.1"))
    assert not allow.allows("other.example", ipaddress.ip_address("127.0.0.1"))


def test_an_allowed_network_allows_its_ipv4_mapped_form() -> None:
    allow = AllowList.parse(["127.0.0.1"])
    assert allow.allows("x", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not allow.allows("x", ipaddress.ip_address("::ffff:127.0.0.2"))
