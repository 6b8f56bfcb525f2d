"""Anonymous reads of a published dataset are served from a short-lived cache that this
process's own writes clear at once; other replicas' writes show within its time to live."""

from __future__ import annotations

import time

from services.catalog.app import unit_of_work_factory
from services.catalog.domain.datasets import touch
from services.catalog.models import Dataset
from tests.catalog.conftest import (
    CatalogHarness,
    TokenFactory,
    create_published_dataset,
    enrol_organization,
)


def test_public_reads_carry_an_etag_and_answer_304(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    first = catalog.client.get(f"/api/v1/datasets/{dataset.id}")
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag = first.headers["etag"]
    by_name = catalog.client.get(f"/api/v1/datasets/{dataset.slug}")
    assert by_name.headers["etag"] == etag and by_name.json() == first.json()
    again = catalog.client.get(f"/api/v1/datasets/{dataset.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_a_write_of_this_process_shows_at_once(
    catalog: CatalogHarness, tokens: TokenFactory
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    assert catalog.client.get(f"/api/v1/datasets/{dataset.id}").status_code == 200

    withdrawn = catalog.client.post(
        f"/api/v1/datasets/{dataset.id}/withdraw",
        json={"reason": "superseded"},
        headers=tokens.as_steward(organization.id),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert catalog.client.get(f"/api/v1/datasets/{dataset.id}").status_code == 404
    assert catalog.client.get(f"/api/v1/datasets/{dataset.slug}").status_code == 404
    private = catalog.client.get(
        f"/api/v1/datasets/{dataset.id}", headers=tokens.as_steward(organization.id)
    )
    assert private.json()["state"] == "withdrawn"
    assert private.headers["cache-control"] == "private, no-cache"


def test_another_replicas_write_shows_once_the_generation_is_read(
    catalog: CatalogHarness,
) -> None:
    """The cache keeps a body for a minute, but another replica's write moves the catalogue's
    generation, which this process reads every CATALOG_GENERATION_POLL_SECONDS."""
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    cache = catalog.app.state.dataset_cache
    cache.ttl = 60.0
    try:
        assert catalog.client.get(f"/api/v1/datasets/{dataset.id}").json()["version"] != "9.9"
        # Another replica: its own units of work and engine, so this process's cache is not
        # told; its write goes through the domain, as every write does.
        other = unit_of_work_factory(catalog.settings, migrate=False)
        with other() as uow:
            row = uow.session.get_one(Dataset, dataset.id)
            row.version = "9.9"
            touch(uow, row)
            uow.commit()
        other.engine.dispose()
        deadline = time.monotonic() + 10 * catalog.settings.generation_poll_seconds + 2
        while catalog.client.get(f"/api/v1/datasets/{dataset.id}").json()["version"] != "9.9":
            assert time.monotonic() < deadline, "another replica's write never showed"
            time.sleep(0.05)
    finally:
        cache.ttl = catalog.settings.public_cache_seconds
