"""Canonical keys of tensor networks with copy tensors (diag, diagvec, hadamard, ones).

In a network built only from matrix products, kron, vec, tr and transposes every index joins
exactly two ports (:mod:`.normal` reads it as paths and cycles).  ``diag``, ``diagvec`` and
``hadamard`` make one index shared by three or more ports, and ``ones`` (or a sum over an index,
as in 1ᵀ v) leaves an index at one port.  Such an index is a **junction**: a copy tensor
δ_{i_1 … i_k} (all k legs take the same value; k = 1 is the all-ones vector).  Between junctions,
output slots and size-1 ends the network is a set of **chains**: matrix products read from one end
to the other, through indices with exactly two ports.

Canonical form of one term (equal keys mean equal functions of the entries for every size):

1. each chain word (and each cycle) is reduced by the assumption rules (:class:`.normal.Rules`);
   a chain that becomes empty identifies its two end indices (junctions fuse; an emptied cycle is a
   dimension factor) and the decomposition is redone, until nothing changes;
2. if no junction is left, the term is keyed as in :mod:`.normal` (paths and cycles);
3. else the junctions are numbered canonically: an isomorphism-invariant signature (size, words
   leaving the junction, the kind of end they reach) orders them, and the smallest key over the
   numberings that respect that order is taken (at most ``MAX_LABELINGS`` numberings, else the
   claim is declined).  Each chain is written (end, word, end) in its smaller reading direction
   (reading backwards transposes every letter).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import permutations, product
from math import factorial

from . import poly
from .network import Builder, Factor, NotInFragment, Term

MAX_LABELINGS = 5040

Letter = tuple[str, bool]
Word = tuple[Letter, ...]
# an end of a chain: ("slot", s, index) | ("junc", index) | ("dot",)
End = tuple


@dataclass
class _Chain:
    a: End
    word: Word
    b: End


def port_counts(t: Term) -> dict[int, int]:
    """How many ports (output slots and factor legs) each index of the term has."""
    out: dict[int, int] = {}
    for i in list(t.row) + list(t.col):
        out[i] = out.get(i, 0) + 1
    for f in t.factors:
        for i in (f.row, f.col):
            if i is not None:
                out[i] = out.get(i, 0) + 1
    return out


def has_junction(t: Term) -> bool:
    return any(c != 2 for c in port_counts(t).values())


def _ports(factors: list[Factor], slots: list[int]) -> dict[int, list[tuple]]:
    ports: dict[int, list[tuple]] = {}
    for s, i in enumerate(slots):
        ports.setdefault(i, []).append(("slot", s))
    for k, f in enumerate(factors):
        for side, i in (("r", f.row), ("c", f.col)):
            if i is not None:
                ports.setdefault(i, []).append(("node", k, side))
    return ports


def _decompose(factors: list[Factor], slots: list[int]) -> tuple[list[_Chain], list[Word]]:
    """The chains (between slots, junctions and size-1 ends) and the cycles of a network."""
    ports = _ports(factors, slots)
    junction = {i for i, ps in ports.items() if len(ps) != 2}
    seen: set[int] = set()

    def other(i: int, port: tuple) -> tuple:
        a, b = ports[i]
        return b if a == port else a

    def walk(k: int, side: str) -> tuple[Word, End]:
        word: list[Letter] = []
        while True:
            seen.add(k)
            f = factors[k]
            word.append((f.label, side == "c"))
            out_side, idx = ("c", f.col) if side == "r" else ("r", f.row)
            if idx is None:
                return tuple(word), ("dot",)
            if idx in junction:
                return tuple(word), ("junc", idx)
            nxt = other(idx, ("node", k, out_side))
            if nxt[0] == "slot":
                return tuple(word), ("slot", nxt[1], idx)
            if nxt[1] in seen:
                return tuple(word), ("cycle",)
            k, side = nxt[1], nxt[2]

    chains: list[_Chain] = []
    done: set[int] = set()
    for s, i in enumerate(slots):
        if s in done:
            continue
        done.add(s)
        start: End = ("slot", s, i)
        if i in junction:
            chains.append(_Chain(start, (), ("junc", i)))
            continue
        nxt = other(i, ("slot", s))
        if nxt[0] == "slot":
            done.add(nxt[1])
            chains.append(_Chain(start, (), ("slot", nxt[1], i)))
            continue
        word, end = walk(nxt[1], nxt[2])
        if end[0] == "slot":
            done.add(end[1])
        elif end[0] == "cycle":
            raise AssertionError("an open leg on a cycle (internal error)")
        chains.append(_Chain(start, word, end))
    for i in sorted(junction):
        for p in ports[i]:
            if p[0] == "node" and p[1] not in seen:
                word, end = walk(p[1], p[2])
                if end[0] == "cycle":
                    raise AssertionError("a junction leg on a cycle (internal error)")
                chains.append(_Chain(("junc", i), word, end))
    for k, f in enumerate(factors):
        if k in seen or (f.row is not None and f.col is not None):
            continue
        word, end = walk(k, "r" if f.row is None else "c")
        if end[0] != "dot":
            raise AssertionError("a vector path ends at an open leg (internal error)")
        chains.append(_Chain(("dot",), word, end))
    cycles = []
    for k in range(len(factors)):
        if k not in seen:
            word, end = walk(k, "r")
            if end[0] != "cycle":
                raise AssertionError("a closed chain is not a cycle (internal error)")
            cycles.append(word)
    return chains, cycles


def _end_index(e: End) -> int | None:
    return e[2] if e[0] == "slot" else e[1] if e[0] == "junc" else None


def _letter_dims(builder: Builder, letter: Letter):
    r, c = builder.labels[letter[0]][:2]
    return (c, r) if letter[1] else (r, c)


def _rebuild(chains: list[_Chain], cycles: list[Word], slots: list[int], coef: poly.Poly,
             builder: Builder) -> tuple[list[Factor], list[int], poly.Poly]:
    """The network of the given chains and cycles (fresh inner indices; an empty chain identifies
    its end indices)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    factors: list[Factor] = []

    def lay(word: Word, first: int | None, last: int | None) -> None:
        prev = first
        for n, letter in enumerate(word):
            d_out = _letter_dims(builder, letter)[1]
            out = last if n == len(word) - 1 else None if d_out is None else builder.fresh(d_out)
            lab, t = letter
            factors.append(Factor(lab, out, prev) if t else Factor(lab, prev, out))
            prev = out

    for ch in chains:
        ia, ib = _end_index(ch.a), _end_index(ch.b)
        if not ch.word:
            if ia is None or ib is None:
                raise AssertionError("an empty chain at a size-1 end (internal error)")
            ra, rb = find(ia), find(ib)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
            continue
        lay(ch.word, ia, ib)
    for w in cycles:
        d_in = _letter_dims(builder, w[0])[0]
        if d_in is None:
            raise AssertionError("a cycle through a size-1 leg (internal error)")
        first = builder.fresh(d_in)
        lay(w, first, first)

    def m(i: int | None) -> int | None:
        return None if i is None else find(i)

    factors = [Factor(f.label, m(f.row), m(f.col)) for f in factors]
    return factors, [find(i) for i in slots], coef


def _reduce(t: Term, rules, builder: Builder) -> tuple[list[_Chain], list[Word], list[Factor], list[int],
                                                         poly.Poly]:
    """Apply the rules to every chain and cycle until nothing changes (see the module doc)."""
    factors, slots, coef = list(t.factors), list(t.row) + list(t.col), dict(t.coef)
    while True:
        chains, cycles = _decompose(factors, slots)
        changed = False
        new_chains = []
        for ch in chains:
            w = rules.path(ch.word)
            changed |= len(w) != len(ch.word)
            new_chains.append(_Chain(ch.a, w, ch.b))
        new_cycles = []
        for w0 in cycles:
            w, loop_dim = rules.cycle(w0)
            if loop_dim is not None:
                d = poly.const(loop_dim) if isinstance(loop_dim, int) else poly.var(loop_dim)
                coef = poly.mul(coef, d)
                changed = True
            elif w:
                changed |= len(w) != len(w0)
                new_cycles.append(w)
        if not changed:
            return new_chains, new_cycles, factors, slots, coef
        factors, slots, coef = _rebuild(new_chains, new_cycles, slots, coef, builder)


def _quiet_orient(rules, w: Word) -> Word:
    return tuple((lab, t and not rules.symmetric(lab)) for lab, t in w)


def _reverse(rules, w: Word) -> Word:
    return _quiet_orient(rules, tuple((lab, not t) for lab, t in reversed(w)))


def _encode(e: End, label: dict[int, int]) -> tuple[int, int]:
    if e[0] == "slot":
        return (0, e[1])
    if e[0] == "junc":
        return (1, label[e[1]])
    return (2, 0)


def hyper_key(t: Term, rules, builder: Builder, plain_key: Callable) -> tuple[tuple, poly.Poly]:
    """The canonical key and coefficient of a term with junctions (see the module doc).
    ``plain_key(term, rules)`` keys a network without junctions (:func:`.normal.term_key`)."""
    chains, cycles, factors, slots, coef = _reduce(t, rules, builder)
    nrow = len(t.row)
    if not has_junction(Term(coef, tuple(factors), tuple(slots[:nrow]), tuple(slots[nrow:]))):
        return plain_key(Term(coef, tuple(factors), tuple(slots[:nrow]), tuple(slots[nrow:])), rules)
    from .normal import canonical_cycle, canonical_vector_path

    vec_paths = sorted(canonical_vector_path(_quiet_orient(rules, c.word)) for c in chains
                       if c.a[0] == "dot" and c.b[0] == "dot")
    cyc = sorted(canonical_cycle(_quiet_orient(rules, w)) for w in cycles)
    net = [c for c in chains if not (c.a[0] == "dot" and c.b[0] == "dot")]
    net = [_Chain(c.a, _quiet_orient(rules, c.word), c.b) for c in net]
    juncs = sorted({_end_index(e) for c in net for e in (c.a, c.b) if e[0] == "junc"})
    dims = {j: str(builder.dim_of[j]) for j in juncs}

    def kind(e: End) -> tuple:
        return (0, e[1]) if e[0] == "slot" else (1,) if e[0] == "junc" else (2,)

    sig: dict[int, list] = {j: [] for j in juncs}
    for c in net:
        if c.a[0] == "junc":
            sig[c.a[1]].append((c.word, kind(c.b)))
        if c.b[0] == "junc":
            sig[c.b[1]].append((_reverse(rules, c.word), kind(c.a)))
    classes: dict[tuple, list[int]] = {}
    for j in juncs:
        classes.setdefault((dims[j], tuple(sorted(sig[j]))), []).append(j)
    order = [classes[k] for k in sorted(classes)]
    n_lab = 1
    for cls in order:
        n_lab *= factorial(len(cls))
    if n_lab > MAX_LABELINGS:
        raise NotInFragment(f"a network with {len(juncs)} interchangeable copy tensors (diag/hadamard) "
                            f"has {n_lab} numberings to compare")
    best = None
    for perms in product(*(permutations(cls) for cls in order)):
        label = {j: n for n, j in enumerate(x for p in perms for x in p)}
        jd = tuple(dims[j] for p in perms for j in p)
        enc = []
        for c in net:
            a, b = _encode(c.a, label), _encode(c.b, label)
            enc.append(min((a, c.word, b), (b, _reverse(rules, c.word), a)))
        cand = (jd, tuple(sorted(enc)))
        if best is None or cand < best:
            best = cand
    return ((), tuple(vec_paths), tuple(cyc), best), coef
