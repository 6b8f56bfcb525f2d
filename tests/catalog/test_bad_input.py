"""Every bad input the catalog refuses: a precise 4xx naming the field or the problem, and
nothing written (no dataset, resource, tag or outbox row changes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, Literal

import pytest
from sqlmodel import func, select

from libs.events import CloudEvent
from libs.events.schemas import (
    DatasetPublished,
    DecisionNotApplied,
    InstitutionWithdrawn,
    ReviewDecided,
)
from services.catalog.domain.institutions import apply_withdrawal
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Resource,
    messaging,
)
from tests.catalog.conftest import (
    CatalogHarness,
    DatasetFixture,
    TokenFactory,
    catalog_events,
    create_draft_dataset,
    create_published_dataset,
    enrol_organization,
    of_type,
    produce_event,
)
from tests.support.asyncio_helpers import wait_until

VALID: dict[str, Any] = {
    "title": {"fr": "Budget de l'État", "ar": "ميزانية الدولة"},
    "themes": ["economie-finances"],
    "license_id": "odc-odbl",
}


@pytest.fixture(scope="module")
def institution_id(catalog: CatalogHarness) -> uuid.UUID:
    return enrol_organization(catalog.units, slug="mef", acronym="MEF").id


@pytest.fixture(scope="module")
def steward(tokens: TokenFactory, institution_id: uuid.UUID) -> dict[str, str]:
    return tokens.as_steward(institution_id)


@pytest.fixture(scope="module")
def taken(catalog: CatalogHarness, institution_id: uuid.UUID) -> DatasetFixture:
    return create_draft_dataset(
        catalog.units, catalog.store, institution_id, slug="budget-etat-2024"
    )


@pytest.fixture(scope="module")
def submitted(catalog: CatalogHarness, tokens: TokenFactory, institution_id: uuid.UUID):
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id)
    response = catalog.client.post(
        f"/api/v1/datasets/{draft.id}/submit", headers=tokens.as_steward(institution_id)
    )
    assert response.status_code == 200
    return draft


def snapshot(catalog: CatalogHarness) -> dict[str, Any]:
    """Every row count and every dataset's state and modification time."""
    with catalog.session() as session:
        tables: list[Any] = [Dataset, Resource, DatasetTag, DatasetTheme, messaging.outbox]
        result: dict[str, Any] = {
            str(t): session.exec(select(func.count()).select_from(t)).one() for t in tables
        }
        result["datasets"] = sorted(
            (str(d.id), str(d.state), d.modified_at.isoformat(), d.slug)
            for d in session.exec(select(Dataset))
        )
    return result


@pytest.fixture
def unchanged(catalog: CatalogHarness, taken, submitted) -> Iterator[None]:
    """Asserts that the test wrote nothing."""
    before = snapshot(catalog)
    yield
    assert snapshot(catalog) == before


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    if field is not None:
        named = {problem.get("field")} | {e["field"] for e in problem.get("errors", [])}
        assert field in named, problem
        assert field in problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("changes", "field", "mentions"),
    [
        ({"themes": ["economie-finances", "astrologie"]}, "themes", "astrologie"),
        ({"license_id": "wtfpl"}, "license_id", "wtfpl"),
        ({"title": {"en": "State budget"}}, "title", "ar"),
        ({"title": {"fr": "   ", "ar": ""}}, "title", "ar"),
        ({"title": {"fr": "x", "de": "Haushalt"}}, "title.de", None),
        ({"slug": "Budget État"}, "slug", "a-z"),
        ({"slug": "b"}, "slug", None),
        ({"frequency": "sometimes"}, "frequency", "sometimes"),
        ({"temporal_start": "2024-12-31", "temporal_end": "2024-01-01"}, "temporal_end", None),
        ({"temporal_start": "not a date"}, "temporal_start", None),
        ({"contact_point": {"email": "not-an-address"}}, "contact_point.email", None),
        ({"contact_point": {}}, "contact_point", None),
        ({"tags": ["ok", "<script>"]}, "tags[1]", "<script>"),
        ({"state": "published"}, "state", None),
        ({"institution_id": "not-a-uuid"}, "institution_id", None),
    ],
)
def test_invalid_metadata_is_refused_naming_the_field(
    catalog: CatalogHarness,
    steward: dict[str, str],
    unchanged: None,
    changes: dict[str, Any],
    field: str,
    mentions: str | None,
) -> None:
    response = catalog.client.post("/api/v1/datasets", headers=steward, json=VALID | changes)
    problem = assert_problem(response, 422, field)
    if mentions:
        assert mentions in problem["detail"]


def test_a_missing_title_is_refused(
    catalog: CatalogHarness, steward: dict[str, str], unchanged: None
) -> None:
    response = catalog.client.post("/api/v1/datasets", headers=steward, json={"themes": ["sante"]})
    assert_problem(response, 422, "title")


def test_a_taken_name_is_a_conflict(
    catalog: CatalogHarness, steward: dict[str, str], taken: DatasetFixture
) -> None:
    other = create_draft_dataset(catalog.units, catalog.store, taken.dataset.institution_id)
    before = snapshot(catalog)
    response = catalog.client.post(
        "/api/v1/datasets", headers=steward, json=VALID | {"slug": taken.slug}
    )
    problem = assert_problem(response, 409, "slug")
    assert problem["type"].endswith("/slug-taken")
    renamed = catalog.client.patch(
        f"/api/v1/datasets/{other.id}", headers=steward, json={"slug": taken.slug}
    )
    assert_problem(renamed, 409, "slug")
    assert snapshot(catalog) == before


def test_a_generated_name_avoids_taken_ones(
    catalog: CatalogHarness, steward: dict[str, str], institution_id: uuid.UUID
) -> None:
    title = {"ar": "ميزانية الدولة", "fr": "Budget État régional"}
    first = catalog.client.post("/api/v1/datasets", headers=steward, json=VALID | {"title": title})
    second = catalog.client.post("/api/v1/datasets", headers=steward, json=VALID | {"title": title})
    assert first.json()["slug"] == "budget-etat-regional"
    assert second.json()["slug"] == "budget-etat-regional-2"
    arabic = catalog.client.post(
        "/api/v1/datasets", headers=steward, json=VALID | {"title": {"ar": "ميزانية الدولة"}}
    )
    assert arabic.status_code == 201
    assert arabic.json()["slug"] == "mizania-aldoula"


def test_a_steward_of_another_institution_is_forbidden(
    catalog: CatalogHarness,
    tokens: TokenFactory,
    institution_id: uuid.UUID,
    taken: DatasetFixture,
    unchanged: None,
) -> None:
    other_institution = enrol_organization(catalog.units).id
    outsider = tokens.as_steward(other_institution)
    response = catalog.client.post(
        "/api/v1/datasets",
        headers=outsider,
        json=VALID | {"institution_id": str(institution_id)},
    )
    problem = assert_problem(response, 403)
    assert problem["institution_id"] == str(institution_id)
    assert str(institution_id) in problem["detail"]
    for method, path, body in [
        ("PATCH", f"/api/v1/datasets/{taken.id}", {"version": "2"}),
        ("DELETE", f"/api/v1/datasets/{taken.id}", None),
        ("POST", f"/api/v1/datasets/{taken.id}/submit", None),
        ("POST", f"/api/v1/datasets/{taken.id}/resources", {"url": "https://x.ma/a.csv"}),
        ("PATCH", f"/api/v1/datasets/{taken.id}/resources/{taken.resource_ids[0]}", {}),
    ]:
        answer = catalog.client.request(method, path, headers=outsider, json=body)
        assert assert_problem(answer, 403)["institution_id"] == str(institution_id)
    # A reviewer of the institution reads but does not write.
    reviewer = tokens.as_reviewer(institution_id)
    assert catalog.client.get(f"/api/v1/datasets/{taken.id}", headers=reviewer).status_code == 200
    answer = catalog.client.patch(
        f"/api/v1/datasets/{taken.id}", headers=reviewer, json={"version": "2"}
    )
    assert_problem(answer, 403)


def test_writes_need_a_token(catalog: CatalogHarness, unchanged: None) -> None:
    assert_problem(catalog.client.post("/api/v1/datasets", json=VALID), 401)
    bad = {"Authorization": "Bearer not-a-jwt"}
    assert_problem(catalog.client.post("/api/v1/datasets", json=VALID, headers=bad), 401)


def test_an_institution_that_is_not_enrolled_is_named(
    catalog: CatalogHarness, tokens: TokenFactory, unchanged: None
) -> None:
    stranger = uuid.uuid4()
    response = catalog.client.post(
        "/api/v1/datasets",
        headers=tokens.as_steward(stranger),
        json=VALID | {"institution_id": str(stranger)},
    )
    problem = assert_problem(response, 422, "institution_id")
    assert problem["institution_id"] == str(stranger)
    # The steward's only institution is the default, and is checked the same way.
    implicit = catalog.client.post(
        "/api/v1/datasets", headers=tokens.as_steward(stranger), json=VALID
    )
    assert_problem(implicit, 422, "institution_id")


def test_a_withdrawn_institution_writes_nothing(
    catalog: CatalogHarness, tokens: TokenFactory
) -> None:
    institution = enrol_organization(catalog.units).id
    draft = create_draft_dataset(catalog.units, catalog.store, institution)
    with catalog.units() as uow:
        apply_withdrawal(
            uow, InstitutionWithdrawn(institution_id=institution, withdrawn_on=date.today())
        )
        uow.commit()
    before = snapshot(catalog)
    steward = tokens.as_steward(institution)
    created = catalog.client.post("/api/v1/datasets", headers=steward, json=VALID)
    assert "withdrawn" in assert_problem(created, 422, "institution_id")["detail"]
    edited = catalog.client.patch(
        f"/api/v1/datasets/{draft.id}", headers=steward, json={"version": "3"}
    )
    assert assert_problem(edited, 409)["institution_id"] == str(institution)
    assert snapshot(catalog) == before


def test_a_submitted_dataset_is_locked(
    catalog: CatalogHarness, steward: dict[str, str], submitted, unchanged: None
) -> None:
    base = f"/api/v1/datasets/{submitted.id}"
    for method, path, body in [
        ("PATCH", base, {"title": {"fr": "Autre titre"}}),
        ("POST", f"{base}/resources", {"url": "https://x.ma/b.csv"}),
        ("PATCH", f"{base}/resources/{submitted.resource_ids[0]}", {"format": "XML"}),
        ("DELETE", f"{base}/resources/{submitted.resource_ids[0]}", None),
        ("DELETE", base, None),
        ("POST", f"{base}/submit", None),
        ("POST", f"{base}/withdraw", None),
        ("POST", f"{base}/data-updates", None),
    ]:
        response = catalog.client.request(method, path, headers=steward, json=body)
        problem = assert_problem(response, 409)
        assert problem["state"] == "submitted", (method, path)


def test_there_is_no_way_to_publish_without_an_approved_review(
    catalog: CatalogHarness, steward: dict[str, str], tokens: TokenFactory, submitted
) -> None:
    base = f"/api/v1/datasets/{submitted.id}"
    before = snapshot(catalog)
    for method, path, body in [
        ("POST", f"{base}/publish", None),
        ("POST", f"{base}/approve", None),
        ("PUT", base, {"state": "published"}),
    ]:
        response = catalog.client.request(method, path, headers=tokens.as_admin(), json=body)
        assert response.status_code in (404, 405), (method, path, response.status_code)
    patched = catalog.client.patch(base, headers=tokens.as_admin(), json={"state": "published"})
    assert_problem(patched, 422, "state")  # the state is no field a client sets
    assert snapshot(catalog) == before
    assert catalog.client.get(base).status_code == 404


def decided(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    verdict: Literal["approved", "rejected"],
    submitted_at: datetime | None,
) -> ReviewDecided:
    return ReviewDecided(
        review_id=uuid.uuid4(),
        dataset_id=dataset_id,
        institution_id=institution_id,
        decision=verdict,
        reasons=["Préciser la licence"] if verdict == "rejected" else [],
        decided_by=uuid.uuid4(),
        decided_at=datetime.now(UTC),
        submitted_at=submitted_at,
    )


def consumed(catalog: CatalogHarness, event: CloudEvent) -> Callable[[], bool]:
    def done() -> bool:
        table = messaging.processed_events
        with catalog.engine.connect() as connection:
            row = connection.execute(
                select(table.c.event_id).where(table.c.event_id == str(event.id))
            ).first()
        return row is not None

    return done


def state_of(catalog: CatalogHarness, dataset_id: uuid.UUID) -> Dataset:
    with catalog.session() as session:
        return session.get_one(Dataset, dataset_id)


async def test_an_approval_of_a_dataset_that_is_not_submitted_is_reported_not_applied(
    catalog: CatalogHarness, institution_id: uuid.UUID
) -> None:
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id)
    event = await produce_event(
        catalog.platform, decided(draft.id, institution_id, "approved", None)
    )
    await wait_until(consumed(catalog, event), what="the stray approval consumed")
    assert state_of(catalog, draft.id).state == DatasetState.DRAFT
    events = await catalog_events(catalog.platform, until=1, subject=draft.id)
    assert of_type(events, DatasetPublished) == []
    [told] = of_type(events, DecisionNotApplied)
    assert (told.data["reason"], told.data["dataset_state"]) == ("not_submitted", "draft")


async def test_a_late_decision_on_an_earlier_round_publishes_nothing_and_is_reported_once(
    catalog: CatalogHarness, institution_id: uuid.UUID, steward: dict[str, str]
) -> None:
    """Submitted, sent back, corrected and submitted again: an approval of the first round
    that arrives now (twice, as a redelivery) publishes nothing nobody reviewed, and governance
    is told once why."""
    draft = create_draft_dataset(catalog.units, catalog.store, institution_id)
    submit = f"/api/v1/datasets/{draft.id}/submit"
    assert catalog.client.post(submit, headers=steward).status_code == 200
    first_round = state_of(catalog, draft.id).submitted_at
    rejection = await produce_event(
        catalog.platform, decided(draft.id, institution_id, "rejected", first_round)
    )
    await wait_until(consumed(catalog, rejection), what="the rejection consumed")
    assert state_of(catalog, draft.id).state == DatasetState.DRAFT
    assert catalog.client.post(submit, headers=steward).status_code == 200
    second_round = state_of(catalog, draft.id).submitted_at
    assert second_round != first_round

    late = await produce_event(
        catalog.platform,
        decided(draft.id, institution_id, "approved", first_round),
        copies=2,
    )
    # Then a decision naming another institution, on the same partition (same dataset): once
    # it is consumed, both copies before it are too.
    stranger = await produce_event(
        catalog.platform, decided(draft.id, uuid.uuid4(), "approved", second_round)
    )
    await wait_until(consumed(catalog, stranger), what="the decisions consumed")
    assert state_of(catalog, draft.id).state == DatasetState.SUBMITTED
    events = await catalog_events(catalog.platform, until=4, subject=draft.id)
    assert of_type(events, DatasetPublished) == []
    reports = {e.data["review_id"]: e.data for e in of_type(events, DecisionNotApplied)}
    assert len(of_type(events, DecisionNotApplied)) == 2  # one per decision, not per copy
    told = reports[str(late.data["review_id"])]
    assert (told["reason"], told["dataset_state"]) == ("stale_round", "submitted")
    assert first_round is not None and first_round.isoformat() in told["detail"]
    assert reports[str(stranger.data["review_id"])]["reason"] == "other_institution"


def test_unknown_formats_and_bad_resources_are_refused(
    catalog: CatalogHarness, steward: dict[str, str], taken: DatasetFixture, unchanged: None
) -> None:
    base = f"/api/v1/datasets/{taken.id}/resources"
    for body, field in [
        ({"url": "https://x.ma/data", "format": "SPSS"}, "format"),
        ({"url": "https://x.ma/data"}, "format"),
        ({"url": "ftp://x.ma/data.csv"}, "url"),
        ({"format": "CSV"}, "url"),
        ({"url": "https://x.ma/a.csv", "sha256": "abc"}, "sha256"),
        ({"url": "https://x.ma/a.csv", "size": -1}, "size"),
        ({"url": "https://x.ma/a.csv", "media_type": "csv"}, "media_type"),
        ({"url": "https://x.ma/a.csv", "colour": "red"}, "colour"),
    ]:
        assert_problem(catalog.client.post(base, headers=steward, json=body), 422, field)
    resource = f"{base}/{taken.resource_ids[0]}"
    assert_problem(catalog.client.patch(resource, headers=steward, json={"format": "foo"}), 422)
    assert_problem(
        catalog.client.patch(resource, headers=steward, json={"url": "https://x.ma/z.csv"}),
        422,
        "url",
    )
    missing = f"{base}/{uuid.uuid4()}"
    assert catalog.client.patch(missing, headers=steward, json={}).status_code == 404


def test_published_datasets_are_not_deleted_or_edited(
    catalog: CatalogHarness, steward: dict[str, str], institution_id: uuid.UUID
) -> None:
    published = create_published_dataset(catalog.units, catalog.store, institution_id)
    before = snapshot(catalog)
    base = f"/api/v1/datasets/{published.id}"
    assert_problem(catalog.client.delete(base, headers=steward), 409)
    edit = catalog.client.patch(base, headers=steward, json={"version": "9"})
    assert "data-updates" in assert_problem(edit, 409)["detail"]
    replace = catalog.client.post(
        f"{base}/data-updates",
        headers=steward,
        json={"replace_resource_id": str(uuid.uuid4()), "resource": {"url": "https://x.ma/a.csv"}},
    )
    assert replace.status_code == 404
    empty = catalog.client.post(
        f"{base}/data-updates",
        headers=steward,
        json={"replace_resource_id": str(published.resource_ids[0])},
    )
    assert_problem(empty, 422, "resource")
    assert snapshot(catalog) == before
