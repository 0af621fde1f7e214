"""plansite: plumbing takeoff, estimates and the PlanSiteOS server."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from plansite import __version__
from plansite.cli import analyze


class _Parser(argparse.ArgumentParser):
    """argparse with the usage-error exit status of sysexits.h (64), as the README states."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(64, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="plansite", description=__doc__)
    parser.add_argument("--version", action="version", version=f"plansite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    analyze.add_parser(sub)
    for name in ("serve", "estimate", "doctor", "db"):
        _add_optional(sub, name)
    return parser


def _add_optional(sub: argparse._SubParsersAction, name: str) -> None:
    """Register a subcommand whose module may not be present in a slim install."""
    import importlib

    try:
        module = importlib.import_module(f"plansite.cli.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("plansite.cli"):
            return
        raise
    module.add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Each failure already prints one line naming the file; library warnings would repeat it.
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("plansite: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:
        # Output could not be written (disk full, closed terminal): say so in one line.
        print(f"plansite: cannot write the output ({exc.strerror or exc})", file=sys.stderr)
        return 74


if __name__ == "__main__":
    sys.exit(main())
