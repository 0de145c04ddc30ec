"""The rule kernel: each rule accepts a correct derivation and rejects its misuse (values asserted)."""
from __future__ import annotations

import pytest

from verify import CheckConfig, Claim, Proof, Step, Verdict, run_proof
from verify.result import Result
from verify.rules import Context, Premise, RuleError, derive


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(
        variables={"W": ("m_y", "m2"), "B2": ("m2", "m1"), "B1": ("m1", "m_x"), "G": ("m_x", "nb"),
                   "Y": ("m_y", "nb"), "T": None, "lamT": None, "a": None, "b": None, "c": None, "x": None},
        quantities={"L": "norm(W @ B2 @ B1 @ G - Y)**2", "Wt": "W @ B2 @ B1", "R": "Wt @ G - Y",
                    "D": "2*R @ G.T", "M": "kron(G.T, eye(m_y))",
                    "Ls": "norm((eye(m_y*nb) - proj(M)) @ vec(Y))**2", "u": "L - Ls",
                    "s2": "sigma_small(M)**2", "lam": "eigmin((B2 @ B1).T @ (B2 @ B1))"},
        flow={"W": "-grad(L, W)", "B2": "-grad(L, B2)", "B1": "-grad(L, B1)"},
        dims={"m_y": 2, "m_x": 3, "m1": 5, "m2": 7, "nb": 11})


def P(i, s, **kw):
    return Premise(i, s, **kw)


# ------------------------------------------------------------------ transitive

def test_transitive_chains_and_rejects_mismatched_middle(ctx):
    ev = derive(ctx, "transitive", "a <= c", [P("1", "a <= b"), P("2", "b == c")])
    assert ev["rule"] == "transitive"
    derive(ctx, "transitive", "c >= a", [P("1", "b >= a"), P("2", "c >= b")])      # written the other way
    with pytest.raises(RuleError, match="middle terms differ"):
        derive(ctx, "transitive", "a <= c", [P("1", "a <= b"), P("2", "2*b <= c")])
    with pytest.raises(RuleError, match="strict"):
        derive(ctx, "transitive", "a < c", [P("1", "a <= b"), P("2", "b <= c")])
    with pytest.raises(RuleError):
        derive(ctx, "transitive", "c <= a", [P("1", "a <= b"), P("2", "b <= c")])  # wrong direction


# ------------------------------------------------------------------ scale

def test_scale_needs_a_proved_nonnegative_factor(ctx):
    derive(ctx, "scale", "4*a <= 4*b", [P("1", "a <= b")], {"factor": "4"})
    derive(ctx, "scale", "s2*a <= s2*b", [P("1", "a <= b")], {"factor": "s2"})     # a square
    with pytest.raises(RuleError, match="not proved nonnegative"):
        derive(ctx, "scale", "lam*a <= lam*b", [P("1", "a <= b")], {"factor": "lam"})
    derive(
        ctx, "scale", "lam*a <= lam*b", [P("1", "a <= b"), P("nn", "lam >= 0")], {"factor": "lam", "of": "1"}
    )
    with pytest.raises(RuleError, match="not proved nonnegative"):
        derive(ctx, "scale", "-2*a <= -2*b", [P("1", "a <= b")], {"factor": "-2"})
    with pytest.raises(RuleError, match="not 4 times"):
        derive(ctx, "scale", "4*a <= 3*b", [P("1", "a <= b")], {"factor": "4"})
    derive(ctx, "scale", "-2*a == -2*b", [P("1", "a == b")], {"factor": "-2"})        # equalities: any factor


# ------------------------------------------------------------------ add, substitute

def test_add_and_substitute(ctx):
    derive(ctx, "add", "d(L) <= -a", [P("1", "d(L) == -(a + b)"), P("2", "b >= 0")])
    with pytest.raises(RuleError, match="not a sum"):
        derive(ctx, "add", "d(L) <= -a - 2*b", [P("1", "d(L) == -(a + b)"), P("2", "b >= 0")])
    with pytest.raises(RuleError, match="equal premises only"):
        derive(ctx, "add", "d(L) == -a", [P("1", "d(L) == -(a + b)"), P("2", "b >= 0")])
    derive(ctx, "substitute", "x >= s2*u", [P("1", "x >= s2*norm(c*W)**2"), P("2", "norm(c*W)**2 == u")])
    with pytest.raises(RuleError, match="neither side"):
        derive(ctx, "substitute", "x >= s2*u", [P("1", "x >= s2*a"), P("2", "b == u")])


# ------------------------------------------------------------------ instantiate

LEMMA = {"variables": {"A": ("p", "q"), "X": ("q", "r"), "C": ("r", "s"), "Z": ("p", "s")}}
LEMMA_TEXT = "grad(norm(A @ X @ C - Z)**2, X) == A.T @ (2*(A @ X @ C - Z)) @ C.T"


def test_instantiate_shape_checked(ctx):
    good = {"A": "W @ B2", "X": "B1", "C": "G", "Z": "Y"}
    dims = {"p": "m_y", "q": "m1", "r": "m_x", "s": "nb"}
    derive(ctx, "instantiate", "grad(L, B1) == (W @ B2).T @ D", [P("lem", LEMMA_TEXT, **LEMMA)],
           {"subst": good, "dims": dims})
    with pytest.raises(RuleError, match="has shape"):       # B2 (7 x 5) where X must be q x r = 5 x 3
        derive(ctx, "instantiate", "grad(L, B1) == (W @ B2).T @ D", [P("lem", LEMMA_TEXT, **LEMMA)],
               {"subst": {**good, "X": "B2"}, "dims": dims})
    with pytest.raises(RuleError, match="depends on"):      # A must not depend on the differentiated variable
        derive(ctx, "instantiate", "grad(L, B1) == (W @ B2).T @ D", [P("lem", LEMMA_TEXT, **LEMMA)],
               {"subst": {**good, "A": "W @ B2 @ B1 @ B1.T"}, "dims": {**dims, "q": "m1"}})
    with pytest.raises(RuleError, match="not the conclusion"):
        derive(ctx, "instantiate", "grad(L, B1) == -(W @ B2).T @ D", [P("lem", LEMMA_TEXT, **LEMMA)],
               {"subst": good, "dims": dims})


def test_instantiate_needs_the_lemmas_given_conditions(ctx):
    lem = P("lem", "(a - b)**2 <= a**2 - b**2", variables={"a": None, "b": None}, given=["a >= b", "b >= 0"])
    with pytest.raises(RuleError, match="needs 'a >= b'"):
        derive(ctx, "instantiate", "(x - c)**2 <= x**2 - c**2", [lem], {"subst": {"a": "x", "b": "c"}})
    derive(ctx, "instantiate", "(x - c)**2 <= x**2 - c**2", [lem, P("g1", "x >= c"), P("g2", "c >= 0")],
           {"subst": {"a": "x", "b": "c"}})


# ------------------------------------------------------------------ flow derivative and Gronwall

def test_flow_derivative(ctx):
    derive(ctx, "flow_derivative",
           "d(L) == -(norm(grad(L, W))**2 + norm(grad(L, B2))**2 + norm(grad(L, B1))**2)", [], {"of": "L"})
    derive(ctx, "flow_derivative", "d(Ls) == 0", [], {"of": "Ls"})       # Ls does not depend on W, B
    with pytest.raises(RuleError, match="chain rule gives"):
        derive(
            ctx, "flow_derivative", "d(L) == -(norm(grad(L, W))**2 + norm(grad(L, B1))**2)", [], {"of": "L"}
        )


GR = "at(L, T) - Ls <= (at(L, 0) - Ls)*exp(-4*lamT*s2*T)"
GR_PARAMS = {"of": "u", "rate": "4*s2*lam", "lower": "4*s2*lamT"}


def test_gronwall_checks_signs_and_premises(ctx):
    prem = [
        P("du", "d(u) <= -4*s2*lam*u"),
        P("T", "T >= 0"),
        P("lb", "4*s2*lam >= 4*s2*lamT"),
        P("nn", "u >= 0"),
    ]
    ev = derive(ctx, "gronwall", GR, prem, GR_PARAMS)
    assert ev["premises"] == {"decay": "du", "horizon": "T", "rate_bound": "lb", "nonnegative": "nn"}
    with pytest.raises(RuleError, match="check the sign"):   # growth, not decay
        derive(ctx, "gronwall", GR, [P("du", "d(u) <= 4*s2*lam*u"), *prem[1:]], GR_PARAMS)
    with pytest.raises(RuleError, match="u >= 0"):
        derive(ctx, "gronwall", GR, prem[:3], GR_PARAMS)
    with pytest.raises(RuleError, match="T >= 0"):
        derive(ctx, "gronwall", GR, [prem[0], prem[2], prem[3]], GR_PARAMS)
    with pytest.raises(RuleError, match="must be constant"):  # the time-varying rate itself
        derive(
            ctx,
            "gronwall",
            "at(u, T) <= at(u, 0)*exp(-4*s2*lam*T)",
            prem[:2],
            {"of": "u", "rate": "4*s2*lam"},
        )
    with pytest.raises(RuleError, match="conclusion must be"):
        derive(ctx, "gronwall", "at(L, T) - Ls <= (at(L, 0) - Ls)*exp(-8*lamT*s2*T)", prem, GR_PARAMS)


# ------------------------------------------------------------------ derived verdicts in a proof

def _leaf(id, statement, verdict):
    def check(config):
        return Result(verdict, {"engine": "test"})
    return Step(id=id, name=id, source="test", statement=statement, latex="", check=check, formal=statement)


def test_derived_verdict_is_the_weakest_link():
    ctx = Context(variables={"a": None, "b": None, "c": None}, dims={})
    steps = [
        _leaf("ab", "a <= b", Verdict.PROVED),
        _leaf("bc", "b <= c", Verdict.HOLDS_NUMERICALLY),
        Step(
            id="ac", name="ac", source="t", statement="a <= c", latex="", uses=["ab", "bc"], by="transitive"
        ),
        Step(id="h", name="h", source="t", statement="c >= 0", latex="", by="hypothesis"),
        Step(id="th", name="th", source="t", statement="a <= c + c", latex="", uses=["ac", "h"], by="add"),
    ]
    r = run_proof(Proof("t", "t", "t", steps, context=ctx, theorem="th"), CheckConfig())
    th = r.theorem
    assert th.result.verdict is Verdict.HOLDS_NUMERICALLY and th.weakest_link == "bc"
    js = r.to_json()
    assert js["theorem_verdict"] == "holds_numerically" and js["weakest_link"] == "bc"
    assert js["steps"][2]["uses"] == ["ab", "bc"] and js["steps"][2]["by"] == "transitive"


def test_a_hypothesis_is_assumed_never_proved():
    ctx = Context(variables={"a": None, "c": None}, dims={})
    steps = [
        Step(id="h", name="h", source="t", statement="a <= c", latex="", by="hypothesis"),
        Step(id="th", name="th", source="t", statement="4*a <= 4*c", latex="", uses=["h"], by="scale",
             params={"factor": "4"}),
    ]
    r = run_proof(Proof("t", "t", "t", steps, context=ctx, theorem="th"), CheckConfig())
    hyp, th = r.steps
    assert hyp.result.verdict is Verdict.ASSUMED and not hyp.result.verdict.holds
    assert hyp.step.expect == "assumed" and hyp.matches
    assert th.result.verdict is Verdict.PROVED            # proved from the hypothesis by rules alone
    assert th.result.evidence["under_hypotheses"] == ["h"] and "under the hypotheses h" in th.result.message
    assert r.to_json()["steps"][0]["verdict"] == "assumed"
    with pytest.raises(ValueError, match="only a hypothesis"):
        Step(id="x", name="x", source="t", statement="a <= c", latex="", expect="assumed",
             check=lambda config: Result(Verdict.PROVED, {}))


def test_refuted_premise_leaves_the_conclusion_unestablished_and_misuse_is_an_error():
    ctx = Context(variables={"a": None, "b": None, "c": None}, dims={})

    def refuted(config):
        from verify.result import Counterexample
        return Result(Verdict.REFUTED, {"engine": "test"}, counterexample=Counterexample({}, {"a": 1}))

    steps = [
        Step(id="ab", name="ab", source="t", statement="a <= b", latex="", check=refuted, formal="a <= b"),
        _leaf("bc", "b <= c", Verdict.PROVED),
        Step(
            id="ac", name="ac", source="t", statement="a <= c", latex="", uses=["ab", "bc"], by="transitive"
        ),
        Step(
            id="bad",
            name="bad",
            source="t",
            statement="a <= 2*c",
            latex="",
            uses=["ab", "bc"],
            by="transitive",
        ),
    ]
    r = run_proof(Proof("t", "t", "t", steps, context=ctx), CheckConfig())
    assert r.result_of("ac").result.verdict is Verdict.INCONCLUSIVE
    assert r.result_of("ac").weakest_link == "ab"
    assert r.result_of("bad").result.verdict is Verdict.ERROR
    assert "rejected" in r.result_of("bad").result.message


def test_theorem_must_be_derived_and_premises_earlier():
    ctx = Context(variables={"a": None}, dims={})
    with pytest.raises(ValueError, match="not an earlier step"):
        Proof("t", "t", "t", [Step(id="x", name="x", source="t", statement="a <= a", latex="", uses=["y"],
                                    by="transitive")], context=ctx)
    with pytest.raises(ValueError, match="must be a derived step"):
        Proof("t", "t", "t", [_leaf("x", "a <= a", Verdict.PROVED)], context=ctx, theorem="x")


def test_claim_leaf_read_in_context_is_shape_checked():
    ctx = Context(variables={"A": ("p", "p"), "B": ("p", "q")}, dims={"p": 2, "q": 3})
    lemma = Step(
        id="l",
        name="l",
        source="t",
        statement="norm(A)**2 >= 0",
        latex="",
        claim=Claim("l", "norm(A)**2 >= 0", dims={"p": 2, "q": 3}, vars={"A": {"shape": ["p", "q"]}}),
    )
    steps = [lemma, Step(id="x", name="x", source="t", statement="2*norm(A)**2 >= 0", latex="", uses=["l"],
                         by="scale", params={"factor": "2"})]
    r = run_proof(Proof("t", "t", "t", steps, context=ctx), CheckConfig())
    assert r.result_of("x").result.verdict is Verdict.ERROR
    assert "shape" in r.result_of("x").result.message
