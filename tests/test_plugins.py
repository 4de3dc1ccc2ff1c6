"""Rules from installed packages: an entry point in the `cicdlint.rules` group is imported."""
import sys

from cicdlint import engine
from cicdlint.rule import REGISTRY


def test_plugin_entry_point_is_loaded(tmp_path, monkeypatch):
    package = tmp_path / "cicdlint_demo_plugin.py"
    package.write_text(
        "from cicdlint.rule import rule\n"
        "@rule(id='demo-plugin-rule', kinds=('workflow',), severity='note', summary='Demo')\n"
        "def check(doc, ctx):\n"
        "    '''## What it does\\nx\\n## Why is this bad?\\nx\\n## Example\\nx\\n## Use instead\\nx'''\n"
        "    return []\n"
    )
    dist = tmp_path / "cicdlint_demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cicdlint-demo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[cicdlint.rules]\ndemo = cicdlint_demo_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert engine._any_plugin_declared()
        engine._load_plugins()
        assert "demo-plugin-rule" in REGISTRY
    finally:
        REGISTRY.pop("demo-plugin-rule", None)
        sys.modules.pop("cicdlint_demo_plugin", None)


def test_no_plugins_declared_by_default():
    assert not engine._any_plugin_declared()
