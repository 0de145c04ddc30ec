import pytest

from verify.claims.files import load_claim_file
from verify.errors import InputError

from tests.claim_files import write

GOOD = '''
title = "t"
[dims]
n = 2
[vars]
A = { shape = ["n", "n"] }
[[claim]]
name = "ok"
statement = "A + A == 2 * A"
[[claim]]
name = "bad"
statement = "A @ A @ == A"
'''


def test_good_file_with_one_bad_claim(tmp_path):
    f = load_claim_file(write(tmp_path, GOOD))
    assert f.title == "t"
    assert [e.name for e in f.entries] == ["ok", "bad"]
    assert f.entries[0].claim is not None and f.entries[1].claim is None
    assert "syntax error" in f.entries[1].error


@pytest.mark.parametrize("text,fragment", [
    ("this is not toml = = =", "not valid TOML"),
    ('title = "x"', "no claims"),
    ('[[claim]]\nstatement = "1 == 1"', "missing field 'name'"),
    ('[[claim]]\nname = "a"', "missing field 'statement'"),
    ('[[claim]]\nname = "a"\nstatment = "1 == 1"\nstatement = "1 == 1"', "unknown key 'statment'"),
    ('colour = 1\n[[claim]]\nname = "a"\nstatement = "1 == 1"', "unknown top-level key"),
    ('[[claim]]\nname = "a"\nstatement = "1 == 1"\n[[claim]]\nname = "a"\nstatement = "1 == 1"', "duplicate"),
    ('claim = 3', "array of tables"),
])
def test_unusable_files(tmp_path, text, fragment):
    p = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_claim_file(p)
    assert fragment in str(exc.value)
    assert str(p) in str(exc.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_claim_file(tmp_path / "nope.toml")
    b = tmp_path / "b.toml"
    b.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(InputError, match="UTF-8"):
        load_claim_file(b)
    with pytest.raises(InputError, match="directory"):
        load_claim_file(tmp_path)


def test_claim_level_dims_and_unused_file_vars(tmp_path):
    text = '''
[dims]
n = 2
m = [1, 3]
[vars]
A = { shape = ["n", "n"] }
x = {}
[[claim]]
name = "scalar"
statement = "x**2 >= 0"
[[claim]]
name = "override"
statement = "tr(A) == tr(A.T)"
dims = { n = 3 }
'''
    f = load_claim_file(write(tmp_path, text))
    scalar, override = (e.claim for e in f.entries)
    assert scalar.dims == {} and set(scalar.vars) == {"x"}
    assert override.dims == {"n": 3}
