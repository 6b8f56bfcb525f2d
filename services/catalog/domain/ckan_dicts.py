"""The CKAN dicts of the catalog's objects, as CKAN 2.10 shapes them (with ckanext-fluent):
package, resource, organization, group, tag and licence dicts, and JSON as the CKAN routes
write it. domain/ckan.py answers the actions with them; the read model stores each published
dataset's package dict (domain/renditions.py).

Multilingual text: ``title``, ``notes``, a resource's ``name`` and ``description`` are in the
portal's default language (French, else Arabic, else English); the ``*_translated`` fields
carry every language, as ckanext-fluent does.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.catalog.domain.cache import CountsCache
from services.catalog.domain.search import localized
from services.catalog.domain.views import DatasetView, is_uploaded, resource_url
from services.catalog.domain.vocabularies import REGIONS
from services.catalog.models import DatasetState, Institution, License, Resource, Theme

# Stable ids for what the catalog names only (themes, tags): CKAN gives every object a UUID.
ID_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4d7a-9a53-0c3b7c1d2e4f")


@dataclass(frozen=True)
class Site:
    """What the actions need to know of the running catalog."""

    url: str
    counts: CountsCache | None = None  # the app's search counts cache
    title: str = "Bayanat"
    description: str = (
        "Le portail national des données ouvertes — البوابة الوطنية للبيانات المفتوحة"
    )


# --- shaping -------------------------------------------------------------------------------


def ckan_time(moment: datetime | date | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without a zone."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return moment.isoformat()


def translated(values: dict[str, str] | None) -> dict[str, str]:
    """Every language's text, "" where missing, as ckanext-fluent stores it."""
    return {lang: (values or {}).get(lang) or "" for lang in ("ar", "fr", "en")}


def tag_dict(tag: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(ID_NAMESPACE, "tag:" + tag)),
        "name": tag,
        "display_name": tag,
        "state": "active",
        "vocabulary_id": None,
    }


def theme_id(name: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "theme:" + name))


def group_dict(theme: Theme, package_count: int | None = None) -> dict[str, Any]:
    title = localized(theme.title) or theme.name
    result: dict[str, Any] = {
        "id": theme_id(theme.name),
        "name": theme.name,
        "title": title,
        "display_name": title,
        "title_translated": translated(theme.title),
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def organization_dict(institution: Institution, package_count: int | None = None) -> dict[str, Any]:
    """An institution as a CKAN organization (its slug is CKAN's name)."""
    title = localized(institution.title) or institution.slug
    result: dict[str, Any] = {
        "id": str(institution.id),
        "name": institution.slug,
        "title": title,
        "display_name": title,
        "title_translated": translated(institution.title),
        "acronym": institution.acronym,
        "description": "",
        "image_url": institution.logo_url or "",
        "image_display_url": institution.logo_url or "",
        "created": ckan_time(institution.created_at),
        "type": "organization",
        "is_organization": True,
        "state": "active" if institution.active else "deleted",
        "approval_status": "approved",
        "num_followers": 0,
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def license_dict(lic: License) -> dict[str, Any]:
    conformance = "approved" if lic.is_open else "not reviewed"
    return {
        "id": lic.id,
        "title": lic.title,
        "url": lic.url or "",
        "status": "active",
        "maintainer": "",
        "family": "",
        "is_generic": lic.id.startswith("other"),
        "is_okd_compliant": lic.is_open,
        "is_osi_compliant": False,
        "od_conformance": conformance,
        "osd_conformance": "not reviewed",
        "domain_content": lic.is_open,
        "domain_data": lic.is_open,
        "domain_software": False,
    }


def resource_dict(resource: Resource, site: Site) -> dict[str, Any]:
    return {
        "id": str(resource.id),
        "package_id": str(resource.dataset_id),
        "url": resource_url(resource, site.url),
        "name": localized(resource.title) or "",
        "name_translated": translated(resource.title),
        "description": localized(resource.description) or "",
        "description_translated": translated(resource.description),
        "format": resource.format or "",
        "mimetype": resource.media_type,
        "mimetype_inner": None,
        "size": resource.size,
        "hash": resource.sha256 or "",
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.modified_at),
        "metadata_modified": ckan_time(resource.modified_at),
        "position": resource.position,
        "url_type": "upload" if is_uploaded(resource) else None,
        "state": "active",
        "cache_url": None,
        "datastore_active": False,
        "resource_type": None,
    }


def _extras(view: DatasetView) -> list[dict[str, str]]:
    dataset = view.dataset
    extras: dict[str, str] = {}
    if dataset.frequency:
        extras["frequency"] = dataset.frequency
    if dataset.temporal_start:
        extras["temporal_start"] = dataset.temporal_start.isoformat()
    if dataset.temporal_end:
        extras["temporal_end"] = dataset.temporal_end.isoformat()
    if dataset.spatial:
        extras["spatial_regions"] = ",".join(dataset.spatial)
        extras["spatial_text"] = ", ".join(
            REGIONS[code].fr if code in REGIONS else code for code in dataset.spatial
        )
    for key, value in (dataset.contact_point or {}).items():
        if value:
            extras[f"contact_{key}"] = str(value)
    if dataset.published_at:
        extras["issued"] = ckan_time(dataset.published_at) or ""
    if dataset.last_data_update:
        extras["last_data_update"] = ckan_time(dataset.last_data_update) or ""
    if view.provenance is not None:  # as ckanext-harvest names them
        extras["harvest_source_id"] = str(view.provenance.source_id)
        extras["harvest_source_title"] = view.provenance.source_name
        extras["guid"] = view.provenance.original_id
        if view.provenance.original_uri:
            extras["harvest_url"] = view.provenance.original_uri
    return [{"key": key, "value": extras[key]} for key in sorted(extras)]


def package_dict(view: DatasetView, site: Site) -> dict[str, Any]:
    dataset = view.dataset
    institution = view.institution
    contact = dataset.contact_point or {}
    lic = view.license
    return {
        "id": str(dataset.id),
        "name": dataset.slug,
        "title": localized(dataset.title) or dataset.slug,
        "title_translated": translated(dataset.title),
        "notes": localized(dataset.description) or "",
        "notes_translated": translated(dataset.description),
        "type": "dataset",
        "state": "active" if dataset.state == DatasetState.PUBLISHED else dataset.state.value,
        "private": False,
        "owner_org": str(dataset.institution_id),
        "organization": organization_dict(institution) if institution else None,
        "groups": [group_dict(theme) for theme in view.themes],
        "license_id": dataset.license_id or "",
        "license_title": lic.title if lic else "",
        "license_url": (lic.url or "") if lic else "",
        "isopen": bool(lic and lic.is_open),
        "tags": [tag_dict(tag) for tag in view.tags],
        "num_tags": len(view.tags),
        "resources": [resource_dict(resource, site) for resource in view.resources],
        "num_resources": len(view.resources),
        "extras": _extras(view),
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.modified_at),
        "version": dataset.version or "",
        "url": site.url.rstrip("/") + f"/api/v1/datasets/{dataset.slug}",
        "author": localized(institution.title) if institution else "",
        "author_email": None,
        "maintainer": contact.get("name") or "",
        "maintainer_email": contact.get("email") or "",
        "creator_user_id": str(dataset.created_by) if dataset.created_by else None,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def json_bytes(value: Any) -> bytes:
    """JSON as the CKAN routes send it (Starlette's ``JSONResponse``): UTF-8, compact."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode()
