"""Run ``analyze_path`` in a child process and relay its progress to the worker thread.

Why a process per file rather than the worker thread itself:

- PyMuPDF is not thread-safe, so two PDF jobs (or a job and a sheet-image request) must
  not run it in one process at the same time;
- analysis is CPU-bound Python, and in the server process it would hold the interpreter
  lock against the API's requests;
- a file that crashes the engine (a segfault in a native library, memory exhaustion)
  takes down only its child, and the job fails with a reason instead of the server dying.

Children are forked from a forkserver that imported the engine once, so a job starts in
milliseconds. On Linux each child asks to be killed when its forkserver goes, so a killed
server leaves no analysis running behind it.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

from plansite.domain.takeoff import Takeoff

log = logging.getLogger(__name__)

POLL_S = 0.25

# The re-run of the main module in each child (see ``_ctx``) makes runpy warn that the
# module is already loaded; that is the point, so the warning is noise in the server log.
warnings.filterwarnings(
    "ignore", message=r".*found in sys.modules after import of package", category=RuntimeWarning
)
_context: multiprocessing.context.BaseContext | None = None


class AnalysisFailed(Exception):
    """The engine refused or failed on a file; ``code`` and message are for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _ctx() -> multiprocessing.context.BaseContext:
    """The forkserver context, preloading the engine and the program's main module.

    multiprocessing re-runs the parent's main module in every child; with that module (and
    what it imports) already loaded in the forkserver, the re-run imports nothing anew, so
    a job pays no import time and runs exactly the code the server started with.
    """
    global _context
    if _context is None:
        preload = ["plansite.api.analysis_process", "plansite.pipeline", "plansite.cli.main"]
        main_name = getattr(sys.modules["__main__"].__spec__, "name", None)
        if main_name and not main_name.endswith("__main__"):
            preload.append(main_name)
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(preload)
    return _context


def analyze_in_child(
    path: Path, filename: str, ocr: bool, progress: Callable[[str, int, int], None],
    timeout_s: float = 900.0,
) -> Takeoff:
    """Analyse ``path`` in a child; ``progress`` may raise to abandon the child, and a
    child still running after ``timeout_s`` is killed (a drawing built to never finish)."""
    ctx = _ctx()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(str(path), filename, ocr, sender),
                        daemon=True, name=f"analyze {filename}")
    child.start()
    sender.close()

    # Relay progress until a result, a refusal, the child's death or the deadline.
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            if time.monotonic() > deadline:
                raise AnalysisFailed(
                    "analysis_timeout",
                    f"{filename}: analysis took longer than {timeout_s:g} s and was stopped; "
                    "split the plan set or simplify the drawing, or ask the operator to "
                    "raise PLANSITE_JOB_TIMEOUT_S",
                )

            if receiver.poll(POLL_S):
                try:
                    message = receiver.recv()
                except EOFError:
                    break
                result = _handle(message, progress, filename)
                if result is not None:
                    return result
            elif not child.is_alive():
                break

        child.join(5)
        raise AnalysisFailed(
            "analysis_died",
            f"{filename}: the analysis stopped before finishing (exit code "
            f"{child.exitcode}); the file may be too large or malformed for the engine - "
            "try re-exporting it, or report it with the job id",
        )
    finally:
        if child.is_alive():
            child.kill()
            child.join(5)
        receiver.close()


def _handle(message: tuple, progress, filename: str) -> Takeoff | None:
    kind = message[0]
    if kind == "progress":
        progress(*message[1:])
        return None
    if kind == "done":
        return message[1]
    if kind == "error":
        raise AnalysisFailed(message[1], message[2])
    # The exception's text may name server paths: the log keeps it, the user gets its kind.
    log.error("analysis of %s crashed in the engine (%s):\n%s", filename, message[1],
              message[2])
    kind = message[1].split(":", 1)[0]
    raise AnalysisFailed(
        "internal_error",
        f"{filename}: analysis crashed ({kind}); this is a defect in PlanSiteOS - "
        "report it with the job id",
    )


def _child_main(path: str, filename: str, ocr: bool, conn) -> None:
    _die_with_parent()
    from plansite.errors import PlansiteError
    from plansite.pipeline import analyze_path

    def progress(stage: str, done: int, total: int) -> None:
        conn.send(("progress", stage, done, total))

    try:
        takeoff = analyze_path(Path(path), progress=progress, ocr=ocr)
        takeoff.source = filename
        conn.send(("done", takeoff))
    except PlansiteError as exc:
        exc.path = filename
        conn.send(("error", exc.code, exc.one_line()))
    except Exception as exc:  # noqa: BLE001 - any engine defect must reach the parent
        conn.send(("crash", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        conn.close()


def _die_with_parent() -> None:
    """Linux only: have the kernel kill this child when its parent (the forkserver) dies."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
