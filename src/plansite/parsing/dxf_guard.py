"""Safety checks a DXF must pass before ezdxf builds it in memory.

A DXF can be small on disk and enormous to process: millions of entities (ezdxf holds every
one as a Python object, about 1 KB each), or a "block bomb" where block A inserts block B
twice, B inserts C twice, and so on, so 30 nested blocks expand to a billion entities. A
block that inserts itself never ends. These checks run on the raw text (entity count, end
marker) and on the block table (expanded size, cycles) and turn each case into a
``LimitReached`` or ``BadInput`` naming the limit, instead of an exhausted machine.
"""

from __future__ import annotations

from pathlib import Path

from plansite.errors import BadInput, LimitReached
from plansite.parsing import intake

# Entities a drawing may expand to once every block insert is unfolded.
MAX_EXPANDED_ENTITIES = 5_000_000


def prescan_text_dxf(path: Path) -> bool:
    """Count entities in an ASCII DXF without building it; return True when it is complete.

    Raises ``LimitReached`` as soon as the count passes ``intake.MAX_DXF_ENTITIES``. A file
    without the closing ``EOF`` marker was cut short (truncated download or copy).
    """
    count = 0
    last_value = ""
    with path.open("rb") as fh:
        while True:
            code = fh.readline()
            value = fh.readline()
            if not value:
                break
            last_value = value.strip().decode("latin-1", "replace")
            if code.strip() == b"0":
                count += 1
                if count > intake.MAX_DXF_ENTITIES:
                    raise LimitReached(
                        f"has more than {intake.MAX_DXF_ENTITIES} entities (the limit)",
                        path=str(path),
                    )
    return last_value == "EOF"


def check_block_expansion(doc, path: Path) -> None:
    """Refuse drawings whose block inserts nest into themselves or expand past the limit."""
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def unfolded(entities, what: str) -> int:
        """Entities a block or layout stands for once its inserts are unfolded."""
        total = 0
        for entity in entities:
            total += _insert_size(entity, expanded) if entity.dxftype() == "INSERT" else 1
            if total > MAX_EXPANDED_ENTITIES:
                raise LimitReached(
                    f"{what} expands to more than {MAX_EXPANDED_ENTITIES} entities once its "
                    "nested blocks are unfolded; the limit protects the machine",
                    path=str(path),
                )
        return total

    def expanded(name: str) -> int:
        if name in sizes:
            return sizes[name]
        if name in visiting:
            raise BadInput(f"block {name!r} inserts itself (a cycle); the DXF is corrupt",
                           path=str(path))
        block = doc.blocks.get(name)
        if block is None:
            return 0

        visiting.add(name)
        sizes[name] = unfolded(block, f"block {name!r}")
        visiting.discard(name)
        return sizes[name]

    for layout in [doc.modelspace(), *doc.layouts]:
        unfolded(layout, f"layout {layout.name!r}")


def _insert_size(entity, expanded) -> int:
    rows = int(entity.dxf.get("row_count", 1) or 1)
    cols = int(entity.dxf.get("column_count", 1) or 1)
    return max(rows, 1) * max(cols, 1) * max(expanded(entity.dxf.name), 1)
