"""The README's generated parts are current. Regenerate them with `python tests/test_readme.py`."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def rules_markdown() -> str:
    from cicdlint.engine import load_rules
    from cicdlint.formatters.rules_table import write_rules

    stream = io.StringIO()
    write_rules(load_rules(), "markdown", stream)
    return stream.getvalue()


def example_output() -> str:
    """What the first Quick start command prints: finding lines, no snippets (abridged)."""
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-m", "cicdlint", "check", "examples/", "--no-config"],
        cwd=ROOT, capture_output=True, text=True, env=env, check=False,
    )
    lines = [line for line in result.stdout.splitlines() if re.match(r"\S+:\d+:\d+: \w+\[", line) or line.startswith("Checked ")]
    return "\n".join(lines) + "\n"


def _section(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert match, f"README.md lacks the {name} markers"
    return match.group(1)


def _example_block(output: str) -> str:
    return f"```text\n$ cicdlint check examples/\n{output}```\n"


def test_rules_table_is_current():
    assert _section(README.read_text(encoding="utf-8"), "rules") == rules_markdown(), (
        "README.md rules table is stale: run `python tests/test_readme.py`"
    )


def test_example_output_is_current():
    assert _section(README.read_text(encoding="utf-8"), "example") == _example_block(example_output()), (
        "README.md example output is stale: run `python tests/test_readme.py`"
    )


def test_quick_start_has_the_two_commands_first():
    quick_start = README.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", quick_start, re.S)
    assert "cicdlint check examples/" in blocks[0]
    assert "pip install -e '.[test]'" in blocks[1] and "pytest" in blocks[1]


def regenerate() -> None:
    text = README.read_text(encoding="utf-8")
    for name, body in (("rules", rules_markdown()), ("example", _example_block(example_output()))):
        text = re.sub(
            rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
            lambda match: match.group(1) + body + match.group(2),
            text,
            flags=re.S,
        )
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    regenerate()
