"""Each rule of a reuse's life, asserted on its state and on the events it publishes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from libs.auth import Principal
from libs.events.schemas import ReuseDeclared, ReuseRemoved, ReuseUpdated, ReuseVerified
from libs.http.pagination import PageParams
from libs.http.problems import Conflict, Forbidden, InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.reuse.domain import reuses
from services.reuse.domain.reuses import ReuseChanges
from services.reuse.domain.search import ReuseQuery, search_reuses
from services.reuse.models import Reuse, ReuseDataset, ReuseState
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import (
    admin,
    count,
    declaration,
    make_developer,
    publish_dataset,
    withdraw_dataset,
)


def declare(
    units: SqliteUnits, actor: Principal, *datasets: str, **overrides: Any
) -> reuses.ReuseView:
    with units() as uow:
        view = reuses.declare_reuse(uow, actor, declaration=declaration(*datasets, **overrides))
        uow.commit()
    return view


def public(uow: UnitOfWork, text: str | None = None) -> list[uuid.UUID]:
    """The ids of the public reuses (that match ``text``)."""
    return [r.id for r in search_reuses(uow, ReuseQuery(text=text), PageParams()).items]


def nothing_written(units: SqliteUnits) -> bool:
    return count(units, Reuse) == 0 and not units.published()


def test_a_declaration_is_public_at_once_and_tells_who_publishes_the_datasets(
    units: SqliteUnits,
) -> None:
    institution = uuid.uuid4()
    budget = publish_dataset(units, "budget-2025", institution_id=institution)
    regions = publish_dataset(units, "regions", institution_id=institution)
    schools = publish_dataset(units, "ecoles")
    developer = make_developer(units)

    view = declare(units, developer, "budget-2025", str(regions.dataset_id), "ecoles", "regions")

    reuse = view.reuse
    assert reuse.state == ReuseState.DECLARED
    assert [c.dataset.id for c in view.citations] == [
        budget.dataset_id,
        regions.dataset_id,
        schools.dataset_id,
    ], "in the order given, each once"
    assert reuse.organization == "Association Données Citoyennes", "the developer's by default"
    assert reuse.tags == ["budget", "finances"]
    (event,) = units.published(ReuseDeclared.event_type)
    data = ReuseDeclared.model_validate(event.data)
    assert event.subject == str(reuse.id)
    assert data.title.fr == "Explorateur du budget" and data.title.ar == "مستكشف الميزانية"
    assert data.reuse_type == "visualization" and data.topic_name == "economy"
    assert data.dataset_ids == [budget.dataset_id, regions.dataset_id, schools.dataset_id]
    assert data.institution_ids == [institution, schools.institution_id]
    assert data.developer_id == developer.subject
    assert data.declared_at == reuse.declared_at
    with units() as uow:
        assert public(uow, text="budget") == [reuse.id]


def test_an_unverified_developer_cannot_declare(units: SqliteUnits) -> None:
    publish_dataset(units, "budget-2025")
    developer = make_developer(units, verified=False)
    with pytest.raises(Forbidden) as refused:
        declare(units, developer, "budget-2025")
    assert refused.value.code == "email-not-verified"
    assert nothing_written(units)


def test_unknown_and_withdrawn_datasets_are_refused_by_name(units: SqliteUnits) -> None:
    publish_dataset(units, "budget-2025")
    withdrawn = withdraw_dataset(units, publish_dataset(units, "old-census"))
    developer = make_developer(units)
    missing = str(uuid.uuid4())
    with pytest.raises(InvalidInput) as refused:
        declare(units, developer, "budget-2025", "no-such-dataset", missing, withdrawn.slug)
    problem = refused.value
    assert problem.status == 422 and problem.code == "datasets-not-citable"
    assert problem.extra["unknown"] == ["no-such-dataset", missing]
    assert problem.extra["unpublished"] == ["old-census"]
    assert "no-such-dataset" in problem.detail and "old-census" in problem.detail
    assert nothing_written(units)


def test_one_reuse_per_url_whatever_its_spelling(units: SqliteUnits) -> None:
    publish_dataset(units, "budget-2025")
    first, second = make_developer(units), make_developer(units)
    declare(units, first, "budget-2025", url="https://Budget.example.org/app/?b=2&a=1")
    events = len(units.published())
    for same in (
        "http://budget.example.org/app?a=1&b=2#map",
        "https://budget.example.org:443/app/./?utm_source=x&a=1&b=2",
    ):
        with pytest.raises(Conflict) as refused:
            declare(units, second, "budget-2025", url=same)
        assert refused.value.code == "url-taken"
    assert count(units, Reuse) == 1 and len(units.published()) == events


def test_only_the_owner_changes_or_deletes_a_reuse(units: SqliteUnits) -> None:
    publish_dataset(units, "budget-2025")
    owner, other = make_developer(units), make_developer(units)
    reuse_id = declare(units, owner, "budget-2025").reuse.id
    events = len(units.published())
    change = ReuseChanges.model_validate({"title": {"fr": "Autre titre"}})
    for intruder in (other, admin()):
        with units() as uow, pytest.raises(Forbidden) as refused:
            reuses.update_reuse(uow, intruder, reuse_id=reuse_id, changes=change)
        assert refused.value.code == "not-reuse-owner"
        with units() as uow, pytest.raises(Forbidden):
            reuses.delete_reuse(uow, intruder, reuse_id=reuse_id)
    with units() as uow:
        unchanged = uow.session.get(Reuse, reuse_id)
        assert unchanged is not None and unchanged.title["fr"] == "Explorateur du budget"
    assert len(units.published()) == events


def test_a_change_consumers_keep_is_an_update_event_and_other_changes_are_not(
    units: SqliteUnits,
) -> None:
    budget = publish_dataset(units, "budget-2025")
    health = publish_dataset(units, "sante")
    owner = make_developer(units)
    reuse_id = declare(units, owner, "budget-2025").reuse.id

    with units() as uow:
        changes = ReuseChanges.model_validate({"tags": ["dépenses"], "image_url": None})
        reuses.update_reuse(uow, owner, reuse_id=reuse_id, changes=changes)
        uow.commit()
    assert not units.published(ReuseUpdated.event_type), "tags are not in the events"

    with units() as uow:
        changes = ReuseChanges.model_validate({"datasets": ["sante", "budget-2025"]})
        view = reuses.update_reuse(uow, owner, reuse_id=reuse_id, changes=changes)
        uow.commit()
    assert view.reuse.tags == ["dépenses"]
    (event,) = units.published(ReuseUpdated.event_type)
    data = ReuseUpdated.model_validate(event.data)
    assert data.dataset_ids == [health.dataset_id, budget.dataset_id]
    assert data.institution_ids == [health.institution_id, budget.institution_id]
    assert data.verified is False and data.title.fr == "Explorateur du budget"


def test_a_required_field_cannot_be_removed() -> None:
    with pytest.raises(ValueError, match="datasets cannot be removed"):
        ReuseChanges.model_validate({"datasets": None})
    assert ReuseChanges.model_validate({"topic": None}).model_fields_set == {"topic"}


def test_moderation_verifies_or_rejects_with_a_reason(units: SqliteUnits) -> None:
    dataset = publish_dataset(units, "budget-2025")
    owner = make_developer(units)
    moderator = admin()
    verified_id = declare(units, owner, "budget-2025").reuse.id
    rejected_id = declare(units, owner, "budget-2025").reuse.id

    with units() as uow, pytest.raises(Forbidden):
        reuses.verify_reuse(uow, owner, reuse_id=verified_id)
    with units() as uow:
        view = reuses.verify_reuse(uow, moderator, reuse_id=verified_id)
        uow.commit()
    assert view.reuse.state == ReuseState.VERIFIED and view.reuse.verified_by == moderator.subject
    (verified,) = units.published(ReuseVerified.event_type)
    assert ReuseVerified.model_validate(verified.data).verified_by == moderator.subject
    with units() as uow, pytest.raises(Conflict):
        reuses.verify_reuse(uow, moderator, reuse_id=verified_id)

    with units() as uow:
        reuses.reject_reuse(uow, moderator, reuse_id=rejected_id, reason="The link is dead.")
        uow.commit()
    (removed,) = units.published(ReuseRemoved.event_type)
    data = ReuseRemoved.model_validate(removed.data)
    assert (data.reuse_id, data.cause, data.reason) == (
        rejected_id,
        "rejected",
        "The link is dead.",
    )
    assert data.dataset_ids == [dataset.dataset_id]
    with units() as uow:
        assert reuses.get_reuse(uow, owner, rejected_id).rejection_reason == "The link is dead."
        assert reuses.get_reuse(uow, moderator, rejected_id).state == ReuseState.REJECTED
        with pytest.raises(NotFound):
            reuses.get_reuse(uow, None, rejected_id)
        assert public(uow) == [verified_id]
        with pytest.raises(Conflict):
            reuses.reject_reuse(uow, moderator, reuse_id=rejected_id, reason="again")


def test_a_new_url_takes_a_verified_reuse_back_to_declared(units: SqliteUnits) -> None:
    publish_dataset(units, "budget-2025")
    owner = make_developer(units)
    reuse_id = declare(units, owner, "budget-2025").reuse.id
    with units() as uow:
        reuses.verify_reuse(uow, admin(), reuse_id=reuse_id)
        uow.commit()
    with units() as uow:
        changes = ReuseChanges.model_validate({"url": "https://elsewhere.example.org/"})
        view = reuses.update_reuse(uow, owner, reuse_id=reuse_id, changes=changes)
        uow.commit()
    assert view.reuse.state == ReuseState.DECLARED and view.reuse.verified_at is None
    (event,) = units.published(ReuseUpdated.event_type)
    assert event.data["verified"] is False
    assert event.data["url"] == "https://elsewhere.example.org/"


def test_deleting_removes_the_reuse_and_tells_consumers_once(units: SqliteUnits) -> None:
    dataset = publish_dataset(units, "budget-2025")
    owner = make_developer(units)
    public_id = declare(units, owner, "budget-2025").reuse.id
    rejected_id = declare(units, owner, "budget-2025").reuse.id
    with units() as uow:
        reuses.reject_reuse(uow, admin(), reuse_id=rejected_id, reason="spam")
        uow.commit()
    for reuse_id in (public_id, rejected_id):
        with units() as uow:
            reuses.delete_reuse(uow, owner, reuse_id=reuse_id)
            uow.commit()
    assert count(units, Reuse) == 0 and count(units, ReuseDataset) == 0
    removed = [
        ReuseRemoved.model_validate(e.data) for e in units.published(ReuseRemoved.event_type)
    ]
    assert [(r.reuse_id, r.cause) for r in removed] == [
        (rejected_id, "rejected"),
        (public_id, "deleted"),
    ], "a rejected reuse was already removed for consumers"
    assert removed[1].dataset_ids == [dataset.dataset_id]


def test_a_withdrawn_dataset_keeps_its_citations_marked_withdrawn(units: SqliteUnits) -> None:
    census = publish_dataset(units, "census")
    publish_dataset(units, "budget-2025")
    owner = make_developer(units)
    reuse_id = declare(units, owner, "census", "budget-2025").reuse.id
    withdraw_dataset(units, census)

    with units() as uow:
        view = reuses.load_view(uow, reuses.get_reuse(uow, None, reuse_id))
        assert [(c.dataset.slug, c.withdrawn) for c in view.citations] == [
            ("census", True),
            ("budget-2025", False),
        ]
    # Its owner may keep citing it, not cite it anew elsewhere.
    with units() as uow:
        changes = ReuseChanges.model_validate({"datasets": ["budget-2025", "census"]})
        reuses.update_reuse(uow, owner, reuse_id=reuse_id, changes=changes)
        uow.commit()
    with pytest.raises(InvalidInput) as refused:
        declare(units, owner, "census")
    assert refused.value.extra["unpublished"] == ["census"]
