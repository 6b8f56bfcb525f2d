"""ckanext-showcase's read actions over the public reuses, as CKAN 2.10 answers them.

A showcase is a package dict of type ``showcase``: ``name`` is the reuse's slug, ``url`` the
reuse itself, ``title``/``notes`` in the portal's default language (French, else Arabic, else
English) with every language in ``title_translated``/``notes_translated`` (ckanext-fluent);
the reuse's type, topic and moderation state are ``extras``. The datasets a showcase cites are
the catalog's packages as this service knows them (id, name, title, institution).

Actions: ``ckanext_showcase_list`` (every public reuse, newest first; ``limit`` and
``offset`` page it, at most 1,000 at a time), ``ckanext_showcase_show`` (``id``: an id or a
name), ``ckanext_package_showcase_list`` (``package_id``: a dataset's id or name) and
``ckanext_showcase_package_list`` (``showcase_id``). Errors are CKAN's: a missing parameter or
an unknown dataset is a "Validation Error" (409), an unknown showcase a "Not Found Error"
(404), an unknown action a "Bad Request" (400).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from libs.http.pagination import PageParams
from libs.uow import UnitOfWork
from services.reuse.domain.replica import find_dataset
from services.reuse.domain.reuses import ReuseView, find_reuse, load_view, load_views
from services.reuse.domain.search import NEWEST_FIRST, ReuseQuery, search_reuses
from services.reuse.models import PUBLIC_STATES, DatasetReplica, Reuse, ReuseState

LANGUAGES = ("fr", "ar", "en")
LIST_MAX = 1000
TAG_NAMESPACE = uuid.UUID("3b0f6c3e-5d1a-4c36-9c1e-2f4a7d8b9e10")


class CkanError(Exception):
    """An action's error as CKAN words it: ``__type`` and a message, or the invalid fields."""

    def __init__(
        self, status: int, kind: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields

    def body(self) -> dict[str, Any]:
        if self.fields is not None:
            return {**self.fields, "__type": self.kind}
        return {"__type": self.kind, "message": self.message}


def _invalid(name: str, message: str) -> CkanError:
    return CkanError(409, "Validation Error", f"{name}: {message}", {name: [message]})


def _required(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if isinstance(value, list) and value:
        value = value[-1]
    if not isinstance(value, str) or not value.strip():
        raise _invalid(name, "Missing value")
    return value.strip()


def _count(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    try:
        number = int(value[-1] if isinstance(value, list) else value)
    except (TypeError, ValueError):
        raise _invalid(name, "Invalid integer") from None
    if number < 0:
        raise _invalid(name, "Must be a natural number")
    return number


def _ckan_time(moment: datetime | None) -> str | None:
    """CKAN's timestamps: UTC without a zone."""
    return moment.replace(tzinfo=None).isoformat() if moment else None


def _default(values: dict[str, str]) -> str:
    return next((values[lang] for lang in LANGUAGES if values.get(lang)), "")


def _translated(values: dict[str, str]) -> dict[str, str]:
    return {lang: values.get(lang) or "" for lang in LANGUAGES}


def showcase_dict(view: ReuseView) -> dict[str, Any]:
    reuse, author = view.reuse, view.author
    extras = {
        "reuse_type": reuse.reuse_type,
        "topic": reuse.topic or "",
        "verified": "true" if reuse.state == ReuseState.VERIFIED else "false",
        "organization": reuse.organization or "",
        "dataset_count": str(len(view.citations)),
    }
    return {
        "id": str(reuse.id),
        "name": reuse.slug,
        "title": _default(reuse.title),
        "title_translated": _translated(reuse.title),
        "notes": _default(reuse.description),
        "notes_translated": _translated(reuse.description),
        "type": "showcase",
        "state": "active",
        "private": False,
        "url": reuse.url,
        "image_url": reuse.image_url or "",
        "image_display_url": reuse.image_url or "",
        "author": author.name,
        "author_email": None,
        "maintainer": None,
        "maintainer_email": None,
        "creator_user_id": str(author.id),
        "owner_org": None,
        "organization": None,
        "groups": [],
        "resources": [],
        "num_resources": 0,
        "tags": [
            {
                "id": str(uuid.uuid5(TAG_NAMESPACE, tag)),
                "name": tag,
                "display_name": tag,
                "state": "active",
                "vocabulary_id": None,
            }
            for tag in reuse.tags
        ],
        "num_tags": len(reuse.tags),
        "extras": [{"key": key, "value": value} for key, value in sorted(extras.items())],
        "license_id": "",
        "license_title": "",
        "isopen": False,
        "version": "",
        "metadata_created": _ckan_time(reuse.declared_at),
        "metadata_modified": _ckan_time(reuse.updated_at),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def dataset_dict(dataset: DatasetReplica) -> dict[str, Any]:
    """A catalog package as far as this service knows it."""
    return {
        "id": str(dataset.id),
        "name": dataset.slug,
        "title": _default(dataset.title) or dataset.slug,
        "title_translated": _translated(dataset.title),
        "type": "dataset",
        "state": "deleted" if dataset.withdrawn_at else "active",
        "private": False,
        "owner_org": str(dataset.institution_id),
        "metadata_created": _ckan_time(dataset.published_at),
        "metadata_modified": _ckan_time(dataset.changed_at),
    }


def _public_showcase(uow: UnitOfWork, reference: str) -> ReuseView | None:
    reuse = find_reuse(uow, reference)
    if reuse is None or reuse.state not in PUBLIC_STATES:
        return None
    return load_view(uow, reuse)


def showcase_list(uow: UnitOfWork, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    limit = min(_count(params, "limit", LIST_MAX), LIST_MAX)
    offset = _count(params, "offset", 0)
    reuses = uow.session.exec(
        select(Reuse)
        .where(col(Reuse.state).in_(PUBLIC_STATES))
        .order_by(*NEWEST_FIRST)
        .offset(offset)
        .limit(limit)
    ).all()
    return [showcase_dict(view) for view in load_views(uow, reuses)]


def showcase_show(uow: UnitOfWork, params: Mapping[str, Any]) -> dict[str, Any]:
    view = _public_showcase(uow, _required(params, "id"))
    if view is None:
        raise CkanError(404, "Not Found Error", "Not found")
    return showcase_dict(view)


def package_showcase_list(uow: UnitOfWork, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    dataset = find_dataset(uow, _required(params, "package_id"))
    if dataset is None:
        raise _invalid("package_id", "Not found: Dataset")
    page = search_reuses(uow, ReuseQuery(dataset_id=dataset.id), PageParams(1, LIST_MAX))
    return [showcase_dict(view) for view in load_views(uow, page.items)]


def showcase_package_list(uow: UnitOfWork, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    view = _public_showcase(uow, _required(params, "showcase_id"))
    if view is None:
        raise _invalid("showcase_id", "Not found: Showcase")
    return [dataset_dict(citation.dataset) for citation in view.citations]


ACTIONS: dict[str, Callable[[UnitOfWork, Mapping[str, Any]], Any]] = {
    "ckanext_showcase_list": showcase_list,
    "ckanext_showcase_show": showcase_show,
    "ckanext_package_showcase_list": package_showcase_list,
    "ckanext_showcase_package_list": showcase_package_list,
}


def run_action(uow: UnitOfWork, name: str, params: Mapping[str, Any]) -> Any:
    action = ACTIONS.get(name)
    if action is None:
        raise CkanError(400, "Bad Request", f"Bad request - Action name not known: {name}")
    return action(uow, params)
