"""The catalog's read model as a test sees it: what is stored for a dataset, compared with a
fresh render of the tables (services/catalog/domain/renditions.py)."""

from __future__ import annotations

import uuid

from rdflib import Graph
from rdflib.compare import isomorphic
from sqlmodel import Session

from services.catalog.domain import dcat
from services.catalog.domain.rendering import DCAT_SUFFIXES, REPRESENTATIONS, render_views
from services.catalog.domain.views import find_view
from services.catalog.models import DatasetRendition


def stored_bodies(session: Session, dataset_id: uuid.UUID) -> dict[str, bytes | None]:
    row = session.get(DatasetRendition, dataset_id, populate_existing=True)
    assert row is not None, "no rendition row"
    return {name: getattr(row, name) for name in REPRESENTATIONS}


def parsed(body: bytes, suffix: str) -> Graph:
    return Graph().parse(data=body, format=dcat.SERIALISATIONS[suffix][0])


def assert_stored_as_rendered(session: Session, dataset_id: uuid.UUID, base_url: str) -> None:
    """Every representation of the dataset is stored, for ``base_url``, and is what the tables
    render now: the JSON bodies byte for byte, each DCAT document as the same graph (its
    blank nodes are named anew by each serialisation)."""
    row = session.get(DatasetRendition, dataset_id, populate_existing=True)
    assert row is not None, "no rendition row"
    assert row.base_url == base_url
    view = find_view(session, dataset_id)
    assert view is not None
    fresh = render_views(session, [view], base_url)[dataset_id]
    stored = stored_bodies(session, dataset_id)
    assert stored["native"] == fresh["native"]
    assert stored["ckan"] == fresh["ckan"]
    for name, suffix in DCAT_SUFFIXES.items():
        body = stored[name]
        assert body is not None, f"no {name}"
        assert isomorphic(parsed(body, suffix), parsed(fresh[name], suffix)), name
