"""Entry point of the ``plansite`` command."""

from __future__ import annotations

import argparse
import logging
import sys

from plansite import __version__
from plansite.cli import analyze


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plansite", description=__doc__)
    parser.add_argument("--version", action="version", version=f"plansite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
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
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("plansite: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
