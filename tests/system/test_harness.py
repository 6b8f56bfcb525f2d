"""The harness itself: four ready services and their people, made through the public APIs."""

from __future__ import annotations

from tests.support.platform import Platform


def test_four_services_answer_and_people_are_made_through_the_apis(system: Platform) -> None:
    for service in system.services.values():
        with service.client() as http:
            assert http.get("/healthz").json()["service"] == service.name
    people = system.people()
    with system["governance"].client(**people.steward.headers) as http:
        me = http.get("/api/v1/accounts/me")
        assert me.status_code == 200, me.text
    with system["reuse"].client(**people.developer_headers) as http:
        assert http.get("/api/v1/developers/me").status_code == 200
    assert all(service.rss_mib() > 10 for service in system.services.values())
