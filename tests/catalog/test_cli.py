"""The catalog's operator commands against the test app's database and upload directory."""

from __future__ import annotations

import os
import time

import pytest
from typer.testing import CliRunner

from services.catalog.cli import app
from tests.catalog.conftest import CatalogHarness, create_published_dataset, enrol_organization


@pytest.fixture
def environment(catalog: CatalogHarness, monkeypatch: pytest.MonkeyPatch) -> CatalogHarness:
    monkeypatch.setenv("CATALOG_DATABASE_URL", catalog.settings.database_url)
    monkeypatch.setenv("CATALOG_UPLOAD_DIR", str(catalog.upload_dir))
    return catalog


def test_orphan_uploads_are_listed_then_removed(environment: CatalogHarness) -> None:
    catalog = environment
    organization = enrol_organization(catalog.units)
    kept = create_published_dataset(catalog.units, catalog.store, organization.id)
    orphan = catalog.store.save([b"left behind"], "orphan.csv")
    recent = catalog.store.save([b"being written"], "recent.csv")
    an_hour_ago = time.time() - 7200
    os.utime(catalog.store.path(orphan.key), (an_hour_ago, an_hour_ago))
    runner = CliRunner()

    listed = runner.invoke(app, ["orphan-uploads"])
    assert listed.exit_code == 0, listed.output
    assert orphan.key in listed.output and "found 1 orphan" in listed.output
    assert catalog.store.exists(orphan.key)

    removed = runner.invoke(app, ["orphan-uploads", "--delete"])
    assert removed.exit_code == 0, removed.output
    assert not catalog.store.exists(orphan.key)
    assert catalog.store.exists(recent.key)  # too young to judge
    served = catalog.client.get(
        f"/api/v1/datasets/{kept.id}/resources/{kept.resource_ids[0]}/download"
    )
    assert served.status_code == 200


def test_reindex_and_stats(environment: CatalogHarness) -> None:
    runner = CliRunner()
    reindexed = runner.invoke(app, ["reindex", "--batch", "1"])
    assert reindexed.exit_code == 0, reindexed.output
    assert "reindexed" in reindexed.output
    stats = runner.invoke(app, ["stats"])
    assert stats.exit_code == 0, stats.output
    assert "published" in stats.output and "uploaded" in stats.output
