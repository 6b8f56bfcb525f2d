"""ckanext-showcase's read actions over the reuses: package dicts of type showcase, CKAN's
errors."""

from __future__ import annotations

import pytest

from services.reuse.domain import reuses
from services.reuse.domain.ckan import CkanError, run_action
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import admin, declaration, make_developer, publish_dataset


def test_showcases_are_the_public_reuses(units: SqliteUnits) -> None:
    census = publish_dataset(units, "census", title={"ar": "الإحصاء العام"})
    developer = make_developer(units)
    with units() as uow:
        shown = reuses.declare_reuse(
            uow,
            developer,
            declaration=declaration("census", title={"ar": "خريطة السكان"}, tags=["Carte"]),
        ).reuse
        hidden = reuses.declare_reuse(uow, developer, declaration=declaration("census")).reuse
        reuses.reject_reuse(uow, admin(), reuse_id=hidden.id, reason="duplicate")
        uow.commit()

    with units() as uow:
        (showcase,) = run_action(uow, "ckanext_showcase_list", {})
        assert showcase["type"] == "showcase" and showcase["name"] == shown.slug
        assert showcase["title"] == "خريطة السكان", "Arabic when there is no French"
        assert showcase["title_translated"] == {"ar": "خريطة السكان", "fr": "", "en": ""}
        assert showcase["url"] == shown.url and showcase["author"] == "Salma Bennani"
        assert [t["name"] for t in showcase["tags"]] == ["carte"]
        assert {"key": "verified", "value": "false"} in showcase["extras"]
        assert showcase["metadata_created"] == shown.declared_at.replace(tzinfo=None).isoformat()
        assert run_action(uow, "ckanext_showcase_show", {"id": shown.slug}) == showcase
        assert run_action(uow, "ckanext_showcase_show", {"id": str(shown.id)}) == showcase
        assert run_action(uow, "ckanext_package_showcase_list", {"package_id": "census"}) == [
            showcase
        ]
        (package,) = run_action(uow, "ckanext_showcase_package_list", {"showcase_id": shown.slug})
        assert (package["id"], package["name"]) == (str(census.dataset_id), "census")
        assert package["title"] == "الإحصاء العام" and package["type"] == "dataset"
        assert run_action(uow, "ckanext_showcase_list", {"limit": "0"}) == []


@pytest.mark.parametrize(
    ("action", "params", "status", "error"),
    [
        ("ckanext_showcase_show", {"id": "nope"}, 404, {"__type": "Not Found Error"}),
        ("ckanext_showcase_show", {}, 409, {"id": ["Missing value"]}),
        (
            "ckanext_package_showcase_list",
            {"package_id": "nope"},
            409,
            {"package_id": ["Not found: Dataset"]},
        ),
        ("ckanext_showcase_list", {"limit": "many"}, 409, {"limit": ["Invalid integer"]}),
        ("ckanext_showcase_create", {}, 400, {"__type": "Bad Request"}),
    ],
)
def test_errors_are_ckans(
    units: SqliteUnits, action: str, params: dict[str, str], status: int, error: dict[str, object]
) -> None:
    with units() as uow, pytest.raises(CkanError) as refused:
        run_action(uow, action, params)
    assert refused.value.status == status
    assert error.items() <= refused.value.body().items()
