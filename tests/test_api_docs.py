"""The public API's docstring examples run and print what they say (doctest)."""
import doctest

import pytest

import verify
from verify import discovery, proof
from verify.check import pipeline
from verify.claims import files
from verify.kernels import cross
from verify.report import html, markdown
from verify.testing import asserts


@pytest.mark.parametrize("fn", [pipeline.check_claim, proof.run_proof, files.load_claim_file,
                                discovery.load_proof, asserts.assert_holds,
                                cross.gntk_cross_gram],
                         ids=lambda f: f.__name__)
def test_docstring_example_runs(fn):
    assert ">>>" in (fn.__doc__ or ""), f"{fn.__name__} has no example"
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(fn, fn.__name__, globs={}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def test_public_names_have_docstrings():
    missing = [n for n in ("check_claim", "run_proof", "load_claim_file", "load_proof", "discover_proofs",
                           "check_step") if not getattr(verify, n).__doc__]
    assert missing == []
    assert html.render_site.__doc__ and markdown.render_proof_report.__doc__
