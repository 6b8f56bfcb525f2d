"""Read side: datasets with everything that hangs off them, loaded in a few batch queries.

Every reader of the catalog (REST, search, CKAN, DCAT, exports) shapes its output from a
``DatasetView``; ``load_views`` loads any number of them with one query per related table.
``get_visible_view`` reads one dataset by id or slug with all of it in a single statement.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement
from sqlalchemy import inspect as inspect_model
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Mapped, defer
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from libs.auth import Principal
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import NotFound
from libs.vocabularies import FORMATS
from services.catalog.domain.access import can_view
from services.catalog.models import (
    Dataset,
    DatasetReuse,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    HarvestRecord,
    HarvestSource,
    Institution,
    License,
    Resource,
    Theme,
)

API_PREFIX = "/api/v1"
# The search index column is large and never shown: a single dataset's read leaves it out.
SEARCH_DOCUMENT = inspect_model(Dataset).attrs["search_document"].class_attribute


def dataset_path(dataset_id: uuid.UUID) -> str:
    return f"{API_PREFIX}/datasets/{dataset_id}"


def download_path(dataset_id: uuid.UUID, resource_id: uuid.UUID) -> str:
    """Where the catalog serves an uploaded file (relative to the service's base URL)."""
    return f"{API_PREFIX}/datasets/{dataset_id}/resources/{resource_id}/download"


def resource_url(resource: Resource, base_url: str) -> str:
    """The URL to fetch a resource from: its own for a link, the catalog's for an upload."""
    if resource.url:
        return resource.url
    return base_url.rstrip("/") + download_path(resource.dataset_id, resource.id)


def is_uploaded(resource: Resource) -> bool:
    return resource.storage_key is not None


@dataclass(frozen=True)
class Provenance:
    """Where a harvested dataset comes from: its source, its identifier and address there."""

    source_id: uuid.UUID
    source_slug: str
    source_name: str
    source_kind: str
    source_url: str
    original_id: str
    original_uri: str | None
    source_modified: datetime | None
    first_harvested_at: datetime
    harvested_at: datetime

    @classmethod
    def of(cls, record: HarvestRecord, source: HarvestSource) -> Provenance:
        return cls(
            source_id=source.id,
            source_slug=source.slug,
            source_name=source.name,
            source_kind=str(source.kind),
            source_url=source.url,
            original_id=record.original_id,
            original_uri=record.original_uri,
            source_modified=record.source_modified,
            first_harvested_at=record.first_harvested_at,
            harvested_at=record.harvested_at,
        )


@dataclass
class DatasetView:
    dataset: Dataset
    institution: Institution | None
    tags: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    license: License | None = None
    resources: list[Resource] = field(default_factory=list)
    reuse_count: int = 0
    provenance: Provenance | None = None  # of a harvested dataset

    @property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    @property
    def formats(self) -> list[str]:
        """Distinct resource formats, in resource order."""
        seen: list[str] = []
        for resource in self.resources:
            if resource.format and resource.format not in seen:
                seen.append(resource.format)
        return seen

    @property
    def is_open(self) -> bool:
        return bool(self.license and self.license.is_open)

    @property
    def openness_stars(self) -> int:
        """The best 5-star rating among its resources (0 without an open licence)."""
        if not self.is_open:
            return 0
        stars = [FORMATS[f].stars for f in self.formats if f in FORMATS]
        return max(stars, default=1 if self.resources else 0)


def load_views(session: Session, datasets: Sequence[Dataset]) -> list[DatasetView]:
    """Views of ``datasets`` in the same order, with a fixed number of queries."""
    if not datasets:
        return []
    ids = [d.id for d in datasets]
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for dataset_id, tag in session.exec(
        select(DatasetTag.dataset_id, DatasetTag.tag)
        .where(col(DatasetTag.dataset_id).in_(ids))
        .order_by(col(DatasetTag.tag))
    ):
        tags[dataset_id].append(tag)
    themes: dict[uuid.UUID, list[Theme]] = defaultdict(list)
    for dataset_id, theme in session.exec(
        select(DatasetTheme.dataset_id, Theme)
        .join(Theme, col(Theme.name) == col(DatasetTheme.theme_name))
        .where(col(DatasetTheme.dataset_id).in_(ids))
        .order_by(col(Theme.position))
    ):
        themes[dataset_id].append(theme)
    resources: dict[uuid.UUID, list[Resource]] = defaultdict(list)
    for resource in session.exec(
        select(Resource)
        .where(col(Resource.dataset_id).in_(ids))
        .order_by(col(Resource.position), col(Resource.created_at))
    ):
        resources[resource.dataset_id].append(resource)
    reuse_counts = dict(
        session.exec(
            select(DatasetReuse.dataset_id, func.count())
            .where(col(DatasetReuse.dataset_id).in_(ids))
            .group_by(col(DatasetReuse.dataset_id))
        ).all()
    )
    institution_ids = {d.institution_id for d in datasets}
    institutions = {
        o.id: o
        for o in session.exec(select(Institution).where(col(Institution.id).in_(institution_ids)))
    }
    provenances = {
        record.dataset_id: Provenance.of(record, source)
        for record, source in session.exec(
            select(HarvestRecord, HarvestSource)
            .join(HarvestSource, col(HarvestSource.id) == col(HarvestRecord.source_id))
            .where(col(HarvestRecord.dataset_id).in_(ids))
        )
    }
    license_ids = {d.license_id for d in datasets if d.license_id}
    licenses = (
        {
            lic.id: lic
            for lic in session.exec(select(License).where(col(License.id).in_(license_ids)))
        }
        if license_ids
        else {}
    )
    return [
        DatasetView(
            dataset=d,
            institution=institutions.get(d.institution_id),
            tags=tags.get(d.id, []),
            themes=themes.get(d.id, []),
            license=licenses.get(d.license_id) if d.license_id else None,
            resources=resources.get(d.id, []),
            reuse_count=int(reuse_counts.get(d.id, 0)),
            provenance=provenances.get(d.id),
        )
        for d in datasets
    ]


def load_view(session: Session, dataset: Dataset) -> DatasetView:
    return load_views(session, [dataset])[0]


# --- one dataset in one statement -----------------------------------------------------------
# The most frequent read is a single dataset. Its tags and themes come back as JSON arrays from
# correlated subqueries and its resources from an outer join (one row per resource), so that
# the dataset, its institution, licence, tags, themes, resources and reuse count are one
# round trip instead of seven.


def _json_array(
    postgres: bool, value: ColumnElement[Any] | Mapped[Any], order: ColumnElement[Any] | Mapped[Any]
) -> Any:
    """A JSON array of ``value``; ordered by ``order`` on PostgreSQL (SQLite: sorted after)."""
    if postgres:
        return func.json_agg(aggregate_order_by(value, order), type_=JSON)
    return func.json_group_array(value, type_=JSON)


def _single_view_statement(postgres: bool) -> Select[*tuple[Any, ...]]:
    tags = (
        select(_json_array(postgres, col(DatasetTag.tag), col(DatasetTag.tag)))
        .where(col(DatasetTag.dataset_id) == col(Dataset.id))
        .scalar_subquery()
    )
    theme = (
        func.json_build_object("name", Theme.name, "title", Theme.title, "position", Theme.position)
        if postgres
        else func.json_object(
            "name", Theme.name, "title", func.json(Theme.title), "position", Theme.position
        )
    )
    themes = (
        select(_json_array(postgres, theme, col(Theme.position)))
        .join(DatasetTheme, col(DatasetTheme.theme_name) == col(Theme.name))
        .where(col(DatasetTheme.dataset_id) == col(Dataset.id))
        .scalar_subquery()
    )
    reuse_count = (
        select(func.count())
        .select_from(DatasetReuse)
        .where(col(DatasetReuse.dataset_id) == col(Dataset.id))
        .scalar_subquery()
    )
    # More columns than SQLModel's select() is typed for: the row is unpacked by position.
    columns: tuple[Any, ...] = (
        Dataset,
        Institution,
        License,
        Resource,
        tags,
        themes,
        reuse_count,
        HarvestRecord,
        HarvestSource,
    )
    statement: Select[*tuple[Any, ...]] = select(*columns)
    return (
        statement.outerjoin(Institution, col(Institution.id) == col(Dataset.institution_id))
        .outerjoin(License, col(License.id) == col(Dataset.license_id))
        .outerjoin(Resource, col(Resource.dataset_id) == col(Dataset.id))
        .outerjoin(HarvestRecord, col(HarvestRecord.dataset_id) == col(Dataset.id))
        .outerjoin(HarvestSource, col(HarvestSource.id) == col(HarvestRecord.source_id))
        .order_by(col(Resource.position), col(Resource.created_at))
        .options(defer(SEARCH_DOCUMENT))
    )


def _single_view(session: Session, condition: ColumnElement[bool]) -> DatasetView | None:
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = session.exec(_single_view_statement(postgres).where(condition)).all()
    if not rows:
        return None
    dataset, institution, license_, _, tags, themes, reuse_count, record, source = rows[0]
    theme_rows: list[dict[str, Any]] = sorted(themes or [], key=lambda t: t["position"])
    return DatasetView(
        dataset=dataset,
        institution=institution,
        tags=list(tags or []) if postgres else sorted(tags or []),
        themes=[
            Theme(name=t["name"], title=t["title"], position=t["position"]) for t in theme_rows
        ],
        license=license_,
        resources=[row[3] for row in rows if row[3] is not None],
        reuse_count=int(reuse_count or 0),
        provenance=Provenance.of(record, source) if record and source else None,
    )


def find_view(session: Session, ref: str | uuid.UUID) -> DatasetView | None:
    """``find_dataset`` and ``load_view`` at once: by id, else by slug."""
    try:
        key = ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref)
    except ValueError:
        key = None
    view = _single_view(session, col(Dataset.id) == key) if key is not None else None
    if view is None and not isinstance(ref, uuid.UUID):
        view = _single_view(session, col(Dataset.slug) == ref)
    return view


def get_visible_view(
    session: Session, ref: str | uuid.UUID, actor: Principal | None
) -> DatasetView:
    """The view of a dataset ``actor`` may see (``get_visible_dataset``), in one statement."""
    view = find_view(session, ref)
    if view is None or not can_view(actor, view.dataset):
        raise NotFound(f"no dataset {str(ref)!r}", code="dataset-not-found")
    return view


def find_dataset(session: Session, ref: str | uuid.UUID) -> Dataset | None:
    """A dataset by id or by slug, whatever its state."""
    if isinstance(ref, uuid.UUID):
        return session.get(Dataset, ref)
    try:
        dataset = session.get(Dataset, uuid.UUID(ref))
    except ValueError:
        dataset = None
    if dataset is None:
        dataset = session.exec(select(Dataset).where(col(Dataset.slug) == ref)).first()
    return dataset


def get_dataset(session: Session, ref: str | uuid.UUID) -> Dataset:
    dataset = find_dataset(session, ref)
    if dataset is None:
        raise NotFound(f"no dataset {str(ref)!r}", code="dataset-not-found")
    return dataset


def get_visible_dataset(session: Session, ref: str | uuid.UUID, actor: Principal | None) -> Dataset:
    """The dataset if ``actor`` may see it; otherwise 404 (an unpublished one stays hidden)."""
    dataset = find_dataset(session, ref)
    if dataset is None or not can_view(actor, dataset):
        raise NotFound(f"no dataset {str(ref)!r}", code="dataset-not-found")
    return dataset


def get_resource(session: Session, dataset: Dataset, resource_id: uuid.UUID | str) -> Resource:
    try:
        key = resource_id if isinstance(resource_id, uuid.UUID) else uuid.UUID(str(resource_id))
    except ValueError:
        key = None
    resource = session.get(Resource, key) if key else None
    if resource is None or resource.dataset_id != dataset.id:
        raise NotFound(
            f"no resource {str(resource_id)!r} in dataset {dataset.slug!r}",
            code="resource-not-found",
        )
    return resource


# --- counts over published datasets (reference lists) ---------------------------------------


def theme_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(DatasetTheme.theme_name, func.count())
        .join(Dataset, col(Dataset.id) == col(DatasetTheme.dataset_id))
        .where(col(Dataset.state) == DatasetState.PUBLISHED)
        .group_by(col(DatasetTheme.theme_name))
    ).all()
    return {name: int(count) for name, count in rows}


def license_counts(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Dataset.license_id, func.count())
        .where(col(Dataset.state) == DatasetState.PUBLISHED, col(Dataset.license_id).is_not(None))
        .group_by(col(Dataset.license_id))
    ).all()
    return {license_id: int(count) for license_id, count in rows if license_id is not None}


@dataclass(frozen=True)
class TagCount:
    name: str
    dataset_count: int


def tag_counts(
    session: Session, params: PageParams, *, prefix: str | None = None
) -> Page[TagCount]:
    """Tags of published datasets, most used first (then by name), one page."""
    statement = (
        select(DatasetTag.tag, func.count())
        .join(Dataset, col(Dataset.id) == col(DatasetTag.dataset_id))
        .where(col(Dataset.state) == DatasetState.PUBLISHED)
        .group_by(col(DatasetTag.tag))
    )
    if prefix:
        statement = statement.where(
            col(DatasetTag.tag).startswith(prefix.strip().lower(), autoescape=True)
        )
    page = paginate(session, statement.order_by(func.count().desc(), col(DatasetTag.tag)), params)
    return page.map(lambda row: TagCount(row[0], int(row[1])))
