"""The README's examples for using verify in your own tests run and pass as written."""
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## verify in your own tests"):]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.mark.slow
def test_readme_python_examples_pass():
    blocks = _blocks()
    assert len(blocks) == 2
    ran = []
    for code in blocks:
        ns: dict = {}
        exec(compile(code, str(README), "exec"), ns)
        for name, fn in ns.items():
            if name.startswith("test_") and callable(fn):
                fn()
                ran.append(name)
    assert ran == ["test_transpose_of_product", "test_trace_is_cyclic_for_psd", "test_the_slip_is_caught",
                   "test_trace_of_projected_psd_is_nonnegative"]
