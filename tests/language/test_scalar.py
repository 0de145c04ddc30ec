import json

import pytest
import sympy

from verify.cli import main
from verify.errors import ClaimError
from verify.language.scalar import scalar_expression

Z = sympy.Symbol("z", real=True)
FUNCS = {"tanh": sympy.tanh, "max": sympy.Max}


def test_builds_expressions_exactly():
    e = scalar_expression("0.5 * max(z, 0)**2 - tanh(z) / 3", Z, FUNCS)
    assert e == sympy.Rational(1, 2) * sympy.Max(Z, 0) ** 2 - sympy.tanh(Z) / 3


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "z.__class__", "lambda: 1", "open('f')",
                                  "[z for z in y]", "z if z else 1", "'a'", "y + 1", "tanh(z, k=1)"])
def test_rejects_everything_else(text):
    with pytest.raises(ClaimError):
        scalar_expression(text, Z, FUNCS)


def test_activation_option_never_runs_code(tmp_path, capsys):
    pts = tmp_path / "p.json"
    pts.write_text(json.dumps({"x": [[1.0, 0.0], [0.6, 0.8]]}))
    marker = tmp_path / "PWNED"
    code = main(["kernel", "ntk", "--convention", "arora", "--depth", "1", "--points", str(pts), "--json",
                 "--activation", f"__import__('os').system('touch {marker}')"])
    assert code == 2 and not marker.exists()
    assert "cannot read activation" in capsys.readouterr().err
