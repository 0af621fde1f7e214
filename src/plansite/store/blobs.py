"""Content-addressed file storage on a local folder: a file is stored once, by SHA-256.

A write goes to a temporary file in the same folder while it is hashed, chunk by chunk,
then is renamed into place (``ab/cd/abcd…``). Rename is atomic on one file system, so a
reader never sees half a blob and two uploads of the same content race harmlessly: the
second rename replaces identical bytes. Shortcoming: blobs no plan set refers to any more
are not collected; there is no delete path yet, so none become orphaned in practice.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass
class PendingBlob:
    """A file being written: hashed as it streams in, then committed or discarded."""

    store: BlobStore
    path: Path
    handle: BinaryIO
    size: int = 0

    def __post_init__(self) -> None:
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def commit(self) -> str:
        """Move the finished file to its content address and return the hash."""
        self.close()
        digest = self.sha256
        target = self.store.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)
        return digest

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


class BlobStore:
    """The blob folder; layout ``<root>/<2 hex>/<2 hex>/<64 hex>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def begin(self) -> PendingBlob:
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        return PendingBlob(self, Path(name), os.fdopen(fd, "wb"))

    def put_bytes(self, data: bytes) -> str:
        """Store small content held in memory (tests, generated artifacts)."""
        pending = self.begin()
        pending.write(data)
        return pending.commit()

    def clear_tmp(self) -> int:
        """Remove uploads a crash left half-written; returns how many were removed."""
        removed = 0
        for leftover in self.tmp.glob("upload-*"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed
