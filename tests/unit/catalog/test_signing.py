"""Signed download URLs: the holder of one reads that file until it expires; any change to
the resource, the expiry or the signature, another key or another resource opens nothing (403
naming which), and the submitted event carries one per uploaded file with its SHA-256."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from libs.events.schemas import DatasetSubmitted
from services.catalog.domain.datasets import submit_dataset
from services.catalog.domain.signing import DownloadSigner, SignatureRefused
from services.catalog.domain.views import download_path
from tests.unit.catalog.conftest import (
    BASE_URL,
    Catalog,
    draft,
    enrol,
    steward,
    uploaded,
)
from tests.unit.catalog.conftest import SIGNER as APP_SIGNER

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SIGNER = DownloadSigner(b"a key of the catalog", "https://data.gov.ma/", timedelta(days=7))
DATASET, RESOURCE = uuid.uuid4(), uuid.uuid4()


def signed(url: str) -> tuple[int, str]:
    query = parse_qs(urlsplit(url).query)
    return int(query["expires"][0]), query["signature"][0]


def refusal(
    resource: uuid.UUID, expires: int | None, signature: str | None, now: datetime = NOW
) -> str:
    with pytest.raises(SignatureRefused) as caught:
        SIGNER.verify(resource, expires, signature, now=now)
    assert caught.value.status == 403
    return caught.value.code


def test_a_signed_url_is_on_the_public_url_and_opens_its_file_until_it_expires() -> None:
    url = SIGNER.url(DATASET, RESOURCE, now=NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://data.gov.ma"
    assert parts.path == download_path(DATASET, RESOURCE)
    expires, signature = signed(url)
    assert expires == int((NOW + timedelta(days=7)).timestamp())
    SIGNER.verify(RESOURCE, expires, signature, now=NOW)
    SIGNER.verify(RESOURCE, expires, signature.upper(), now=NOW + timedelta(days=6))
    assert refusal(RESOURCE, expires, signature, NOW + timedelta(days=7, seconds=1)) == (
        "signature-expired"
    )


def test_every_part_altered_is_refused_as_invalid() -> None:
    expires, signature = signed(SIGNER.url(DATASET, RESOURCE, now=NOW))
    assert refusal(uuid.uuid4(), expires, signature) == "signature-invalid"  # another file
    assert refusal(RESOURCE, expires + 86_400, signature) == "signature-invalid"  # extended
    assert refusal(RESOURCE, expires - 1, signature) == "signature-invalid"
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert refusal(RESOURCE, expires, flipped) == "signature-invalid"
    assert refusal(RESOURCE, expires, signature[:-1]) == "signature-invalid"
    assert refusal(RESOURCE, expires, signature + "0") == "signature-invalid"
    assert refusal(RESOURCE, expires, None) == "signature-invalid"
    assert refusal(RESOURCE, None, signature) == "signature-invalid"
    assert refusal(RESOURCE, expires, "") == "signature-invalid"
    # An expired URL whose expiry is pushed back is forged, not merely late.
    late = NOW + timedelta(days=30)
    assert refusal(RESOURCE, int(late.timestamp()) + 60, signature, late) == "signature-invalid"


def test_another_key_signs_nothing_this_one_accepts() -> None:
    other = DownloadSigner(b"another key", SIGNER.base_url, SIGNER.lifetime)
    expires, signature = signed(other.url(DATASET, RESOURCE, now=NOW))
    assert refusal(RESOURCE, expires, signature) == "signature-invalid"


def test_the_submitted_event_gives_each_upload_a_signed_url_and_its_digest(
    catalog: Catalog,
) -> None:
    institution_id = enrol(catalog)
    dataset_id = draft(catalog, institution_id)  # one link
    file = uploaded(catalog, institution_id, dataset_id, b"region,population\nsouss,1\n")
    with catalog.unit() as uow:
        submit_dataset(uow, steward(institution_id), ref=dataset_id, signer=APP_SIGNER)
        uow.commit()
    event = catalog.the_event(DatasetSubmitted)
    link, upload = sorted(event.resources, key=lambda r: r.uploaded)
    assert link.url == "https://data.example.ma/0.csv" and link.sha256 is None
    assert upload.uploaded and upload.sha256 == file.sha256 and upload.id == file.id
    assert upload.url.startswith(BASE_URL + download_path(dataset_id, file.id) + "?")
    expires, signature = signed(upload.url)
    APP_SIGNER.verify(file.id, expires, signature, now=event.submitted_at)
    assert expires == int((event.submitted_at + APP_SIGNER.lifetime).timestamp())
