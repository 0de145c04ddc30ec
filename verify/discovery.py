"""Finding proofs: the shipped ``proofs`` package, packages that declare the ``verify.proofs`` entry
point group, and user files or folders given by path.

A proof module defines ``PROOF`` (a :class:`~verify.proof.Proof`) or ``build_proof()`` returning one
(or a list of them).  Three sources, merged in this order:

1. the shipped proofs: the ``proofs`` package installed beside ``verify`` itself, located by path, so a
   local ``proofs/`` folder in the working directory never replaces it (under ``python -m verify`` the
   working directory comes first on ``sys.path``);
2. every entry point of the group ``verify.proofs``; its value is a module (scanned like a proof
   module, or like a package of them), a ``Proof``, or a callable returning a ``Proof`` or a list::

       [project.entry-points."verify.proofs"]
       my-paper = "my_package.proofs"

3. paths: ``verify run path/to/my_proof.py`` or ``verify run path/to/folder`` (every ``*.py`` module
   of the folder whose name does not start with ``_``; a folder with ``__init__.py`` is imported as a
   package so its modules may use relative imports).

A source that fails to import or build is reported (one line each) in ``errors`` when a list is
given and raises ``InputError`` otherwise: a broken proof never disappears silently.  Two proofs with
the same id are an error too.

Example::

    >>> from verify.discovery import discover_proofs
    >>> "linear-gnn-xu2021" in discover_proofs()
    True
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Iterable
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import InputError
from .proof import Proof

ENTRY_POINT_GROUP = "verify.proofs"
SHIPPED_PACKAGE = "proofs"


def shipped_proofs_dir() -> Path:
    """The folder of the shipped ``proofs`` package: beside the ``verify`` package."""
    return Path(__file__).resolve().parent.parent / SHIPPED_PACKAGE


def _fail(msg: str, errors: list[str] | None) -> None:
    if errors is None:
        raise InputError(msg)
    errors.append(msg)


def _proofs_of(obj: Any, where: str) -> list[Proof]:
    """The proofs an entry-point value or a module attribute stands for."""
    if isinstance(obj, Proof):
        return [obj]
    if isinstance(obj, ModuleType):
        proof = getattr(obj, "PROOF", None)
        if proof is None and callable(getattr(obj, "build_proof", None)):
            proof = obj.build_proof()
        return [] if proof is None else _proofs_of(proof, where)
    if isinstance(obj, (list, tuple)):
        out = []
        for p in obj:
            if not isinstance(p, Proof):
                raise TypeError(f"{where} gave a {type(p).__name__}, not a Proof")
            out.append(p)
        return out
    if callable(obj):
        return _proofs_of(obj(), where)
    raise TypeError(f"{where} is a {type(obj).__name__}, not a Proof, a module or a callable")


def _scan_package(pkg: ModuleType, label: str, errors: list[str] | None) -> list[Proof]:
    """The package's own proof (if any) and those of its public modules and sub-packages."""
    out: list[Proof] = []
    try:
        out += _proofs_of(pkg, label)
    except Exception as exc:  # reported, never hidden
        _fail(f"proof package {label} failed to load: {type(exc).__name__}: {exc}", errors)
    for info in sorted(pkgutil.iter_modules(getattr(pkg, "__path__", [])), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        where = f"{label}/{info.name}" + ("" if info.ispkg else ".py")
        try:
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            out += _proofs_of(mod, where)
        except Exception as exc:  # reported, never hidden
            _fail(f"proof module {where} failed to load: {type(exc).__name__}: {exc}", errors)
    return out


def _exec_module(name: str, spec) -> ModuleType:
    """Create the module of ``spec``, register it as ``sys.modules[name]`` and run it; on any failure
    the half-imported module is unregistered and the error propagates."""
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def _import_shipped() -> ModuleType:
    """Import the shipped ``proofs`` package from its own folder, whatever ``sys.path`` holds."""
    folder = shipped_proofs_dir()
    init = folder / "__init__.py"
    if not init.is_file():
        raise InputError(f"the shipped proofs package is missing ({folder})")
    loaded = sys.modules.get(SHIPPED_PACKAGE)
    if loaded is not None:
        where = Path(getattr(loaded, "__file__", "") or ".").resolve().parent
        if where != folder:
            raise InputError(
                f"a different package named 'proofs' ({where}) is already imported and "
                f"shadows verify's shipped proofs ({folder}); rename it and run it with "
                "'verify run PATH'"
            )
        return loaded
    spec = importlib.util.spec_from_file_location(
        SHIPPED_PACKAGE, init, submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    return _exec_module(SHIPPED_PACKAGE, spec)


def _synthetic_name(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"_verify_user_{stem}_{digest}"


def _import_path(path: Path) -> ModuleType:
    """Import a user's ``.py`` file or package folder under a private module name."""
    name = _synthetic_name(path)
    if name in sys.modules:
        return sys.modules[name]
    if path.is_dir():
        spec = importlib.util.spec_from_file_location(
            name, path / "__init__.py", submodule_search_locations=[str(path)]
        )
    else:
        spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"{path}: cannot be imported as a Python module")
    return _exec_module(name, spec)


def proofs_from_path(path: str | Path, errors: list[str] | None = None) -> list[Proof]:
    """The proofs defined by one ``.py`` file or by the modules of a folder.

    ``InputError`` (or a line in ``errors``) for a path that does not exist, is not a ``.py`` file or a
    folder, defines no proof, or fails to import.
    """
    p = Path(path)
    if not p.exists():
        _fail(f"{path}: no such file or folder", errors)
        return []
    p = p.resolve()
    if p.is_file():
        if p.suffix != ".py":
            _fail(f"{path}: a proof file must be a Python module (.py)", errors)
            return []
        try:
            found = _proofs_of(_import_path(p), str(path))
        except InputError:
            raise
        except Exception as exc:
            _fail(f"proof module {path} failed to load: {type(exc).__name__}: {exc}", errors)
            return []
        if not found:
            _fail(f"{path} defines no PROOF and no build_proof()", errors)
        return found
    if (p / "__init__.py").is_file():
        try:
            pkg = _import_path(p)
        except Exception as exc:
            _fail(f"proof package {path} failed to load: {type(exc).__name__}: {exc}", errors)
            return []
        found = _scan_package(pkg, str(path), errors)
    else:
        found = []
        for f in sorted(p.glob("*.py")):
            if not f.name.startswith("_"):
                try:
                    found += _proofs_of(_import_path(f), str(Path(path) / f.name))
                except Exception as exc:
                    _fail(
                        f"proof module {Path(path) / f.name} failed to load: {type(exc).__name__}: {exc}",
                        errors,
                    )
    if not found:
        _fail(f"{path}: no proof modules found (a module defines PROOF or build_proof())", errors)
    return found


def _entry_point_proofs(errors: list[str] | None) -> list[Proof]:
    out: list[Proof] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        where = f"entry point {ep.name} = {ep.value}"
        try:
            obj = ep.load()
            if isinstance(obj, ModuleType) and hasattr(obj, "__path__") and not hasattr(obj, "PROOF"):
                out += _scan_package(obj, where, errors)
            else:
                out += _proofs_of(obj, where)
        except Exception as exc:  # reported, never hidden
            _fail(f"{where} failed to load: {type(exc).__name__}: {exc}", errors)
    return out


def _merge(groups: Iterable[list[Proof]], errors: list[str] | None) -> dict[str, Proof]:
    found: dict[str, Proof] = {}
    for group in groups:
        for proof in group:
            if proof.id in found and found[proof.id] is not proof:
                _fail(f"two proofs have the id {proof.id!r}; proof ids must be unique", errors)
                continue
            found[proof.id] = proof
    return found


def discover_proofs(
    errors: list[str] | None = None,
    *,
    paths: Iterable[str | Path] = (),
    shipped: bool = True,
    plugins: bool = True,
) -> dict[str, Proof]:
    """Every proof by id: the shipped ones, the ``verify.proofs`` entry points, then ``paths``.

    ``errors``: a list to receive one line per source that failed (otherwise ``InputError``).
    """
    groups: list[list[Proof]] = []
    if shipped:
        try:
            groups.append(_scan_package(_import_shipped(), "proofs", errors))
        except InputError as exc:
            _fail(str(exc), errors)
        except Exception as exc:
            _fail(f"the shipped proofs package failed to load: {type(exc).__name__}: {exc}", errors)
    if plugins:
        groups.append(_entry_point_proofs(errors))
    for path in paths:
        groups.append(proofs_from_path(path, errors))
    return _merge(groups, errors)


def load_proof(proof_id: str) -> Proof:
    """The proof with this id (``InputError`` naming the known ids if there is none).

    Example::

        >>> from verify import load_proof
        >>> load_proof("linear-gnn-xu2021").id
        'linear-gnn-xu2021'
    """
    proofs = discover_proofs()
    if proof_id not in proofs:
        known = ", ".join(sorted(proofs)) or "none"
        raise InputError(f"unknown proof id {proof_id!r} (known: {known})")
    return proofs[proof_id]


def looks_like_path(arg: str) -> bool:
    """Whether a ``verify run`` argument names a file or folder rather than a proof id."""
    return arg.endswith(".py") or "/" in arg or "\\" in arg or Path(arg).is_dir()
