"""`.cicdlint.yml` or `[tool.cicdlint]` in pyproject.toml, found by walking up from the working
directory to the repository root, validated against the config schema.

The config file is part of the repository, so of a pull request: it is read through the one
reader (a regular file, size-limited), any shape of it is a clear `ConfigError` (exit 2) and
never a crash, and its patterns are globs matched in linear time (cicdlint/globs.py)."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from . import lazyre
from .rule import CONFIDENCES, REGISTRY, SEVERITIES, SEVERITY_RANK

CONFIG_NAMES = (".cicdlint.yml", ".cicdlint.yaml")
MAX_PATTERNS = 200
_TOOL_SECTION = lazyre.compile(rb"^\s*\[\s*tool\s*\.\s*cicdlint\s*[\].]", lazyre.MULTILINE)


class ConfigError(Exception):
    """A bad config or command line: reported as one line, exit code 2."""


class Settings:
    def __init__(self, select=None, ignore=None, min_severity: str = "note", min_confidence: str = "low",
                 fail_on: str = "note", inline_ignores: bool = True, production_patterns=None, rules=None,
                 per_path_ignores=None, root=None, cache: bool = False, cache_dir: str | None = None,
                 online: bool = False):
        self.select: list[str] = list(select) if select is not None else ["*"]
        self.ignore: list[str] = list(ignore or [])
        self.min_severity = min_severity
        self.min_confidence = min_confidence
        self.fail_on = fail_on
        self.inline_ignores = inline_ignores
        self.production_patterns: list[str] | None = production_patterns
        self.rules: dict[str, dict] = rules or {}
        self.per_path_ignores: dict[str, list[str]] = per_path_ignores or {}
        self.root = Path(root) if root is not None else Path.cwd()
        self.cache = cache
        self.cache_dir = cache_dir
        self.online = online  # advisories hook: `check --online` (rules read it as ctx.settings.online)
        self.force_exclude = False  # named files only when a walk would lint them (pre-commit)
        self.report_unused_ignores = False
        self.config_path: str | None = None
        self._enabled: dict = {}
        self._by_kind: dict = {}

    def enabled(self, rule_id: str) -> bool:
        key = (rule_id, tuple(self.select), tuple(self.ignore))  # the CLI may change them after loading
        if key not in self._enabled:
            settings = self.rules.get(rule_id, {})
            rule = REGISTRY.get(rule_id)
            default_on = rule is None or rule.default_enabled
            selected = any(_selects(rule_id, pattern, default_on) for pattern in self.select)
            if settings.get("enabled") is True and not default_on:
                selected = selected or "*" in self.select
            self._enabled[key] = (
                settings.get("enabled") is not False
                and selected
                and not any(match_id(rule_id, pattern) for pattern in self.ignore)
            )
        return self._enabled[key]

    def rules_for(self, kind: str, registry: dict) -> list:
        """The enabled rules with a check for documents of this kind, in registry order."""
        key = (kind, tuple(self.select), tuple(self.ignore), len(registry))
        if key not in self._by_kind:
            self._by_kind[key] = [
                rule for rule in registry.values()
                if kind in rule.kinds and (rule._check is not None or rule.module is not None) and self.enabled(rule.id)
            ]
        return self._by_kind[key]

    def severity_for(self, rule_id: str) -> str | None:
        return self.rules.get(rule_id, {}).get("severity")

    def options_for(self, rule) -> dict:
        options = dict(rule.options)
        for name, value in self.rules.get(rule.id, {}).items():
            if name not in ("severity", "enabled"):
                options[name] = value
        return options

    def shown(self, severity: str, confidence: str = "high") -> bool:
        return (
            SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]
            and CONFIDENCES.index(confidence) >= CONFIDENCES.index(self.min_confidence)
        )

    def path_ignores(self, relative_path: str, rule_id: str) -> bool:
        from .globs import match_path

        for pattern, ids in self.per_path_ignores.items():
            if match_path(relative_path, pattern) and any(match_id(rule_id, item) for item in ids):
                return True
        return False

    def key(self) -> str:
        """Everything about these settings that can change a file's findings (for the cache)."""
        import json

        return json.dumps(
            [self.select, self.ignore, self.min_severity, self.min_confidence, self.inline_ignores,
             self.production_patterns, self.rules, self.per_path_ignores, str(self.root), self.online],
            sort_keys=True, default=str,
        )


def match_id(rule_id: str, pattern: str) -> bool:
    return pattern in ("*", "ALL", "all") or fnmatch.fnmatchcase(rule_id, pattern)


def _selects(rule_id: str, pattern: str, default_on: bool) -> bool:
    """`*` selects the rules that are on by default; `ALL`, an id or another glob selects opt-in
    (pedantic) rules too."""
    if pattern == "*":
        return default_on
    return match_id(rule_id, pattern)


# --- finding and reading ---------------------------------------------------------------------------


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder with a `.git` entry (else `start`)."""
    start = Path(os.path.abspath(str(start)))
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return start


def find_config(start: Path) -> tuple[Path, str] | None:
    """The nearest config, walking up to the repository root: (path, "yaml" | "pyproject")."""
    start = Path(os.path.abspath(str(start)))
    for directory in [start, *start.parents]:
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name, "yaml"
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read_bytes(pyproject)
            if _TOOL_SECTION.search(data):
                return pyproject, "pyproject"
        if (directory / ".git").exists():
            break  # the repository root: a config above it belongs to something else
    return None


def load_settings(config_file: str | None, no_config: bool, cwd: Path | None = None) -> Settings:
    cwd = Path(cwd or Path.cwd())
    settings = Settings(root=find_root(cwd))
    if no_config:
        return settings
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        kind = "pyproject" if path.name == "pyproject.toml" else "yaml"
    else:
        found = find_config(cwd)
        if found is None:
            return settings
        path, kind = found
    try:
        data, locate = _read(path, kind)
        _validate(path, data, locate)
    except RecursionError:
        raise ConfigError(f"{path}: invalid config: nested too deeply") from None
    _apply(settings, data)
    settings.config_path = str(path)
    return settings


def _read_bytes(path: Path) -> bytes:
    from .reader import read_bytes

    data = read_bytes(str(path), None)
    if not isinstance(data, bytes):
        raise ConfigError(f"{path}: cannot read config: {data.message}")
    return data


def _read(path: Path, kind: str):
    """The config as plain data, and a function from a key path to a source line."""
    from .reader import decode

    content = decode(_read_bytes(path))
    if not isinstance(content, str):
        raise ConfigError(f"{path}:{content.span.start_line}: cannot read config: {content.message}")
    if kind == "pyproject":
        return _read_pyproject(path, content)
    from .yamlpos import Map, ParseError, compose, to_python

    try:
        composed = compose(content)
    except ParseError as error:
        raise ConfigError(f"{path}:{error.line}:{error.col}: invalid YAML: {error.message}") from None
    if composed.duplicates:
        duplicate = composed.duplicates[0]
        line = composed.line_col(duplicate.key.start)[0]
        raise ConfigError(f"{path}:{line}: duplicate key {duplicate.key.value!r}")
    root = composed.root
    data = to_python(root) if root is not None else {}

    def locate(key_path) -> int:
        node, line = root, 1
        for key in key_path:
            if isinstance(node, Map) and isinstance(key, str) and node.key(key) is not None:
                line = composed.line_col(node.key(key).start)[0]
                node = node.get(key)
            elif hasattr(node, "items") and isinstance(key, int) and key < len(node.items):
                node = node.items[key]
                line = composed.line_col(node.start)[0]
            else:
                break
        return line

    return data, locate


def _read_pyproject(path: Path, content: str):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        import tomli as tomllib
    try:
        document = tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: invalid config: 'tool' must be a table, not {type(tool).__name__}")
    data = tool.get("cicdlint", {})
    lines = content.split("\n")
    import re

    def locate(key_path) -> int:
        section = next((i for i, line in enumerate(lines) if line.strip().startswith("[tool.cicdlint")), 0)
        names = [key for key in key_path if isinstance(key, str)]
        for name in reversed(names):
            for i in range(section, len(lines)):
                if re.match(rf"""\s*(\[tool\.cicdlint\.)?["']?{re.escape(name)}["']?\s*[=\]]""", lines[i]) or (
                    f"[tool.cicdlint.rules.{name}]" in lines[i]
                ):
                    return i + 1
        return section + 1

    return data, locate


def schema() -> dict:
    """The JSON Schema of the configuration (rules and their options from the registry)."""
    id_list = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}, "maxItems": MAX_PATTERNS}
    glob_list = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 1000}, "maxItems": MAX_PATTERNS}
    severity = {"enum": list(SEVERITIES)}
    rules = {}
    for rule_id, rule in sorted(REGISTRY.items()):
        properties = {"severity": severity, "enabled": {"type": "boolean"}}
        properties.update(rule.options_schema)
        rules[rule_id] = {"type": "object", "properties": properties, "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cicdlint configuration (.cicdlint.yml or [tool.cicdlint] in pyproject.toml)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "select": id_list,
            "ignore": id_list,
            "min-severity": severity,
            "min-confidence": {"enum": list(CONFIDENCES)},
            "fail-on": severity,
            "inline-ignores": {"type": "boolean"},
            "production-patterns": glob_list,
            "rules": {"type": "object", "properties": rules, "additionalProperties": False},
            "per-path-ignores": {"type": "object", "additionalProperties": id_list, "maxProperties": MAX_PATTERNS,
                                 "propertyNames": {"maxLength": 1000}},
        },
    }


def _validate(path: Path, data, locate) -> None:
    if data is None:
        return
    from .schemacheck import best_match, validator_for

    errors = sorted(validator_for(schema()).iter_errors(data), key=lambda error: [str(part) for part in error.absolute_path])
    if errors:
        error = best_match(errors)
        key_path = list(error.absolute_path)
        if error.validator == "additionalProperties":
            import re

            unknown = re.findall(r"'([^']+)'", error.message)
            key_path = key_path + unknown[:1]
            what = f"unknown key {unknown[0]!r}" if unknown else error.message
            known = list(error.schema.get("properties", {}))
            if unknown:
                import difflib

                close = difflib.get_close_matches(unknown[0], known, n=1)
                if close:
                    what += f" (did you mean {close[0]!r}?)"
        else:
            what = _short(error.message)
        where = ".".join(str(key) for key in key_path) or "(top level)"
        raise ConfigError(f"{path}:{locate(key_path)}: invalid config at '{where}': {what}")
    id_lists = [(["select"], data.get("select") or []), (["ignore"], data.get("ignore") or [])]
    id_lists += [(["per-path-ignores", glob], ids) for glob, ids in (data.get("per-path-ignores") or {}).items()]
    for key_path, patterns in id_lists:
        for pattern in patterns:
            if not any(match_id(rule_id, pattern) for rule_id in REGISTRY):
                import difflib

                where = ".".join(key_path)
                close = difflib.get_close_matches(pattern, list(REGISTRY), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(f"{path}:{locate(key_path)}: invalid config at '{where}': unknown rule id {pattern!r}{hint}")


def _short(message: str) -> str:
    """A jsonschema message without a huge echoed value."""
    return message if len(message) <= 200 else message[:200] + "..."


def _apply(settings: Settings, data: dict | None) -> None:
    if not data:
        return
    if "select" in data:
        settings.select = data["select"]
    settings.ignore = data.get("ignore", settings.ignore)
    settings.min_severity = data.get("min-severity", settings.min_severity)
    settings.min_confidence = data.get("min-confidence", settings.min_confidence)
    settings.fail_on = data.get("fail-on", settings.fail_on)
    settings.inline_ignores = data.get("inline-ignores", settings.inline_ignores)
    settings.production_patterns = data.get("production-patterns")
    settings.rules = data.get("rules", {}) or {}
    settings.per_path_ignores = data.get("per-path-ignores", {}) or {}
