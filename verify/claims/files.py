"""Claim files (TOML).  A file is data only: nothing in it is ever executed.

```toml
title = "Kronecker identities"
[dims]                 # the claim's scope per dimension (see verify.claims.model):
m = [1, 4]             #   every m in {1..4};  k = 3: only 3;
n = "any"              #   every n >= 1 (sampled on [1, 5]);
p = { min = 2, sample = [2, 5] }   # every p >= 2 (sampled on [2, 5])
[vars]                 # matrices have a shape (dim names or ints); scalars have none
A = { shape = ["m", "m"], assume = ["symmetric"] }
W = { family = "m", shape = ["k", "k"] }   # W[1] ... W[m]; see verify.claims.families
[[claim]]
name = "..."
statement = "..."
given = ["..."]        # optional
expect = "holds"       # optional: "holds" | "fails"
dims = { ... }         # optional, overrides the file's dims for this claim
vars = { ... }         # optional, adds to / overrides the file's vars for this claim
```
A file that cannot be used at all (not TOML, no claims, a claim without name or statement, an
unknown key) raises ``InputError`` (exit status 2).  A claim that is ill-formed (syntax, unknown
name, shapes, contradictory assumptions) becomes that claim's ``error`` verdict; the others still run.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ClaimError, InputError
from ..language.shapes import dim_expression
from .families import expand_claim, needs_expansion
from .model import Claim

MAX_FILE_BYTES = 1_000_000
CLAIM_KEYS = {"name", "statement", "given", "expect", "dims", "vars"}
FILE_KEYS = {"title", "dims", "vars", "claim", "description"}


@dataclass
class ClaimEntry:
    name: str
    statement: str
    given: list[str]
    expect: str | None
    claim: Claim | None
    error: str | None


@dataclass
class ClaimFile:
    path: str
    title: str
    entries: list[ClaimEntry]


def load_claim_file(path: str | Path) -> ClaimFile:
    """Read a TOML claim file (format above): ``InputError`` if the file cannot be used at all; an
    ill-formed claim becomes an entry with ``claim=None`` and its ``error`` message.

    Example::

        >>> from verify import load_claim_file
        >>> from verify.catalogue import catalogue_files
        >>> cf = load_claim_file(catalogue_files()[0])
        >>> cf.title, all(e.claim is not None for e in cf.entries)
        ('Kronecker and vec identities (vec stacks columns)', True)
    """
    p = Path(path)
    where = str(path)
    if not p.exists():
        raise InputError("no such file", where=where)
    if p.is_dir():
        raise InputError("is a directory, not a claim file", where=where)
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"file is larger than {MAX_FILE_BYTES // 1000} kB", where=where)
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=where) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", where=where) from None
    return parse_claim_document(data, where)


def parse_claim_document(data: dict, where: str) -> ClaimFile:
    """A claim file from its parsed TOML: file-level errors raise InputError (naming ``where``); a claim
    whose statement, dims or vars are wrong becomes an entry carrying the error, the others still run."""
    title, claims, file_dims, file_vars = _file_tables(data, where)
    entries = []
    names: set[str] = set()
    for i, c in enumerate(claims, 1):
        name, given, expect = _claim_fields(c, f"claim #{i}", names, where)
        names.add(name)
        entries.extend(_claim_entries(c, name, given, expect, file_dims, file_vars))
    return ClaimFile(where, title, entries)


def _file_tables(data: dict, where: str) -> tuple[str, list[dict], dict, dict]:
    """The file's title, its [[claim]] tables, and its [dims] and [vars] tables, validated."""
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise InputError(
            f"unknown top-level key {sorted(unknown)[0]!r} (expected {', '.join(sorted(FILE_KEYS))})",
            where=where,
        )
    title = data.get("title", Path(where).stem)
    if not isinstance(title, str):
        raise InputError("title must be a string", where=where)
    claims = data.get("claim")
    if claims is None or claims == []:
        raise InputError("no claims: add at least one [[claim]] table", where=where)
    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise InputError("'claim' must be an array of tables ([[claim]])", where=where)
    file_dims = data.get("dims", {})
    file_vars = data.get("vars", {})
    if not isinstance(file_dims, dict) or not isinstance(file_vars, dict):
        raise InputError("[dims] and [vars] must be tables", where=where)
    from ..language.parser import check_identifier

    for table, what in ((file_dims, "dimension name"), (file_vars, "variable name")):
        for key in table:
            try:
                check_identifier(key, what)
            except ClaimError as exc:
                raise InputError(
                    f"[{'dims' if table is file_dims else 'vars'}]: {exc}", where=where
                ) from None
    return title, claims, file_dims, file_vars


def _claim_fields(c: dict, here: str, names: set[str], where: str) -> tuple[str, Any, Any]:
    """A [[claim]] table's name (unique among ``names``), given list and expect, validated."""
    bad = set(c) - CLAIM_KEYS
    if bad:
        raise InputError(
            f"{here}: unknown key {sorted(bad)[0]!r} (expected {', '.join(sorted(CLAIM_KEYS))})",
            where=where,
        )
    for key in ("name", "statement"):
        if key not in c:
            raise InputError(f"{here}: missing field {key!r}", where=where)
        if not isinstance(c[key], str):
            raise InputError(f"{here}: field {key!r} must be a string", where=where)
    name = c["name"]
    if name in names:
        raise InputError(f"{here}: duplicate claim name {name!r}", where=where)
    given = c.get("given", [])
    if isinstance(given, str):
        given = [given]
    expect = c.get("expect")
    if expect is not None and expect not in ("holds", "fails"):
        raise InputError(f"{here} ({name}): expect must be \"holds\" or \"fails\", got {expect!r}",
                         where=where)
    return name, given, expect


def _claim_entries(c: dict, name: str, given, expect, file_dims: dict, file_vars: dict) -> list[ClaimEntry]:
    """The entry of one claim: the claim on the file's dims/vars overridden by its own, restricted to
    the names it uses; or, where that fails, the error instead of a claim. A claim with sums or
    families is expanded into one entry per size (:func:`_expanded_entries`)."""
    from ..language.parser import check_identifier

    dims = {**file_dims, **c.get("dims", {})} if isinstance(c.get("dims", {}), dict) else c.get("dims")
    vars_ = {**file_vars, **c.get("vars", {})} if isinstance(c.get("vars", {}), dict) else c.get("vars")
    given_list = list(given) if isinstance(given, list) else []
    expect_str = expect if isinstance(expect, str) else None
    try:
        for table, what in ((c.get("dims", {}), "dimension name"), (c.get("vars", {}), "variable name")):
            if isinstance(table, dict):
                for key in table:
                    check_identifier(key, what)
        used = _used_names(c["statement"], given)
        vars_used = _restrict(vars_, used) if isinstance(vars_, dict) else vars_
        if (isinstance(vars_used, dict) and isinstance(dims, dict) and isinstance(given, list)
                and needs_expansion(c["statement"], given, vars_used)):
            return _expanded_entries(name, c["statement"], given, expect, dims, vars_used)
        claim = Claim(name, c["statement"],
                      dims=_restrict_dims(dims, used, vars_used) if isinstance(dims, dict) else dims,
                      vars=vars_used,
                      given=given, expect=expect)
        return [ClaimEntry(name, c["statement"], given_list, expect_str, claim, None)]
    except ClaimError as exc:
        return [ClaimEntry(name, c["statement"], given_list, expect_str, None, str(exc))]


def _expanded_entries(name: str, statement: str, given: list[str], expect, dims: dict,
                      vars_: dict) -> list[ClaimEntry]:
    """One entry per value of the dimensions a claim's sums and families depend on (see
    ``verify.claims.families``); a sub-claim ill-formed at its size is that entry's error."""
    out = []
    for sub_name, text, sub_given, sub_dims, sub_vars, fixed in expand_claim(name, statement, given, dims,
                                                                             vars_):
        exp = expect if isinstance(expect, str) else None
        try:
            used = _used_names(text, sub_given)
            kept = _restrict_dims(sub_dims, used, sub_vars)
            # the fixed depth stays in the claim, so its scope and counterexamples name it
            kept.update({k: v for k, v in sub_dims.items() if k in fixed})
            claim = Claim(sub_name, text, dims=kept,
                          vars=_restrict(sub_vars, used), given=sub_given, expect=exp)
            out.append(ClaimEntry(sub_name, text, sub_given, exp, claim, None))
        except ClaimError as exc:
            out.append(ClaimEntry(sub_name, text, sub_given, exp, None, str(exc)))
    return out


def _used_names(statement: str, given) -> set[str] | None:
    """Names a claim mentions (file-level vars it does not use are not generated for it)."""
    from ..language.parser import parse_relation

    try:
        names = parse_relation(statement).names()
        for g in given if isinstance(given, list) else []:
            names |= parse_relation(g, what="given condition").names()
        return names
    except ClaimError:
        return None


def _restrict(vars_: dict, used: set[str] | None) -> dict:
    if used is None:
        return vars_
    return {k: v for k, v in vars_.items() if k in used}


def _restrict_dims(dims: dict, used: set[str] | None, vars_: dict) -> dict:
    """Dimensions the claim needs: named in it, or in the shape of a variable it uses."""
    if used is None or not isinstance(vars_, dict):
        return dims
    need = set(used)
    for spec in vars_.values():
        if isinstance(spec, dict) and isinstance(spec.get("shape"), (list, tuple)):
            for s in spec["shape"]:
                if isinstance(s, str):
                    need.add(s)
                    try:
                        need |= dim_expression(s).names()     # "n*p" needs n and p
                    except ClaimError:
                        pass                                  # reported by Claim with its own message
        if isinstance(spec, dict) and isinstance(spec.get("family"), str):
            need.add(spec["family"])
    return {k: v for k, v in dims.items() if k in need}
