"""A reuse's life through the API and its events on the real topic: declared, changed,
verified or rejected by a national admin, deleted; search, filters, counts."""

from __future__ import annotations

import uuid
from typing import Any

from libs.auth import Role, RoleGrant
from libs.events.schemas import ReuseDeclared, ReuseRemoved, ReuseUpdated, ReuseVerified
from tests.reuse.conftest import ReuseHarness, jwt_headers, reuse_events


def test_a_reuse_from_declaration_to_removal_with_its_events(
    reuse: ReuseHarness, admin_headers: dict[str, str]
) -> None:
    hcp = uuid.uuid4()
    census = reuse.publish_dataset("recensement-2024", institution_id=hcp)
    health = reuse.publish_dataset("etablissements-sante")
    key = reuse.developer_key()
    owner = {"X-API-Key": key}

    declared = reuse.declare(key, "recensement-2024", str(health.dataset_id))
    reuse_id = declared["id"]
    assert declared["state"] == "declared" and declared["verified"] is False
    assert declared["institution_ids"] == [str(hcp), str(health.institution_id)]
    assert [d["slug"] for d in declared["datasets"]] == ["recensement-2024", "etablissements-sante"]
    assert declared["datasets"][0]["title"]["fr"] == "Données recensement-2024"

    changed = reuse.client.patch(
        f"/api/v1/reuses/{reuse_id}",
        headers=owner,
        json={"title": {"fr": "Carte du recensement"}, "datasets": ["recensement-2024"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["institution_ids"] == [str(hcp)]

    steward = jwt_headers(reuse.platform, RoleGrant(role=Role.STEWARD, institution_id=hcp))
    for headers, status in ((steward, 403), (owner, 401)):
        refused = reuse.client.post(f"/api/v1/reuses/{reuse_id}/verification", headers=headers)
        assert refused.status_code == status
    verified = reuse.client.post(f"/api/v1/reuses/{reuse_id}/verification", headers=admin_headers)
    assert verified.status_code == 200 and verified.json()["verified"] is True
    twice = reuse.client.post(f"/api/v1/reuses/{reuse_id}/verification", headers=admin_headers)
    assert twice.status_code == 409

    deleted = reuse.client.delete(f"/api/v1/reuses/{reuse_id}", headers=owner)
    assert deleted.status_code == 204
    assert reuse.client.get(f"/api/v1/reuses/{reuse_id}").status_code == 404

    events = reuse_events(reuse.platform, subject=reuse_id, until=4)
    assert [e.type for e in events] == [
        ReuseDeclared.event_type,
        ReuseUpdated.event_type,
        ReuseVerified.event_type,
        ReuseRemoved.event_type,
    ]
    declared_data = ReuseDeclared.model_validate(events[0].data)
    assert declared_data.dataset_ids == [census.dataset_id, health.dataset_id]
    assert declared_data.institution_ids == [hcp, health.institution_id]
    assert declared_data.title.ar == "مستكشف الميزانية"
    updated = ReuseUpdated.model_validate(events[1].data)
    assert (updated.title.fr, updated.dataset_ids) == ("Carte du recensement", [census.dataset_id])
    assert ReuseVerified.model_validate(events[2].data).verified_at is not None
    removed = ReuseRemoved.model_validate(events[3].data)
    assert (removed.cause, removed.dataset_ids) == ("deleted", [census.dataset_id])


def test_a_rejected_reuse_leaves_the_public_registry(
    reuse: ReuseHarness, admin_headers: dict[str, str]
) -> None:
    reuse.publish_dataset("budget-rejet")
    key = reuse.developer_key()
    reuse_id = reuse.declare(key, "budget-rejet", title={"fr": "Rejet à venir"})["id"]
    no_reason = reuse.client.post(
        f"/api/v1/reuses/{reuse_id}/rejection", headers=admin_headers, json={}
    )
    assert no_reason.status_code == 422
    rejected = reuse.client.post(
        f"/api/v1/reuses/{reuse_id}/rejection",
        headers=admin_headers,
        json={"reason": "Le lien ne mène à aucune réutilisation."},
    )
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert reuse.client.get(f"/api/v1/reuses/{reuse_id}").status_code == 404
    mine = reuse.client.get(f"/api/v1/reuses/{reuse_id}", headers={"X-API-Key": key}).json()
    assert mine["rejection"]["reason"] == "Le lien ne mène à aucune réutilisation."
    own = reuse.client.get("/api/v1/developers/me/reuses", headers={"X-API-Key": key}).json()
    assert [r["state"] for r in own["items"]] == ["rejected"]
    listed = reuse.client.get("/api/v1/reuses", params={"q": "rejet venir"}).json()
    assert listed["total"] == 0
    change = reuse.client.patch(
        f"/api/v1/reuses/{reuse_id}", headers={"X-API-Key": key}, json={"tags": ["x"]}
    )
    assert change.status_code == 409

    _, removed = reuse_events(reuse.platform, subject=reuse_id, until=2)
    data = ReuseRemoved.model_validate(removed.data)
    assert (data.cause, data.reason) == ("rejected", "Le lien ne mène à aucune réutilisation.")


def test_search_filters_and_counts(reuse: ReuseHarness, admin_headers: dict[str, str]) -> None:
    institution = uuid.uuid4()
    schools = reuse.publish_dataset(f"ecoles-{uuid.uuid4().hex[:4]}", institution_id=institution)
    key = reuse.developer_key()
    tag = f"t{uuid.uuid4().hex[:8]}"  # only this test's reuses carry it
    map_ = reuse.declare(
        key,
        schools.slug,
        title={"fr": "Carte des écoles primaires", "ar": "خريطة المدارس الابتدائية"},
        type="visualization",
        topic="education",
        tags=[tag],
    )
    api = reuse.declare(
        key,
        schools.slug,
        title={"fr": "API des établissements scolaires"},
        description={"fr": "Les écoles, en JSON."},
        type="api",
        topic="education",
        tags=[tag],
    )
    reuse.client.post(f"/api/v1/reuses/{api['id']}/verification", headers=admin_headers)

    def found(**params: Any) -> list[str]:
        answer = reuse.client.get("/api/v1/reuses", params={"q": tag, **params})
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]

    assert found() == [api["id"], map_["id"]]
    assert found(q=f"{tag} ECOLES primaires") == [map_["id"]]
    assert found(q=f"{tag} المدارس الابتدائيه") == [map_["id"]], "ة and ه meet"
    assert found(type="api") == [api["id"]]
    assert found(verified="true") == [api["id"]]
    assert found(verified="false", topic="education") == [map_["id"]]
    assert found(institution=str(institution)) == [api["id"], map_["id"]]
    assert found(dataset=str(uuid.uuid4())) == []
    of_dataset = reuse.client.get(f"/api/v1/datasets/{schools.slug}/reuses").json()
    assert [r["id"] for r in of_dataset["items"]] == [api["id"], map_["id"]]
    assert reuse.client.get("/api/v1/datasets/no-such-dataset/reuses").status_code == 404

    types = {t["code"]: t for t in reuse.client.get("/api/v1/reuse-types").json()}
    assert types["api"]["count"] >= 1 and types["api"]["title"]["ar"] == "واجهة برمجية"
    assert len(types) == 9
    topics = {t["code"]: t["count"] for t in reuse.client.get("/api/v1/reuse-topics").json()}
    assert topics["education"] >= 2
