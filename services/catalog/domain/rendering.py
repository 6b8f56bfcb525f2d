"""A published dataset's public representations, rendered from its view: what the read model
stores (domain/renditions.py) and what its readers serve.

- ``native``: the REST API's JSON (``GET /api/v1/datasets/{id}``, domain/representations.py);
- ``ckan``: CKAN's package dict (``package_show``, domain/ckan_dicts.py);
- ``dcat_ttl``, ``dcat_rdf``, ``dcat_jsonld``: its DCAT-AP document in the three
  serialisations the catalog serves for one dataset (domain/dcat.py).

Every link in them is made with the service's public URL (``base_url``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal, get_args

from sqlmodel import Session

from services.catalog.domain import dcat
from services.catalog.domain.ckan_dicts import Site, json_bytes, package_dict
from services.catalog.domain.exports import Links
from services.catalog.domain.representations import DatasetOut
from services.catalog.domain.views import DatasetView

Representation = Literal["native", "ckan", "dcat_ttl", "dcat_rdf", "dcat_jsonld"]
REPRESENTATIONS: tuple[Representation, ...] = get_args(Representation)
# The DCAT serialisation (domain/dcat.py's suffix) each DCAT representation holds.
DCAT_SUFFIXES: dict[Representation, str] = {
    "dcat_ttl": "ttl",
    "dcat_rdf": "rdf",
    "dcat_jsonld": "jsonld",
}
DCAT_BY_SUFFIX: dict[str, Representation] = {suffix: name for name, suffix in DCAT_SUFFIXES.items()}

Bodies = dict[Representation, bytes]


class Renderer:
    """Renders views under one public URL (the DCAT reference data read once for all)."""

    def __init__(self, session: Session, base_url: str) -> None:
        self.base_url = base_url
        self._session = session
        self._site = Site(url=base_url)
        self._links = Links(base_url)
        self._reference: dcat.ReferenceData | None = None

    def render(self, view: DatasetView, representation: Representation) -> bytes:
        if representation == "native":
            return DatasetOut.of(view, self.base_url).model_dump_json().encode()
        if representation == "ckan":
            return json_bytes(package_dict(view, self._site))
        graph = dcat.view_graph(view, self._links, self.reference)
        return dcat.serialise(graph, DCAT_SUFFIXES[representation])

    def render_all(self, view: DatasetView) -> Bodies:
        bodies: Bodies = {
            "native": self.render(view, "native"),
            "ckan": self.render(view, "ckan"),
        }
        graph = dcat.view_graph(view, self._links, self.reference)
        for name, suffix in DCAT_SUFFIXES.items():
            bodies[name] = dcat.serialise(graph, suffix)
        return bodies

    @property
    def reference(self) -> dcat.ReferenceData:
        if self._reference is None:
            self._reference = dcat.ReferenceData(self._session)
        return self._reference


def render_views(
    session: Session, views: Sequence[DatasetView], base_url: str
) -> dict[uuid.UUID, Bodies]:
    """Every representation of each view, by dataset id."""
    renderer = Renderer(session, base_url)
    return {view.dataset.id: renderer.render_all(view) for view in views}
