"""Resources (distributions) of a dataset: links to elsewhere, or files uploaded here.

A draft's resources are edited freely; a published dataset only receives new data through
``publish_data_update`` (a new resource, or new content for an existing one), which moves its
last-data-update time. A file is stored before its row is written (storage.FileStore); when
the unit of work that writes the row fails, the edge that opened it removes the file
(``discard_on_error``), and a replaced or deleted file is removed only once the unit has
committed, so no row ever points to a missing file.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import PurePosixPath
from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, func, select

from libs.auth import Principal
from libs.db import utcnow
from libs.fields import Line
from libs.http.downloads import safe_filename
from libs.http.problems import Conflict, InvalidInput
from libs.uow import UnitOfWork
from libs.vocabularies import FORMATS, normalise_format
from services.catalog.domain.bounds import (
    MEDIA_TYPE_MAX,
    POSITION_MAX,
    RESOURCES_MAX,
    SIZE_MAX,
    TITLE_MAX,
    Code,
    Description,
    ResourceUrl,
    Title,
)
from services.catalog.domain.datasets import record_data_update, touch, writable_dataset
from services.catalog.domain.storage import FileStore, StoredFile
from services.catalog.domain.views import get_resource
from services.catalog.models import Dataset, DatasetState, Resource

# RFC 6838: ASCII letters, digits and a few marks, on each side of the slash.
MEDIA_TYPE_PATTERN = re.compile(r"^[\w.+-]+/[\w.+-]+$", re.ASCII)
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
GENERIC_MEDIA_TYPES = {"application/octet-stream", "binary/octet-stream", ""}


class ResourceFields(BaseModel):
    """A resource's metadata: a link gives ``url``; an upload gives the file instead."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = Field(
        default=None, description="Defaults to the file name or the URL's last segment"
    )
    description: Description | None = None
    url: ResourceUrl | None = Field(default=None, description="http(s) URL of a linked resource")
    format: Code | None = Field(
        default=None,
        description="CSV, JSON, XLSX… (or an extension / media type); guessed when absent",
    )
    media_type: Annotated[Line, Field(max_length=MEDIA_TYPE_MAX)] | None = None
    size: int | None = Field(default=None, ge=0, le=SIZE_MAX, description="Bytes (links only)")
    sha256: Code | None = Field(default=None, description="Hex digest (links only)")
    position: int | None = Field(default=None, ge=0, le=POSITION_MAX)


class DataUpdate(BaseModel):
    """New data for a published dataset: nothing (the same URLs now serve newer data), a new
    resource, or new content for ``replace_resource_id``."""

    model_config = ConfigDict(extra="forbid")

    resource: ResourceFields | None = None
    replace_resource_id: uuid.UUID | None = None


@contextlib.contextmanager
def discard_on_error(store: FileStore, upload: StoredFile | None) -> Iterator[None]:
    """Remove a stored upload when the unit of work that would own it fails (wrap the command
    and the commit)."""
    try:
        yield
    except BaseException:
        if upload is not None:
            store.delete(upload.key)
        raise


def _url_basename(url: str) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name)


def _suffix(name: str | None) -> str | None:
    return PurePosixPath(name).suffix if name and "." in name else None


def resolve_format(
    given: str | None, *, filename: str | None, url: str | None, media_type: str | None
) -> str:
    """The normalised format: as given (unknown → 422 naming ``format``), else guessed."""
    known = ", ".join(FORMATS)
    if given is not None and given.strip():
        code = normalise_format(given)
        if code is None:
            raise InvalidInput("format", f"unknown format {given!r}; known formats: {known}")
        return code
    for guess in (_suffix(filename), _suffix(_url_basename(url) if url else None), media_type):
        code = normalise_format(guess)
        if code:
            return code
    raise InvalidInput("format", f"cannot tell the format; give one of {known}")


def _media_type(given: str | None, upload_type: str | None, format_code: str) -> str:
    if given is not None and given.strip():
        value = given.strip().lower()
        if not MEDIA_TYPE_PATTERN.match(value):
            raise InvalidInput("media_type", f"{given!r} is not a media type (type/subtype)")
        return value
    upload_type = (upload_type or "").split(";")[0].strip().lower()
    if upload_type not in GENERIC_MEDIA_TYPES and MEDIA_TYPE_PATTERN.match(upload_type):
        return upload_type
    return FORMATS[format_code].media_type


def _title(data: ResourceFields, fallback: str | None, format_code: str) -> dict[str, str]:
    if data.title is not None:
        return data.title.as_dict()
    return {"fr": _clean_name(fallback) or format_code}


def _clean_name(name: str | None) -> str | None:
    """A file name or a URL's last segment as stored text: what a title may hold (no control
    or invisible characters, NFC), within a title's length."""
    cleaned = unicodedata.normalize("NFC", safe_filename(name, default=""))
    return cleaned[:TITLE_MAX] or None


def ensure_room_for_a_resource(session: Session, dataset: Dataset) -> None:
    """409 when ``dataset`` already has the most resources a dataset may have."""
    count = session.exec(
        select(func.count()).select_from(Resource).where(col(Resource.dataset_id) == dataset.id)
    ).one()
    if count >= RESOURCES_MAX:
        raise Conflict(
            f"dataset {dataset.slug!r} already has {count} resources, the most a dataset may "
            f"have ({RESOURCES_MAX}): remove one, or publish the files together (an archive)",
            code="too-many-resources",
            limit=RESOURCES_MAX,
        )


def _sha256(value: str | None) -> str | None:
    digest = (value or "").lower() or None
    if digest is not None and not SHA256_PATTERN.match(digest):
        raise InvalidInput("sha256", "64 hexadecimal characters")
    return digest


def _next_position(session: Session, dataset_id: uuid.UUID) -> int:
    current = session.exec(
        select(func.max(Resource.position)).where(col(Resource.dataset_id) == dataset_id)
    ).one()
    return 0 if current is None else int(current) + 1


def _content(
    resource: Resource, data: ResourceFields, upload: StoredFile | None, *, replacing: bool
) -> None:
    """Set what the resource points to (link or file) with its format, type, size, digest."""
    if upload is not None:
        if data.url:
            raise InvalidInput("url", "give either a URL or a file, not both")
        if data.size is not None or data.sha256 is not None:
            field = "size" if data.size is not None else "sha256"
            raise InvalidInput(field, "measured by the catalog for an uploaded file")
        code = resolve_format(
            data.format, filename=upload.filename, url=None, media_type=upload.media_type
        )
        resource.url = None
        resource.storage_key = upload.key
        resource.filename = _clean_name(upload.filename)
        resource.size = upload.size
        resource.sha256 = upload.sha256
        resource.media_type = _media_type(data.media_type, upload.media_type, code)
        resource.format = code
        return
    if not data.url:
        if replacing:
            raise InvalidInput("resource", "give the new content: a URL or a file")
        raise InvalidInput("url", "required: a resource is a URL or an uploaded file")
    url = data.url
    code = resolve_format(data.format, filename=None, url=url, media_type=data.media_type)
    resource.url = url
    resource.storage_key = None
    resource.filename = None
    resource.size = data.size
    resource.sha256 = _sha256(data.sha256)
    resource.media_type = _media_type(data.media_type, None, code)
    resource.format = code


def new_resource(
    session: Session, dataset: Dataset, data: ResourceFields, upload: StoredFile | None = None
) -> Resource:
    """Validate and add a resource row to ``dataset`` (no authorisation)."""
    ensure_room_for_a_resource(session, dataset)
    now = utcnow()
    resource = Resource(
        id=uuid.uuid4(), dataset_id=dataset.id, title={}, created_at=now, modified_at=now
    )
    _content(resource, data, upload, replacing=False)
    fallback = upload.filename if upload else _url_basename(resource.url or "")
    resource.title = _title(data, fallback, resource.format or "")
    resource.description = data.description.as_dict() if data.description else None
    resource.position = (
        data.position if data.position is not None else _next_position(session, dataset.id)
    )
    session.add(resource)
    session.flush()
    return resource


def _writable_draft(uow: UnitOfWork, actor: Principal, ref: str | uuid.UUID) -> Dataset:
    return writable_dataset(
        uow, actor, ref, DatasetState.DRAFT, "change the resources of", enrolled=True
    )


def add_resource(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    data: ResourceFields,
    upload: StoredFile | None = None,
) -> Resource:
    """Add a link or an uploaded file (already stored) to a draft."""
    dataset = _writable_draft(uow, actor, ref)
    resource = new_resource(uow.session, dataset, data, upload)
    touch(uow, dataset)
    return resource


def update_resource(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    resource_id: uuid.UUID | str,
    changes: ResourceFields,
) -> Resource:
    """Change a draft's resource metadata (the fields present); a link may change its URL."""
    dataset = _writable_draft(uow, actor, ref)
    resource = get_resource(uow.session, dataset, resource_id)
    present = changes.model_fields_set
    uploaded = resource.storage_key is not None
    if uploaded and ({"url", "size", "sha256"} & present):
        field = sorted({"url", "size", "sha256"} & present)[0]
        raise InvalidInput(
            field, "an uploaded file's URL, size and digest are the catalog's; upload a new file"
        )
    if "url" in present:
        if not changes.url:
            raise InvalidInput("url", "required for a linked resource")
        resource.url = changes.url
    if "format" in present or "url" in present:
        resource.format = resolve_format(
            changes.format if "format" in present else resource.format,
            filename=resource.filename,
            url=resource.url,
            media_type=None,
        )
        if "media_type" not in present and resource.format:
            resource.media_type = FORMATS[resource.format].media_type
    if "media_type" in present:
        resource.media_type = _media_type(changes.media_type, None, resource.format or "TXT")
    if "size" in present:
        resource.size = changes.size
    if "sha256" in present:
        resource.sha256 = _sha256(changes.sha256)
    if "title" in present:
        if changes.title is None:
            raise InvalidInput("title", "cannot be empty")
        resource.title = changes.title.as_dict()
    if "description" in present:
        resource.description = changes.description.as_dict() if changes.description else None
    if "position" in present and changes.position is not None:
        resource.position = changes.position
    resource.modified_at = utcnow()
    uow.session.add(resource)
    touch(uow, dataset)
    return resource


def delete_resource(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    resource_id: uuid.UUID | str,
    store: FileStore,
) -> None:
    """Remove a draft's resource; its uploaded file goes once the removal is committed."""
    dataset = _writable_draft(uow, actor, ref)
    resource = get_resource(uow.session, dataset, resource_id)
    key = resource.storage_key
    uow.session.delete(resource)
    uow.session.flush()
    touch(uow, dataset)
    if key is not None:
        uow.after_commit(partial(store.delete, key))


def publish_data_update(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    update: DataUpdate,
    upload: StoredFile | None = None,
    store: FileStore,
) -> Dataset:
    """New data for a published dataset (DatasetUpdated; last_data_update moves).

    With neither resource nor file: the existing resources now hold newer data. With one and
    no ``replace_resource_id``: a new resource. With ``replace_resource_id``: that resource's
    content is replaced (its id and position stay; an old uploaded file is removed once the
    unit has committed).
    """
    session = uow.session
    dataset = writable_dataset(
        uow, actor, ref, DatasetState.PUBLISHED, "publish new data for", enrolled=True
    )
    fields = update.resource or ResourceFields()
    if update.replace_resource_id is not None:
        resource = get_resource(session, dataset, update.replace_resource_id)
        old_key = resource.storage_key
        _content(resource, fields, upload, replacing=True)
        if fields.title is not None:
            resource.title = _title(fields, resource.filename, resource.format or "")
        if old_key is not None and old_key != resource.storage_key:
            uow.after_commit(partial(store.delete, old_key))
        resource.modified_at = utcnow()
        session.add(resource)
        session.flush()
    elif update.resource is not None or upload is not None:
        new_resource(session, dataset, fields, upload)
    record_data_update(uow, dataset)
    return dataset
