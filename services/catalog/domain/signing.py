"""Short-lived signed download URLs for the uploaded files of datasets not yet public.

A dataset under review is private, but governance must read its uploaded files to check them.
The catalog puts in ``dataset submitted``, for each uploaded resource, the way object stores
presign: its download URL with ``expires`` (a Unix time) and ``signature``, an HMAC-SHA256 over
the resource's id and that expiry with a key only the catalog holds (``CATALOG_SIGNING_KEY``).
Whoever holds the event can fetch that file until it expires; nobody can forge another one.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from libs.http.problems import Forbidden
from services.catalog.domain.views import download_path

# Query parameters of a signed download URL.
EXPIRES = "expires"
SIGNATURE = "signature"
# Far beyond any expiry the catalog gives, still an integer every layer handles.
EXPIRES_MAX = 2**53


class SignatureRefused(Forbidden):
    """A signed URL that cannot be honoured; ``code`` says why (invalid or expired)."""


@dataclass(frozen=True)
class DownloadSigner:
    """Signs and verifies download URLs with one key, for ``lifetime`` from their signing."""

    key: bytes
    base_url: str
    lifetime: timedelta

    def signature(self, resource_id: uuid.UUID, expires: int) -> str:
        message = f"{resource_id}\n{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def url(self, dataset_id: uuid.UUID, resource_id: uuid.UUID, *, now: datetime) -> str:
        """The file's download URL, readable by its holder until ``now`` + the lifetime."""
        expires = int((now + self.lifetime).timestamp())
        query = urlencode({EXPIRES: expires, SIGNATURE: self.signature(resource_id, expires)})
        return f"{self.base_url.rstrip('/')}{download_path(dataset_id, resource_id)}?{query}"

    def verify(
        self, resource_id: uuid.UUID, expires: int | None, signature: str | None, *, now: datetime
    ) -> None:
        """Nothing when the pair was signed for this resource and has not expired; 403 naming
        which part fails otherwise (the signature first: a forged expiry is not "expired")."""
        if expires is None or not signature:
            missing = SIGNATURE if expires is not None else EXPIRES
            raise SignatureRefused(
                f"a signed download needs both '{EXPIRES}' and '{SIGNATURE}': '{missing}' is "
                "missing",
                code="signature-invalid",
            )
        expected = self.signature(resource_id, expires)
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise SignatureRefused(
                "the signature does not match this file and expiry: use the URL as it was "
                "given, unchanged",
                code="signature-invalid",
            )
        if expires < now.timestamp():
            raise SignatureRefused(
                f"the signed URL expired at {datetime.fromtimestamp(expires, now.tzinfo)}: "
                "ask for a new one",
                code="signature-expired",
                expired_at=expires,
            )
