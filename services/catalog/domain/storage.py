"""Storage of uploaded resource files: streamed to disk, hashed and measured on the way.

A file is written under a temporary name in ``<root>/.incoming`` and only renamed to its key
(``<root>/<key[:2]>/<key>``) once it is complete and within the size limit, so that a refused
or interrupted upload leaves nothing behind. Keys are random (uuid4 hex): the same bytes
uploaded twice are two files, each owned by one resource row.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from libs.http.problems import PayloadTooLarge

INCOMING = ".incoming"


@dataclass(frozen=True)
class StoredFile:
    """A complete upload: where it is (``key``), how big, its digest, what the client said."""

    key: str
    size: int
    sha256: str
    filename: str | None = None
    media_type: str | None = None


class UploadTooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"file: the upload is larger than the limit of {limit} bytes",
            field="file",
            limit=limit,
        )


class UploadWriter:
    """Receives one file chunk by chunk; ``finish()`` keeps it, anything else discards it."""

    def __init__(
        self, store: FileStore, filename: str | None = None, media_type: str | None = None
    ) -> None:
        self.store = store
        self.filename = filename
        self.media_type = media_type
        self.key = uuid.uuid4().hex
        self.size = 0
        self._digest = hashlib.sha256()
        self._temp_path = store.root / INCOMING / f"{self.key}.part"
        self._temp_path.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO | None = self._temp_path.open("wb")
        self.done = False

    def write(self, chunk: bytes) -> None:
        """Append a chunk; over the limit the partial file is removed and 413 raised."""
        if self._file is None:
            raise RuntimeError("upload already finished or aborted")
        self.size += len(chunk)
        if self.size > self.store.max_bytes:
            self.abort()
            raise UploadTooLarge(self.store.max_bytes)
        self._digest.update(chunk)
        self._file.write(chunk)

    def finish(self) -> StoredFile:
        if self._file is None:
            raise RuntimeError("upload already finished or aborted")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        final = self.store.path(self.key)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._temp_path, final)
        self.done = True
        return StoredFile(
            key=self.key,
            size=self.size,
            sha256=self._digest.hexdigest(),
            filename=self.filename,
            media_type=self.media_type,
        )

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(FileNotFoundError):
            self._temp_path.unlink()

    def __enter__(self) -> UploadWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.done:
            self.abort()


class FileStore:
    """The directory that holds uploads (CATALOG_UPLOAD_DIR), with its size limit."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def writer(self, filename: str | None = None, media_type: str | None = None) -> UploadWriter:
        return UploadWriter(self, filename, media_type)

    def save(
        self,
        chunks: Iterable[bytes],
        filename: str | None = None,
        media_type: str | None = None,
    ) -> StoredFile:
        """Store a whole stream at once (fixtures, command line, data loaders)."""
        with self.writer(filename, media_type) as writer:
            for chunk in chunks:
                writer.write(chunk)
            return writer.finish()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str | None) -> None:
        """Remove a stored file; a missing one is fine (deletion is retried by cleanup)."""
        if key:
            with contextlib.suppress(FileNotFoundError):
                self.path(key).unlink()

    def stored_keys(self) -> Iterator[str]:
        """Every stored key (not the incomplete uploads)."""
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir() and shard.name != INCOMING:
                for file in sorted(shard.iterdir()):
                    if file.is_file():
                        yield file.name

    def incoming(self) -> Iterator[Path]:
        """Temporary files of uploads in progress or interrupted by a crash."""
        folder = self.root / INCOMING
        if folder.is_dir():
            yield from sorted(folder.iterdir())
