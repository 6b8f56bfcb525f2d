"""Who may do what in the catalog (domain/access.py)."""

from __future__ import annotations

import uuid

import pytest

from libs.auth import Principal
from libs.http.problems import Forbidden, InvalidInput
from services.catalog.domain import access
from services.catalog.models import Dataset, DatasetState
from tests.unit.catalog.conftest import admin, reviewer, steward

HCP, MEF = uuid.uuid4(), uuid.uuid4()


def dataset(state: DatasetState) -> Dataset:
    return Dataset(slug="x", title={"fr": "x"}, institution_id=HCP, state=state)


@pytest.mark.parametrize(
    ("actor", "writes"),
    [
        (steward(HCP), True),
        (admin(), True),
        (steward(MEF), False),
        (reviewer(HCP), False),
        (None, False),
    ],
)
def test_stewards_of_the_institution_and_admins_write(
    actor: Principal | None, writes: bool
) -> None:
    assert access.can_write(actor, HCP) is writes


def test_a_refusal_names_the_institution() -> None:
    with pytest.raises(Forbidden) as refused:
        access.ensure_can_write(steward(MEF), HCP)
    assert refused.value.extra["institution_id"] == str(HCP)


@pytest.mark.parametrize("state", list(DatasetState))
def test_a_published_dataset_is_public_the_others_are_the_institutions(
    state: DatasetState,
) -> None:
    public = state == DatasetState.PUBLISHED
    assert access.can_view(None, dataset(state)) is public
    assert access.can_view(steward(MEF), dataset(state)) is public
    assert access.can_view(steward(HCP), dataset(state))
    assert access.can_view(reviewer(HCP), dataset(state))
    assert access.can_view(admin(), dataset(state))


def test_the_only_institution_of_a_steward_is_the_default_one() -> None:
    assert access.default_institution(steward(HCP)) == HCP
    for actor in (steward(HCP, MEF), steward()):
        with pytest.raises(InvalidInput):
            access.default_institution(actor)


def test_own_datasets_are_those_of_the_institutions_served_or_all_for_an_admin() -> None:
    assert access.own_datasets_scope(steward(HCP)) == {HCP}
    assert access.own_datasets_scope(reviewer(MEF)) == {MEF}
    assert access.own_datasets_scope(admin()) is None
    with pytest.raises(Forbidden):
        access.own_datasets_scope(Principal(subject=uuid.uuid4(), grants=[]))
