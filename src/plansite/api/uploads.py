"""Stream a multipart upload straight into the blob store, hashing as it goes.

The request body is fed chunk by chunk to python-multipart's push parser; each ``file``
part is written to a pending blob, so memory stays at one network chunk whatever the file
size, and the size limit is enforced while the bytes arrive rather than after. Each file
is then sniffed (``parsing.intake``) and refused at once if it is not a drawing, so a bad
upload is a 4xx answer, not a failed job later. Fields other than ``file`` are ignored.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from plansite.api.problems import ApiProblem
from plansite.errors import PlansiteError
from plansite.parsing import intake
from plansite.store.blobs import BlobStore, PendingBlob

log = logging.getLogger(__name__)

FIELD = "file"
MAX_FILES = 100

# Longest file name most file systems take (bytes of UTF-8), and the suffix kept when a
# longer one is cut, so ``plan.pdf`` stays a ``.pdf`` for whoever downloads it.
MAX_NAME_BYTES = 255
MAX_SUFFIX_BYTES = 16
# Control, format (bidi overrides that disguise an extension), line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def safe_filename(raw: str) -> str:
    """The uploaded name as stored and shown: its last path part, without control or
    formatting characters, at most 255 bytes of UTF-8 cut on a character boundary.

    The worker names a link in the job's work folder after it, and the database stores it:
    a NUL byte or an over-long name must not crash the job, and PostgreSQL text refuses NUL.
    """
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    name = name.strip()

    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        stem, dot, suffix = name.rpartition(".")
        tail = (dot + suffix).encode("utf-8")
        if not stem or len(tail) > MAX_SUFFIX_BYTES:
            tail = b""
        head = encoded[: MAX_NAME_BYTES - len(tail)]
        # errors="ignore" drops the partial character a byte cut may leave at the end.
        name = head.decode("utf-8", "ignore") + tail.decode("utf-8")
    return name if name not in ("", ".", "..") else "upload"


@dataclass
class UploadedFile:
    filename: str
    sha256: str
    size: int
    kind: str


class _Collector:
    """python-multipart callbacks that route ``file`` parts into pending blobs."""

    def __init__(self, blobs: BlobStore, max_bytes: int) -> None:
        self.blobs = blobs
        self.max_bytes = max_bytes
        self.done: list[tuple[str, PendingBlob]] = []
        self.current: PendingBlob | None = None
        self.filename = ""
        self.field = b""
        self.value = b""
        self.headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin, "on_header_field": self._hfield,
            "on_header_value": self._hvalue, "on_header_end": self._hend,
            "on_headers_finished": self._headers_done, "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.headers, self.current, self.filename = {}, None, ""

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self.field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self.value += data[start:end]

    def _hend(self) -> None:
        self.headers[self.field.lower()] = self.value
        self.field, self.value = b"", b""

    def _headers_done(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = params.get(b"name", b"").decode("utf-8", "replace")
        if name != FIELD:
            return
        if len(self.done) >= MAX_FILES:
            raise ApiProblem(413, "too_many_files", "too many files",
                             f"at most {MAX_FILES} files per plan set")
        raw = params.get(b"filename", b"").decode("utf-8", "replace")
        self.filename = safe_filename(raw)
        self.current = self.blobs.begin()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.current is None:
            return
        self.current.write(data[start:end])
        if self.current.size > self.max_bytes:
            limit = self.max_bytes / 2**20
            raise ApiProblem(413, "upload_too_large", "upload too large",
                             f"{self.filename} is over the {limit:g} MiB limit per file")

    def _end(self) -> None:
        if self.current is not None:
            self.current.close()
            self.done.append((self.filename, self.current))
            self.current = None

    def discard(self) -> None:
        for _, pending in self.done:
            pending.discard()
        if self.current is not None:
            self.current.discard()


async def receive_files(request: Request, blobs: BlobStore, max_bytes: int) -> list[UploadedFile]:
    """Read every ``file`` part of the request into the blob store; 4xx on a bad upload."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiProblem(415, "multipart_required", "multipart/form-data required",
                         'send the drawings as multipart form fields named "file"')

    collector = _Collector(blobs, max_bytes)
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        # Disk writes (and the fsync at each file's end) run off the event loop.
        async for chunk in request.stream():
            await run_in_threadpool(parser.write, chunk)
        await run_in_threadpool(parser.finalize)
    except MultipartParseError as exc:
        collector.discard()
        raise ApiProblem(400, "bad_multipart", "malformed multipart body", str(exc)) from None
    except OSError as exc:
        collector.discard()
        log.error("cannot write an upload to the blob store %s: %s", blobs.root, exc)
        raise ApiProblem(507, "storage_unavailable", "storage unavailable",
                         "the server could not store the file (disk full or not writable); "
                         "try again later - the operator has the details") from None
    except BaseException:
        collector.discard()
        raise

    if collector.current is not None:
        collector.discard()
        raise ApiProblem(400, "bad_multipart", "malformed multipart body",
                         "the body ended inside a file part (upload cut short?)")
    if not collector.done:
        raise ApiProblem(422, "no_file", "no file in the upload",
                         'attach one or more drawings as form fields named "file"')
    try:
        return await run_in_threadpool(_accept_all, collector)
    except BaseException:
        collector.discard()
        raise


def _accept_all(collector: _Collector) -> list[UploadedFile]:
    return [_accept(name, pending) for name, pending in _checked(collector)]


def _checked(collector: _Collector) -> list[tuple[str, PendingBlob]]:
    """Refuse the whole upload if any file is not a drawing; nothing is stored then."""
    for name, pending in collector.done:
        try:
            intake.sniff(pending.path)
        except PlansiteError as exc:
            status = 400 if exc.code == "empty_file" else 415
            exc.path = name
            raise ApiProblem(status, exc.code, "not a drawing file", exc.one_line()) from None
    return collector.done


def _accept(name: str, pending: PendingBlob) -> UploadedFile:
    kind = intake.sniff(pending.path)
    size = pending.size
    digest = pending.commit()
    log.info("stored %s (%d bytes, %s) as blob %s", name, size, kind, digest[:12])
    return UploadedFile(filename=name, sha256=digest, size=size, kind=kind)
