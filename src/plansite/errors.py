"""Exceptions of the takeoff engine, each carrying the exit code the CLI returns.

The tree, by what the caller must do about it::

    PlansiteError                  exit 70  internal defect: report it
    ├── BadInput                   exit 65  the file is broken: fix or re-export it
    │   ├── EmptyFile
    │   ├── EncryptedFile
    │   └── TruncatedFile
    ├── UnsupportedContent         exit 66  valid file, but nothing we can take off
    ├── LimitReached               exit 67  the file exceeds a named safety limit
    └── MissingDependency          exit 69  an external program is not installed

A command that processes several files exits with the highest code among the files
that failed, so a script can tell "one file was bad" from "the engine crashed".
"""

from __future__ import annotations


class PlansiteError(Exception):
    """Root of every error the engine raises on purpose."""

    exit_code = 70
    code = "internal_error"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def one_line(self) -> str:
        """Return the message a user sees: file name first, no traceback."""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message}"


class BadInput(PlansiteError):
    """The file cannot be read as what it claims to be."""

    exit_code = 65
    code = "bad_input"


class EmptyFile(BadInput):
    code = "empty_file"


class EncryptedFile(BadInput):
    code = "encrypted_file"


class TruncatedFile(BadInput):
    code = "truncated_file"


class UnsupportedContent(PlansiteError):
    """The file is valid but holds nothing this engine can take off."""

    exit_code = 66
    code = "unsupported_content"


class LimitReached(PlansiteError):
    """The input exceeds a safety limit (pages, pixels, entities)."""

    exit_code = 67
    code = "limit_reached"


class MissingDependency(PlansiteError):
    """An external program the engine needs is not installed."""

    exit_code = 69
    code = "missing_dependency"


# Exit code for an error recorded inside a takeoff (one sheet failed, the rest analysed).
_RECORD_EXIT = {"limit_reached": 67, "missing_dependency": 69, "unsupported_content": 66,
                "internal_error": 70}


def exit_code_of(code: str) -> int:
    """Exit code for an ``ErrorRecord.code``: input faults 65 unless named otherwise."""
    return _RECORD_EXIT.get(code, 65)
