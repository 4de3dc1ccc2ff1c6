"""`.cicdlint.yml` or `[tool.cicdlint]` in pyproject.toml, found by walking up from the working
directory, validated with jsonschema (imported only when a config file exists)."""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from .rule import REGISTRY, SEVERITIES, SEVERITY_RANK, CONFIDENCES

CONFIG_NAMES = (".cicdlint.yml", ".cicdlint.yaml")


class ConfigError(Exception):
    """A bad config or command line: reported as one line, exit code 2."""


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["*"])
    ignore: list[str] = field(default_factory=list)
    min_severity: str = "note"
    min_confidence: str = "low"
    fail_on: str = "note"
    inline_ignores: bool = True
    production_patterns: list[str] | None = None
    rules: dict[str, dict] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)
    _enabled: dict = field(default_factory=dict, repr=False, compare=False)

    def enabled(self, rule_id: str) -> bool:
        key = (rule_id, tuple(self.select), tuple(self.ignore))  # the CLI may change them after loading
        if key not in self._enabled:
            settings = self.rules.get(rule_id, {})
            selected = any(_match_id(rule_id, pattern) for pattern in self.select)
            rule = REGISTRY.get(rule_id)
            if rule is not None and not rule.default_enabled:  # opt-in: named, or `enabled: true`
                selected = settings.get("enabled") is True or any(
                    pattern not in _ALL and _match_id(rule_id, pattern) for pattern in self.select
                )
            self._enabled[key] = (
                settings.get("enabled") is not False
                and selected
                and not any(_match_id(rule_id, pattern) for pattern in self.ignore)
            )
        return self._enabled[key]

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
        for pattern, ids in self.per_path_ignores.items():
            if _match_path(relative_path, pattern) and any(_match_id(rule_id, item) for item in ids):
                return True
        return False


_ALL = ("*", "ALL", "all")


def _match_id(rule_id: str, pattern: str) -> bool:
    return pattern in _ALL or fnmatch.fnmatchcase(rule_id, pattern)


def _match_path(path: str, pattern: str) -> bool:
    """Glob on a repo-relative path: `**` crosses directories, `*` does not; a pattern without a
    slash matches a file name at any depth (as in .gitignore)."""
    if "/" not in pattern.rstrip("/"):
        return fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern) or _glob_regex(pattern).match(path) is not None
    if pattern.endswith("/"):
        pattern += "**"
    return _glob_regex(pattern.lstrip("/")).match(path) is not None


def _glob_regex(pattern: str) -> re.Pattern:
    parts, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


# --- finding and reading ---------------------------------------------------------------------------


def find_config(start: Path) -> tuple[Path, str] | None:
    """The nearest config, walking up: (path, "yaml" | "pyproject")."""
    for directory in [start, *start.parents]:
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name, "yaml"
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                content = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if re.search(r"^\[tool\.cicdlint[\].]", content, re.M):
                return pyproject, "pyproject"
    return None


def find_root(start: Path) -> Path:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return start


def load_settings(config_file: str | None, no_config: bool, cwd: Path | None = None) -> Settings:
    cwd = cwd or Path.cwd()
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
    data, locate = _read(path, kind)
    _validate(path, data, locate)
    _apply(settings, data)
    return settings


def _read(path: Path, kind: str):
    """The config as plain data, and a function from a key path to a source line."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from None
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
        data = tomllib.loads(content).get("tool", {}).get("cicdlint", {})
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    lines = content.split("\n")

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


def _schema() -> dict:
    id_list = {"type": "array", "items": {"type": "string"}}
    severity = {"enum": list(SEVERITIES)}
    rules = {}
    for rule_id, rule in REGISTRY.items():
        properties = {"severity": severity, "enabled": {"type": "boolean"}}
        properties.update(rule.options_schema)
        rules[rule_id] = {"type": "object", "properties": properties, "additionalProperties": False}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "select": id_list,
            "ignore": id_list,
            "min-severity": severity,
            "min-confidence": {"enum": list(CONFIDENCES)},
            "fail-on": severity,
            "inline-ignores": {"type": "boolean"},
            "production-patterns": id_list,
            "rules": {"type": "object", "properties": rules, "additionalProperties": False},
            "per-path-ignores": {"type": "object", "additionalProperties": id_list},
        },
    }


def _validate(path: Path, data, locate) -> None:
    if data is None:
        return
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        key_path = list(error.absolute_path)
        if error.validator == "additionalProperties":
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
            what = error.message
        where = ".".join(str(key) for key in key_path) or "(top level)"
        raise ConfigError(f"{path}:{locate(key_path)}: invalid config at '{where}': {what}")
    for pattern in data.get("production-patterns") or []:
        try:
            re.compile(pattern)
        except re.error as error:
            line = locate(["production-patterns"])
            raise ConfigError(f"{path}:{line}: invalid config at 'production-patterns': bad regex {pattern!r}: {error}") from None
    id_lists = [(["select"], data.get("select") or []), (["ignore"], data.get("ignore") or [])]
    id_lists += [(["per-path-ignores", glob], ids) for glob, ids in (data.get("per-path-ignores") or {}).items()]
    for key_path, patterns in id_lists:
        for pattern in patterns:
            if not any(_match_id(rule_id, pattern) for rule_id in REGISTRY):
                where = ".".join(key_path)
                raise ConfigError(f"{path}:{locate(key_path)}: invalid config at '{where}': unknown rule id {pattern!r}")


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
