"""The import graph of verify/ runs one way (docs/design.md, "Layers").

Every ``import`` in ``verify/`` — at module level or inside a function (a lazy import is still an
arrow) — goes to a module on the same floor or a lower one.  ``benchmarks/`` and ``proofs/`` use
the public API: no CLI module, no ``_private`` module of ``verify``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "verify"

# floor of each top-level module or package of verify/ (higher floors may import lower ones)
FLOORS = {
    "errors": 0, "config": 0, "result": 0, "io": 0, "linalg": 0, "precision": 0, "device": 0,
    "language": 1,
    "claims": 2, "strategies": 2,
    "engines": 3, "certificates": 3,
    "check": 4,
    "rules": 5, "proof": 6, "catalogue": 6, "discovery": 6,
    "graphs": 7,
    "kernels": 8,
    "nets": 9, "dynamics": 9,
    "studies": 10,
    "report": 11, "testing": 11, "notebook": 11,
    "cli": 12,
}
# the package facade and ``python -m verify`` sit above everything
TOP = {"__init__", "__main__"}


def _unit(module: str) -> str | None:
    """'verify.engines.fields.ball' -> 'engines'; None outside verify."""
    parts = module.split(".")
    if parts[0] != "verify":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if all(a.name.startswith("__") for a in node.names):
                continue        # __version__ and the like: constants, not an arrow
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if node.module is None or node.level:
                # "from . import x" / "from .pkg import x" may name submodules
                out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
            out.append((node.lineno, mod))
    return out


def _floor(unit: str) -> int | None:
    return FLOORS.get(unit)


def _violations() -> list[str]:
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        src_unit = (
            _unit(_module_name(path)) if path.name != "__init__.py" or path.parent != PKG else "__init__"
        )
        if src_unit in TOP:
            continue
        if src_unit not in FLOORS:
            bad.append(f"{path.relative_to(ROOT)}: module {src_unit!r} has no floor in tests/test_layers.py")
            continue
        for line, mod in _imports(path):
            dst = _unit(mod)
            if dst is None or dst == src_unit:
                continue
            if dst == "__init__":
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports the verify facade ({mod})")
                continue
            if dst not in FLOORS:
                continue        # a name imported from a package, e.g. "from . import x" at verify level
            if FLOORS[dst] > FLOORS[src_unit]:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {src_unit} (floor {FLOORS[src_unit]}) imports "
                           f"{mod} (floor {FLOORS[dst]})")
    return bad


def test_every_module_has_a_floor():
    units = {p.stem if p.is_file() else p.name for p in PKG.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    missing = sorted(units - set(FLOORS) - TOP)
    assert not missing, f"add these to FLOORS (and docs/design.md): {missing}"


def test_imports_only_run_down():
    bad = _violations()
    assert not bad, "\n".join(bad)


# outside users: which modules they may not import
ALLOWED_PRIVATE: dict[str, str] = {
    # "path": "why (who is moving it)",
}


@pytest.mark.parametrize("folder", ["benchmarks", "proofs"])
def test_benchmarks_and_proofs_use_the_public_api(folder):
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for line, mod in _imports(path):
            if not mod.startswith("verify"):
                continue
            parts = mod.split(".")
            if len(parts) > 1 and parts[1] == "cli":
                bad.append(f"{rel}:{line}: imports the CLI ({mod})")
            elif any(p.startswith("_") for p in parts) and rel not in ALLOWED_PRIVATE:
                bad.append(f"{rel}:{line}: imports a private module ({mod})")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_an_upward_import(tmp_path):
    """The test above is not vacuous: a lazy upward import in a function is found."""
    pkg = tmp_path / "verify"
    (pkg / "engines").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "engines" / "__init__.py").write_text("")
    f = pkg / "engines" / "x.py"
    f.write_text("def f():\n    from ..cli import main\n    return main\n")
    mods = [m for _, m in _imports_at(f, tmp_path)]
    assert "verify.cli" in mods and FLOORS[_unit("verify.cli")] > FLOORS["engines"]


def _imports_at(path: Path, root: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    package = _module_name(path, root).rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            out.append((node.lineno, ".".join(base + ([node.module] if node.module else []))))
    return out
