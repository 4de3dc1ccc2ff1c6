"""Rules from installed packages: an entry point in the `cicdlint.rules` group is imported, but
only from the interpreter's own site-packages, never from the working directory or a scanned
repository (which a pull request controls)."""
import subprocess
import sys

from cicdlint import engine
from cicdlint.rule import REGISTRY

PLUGIN = (
    "from cicdlint.rule import rule\n"
    "@rule(id='demo-plugin-rule', kinds=('workflow',), severity='note', summary='Demo')\n"
    "def check(doc, ctx):\n"
    "    '''## What it does\\nx\\n## Why is this bad?\\nx\\n## Example\\nx\\n## Use instead\\nx'''\n"
    "    return []\n"
)


def _plugin(directory, marker=None):
    (directory / "cicdlint_demo_plugin.py").write_text(PLUGIN if marker is None else f"open({marker!r}, 'w').close()\n" + PLUGIN)
    dist = directory / "cicdlint_demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cicdlint-demo-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[cicdlint.rules]\ndemo = cicdlint_demo_plugin\n")


def test_plugin_entry_point_is_loaded_from_site_packages(tmp_path, monkeypatch):
    _plugin(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(engine, "_site_directories", lambda: [str(tmp_path)])
    try:
        assert engine._any_plugin_declared([str(tmp_path)])
        engine._load_plugins()
        assert "demo-plugin-rule" in REGISTRY
    finally:
        REGISTRY.pop("demo-plugin-rule", None)
        sys.modules.pop("cicdlint_demo_plugin", None)


def test_no_plugins_declared_by_default():
    assert not engine._any_plugin_declared(engine._site_directories())


def test_a_scanned_repository_cannot_inject_a_plugin_or_shadow_a_module(tmp_path):
    """`python -m cicdlint check .` inside a repository that commits a dist-info with an entry
    point, and a `yaml.py`: neither is imported."""
    marker = tmp_path / "ran"
    _plugin(tmp_path, str(marker))
    (tmp_path / "yaml.py").write_text(f"open({str(tmp_path / 'yaml-ran')!r}, 'w').close()\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n")
    for command in (["-m", "cicdlint", "check", ".", "--no-cache"], ["-m", "cicdlint", "rules"]):
        subprocess.run([sys.executable, *command], cwd=tmp_path, capture_output=True, check=False)
    assert not marker.exists()
    assert not (tmp_path / "yaml-ran").exists()


def test_no_plugins_flag(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "_plugins_enabled", True)
    engine.disable_plugins()
    assert engine._plugins_enabled is False
    monkeypatch.setattr(engine, "_plugins_enabled", True)
