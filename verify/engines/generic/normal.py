"""Canonical form of a sum of tensor networks; equal canonical forms prove an identity for all sizes.

Every node of a network is a matrix occurrence with two ports (row, column; a size-1 leg is no
port) and every index joins exactly two ports (open legs count as ports: *slots*, numbered row
slots first, then column slots).  Such a graph is a disjoint union of

* **slot paths** between two open slots: a matrix product read from the lower slot to the higher,
  each node oriented (``A`` entered by its row port, ``Aᵀ`` by its column port); an empty path is a
  Kronecker delta (an identity);
* **vector paths** between two size-1 ends (yᵀ A x): read from the end that gives the smaller word
  (reading backwards transposes every node: yᵀ A x = xᵀ Aᵀ y);
* **cycles** (traces): the smallest word over all rotations and both directions
  (tr(ABC) = tr(BCA) = tr(CᵀBᵀAᵀ)).

A term's key (its slot paths in slot order, its sorted vector paths and cycles) determines the
network up to renaming of the summed indices, so two terms with equal keys are equal as functions
of the variables' entries for every assignment of the dimensions.  The normal form maps keys to
coefficients (exact polynomials), like terms combined, zeros dropped.

Assumption rules, applied to the words before the keys are formed (each only under its assumption,
each application counted in the rewriting trace):

* ``symmetric`` (also psd, pd, projector): Sᵀ = S, so the orientation of S is dropped;
* ``projector``: P P = P (P symmetric);
* ``orthogonal`` (square): QᵀQ = I and QQᵀ = I; the pair disappears (a cycle that disappears is a
  closed delta loop: a factor n);
* ``invertible`` / ``pd``: A inv(A) = inv(A) A = I (also transposed).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import poly
from .network import SYMMETRIC, Builder, Dim, Expr, Term

Letter = tuple[str, bool]          # (node label, transposed?)
Word = tuple[Letter, ...]
# (slot paths, vector paths, cycles); a network with copy tensors has a fourth part, (junction
# sizes, chains (end, word, end)): see :mod:`.junction`
Key = tuple


@dataclass
class NormalForm:
    rowdims: tuple[Dim, ...]
    coldims: tuple[Dim, ...]
    terms: dict[Key, poly.Poly]
    rewrites: Counter = field(default_factory=Counter)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalForm):
            return NotImplemented
        return (self.rowdims, self.coldims, self.terms) == (other.rowdims, other.coldims, other.terms)

    def sorted_terms(self) -> list[tuple[Key, poly.Poly]]:
        return sorted(self.terms.items(), key=lambda kv: repr(kv[0]))


class Rules:
    """The assumption rewrite rules for one claim's labels."""

    def __init__(self, labels: dict[str, tuple[Dim | None, Dim | None, frozenset[str]]],
                 proj_base: dict[str, tuple[str, bool]] | None = None,
                 inv_words: dict[str, Word] | None = None) -> None:
        self.labels = labels
        self.proj_base = proj_base or {}
        self.trace: Counter = Counter()
        # inverse of a Gram matrix: label L -> the word m of M; M inv(M) = inv(M) M = I (both
        # reading directions: reverse(m inv(M)) = inv(M)ᵀ m' with inv(M) symmetric)
        self.cancel: list[tuple[str, Word]] = []
        for lab, m in (inv_words or {}).items():
            m = tuple((x, t and not self.symmetric(x)) for x, t in m)
            mr = tuple((x, (not t) and not self.symmetric(x)) for x, t in reversed(m))
            for mm in {m, mr}:
                self.cancel += [(lab, (*mm, (lab, False))), (lab, ((lab, False), *mm))]

    def _assume(self, label: str) -> frozenset[str]:
        return self.labels[label][2]

    def symmetric(self, label: str) -> bool:
        return bool(self._assume(label) & SYMMETRIC)

    def orient(self, w: Word) -> Word:
        out = []
        for lab, t in w:
            if t and self.symmetric(lab):
                self.trace[f"{_base(lab)} symmetric: {lab}ᵀ = {lab}"] += 1
                t = False
            out.append((lab, t))
        return tuple(out)

    def pair(self, a: Letter, b: Letter) -> tuple[str, Word] | None:
        """The rewrite of the adjacent letters a b, or None: ('drop', ()) or ('merge', (a,))."""
        (la, ta), (lb, tb) = a, b
        if la in self.proj_base and b == self.proj_base[la]:
            self.trace[f"{la} B = B for B = {_letter(b)}"] += 1
            return "merge", (b,)
        if lb in self.proj_base and a == (self.proj_base[lb][0], not self.proj_base[lb][1]):
            self.trace[f"Bᵀ {lb} = Bᵀ for B = {_letter((a[0], not a[1]))}"] += 1
            return "merge", (a,)
        if la == lb:
            asm = self._assume(la)
            if "projector" in asm and not la.startswith("inv("):
                self.trace[f"{la} projector: {la} {la} = {la}"] += 1
                return "merge", (a,)
            if (
                "orthogonal" in asm
                and self.labels[la][0] is not None
                and self.labels[la][0] == self.labels[la][1]
                and (ta != tb or self.symmetric(la))
            ):
                self.trace[f"{la} orthogonal: {la}ᵀ{la} = {la}{la}ᵀ = I"] += 1
                return "drop", ()
            return None
        if ta == tb and {la, lb} in ({lb, f"inv({lb})"}, {la, f"inv({la})"}):
            base = la if lb == f"inv({la})" else lb
            if self.labels[base][0] is not None:
                self.trace[f"{base} invertible: {base} inv({base}) = inv({base}) {base} = I"] += 1
                return "drop", ()
        return None

    def path(self, w: Word) -> Word:
        w = list(self.orient(w))
        changed = True
        while changed:
            changed = False
            for i in range(len(w) - 1):
                r = self.pair(w[i], w[i + 1])
                if r is not None:
                    w[i:i + 2] = list(r[1])
                    changed = True
                    break
            if not changed and self.cancel:
                for i in range(len(w)):
                    k, _ = self._cancel_at(w, i)
                    if k:
                        del w[i:i + k]
                        changed = True
                        break
        return tuple(w)

    def _cancel_at(self, w: list, i: int, cyclic: bool = False) -> tuple[int, str]:
        """(length, label) of a Gram-inverse cancellation M inv(M) or inv(M) M starting at w[i] (read
        around the cycle when ``cyclic``); (0, "") if none."""
        n = len(w)
        for lab, pat in self.cancel:
            k = len(pat)
            if k > n or (not cyclic and i + k > n):
                continue
            if all(w[(i + j) % n] == pat[j] for j in range(k)):
                self.trace[f"{lab}: M inv(M) = inv(M) M = I"] += 1
                return k, lab
        return 0, ""

    def cycle(self, w: Word) -> tuple[Word, Dim | None]:
        """Rewrite a cycle; returns (word, dim) where an emptied cycle gives its loop dimension."""
        w = list(self.orient(w))
        changed = True
        while changed and len(w) >= 2:
            changed = False
            n = len(w)
            for i in range(n):
                j = (i + 1) % n
                r = self.pair(w[i], w[j])
                if r is None:
                    continue
                if not r[1] and n == 2:
                    return (), self.labels[w[i][0]][0]
                if j == 0:
                    w = w[1:n - 1] + list(r[1])
                else:
                    w[i:i + 2] = list(r[1])
                changed = True
                break
            if not changed and self.cancel:
                for i in range(len(w)):
                    k, lab = self._cancel_at(w, i, cyclic=True)
                    if k == len(w):              # tr(M inv(M)) = tr(I): the size of M
                        return (), self.labels[lab][0]
                    if k:
                        w = (w[i:] + w[:i])[k:]
                        changed = True
                        break
        return tuple(w), None


def _letter(x: Letter) -> str:
    return f"{x[0]}ᵀ" if x[1] else x[0]


def _base(label: str) -> str:
    return label[4:-1] if label.startswith("inv(") else label


def reverse(w: Word) -> Word:
    return tuple((lab, not t) for lab, t in reversed(w))


def canonical_cycle(w: Word) -> Word:
    if not w:
        return w
    cands = []
    for seq in (w, reverse(w)):
        for k in range(len(seq)):
            cands.append(seq[k:] + seq[:k])
    return min(cands)


def canonical_vector_path(w: Word) -> Word:
    return min(w, reverse(w))


def _ports(t: Term, slots: list[int]) -> dict[int, list[tuple]]:
    """Each index of the term's network with its two ports: ("slot", s) for output slot s, or
    ("node", k, "r"/"c") for the row/column leg of factor k."""
    ports: dict[int, list[tuple]] = {}
    for s, i in enumerate(slots):
        ports.setdefault(i, []).append(("slot", s))
    for k, f in enumerate(t.factors):
        for side, i in (("r", f.row), ("c", f.col)):
            if i is not None:
                ports.setdefault(i, []).append(("node", k, side))
    for i, ps in ports.items():
        if len(ps) != 2:
            raise AssertionError(f"index {i} has {len(ps)} ports (internal error in the network builder)")
    return ports


def _other(ports: dict[int, list[tuple]], i: int, port: tuple) -> tuple:
    """The port at the other end of index i from ``port``."""
    a, b = ports[i]
    return b if a == port else a


def _walk(t: Term, ports: dict[int, list[tuple]], seen: set[int], port: tuple) -> tuple[Word, tuple]:
    """From a node port just entered, follow the chain (marking its factors in ``seen``); returns
    (word, end port): a slot, ("end", k) at a size-1 leg, or ("cycle",) back at the start."""
    word = []
    while True:
        _, k, side = port
        seen.add(k)
        f = t.factors[k]
        word.append((f.label, side == "c"))
        out_side, out_idx = ("c", f.col) if side == "r" else ("r", f.row)
        if out_idx is None:
            return tuple(word), ("end", k)
        nxt = _other(ports, out_idx, ("node", k, out_side))
        if nxt[0] == "slot":
            return tuple(word), nxt
        if nxt[1] in seen:                       # back at the start: a cycle
            return tuple(word), ("cycle",)
        port = nxt


def _slot_paths(t: Term, ports, seen: set[int], slots: list[int], rules: Rules) -> list[tuple]:
    """The paths leaving the output slots: (slot, other slot or -1 for a size-1 end, reduced word)."""
    slot_paths = []
    done_slots: set[int] = set()
    for s, i in enumerate(slots):
        if s in done_slots:
            continue
        nxt = _other(ports, i, ("slot", s))
        if nxt[0] == "slot":
            word, end = (), nxt
        else:
            word, end = _walk(t, ports, seen, nxt)
        if end[0] == "slot":
            done_slots.update({s, end[1]})
            slot_paths.append((s, end[1], rules.path(word)))
        elif end[0] == "end":                        # an open leg ending at a size-1 leg (A @ y)
            done_slots.add(s)
            slot_paths.append((s, -1, rules.path(word)))
        else:
            raise AssertionError("an open leg on a cycle (internal error)")
    return slot_paths


def _vector_paths(t: Term, ports, seen: set[int], rules: Rules) -> list[Word]:
    """The closed paths between two size-1 legs (scalars like xᵀAy), reduced and canonical."""
    vec_paths = []
    for k, f in enumerate(t.factors):
        if k in seen or (f.row is not None and f.col is not None):
            continue
        if f.row is None:
            word, end = _walk(t, ports, seen, ("node", k, "r"))
        else:
            word, end = _walk(t, ports, seen, ("node", k, "c"))
        if end[0] != "end":
            raise AssertionError("a vector path ends at an open leg (internal error)")
        vec_paths.append(canonical_vector_path(rules.path(word)))
    return vec_paths


def term_key(t: Term, rules: Rules, builder: Builder | None = None) -> tuple[Key, poly.Poly]:
    """Decompose one term into slot paths, vector paths and cycles; apply the rules; canonical key.
    A term with copy tensors (an index at one port or at three or more) is keyed by
    :func:`.junction.hyper_key` (its key has a fourth part: the junctions and their chains)."""
    from .junction import has_junction, hyper_key

    if has_junction(t):
        if builder is None:
            raise AssertionError("a network with copy tensors needs its builder (internal error)")
        return hyper_key(t, rules, builder, term_key)
    slots = list(t.row) + list(t.col)
    ports = _ports(t, slots)
    seen: set[int] = set()
    coef = dict(t.coef)
    slot_paths = _slot_paths(t, ports, seen, slots, rules)
    vec_paths = _vector_paths(t, ports, seen, rules)
    cycles = []
    for k in range(len(t.factors)):
        if k in seen:
            continue
        word, end = _walk(t, ports, seen, ("node", k, "r"))
        if end[0] != "cycle":
            raise AssertionError("a closed chain is not a cycle (internal error)")
        w, loop_dim = rules.cycle(word)
        if loop_dim is not None:
            coef = poly.mul(coef, poly.const(loop_dim) if isinstance(loop_dim, int) else poly.var(loop_dim))
        elif w:
            cycles.append(canonical_cycle(w))
    key: Key = (tuple(slot_paths), tuple(sorted(vec_paths)), tuple(sorted(cycles)))
    return key, coef


def normal_form(expr: Expr, builder: Builder, rules: Rules | None = None) -> NormalForm:
    rules = rules or Rules(builder.labels, builder.proj_base, builder.inv_words)
    terms: dict[Key, poly.Poly] = {}
    for t in expr.terms:
        if not t.coef:
            continue
        key, coef = term_key(t, rules, builder)
        v = poly.add(terms.get(key, {}), coef)
        if v:
            terms[key] = v
        else:
            terms.pop(key, None)
    return NormalForm(expr.rowdims, expr.coldims, terms, rules.trace)


# -- readable text ----------------------------------------------------------------------------------
def word_str(w: Word) -> str:
    return " ".join(f"{lab}ᵀ" if t else lab for lab, t in w)


def key_str(key: Key, nrow: int, ncol: int) -> str:
    """Readable term: a matrix product for an ordinary matrix result, else one bracket per slot path
    ``[r0→c1: A B]`` (slots r = row legs, c = column legs, slow first; · = a size-1 end)."""
    slot_paths, vec_paths, cycles = key[:3]
    parts = []
    if len(key) == 4:
        parts.append(_net_str(key[3], nrow))  # type: ignore[misc]
    elif nrow == 1 and ncol == 1 and [p[:2] for p in slot_paths] == [(0, 1)]:
        parts.append(word_str(slot_paths[0][2]) or "I")
    elif nrow == 1 and ncol == 0 and [p[:2] for p in slot_paths] == [(0, -1)]:
        parts.append(word_str(slot_paths[0][2]))
    else:
        for a, b, w in slot_paths:
            parts.append(f"[{_slot(a, nrow)}→{_slot(b, nrow)}: {word_str(w) or 'δ'}]")
    parts += [f"({word_str(w)})" for w in vec_paths]
    parts += [f"tr({word_str(w)})" for w in cycles]
    return " · ".join(parts) if parts else "1"


def _junction_name(n: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[n] if n < 26 else f"j{n}"


def _net_str(net: tuple, nrow: int) -> str:
    """Junctions (copy tensors) and chains: ``δ(a:n) [r0–a] [a–·: v] [a–·: x]`` (a, b, ... are the
    junction indices with their sizes; each chain is a matrix product read between its ends)."""
    jdims, chains = net

    def end(e: tuple[int, int]) -> str:
        return _slot(e[1], nrow) if e[0] == 0 else _junction_name(e[1]) if e[0] == 1 else "·"

    head = "δ(" + ", ".join(f"{_junction_name(n)}:{d}" for n, d in enumerate(jdims)) + ")"
    body = [f"[{end(a)}–{end(b)}" + (f": {word_str(w)}]" if w else "]") for a, w, b in chains]
    return " ".join([head, *body])


def _slot(s: int, nrow: int) -> str:
    if s < 0:
        return "·"
    return f"r{s}" if s < nrow else f"c{s - nrow}"


def nf_str(nf: NormalForm) -> str:
    if not nf.terms:
        return "0"
    out = []
    for key, c in nf.sorted_terms():
        body = key_str(key, len(nf.rowdims), len(nf.coldims))
        cs = poly.to_str(c)
        if cs == "1":
            out.append(f"+ {body}")
        elif cs == "-1":
            out.append(f"- {body}")
        elif " " in cs:
            out.append(f"+ ({cs}) {body}")
        elif cs.startswith("-"):
            out.append(f"- {cs[1:]} {body}")
        else:
            out.append(f"+ {cs} {body}")
    s = " ".join(out)
    return s.removeprefix("+ ")
