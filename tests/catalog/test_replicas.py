"""What the catalog learns from other services' events, produced to their real topics:
organisations from institution enrolled/withdrawn, reuse counts from reuse declared, updated
and removed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from libs.events.schemas import (
    InstitutionEnrolled,
    InstitutionWithdrawn,
    LocalizedText,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
)
from tests.catalog.conftest import (
    CatalogHarness,
    TokenFactory,
    create_published_dataset,
    enrol_organization,
    produce_event,
)
from tests.support.asyncio_helpers import wait_until


async def test_organisations_follow_institution_events(
    catalog: CatalogHarness, tokens: TokenFactory
) -> None:
    client = catalog.client
    institution_id = uuid.uuid4()
    enrolled = InstitutionEnrolled(
        institution_id=institution_id,
        slug="anrt",
        name=LocalizedText(
            fr="Agence Nationale de Réglementation des Télécommunications",
            ar="الوكالة الوطنية لتقنين المواصلات",
        ),
        acronym="ANRT",
        kind="public_body",
        website="https://www.anrt.ma",
        enrolled_on=date(2019, 12, 10),
    )
    await produce_event(catalog.platform, enrolled)
    await wait_until(
        lambda: client.get("/api/v1/institutions/anrt").status_code == 200,
        what="the organisation replica",
    )
    organisation = client.get(f"/api/v1/institutions/{institution_id}").json()
    assert organisation["slug"] == "anrt"
    assert organisation["title"]["ar"] == "الوكالة الوطنية لتقنين المواصلات"
    assert organisation["acronym"] == "ANRT"
    assert organisation["active"] is True
    assert organisation["enrolled_on"] == "2019-12-10"
    assert organisation["dataset_count"] == 0

    # Its stewards can now create datasets.
    steward = tokens.as_steward(institution_id)
    created = client.post(
        "/api/v1/datasets", headers=steward, json={"title": {"fr": "Parc mobile"}}
    )
    assert created.status_code == 201, created.text
    assert created.json()["institution_id"] == str(institution_id)

    await produce_event(
        catalog.platform,
        InstitutionWithdrawn(
            institution_id=institution_id, withdrawn_on=date(2024, 6, 30), reason="fusion"
        ),
    )
    await wait_until(
        lambda: client.get("/api/v1/institutions/anrt").json()["active"] is False,
        what="the withdrawal",
    )
    assert client.get("/api/v1/institutions/anrt").json()["withdrawn_on"] == "2024-06-30"
    names = [o["slug"] for o in client.get("/api/v1/institutions").json()["items"]]
    assert "anrt" not in names
    everyone = client.get("/api/v1/institutions", params={"include_withdrawn": True}).json()
    assert "anrt" in [o["slug"] for o in everyone["items"]]
    refused = client.post("/api/v1/datasets", headers=steward, json={"title": {"fr": "Autre"}})
    assert refused.status_code == 422
    assert refused.json()["institution_id"] == str(institution_id)

    # Enrolled again: active again, with the refreshed name.
    await produce_event(
        catalog.platform,
        enrolled.model_copy(update={"enrolled_on": date(2025, 1, 15), "acronym": "ANRT-MA"}),
    )
    await wait_until(
        lambda: client.get("/api/v1/institutions/anrt").json()["active"] is True,
        what="the re-enrolment",
    )
    again = client.get("/api/v1/institutions/anrt").json()
    assert (again["acronym"], again["withdrawn_on"]) == ("ANRT-MA", None)


async def test_reuse_counts_follow_reuse_events(catalog: CatalogHarness) -> None:
    client = catalog.client
    organization = enrol_organization(catalog.units)
    first = create_published_dataset(catalog.units, catalog.store, organization.id)
    second = create_published_dataset(catalog.units, catalog.store, organization.id)

    def reuse_count(dataset_id: uuid.UUID) -> int:
        return int(client.get(f"/api/v1/datasets/{dataset_id}").json()["reuse_count"])

    def declared(reuse_id: uuid.UUID, *dataset_ids: uuid.UUID) -> ReuseDeclared:
        return ReuseDeclared(
            reuse_id=reuse_id,
            title=LocalizedText(fr="Carte des services publics", ar="خريطة المرافق العمومية"),
            reuse_type="application",
            url="https://carte.example.ma",
            dataset_ids=list(dataset_ids),
            institution_ids=[organization.id],
            developer_id=uuid.uuid4(),
            declared_at=datetime.now(UTC),
        )

    app_reuse, article = uuid.uuid4(), uuid.uuid4()
    await produce_event(
        catalog.platform, declared(app_reuse, first.id, second.id, first.id), service="reuse"
    )
    await produce_event(catalog.platform, declared(article, first.id), service="reuse")
    await wait_until(
        lambda: reuse_count(first.id) == 2 and reuse_count(second.id) == 1,
        what="reuse counts 2 and 1",
    )
    summaries = client.get(f"/api/v1/institutions/{organization.id}/datasets").json()["items"]
    assert {s["id"]: s["reuse_count"] for s in summaries} == {str(first.id): 2, str(second.id): 1}

    # A re-declaration replaces the reuse's list of datasets.
    await produce_event(catalog.platform, declared(app_reuse, second.id), service="reuse")
    await wait_until(lambda: reuse_count(first.id) == 1, what="the re-declaration")
    assert reuse_count(second.id) == 1

    # So does an update: the article now cites both datasets.
    updated = ReuseUpdated(
        reuse_id=article,
        title=LocalizedText(fr="Article sur la population"),
        reuse_type="article",
        url="https://presse.example.ma/population",
        dataset_ids=[first.id, second.id],
        institution_ids=[organization.id],
        updated_at=datetime.now(UTC),
    )
    await produce_event(catalog.platform, updated, service="reuse")
    await wait_until(lambda: reuse_count(second.id) == 2, what="the update")
    assert reuse_count(first.id) == 1

    await produce_event(
        catalog.platform,
        ReuseRemoved(reuse_id=article, dataset_ids=[first.id], removed_at=datetime.now(UTC)),
        service="reuse",
    )
    await wait_until(lambda: reuse_count(first.id) == 0, what="the removal")
    assert reuse_count(second.id) == 1
