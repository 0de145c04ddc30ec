"""The built-in claim catalogue: identities and inequalities that linear-GNN proofs use, each next
to its realistic wrong variants (a transpose dropped, Kronecker factors swapped, a sign flipped,
eigmax for eigmin, a factor 2 dropped).  The TOML files live in ``verify/catalogue_files/``."""
from __future__ import annotations

from pathlib import Path

CATALOGUE_DIR = Path(__file__).parent / "catalogue_files"


def catalogue_files() -> list[Path]:
    return sorted(CATALOGUE_DIR.glob("*.toml"))
