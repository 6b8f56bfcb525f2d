"""Reading a DCAT-AP catalogue: Turtle, RDF/XML or JSON-LD, paged with Hydra.

The reader follows the pages from the source's URL (``hydra:next``, or ``hydra:nextPage`` as
older catalogues name it, on the same origin, never twice the same page) and yields each
page's ``dcat:Dataset`` nodes as records. A DCAT catalogue cannot be asked what changed: every
page is read, and the job compares each dataset's ``dct:modified`` (then its content) with what
it holds. The identifiers are those of every page read; a dataset missing from them whose
address is http(s) is confirmed gone only when dereferencing it answers 404 or 410.

A dataset's identifier is its ``dct:identifier``, else its IRI. Everything unordered in RDF
(keywords, themes, distributions…) is sorted, so that the same description maps to the same
record, job after job.

Parsing never reaches the network: a JSON-LD page that names a remote ``@context`` is refused
(rdflib would fetch it, past the guard), and XML external entities are not read.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Collection, Iterable
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from libs.http.urlguard import origin_of
from services.catalog.domain.harvest.fetch import Fetcher, SourceError
from services.catalog.domain.harvest.mapping import SourceRecord, SourceResource, UnreadableRecord
from services.catalog.domain.harvest.readers import Known, Page

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SCHEMA = Namespace("http://schema.org/")
IANA_MEDIA_TYPES = "/assignments/media-types/"

ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"
MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
}
SUFFIXES = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld"}


def rdf_format(content_type: str, url: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type]
    path = url.split("?")[0].lower()
    return next((fmt for suffix, fmt in SUFFIXES.items() if path.endswith(suffix)), "turtle")


def _remote_contexts(value: Any) -> bool:
    """Whether a JSON-LD document names a context to fetch (a string, or ``@import``)."""
    if isinstance(value, list):
        return any(_remote_contexts(item) for item in value)
    if not isinstance(value, dict):
        return False
    for key, item in value.items():
        if key == "@context":
            contexts = item if isinstance(item, list) else [item]
            if any(
                isinstance(c, str) or (isinstance(c, dict) and "@import" in c) for c in contexts
            ):
                return True
        if _remote_contexts(item):
            return True
    return False


def parse_page(body: bytes, content_type: str, url: str) -> Graph:
    """A page as a graph; SourceError when it is not RDF the reader may parse."""
    fmt = rdf_format(content_type, url)
    if fmt == "json-ld":
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise SourceError(f"{url} is not JSON-LD: {exc}") from None
        if _remote_contexts(document):
            raise SourceError(f"{url} names a remote JSON-LD @context, which is not fetched")
    graph = Graph()
    try:
        graph.parse(data=body, format=fmt, publicID=url)
    except Exception as exc:  # rdflib raises many kinds: any of them means an unreadable page
        raise SourceError(f"{url} is not {fmt} the harvester can read: {exc}") from None
    return graph


def total_items(graph: Graph) -> int | None:
    """The catalogue's size, when its pages say it (``hydra:totalItems``)."""
    for value in graph.objects(None, HYDRA.totalItems):
        if isinstance(value, Literal) and str(value).isdigit():
            return int(str(value))
    return None


def next_page(graph: Graph, page_url: str) -> str | None:
    """The next page's address, from ``hydra:next`` (or ``hydra:nextPage``)."""
    targets = sorted(
        str(target)
        for predicate in (HYDRA.next, HYDRA.nextPage)
        for target in graph.objects(None, predicate)
        if isinstance(target, (URIRef, Literal))
    )
    return urljoin(page_url, targets[0]) if targets else None


# --- a dataset node as a record --------------------------------------------------------------


def _literals(graph: Graph, node: Node, predicate: URIRef) -> list[Literal]:
    return sorted((o for o in graph.objects(node, predicate) if isinstance(o, Literal)), key=str)


def _texts(graph: Graph, node: Node, predicate: URIRef) -> dict[str, str]:
    texts: dict[str, str] = {}
    for literal in _literals(graph, node, predicate):
        texts.setdefault(literal.language or "", str(literal))
    return texts


def _first(graph: Graph, node: Node, *predicates: URIRef) -> Node | None:
    for predicate in predicates:
        values = sorted(graph.objects(node, predicate), key=str)
        if values:
            return values[0]
    return None


def _value(graph: Graph, node: Node, *predicates: URIRef) -> str | None:
    value = _first(graph, node, *predicates)
    return str(value) if isinstance(value, (Literal, URIRef)) and str(value).strip() else None


def _moment(value: Node | None) -> datetime | None:
    if not isinstance(value, Literal):
        return None
    python = value.toPython()
    if isinstance(python, datetime):
        return python.replace(tzinfo=UTC) if python.tzinfo is None else python.astimezone(UTC)
    if isinstance(python, date):
        return datetime(python.year, python.month, python.day, tzinfo=UTC)
    return None


def _day(value: Node | None) -> str | None:
    moment = _moment(value)
    return moment.date().isoformat() if moment else None


def _keys(graph: Graph, nodes: Iterable[Node]) -> list[str]:
    """IRIs and literals as keys, with the notations and identifiers of the nodes."""
    keys: set[str] = set()
    for node in nodes:
        if isinstance(node, (URIRef, Literal)):
            keys.add(str(node))
        for predicate in (SKOS.notation, DCTERMS.identifier):
            keys.update(str(v) for v in _literals(graph, node, predicate))
    return sorted(keys)


def _place(graph: Graph, node: Node) -> str | None:
    if isinstance(node, URIRef):
        return str(node).rstrip("/").rsplit("/", 1)[-1]
    label = _value(graph, node, SKOS.prefLabel, RDFS.label)
    return label or (str(node) if isinstance(node, Literal) else None)


def _media_type(value: str | None) -> str | None:
    if value and IANA_MEDIA_TYPES in value:
        return value.split(IANA_MEDIA_TYPES, 1)[1]
    return value


def _format(graph: Graph, distribution: Node) -> str | None:
    node = _first(graph, distribution, DCTERMS.format)
    if isinstance(node, BNode):
        return _value(graph, node, RDFS.label, SKOS.prefLabel, SKOS.notation)
    return str(node) if node is not None else None


def _size(value: Node | None) -> int | None:
    if isinstance(value, Literal):
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def _distribution(graph: Graph, node: Node) -> SourceResource:
    return SourceResource(
        url=_value(graph, node, DCAT.downloadURL, DCAT.accessURL),
        title=_texts(graph, node, DCTERMS.title),
        description=_texts(graph, node, DCTERMS.description),
        format=_format(graph, node),
        media_type=_media_type(_value(graph, node, DCAT.mediaType)),
        size=_size(_first(graph, node, DCAT.byteSize)),
    )


def dataset_record(graph: Graph, node: Node) -> SourceRecord | UnreadableRecord:
    """A ``dcat:Dataset`` node as a record (see the module's docstring)."""
    iri = str(node) if isinstance(node, URIRef) else None
    identifier = _value(graph, node, DCTERMS.identifier) or iri
    if not identifier:
        return UnreadableRecord("a dataset with neither an IRI nor a dct:identifier")
    distributions = list(graph.objects(node, DCAT.distribution))
    licenses = _keys(graph, graph.objects(node, DCTERMS.license))
    for distribution in distributions:
        licenses += [
            k
            for k in _keys(graph, graph.objects(distribution, DCTERMS.license))
            if k not in licenses
        ]
    temporal = _first(graph, node, DCTERMS.temporal)
    contact = _first(graph, node, DCAT.contactPoint)
    resources = sorted(
        (_distribution(graph, d) for d in distributions),
        key=lambda r: (r.url or "", r.format or "", sorted(r.title.items())),
    )
    return SourceRecord(
        original_id=identifier.strip(),
        original_uri=iri,
        modified=_moment(_first(graph, node, DCTERMS.modified)),
        title=_texts(graph, node, DCTERMS.title),
        description=_texts(graph, node, DCTERMS.description),
        tags=sorted(str(k) for k in _literals(graph, node, DCAT.keyword)),
        themes=_keys(graph, graph.objects(node, DCAT.theme)),
        licenses=licenses,
        frequency=_value(graph, node, DCTERMS.accrualPeriodicity),
        temporal_start=_day(_first(graph, temporal, DCAT.startDate, SCHEMA.startDate))
        if temporal is not None
        else None,
        temporal_end=_day(_first(graph, temporal, DCAT.endDate, SCHEMA.endDate))
        if temporal is not None
        else None,
        spatial=sorted(
            place for s in graph.objects(node, DCTERMS.spatial) if (place := _place(graph, s))
        ),
        contact_name=_value(graph, contact, VCARD.fn) if contact is not None else None,
        contact_email=_value(graph, contact, VCARD.hasEmail) if contact is not None else None,
        version=_value(graph, node, DCAT.version, OWL.versionInfo),
        resources=resources,
    )


def page_records(graph: Graph) -> Page:
    nodes = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)
    return [dataset_record(graph, node) for node in nodes]


def read_page(body: bytes, content_type: str, url: str) -> tuple[Page, str | None, int | None]:
    """A page's records, the next page's address and the catalogue's size (if given)."""
    graph = parse_page(body, content_type, url)
    return page_records(graph), next_page(graph, url), total_items(graph)


# --- the reader ------------------------------------------------------------------------------


class DcatReader:
    def __init__(self, fetcher: Fetcher, url: str, max_pages: int) -> None:
        self.fetcher = fetcher
        self.url = url
        self.origin = origin_of(url)
        self.max_pages = max_pages
        self.seen: set[str] = set()
        self.complete = False
        self.total: int | None = None

    async def records(self, since: datetime | None) -> AsyncGenerator[Page, None]:
        visited: set[str] = set()
        url: str | None = self.url
        while url is not None:
            if url in visited:
                break
            if len(visited) >= self.max_pages:
                raise SourceError(f"more than {self.max_pages} pages: stopped at {url}")
            if origin_of(url) != self.origin:
                raise SourceError(f"the next page {url} is on another site than the source")
            visited.add(url)
            fetched = await self.fetcher.get(url, accept=ACCEPT)

            page, url, total = await asyncio.to_thread(
                read_page, fetched.body, fetched.content_type, url
            )
            self.total = self.total if self.total is not None else total
            self.seen.update(r.original_id for r in page if isinstance(r, SourceRecord))
            yield page
        self.complete = True

    async def identifiers(self) -> set[str]:
        if not self.complete:
            async for _ in self.records(None):
                pass
        return set(self.seen)

    async def confirm_gone(self, candidates: Collection[Known]) -> set[str]:
        gone: set[str] = set()
        for known in candidates:
            uri = known.original_uri
            if not uri or not uri.startswith(("http://", "https://")):
                gone.add(known.original_id)  # nothing to ask: the complete listing decides
                continue
            try:
                await self.fetcher.get(uri, accept=ACCEPT)
            except SourceError as exc:
                if exc.status in (404, 410):
                    gone.add(known.original_id)
        return gone
