"""DCAT-AP 3.0.1 for the published catalogue and for one dataset, with rdflib.

The graph follows the SHACL shapes of DCAT-AP 3.0.1 (``shapes.ttl`` and ``range.ttl``): every
node a range constraint names is typed in the graph itself (``dct:Frequency``,
``dct:MediaTypeOrExtent``, ``dct:MediaType``, ``dct:Location``, ``dct:LicenseDocument``,
``foaf:Document``, ``skos:Concept`` with its ``skos:prefLabel``…), so that a validator needs no
vocabulary download and no inference. Multilingual text becomes language-tagged literals
(``@ar``, ``@fr``, ``@en``). Drafts, submitted and withdrawn datasets never appear.

The catalogue is paged (100 datasets a page) with Hydra, as ckanext-dcat does: the page node is
a ``hydra:PartialCollectionView`` (``hydra:first/next/previous/last``) and a
``hydra:PagedCollection`` (its older ``firstPage/nextPage/…`` names, which DCAT harvesters
still read), with ``hydra:totalItems`` and ``hydra:itemsPerPage``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from sqlmodel import Session, col, func, select

from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import NotFound
from libs.vocabularies import EU_FILE_TYPE, FORMATS, FREQUENCIES
from services.catalog.domain.exports import Links
from services.catalog.domain.views import DatasetView, Provenance, load_views
from services.catalog.domain.vocabularies import REGIONS, THEMES
from services.catalog.models import Dataset, DatasetState, License, Resource, Theme

# rdflib's own DCAT namespace predates DCAT 3 (no dcat:version): an open one instead.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS = Namespace("http://www.w3.org/ns/adms#")

EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

PAGE_SIZE = 100

# The three serialisations: suffix → (rdflib format, media type).
SERIALISATIONS: dict[str, tuple[str, str]] = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}

# The EU data themes (labels en/fr) and where the portal's themes fall among them.
EU_THEMES: dict[str, tuple[str, str]] = {
    "AGRI": ("Agriculture, fisheries, forestry and food", "Agriculture, pêche, sylviculture"),
    "ECON": ("Economy and finance", "Économie et finances"),
    "EDUC": ("Education, culture and sport", "Éducation, culture et sport"),
    "ENER": ("Energy", "Énergie"),
    "ENVI": ("Environment", "Environnement"),
    "GOVE": ("Government and public sector", "Gouvernement et secteur public"),
    "HEAL": ("Health", "Santé"),
    "INTR": ("International issues", "Questions internationales"),
    "JUST": ("Justice, legal system and public safety", "Justice, système juridique"),
    "REGI": ("Regions and cities", "Régions et villes"),
    "SOCI": ("Population and society", "Population et société"),
    "TECH": ("Science and technology", "Science et technologie"),
    "TRAN": ("Transport", "Transports"),
}
THEME_TO_EU: dict[str, str] = {theme.name: theme.eu_theme for theme in THEMES.values()}

CATALOG_TITLE = {
    "fr": "Portail national des données ouvertes",
    "ar": "البوابة الوطنية للبيانات المفتوحة",
}
CATALOG_DESCRIPTION = {
    "fr": (
        "Les jeux de données que publient les administrations, les établissements publics et "
        "les collectivités territoriales, sous licence ouverte."
    ),
    "ar": (
        "مجموعات البيانات التي تنشرها الإدارات والمؤسسات العمومية والجماعات الترابية، برخصة مفتوحة."
    ),
}
CATALOG_PUBLISHER = {"fr": "Agence de Développement du Digital", "ar": "وكالة التنمية الرقمية"}
CATALOG_LICENSE = "other-open"  # the national open licence
CATALOG_LANGUAGES = ("ARA", "FRA", "ENG")

PREFIXES: dict[str, Namespace] = {
    "dcat": DCAT,
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "vcard": VCARD,
    "spdx": SPDX,
    "skos": Namespace(str(SKOS)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "hydra": HYDRA,
    "dcatap": DCATAP,
    "adms": ADMS,
}

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


# --- Literals and nodes ---------------------------------------------------------------------


def _date_time(moment: datetime) -> Literal:
    return Literal(moment.astimezone(UTC).isoformat(), datatype=XSD.dateTime)


def _date(day: date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _iri(url: str) -> URIRef:
    """An IRI from a stored URL: characters an IRI cannot hold (spaces, quotes…) escaped."""
    return URIRef(quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~"))


def _add_texts(graph: Graph, subject: URIRef | BNode, predicate: URIRef, texts: dict) -> None:
    for language in ("ar", "fr", "en"):
        value = (texts or {}).get(language)
        if value:
            graph.add((subject, predicate, Literal(value, lang=language)))


def _keyword(tag: str) -> Literal:
    return Literal(tag, lang="ar") if _ARABIC_SCRIPT.search(tag) else Literal(tag)


class ReferenceData:
    """The small controlled lists (licences, themes), read once per graph."""

    def __init__(self, session: Session) -> None:
        self.licenses = {lic.id: lic for lic in session.exec(select(License))}
        self.themes = {theme.name: theme for theme in session.exec(select(Theme))}


class _Builder:
    """Adds the catalogue's nodes to one graph, each shared node once."""

    def __init__(self, links: Links, reference: ReferenceData) -> None:
        self.links = links
        self.reference = reference
        self.graph = Graph()
        self._done: set[URIRef] = set()
        self.records: list[URIRef] = []  # of harvested datasets
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace, override=True)

    def _once(self, node: URIRef) -> bool:
        if node in self._done:
            return False
        self._done.add(node)
        return True

    # Shared, typed nodes -------------------------------------------------------------------

    def document(self, url: str) -> URIRef:
        node = _iri(url)
        if self._once(node):
            self.graph.add((node, RDF.type, FOAF.Document))
        return node

    def license(self, license_id: str | None) -> URIRef | None:
        lic = self.reference.licenses.get(license_id) if license_id else None
        if lic is None or not lic.url:
            return None
        node = _iri(lic.url)
        if self._once(node):
            self.graph.add((node, RDF.type, DCTERMS.LicenseDocument))
            self.graph.add((node, RDFS.label, Literal(lic.title)))
            self.graph.add((node, DCTERMS.identifier, Literal(lic.id)))
        return node

    def language(self, code: str) -> URIRef:
        node = URIRef(EU_LANGUAGE + code)
        if self._once(node):
            self.graph.add((node, RDF.type, DCTERMS.LinguisticSystem))
        return node

    def frequency(self, code: str) -> URIRef | None:
        frequency = FREQUENCIES.get(code)
        if frequency is None:
            return None
        node = URIRef(frequency.uri)
        if self._once(node):
            self.graph.add((node, RDF.type, DCTERMS.Frequency))
            self.graph.add((node, SKOS.prefLabel, Literal(frequency.label_fr, lang="fr")))
            self.graph.add((node, SKOS.prefLabel, Literal(frequency.label_ar, lang="ar")))
        return node

    def eu_theme_scheme(self) -> URIRef:
        node = URIRef(EU_DATA_THEME)
        if self._once(node):
            self.graph.add((node, RDF.type, SKOS.ConceptScheme))
            self.graph.add((node, DCTERMS.title, Literal("Data theme", lang="en")))
        return node

    def eu_theme(self, code: str) -> URIRef:
        node = URIRef(f"{EU_DATA_THEME}/{code}")
        if self._once(node):
            english, french = EU_THEMES[code]
            self.graph.add((node, RDF.type, SKOS.Concept))
            self.graph.add((node, SKOS.prefLabel, Literal(english, lang="en")))
            self.graph.add((node, SKOS.prefLabel, Literal(french, lang="fr")))
            self.graph.add((node, SKOS.inScheme, self.eu_theme_scheme()))
        return node

    def theme_scheme(self) -> URIRef:
        node = URIRef(self.links.themes())
        if self._once(node):
            self.graph.add((node, RDF.type, SKOS.ConceptScheme))
            self.graph.add((node, DCTERMS.title, Literal("Thèmes du portail", lang="fr")))
            self.graph.add((node, DCTERMS.title, Literal("مواضيع البوابة", lang="ar")))
        return node

    def theme(self, name: str) -> URIRef:
        node = URIRef(self.links.theme(name))
        if self._once(node):
            theme = self.reference.themes.get(name)
            labels = (theme.title if theme else None) or {"fr": name}
            self.graph.add((node, RDF.type, SKOS.Concept))
            _add_texts(self.graph, node, SKOS.prefLabel, labels)
            self.graph.add((node, SKOS.inScheme, self.theme_scheme()))
            self.graph.add((node, SKOS.notation, Literal(name)))
            if name in THEME_TO_EU:
                self.graph.add((node, SKOS.closeMatch, self.eu_theme(THEME_TO_EU[name])))
        return node

    def location(self, code: str) -> URIRef | BNode:
        region = REGIONS.get(code)
        if region is None:
            # A commune or another place the portal has no address for: a labelled location.
            place = BNode()
            self.graph.add((place, RDF.type, DCTERMS.Location))
            self.graph.add((place, SKOS.prefLabel, Literal(code)))
            return place
        node = URIRef(self.links.region(code))
        if self._once(node):
            self.graph.add((node, RDF.type, DCTERMS.Location))
            self.graph.add((node, SKOS.prefLabel, Literal(region.fr, lang="fr")))
            self.graph.add((node, SKOS.prefLabel, Literal(region.ar, lang="ar")))
        return node

    def agent(self, view: DatasetView) -> URIRef:
        institution = view.institution
        if institution is None:
            # The replica has not heard of the institution yet: name it by its id.
            node = URIRef(f"{self.links.base}/api/v1/institutions/{view.dataset.institution_id}")
            if self._once(node):
                self.graph.add((node, RDF.type, FOAF.Agent))
                self.graph.add((node, FOAF.name, Literal(str(view.dataset.institution_id))))
            return node
        node = URIRef(self.links.institution(institution.slug))
        if self._once(node):
            self.graph.add((node, RDF.type, FOAF.Agent))
            _add_texts(self.graph, node, FOAF.name, institution.title)
            if not institution.title:
                self.graph.add((node, FOAF.name, Literal(institution.slug)))
            if institution.acronym:
                self.graph.add((node, SKOS.altLabel, Literal(institution.acronym)))
            if institution.website:
                self.graph.add((node, FOAF.homepage, self.document(institution.website)))
        return node

    def format(self, code: str) -> URIRef | BNode:
        known = FORMATS.get(code)
        if known and known.eu_file_type:
            node = URIRef(EU_FILE_TYPE + known.eu_file_type)
            if self._once(node):
                self.graph.add((node, RDF.type, DCTERMS.MediaTypeOrExtent))
            return node
        # No EU file type for it (JSONL, an API…): a labelled format of its own.
        extent = BNode()
        self.graph.add((extent, RDF.type, DCTERMS.MediaTypeOrExtent))
        self.graph.add((extent, RDFS.label, Literal(code)))
        return extent

    def media_type(self, value: str) -> URIRef | None:
        essence = value.split(";")[0].strip().lower()
        # Only IANA-registered types have an IANA address; ``x-`` types are private.
        if "/" not in essence or "/x-" in essence or " " in essence:
            return None
        node = URIRef(IANA_MEDIA_TYPES + essence)
        if self._once(node):
            self.graph.add((node, RDF.type, DCTERMS.MediaType))
            self.graph.add((node, RDF.type, DCTERMS.MediaTypeOrExtent))
        return node

    # Datasets and distributions ------------------------------------------------------------

    def distribution(self, view: DatasetView, resource: Resource) -> URIRef:
        graph = self.graph
        node = URIRef(self.links.resource(view.dataset.id, resource.id))
        graph.add((node, RDF.type, DCAT.Distribution))
        graph.add((node, DCTERMS.identifier, Literal(str(resource.id))))
        _add_texts(graph, node, DCTERMS.title, resource.title)
        _add_texts(graph, node, DCTERMS.description, resource.description or {})
        if resource.url:
            graph.add((node, DCAT.accessURL, _iri(resource.url)))
        else:
            download = URIRef(self.links.download(view.dataset.id, resource.id))
            graph.add((node, DCAT.accessURL, download))
            graph.add((node, DCAT.downloadURL, download))
        if resource.format:
            graph.add((node, DCTERMS.format, self.format(resource.format)))
        media_type = resource.media_type or (
            FORMATS[resource.format].media_type if resource.format in FORMATS else None
        )
        media_node = self.media_type(media_type) if media_type else None
        if media_node is not None:
            graph.add((node, DCAT.mediaType, media_node))
        if resource.size is not None and resource.size >= 0:
            graph.add(
                (node, DCAT.byteSize, Literal(str(resource.size), datatype=XSD.nonNegativeInteger))
            )
        if resource.sha256:
            checksum = BNode()
            graph.add((node, SPDX.checksum, checksum))
            graph.add((checksum, RDF.type, SPDX.Checksum))
            algorithm = SPDX.checksumAlgorithm_sha256
            graph.add((checksum, SPDX.algorithm, algorithm))
            # SPDX's individual, typed as the complete DCAT-AP shapes expect of the value.
            graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
            graph.add(
                (
                    checksum,
                    SPDX.checksumValue,
                    Literal(resource.sha256.lower(), datatype=XSD.hexBinary),
                )
            )
        licence = self.license(view.dataset.license_id)
        if licence is not None:
            graph.add((node, DCTERMS.license, licence))
        if resource.created_at:
            graph.add((node, DCTERMS.issued, _date_time(resource.created_at)))
        if resource.modified_at:
            graph.add((node, DCTERMS.modified, _date_time(resource.modified_at)))
        return node

    def dataset(self, view: DatasetView) -> URIRef:
        graph = self.graph
        d = view.dataset
        node = URIRef(self.links.dataset(d.id))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(str(d.id))))
        _add_texts(graph, node, DCTERMS.title, d.title)
        # dct:description is mandatory: a dataset without one is described by its title.
        _add_texts(graph, node, DCTERMS.description, d.description or d.title)
        graph.add((node, DCTERMS.publisher, self.agent(view)))
        for name in view.theme_names:
            concept = self.theme(name)
            graph.add((node, DCAT.theme, concept))
            if name in THEME_TO_EU:
                graph.add((node, DCAT.theme, self.eu_theme(THEME_TO_EU[name])))
        for tag in view.tags:
            graph.add((node, DCAT.keyword, _keyword(tag)))
        if d.frequency and (frequency := self.frequency(d.frequency)) is not None:
            graph.add((node, DCTERMS.accrualPeriodicity, frequency))
        if d.temporal_start or d.temporal_end:
            period = BNode()
            graph.add((node, DCTERMS.temporal, period))
            graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if d.temporal_start:
                graph.add((period, DCAT.startDate, _date(d.temporal_start)))
            if d.temporal_end:
                graph.add((period, DCAT.endDate, _date(d.temporal_end)))
        for code in d.spatial or []:
            graph.add((node, DCTERMS.spatial, self.location(code)))
        self._contact_point(node, d.contact_point)
        issued = d.published_at or d.created_at
        if issued:
            graph.add((node, DCTERMS.issued, _date_time(issued)))
        if d.modified_at:
            graph.add((node, DCTERMS.modified, _date_time(d.modified_at)))
        if d.version:
            graph.add((node, DCAT.version, Literal(d.version)))
            graph.add((node, OWL.versionInfo, Literal(d.version)))
        graph.add((node, DCAT.landingPage, self.document(self.links.dataset_page(d.slug))))
        rights = URIRef(EU_ACCESS_RIGHT + "PUBLIC")
        if self._once(rights):
            graph.add((rights, RDF.type, DCTERMS.RightsStatement))
        graph.add((node, DCTERMS.accessRights, rights))
        for resource in view.resources:
            graph.add((node, DCAT.distribution, self.distribution(view, resource)))
        if view.provenance is not None:
            self.provenance(node, view.provenance)
        return node

    def provenance(self, dataset: URIRef, provenance: Provenance) -> None:
        """A harvested dataset's origin, as DCAT-AP describes harvesting: its identifier at
        the source (``adms:identifier``), and the catalogue record of its harvest, whose
        ``dct:source`` is the record of the original metadata (when the source changed it,
        where it is)."""
        graph = self.graph
        identifier = BNode()
        graph.add((dataset, ADMS.identifier, identifier))
        graph.add((identifier, RDF.type, ADMS.Identifier))
        graph.add((identifier, SKOS.notation, Literal(provenance.original_id)))
        graph.add((identifier, ADMS.schemaAgency, Literal(provenance.source_name)))
        # A record's primary topic is a dcat:Resource; a validator infers nothing.
        graph.add((dataset, RDF.type, DCAT.Resource))
        record = URIRef(f"{dataset}#record")
        graph.add((record, RDF.type, DCAT.CatalogRecord))
        graph.add((record, FOAF.primaryTopic, dataset))
        graph.add((record, DCTERMS.issued, _date_time(provenance.first_harvested_at)))
        graph.add((record, DCTERMS.modified, _date_time(provenance.harvested_at)))
        original = URIRef(f"{dataset}#source-record")
        graph.add((record, DCTERMS.source, original))
        graph.add((original, RDF.type, DCAT.CatalogRecord))
        graph.add((original, FOAF.primaryTopic, dataset))
        modified = provenance.source_modified or provenance.harvested_at
        graph.add((original, DCTERMS.modified, _date_time(modified)))
        graph.add((original, DCTERMS.title, Literal(provenance.source_name)))
        if provenance.original_uri:
            graph.add((original, RDFS.seeAlso, _iri(provenance.original_uri)))
        self.records.append(record)

    def _contact_point(self, dataset: URIRef, contact: dict[str, str] | None) -> None:
        if not contact:
            return
        name = contact.get("name") or contact.get("fn")
        email = contact.get("email")
        phone = contact.get("phone") or contact.get("telephone")
        url = contact.get("url")
        if not (name or email or phone or url):
            return
        kind = BNode()
        self.graph.add((dataset, DCAT.contactPoint, kind))
        self.graph.add((kind, RDF.type, VCARD.Kind))
        self.graph.add((kind, VCARD.fn, Literal(name or email or phone or url)))
        if email:
            address = email.strip().removeprefix("mailto:")
            self.graph.add((kind, VCARD.hasEmail, URIRef("mailto:" + quote(address, safe="@+.-_"))))
        if phone:
            number = re.sub(r"[^0-9+]", "", phone)
            if number:
                self.graph.add((kind, VCARD.hasTelephone, URIRef("tel:" + number)))
        if url:
            self.graph.add((kind, VCARD.hasURL, _iri(url)))

    # The catalogue -------------------------------------------------------------------------

    def catalog(self, datasets: list[URIRef], modified: datetime | None) -> URIRef:
        graph = self.graph
        node = URIRef(self.links.catalog())
        graph.add((node, RDF.type, DCAT.Catalog))
        _add_texts(graph, node, DCTERMS.title, CATALOG_TITLE)
        _add_texts(graph, node, DCTERMS.description, CATALOG_DESCRIPTION)
        publisher = URIRef(self.links.catalog() + "#publisher")
        graph.add((publisher, RDF.type, FOAF.Agent))
        _add_texts(graph, publisher, FOAF.name, CATALOG_PUBLISHER)
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, FOAF.homepage, self.document(self.links.base + "/")))
        for code in CATALOG_LANGUAGES:
            graph.add((node, DCTERMS.language, self.language(code)))
        licence = self.license(CATALOG_LICENSE)
        if licence is not None:
            graph.add((node, DCTERMS.license, licence))
        graph.add((node, DCTERMS.modified, _date_time(modified or datetime.now(UTC))))
        graph.add((node, DCAT.themeTaxonomy, self.theme_scheme()))
        graph.add((node, DCAT.themeTaxonomy, self.eu_theme_scheme()))
        for dataset in datasets:
            graph.add((node, DCAT.dataset, dataset))
        for record in self.records:
            graph.add((node, DCAT.record, record))
        return node


# --- Queries --------------------------------------------------------------------------------


@dataclass
class CatalogPage:
    datasets: Page[DatasetView]
    modified: datetime | None  # of the most recently modified published dataset

    @property
    def last_page(self) -> int:
        return max(1, self.datasets.pages)


def catalog_page(
    session: Session,
    page: int = 1,
    modified_since: datetime | None = None,
    page_size: int = PAGE_SIZE,
) -> CatalogPage:
    """One page of the published catalogue, most recently modified first."""
    published = col(Dataset.state) == DatasetState.PUBLISHED
    statement = select(Dataset).where(published)
    if modified_since is not None:
        statement = statement.where(col(Dataset.modified_at) >= modified_since)
    statement = statement.order_by(col(Dataset.modified_at).desc(), col(Dataset.id))
    datasets = paginate(session, statement, PageParams(page=page, page_size=page_size))
    last_page = max(1, datasets.pages)
    if page > last_page:
        raise NotFound(
            f"page {page} is beyond the last page of the catalogue ({last_page})",
            code="page-not-found",
        )
    modified = session.exec(select(func.max(Dataset.modified_at)).where(published)).one()
    return CatalogPage(
        datasets=datasets.with_items(load_views(session, datasets.items)), modified=modified
    )


# --- Graphs ---------------------------------------------------------------------------------


def catalog_graph(
    session: Session, page: CatalogPage, links: Links, page_url: Callable[[int], str]
) -> Graph:
    """The catalogue, the page's datasets and the Hydra links to the other pages."""
    builder = _Builder(links, ReferenceData(session))
    datasets = [builder.dataset(view) for view in page.datasets.items]
    builder.catalog(datasets, page.modified)
    graph = builder.graph
    number = page.datasets.page
    view = URIRef(page_url(number))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    total = page.datasets.total
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.nonNegativeInteger)))
    links_by_name = {
        "first": 1,
        "last": page.last_page,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < page.last_page else None,
    }
    for name, linked in links_by_name.items():
        if linked is None:
            continue
        target = URIRef(page_url(linked))
        graph.add((view, HYDRA[name], target))
        graph.add((view, HYDRA[f"{name}Page"], target))  # the Hydra names ckanext-dcat reads
    graph.add((URIRef(links.catalog()), HYDRA.view, view))
    return graph


def view_graph(view: DatasetView, links: Links, reference: ReferenceData) -> Graph:
    """One dataset's graph, from its view (the reference data read once for many)."""
    builder = _Builder(links, reference)
    builder.dataset(view)
    return builder.graph


# What XML 1.0 cannot carry (and no RDF reader expects): control characters but tab, newline
# and carriage return, lone surrogates, U+FFFE and U+FFFF.
_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _well_formed(graph: Graph) -> None:
    """Literals without what XML 1.0 cannot carry: the inputs refuse it, and a value stored
    before that must not make the whole catalogue unreadable."""
    for subject, predicate, value in list(graph):
        if isinstance(value, Literal) and _NOT_IN_XML.search(str(value)):
            graph.remove((subject, predicate, value))
            cleaned = _NOT_IN_XML.sub("", str(value))
            graph.add(
                (
                    subject,
                    predicate,
                    Literal(cleaned, lang=value.language, datatype=value.datatype),
                )
            )


def serialise(graph: Graph, suffix: str) -> bytes:
    _well_formed(graph)
    rdflib_format, _ = SERIALISATIONS[suffix]
    if rdflib_format == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    else:
        text = graph.serialize(format=rdflib_format)
    return text.encode("utf-8")
