"""The command line: `cicdlint check`, `cicdlint baseline`, `cicdlint rules`, `cicdlint explain`."""
from __future__ import annotations

import sys

import click

from . import __version__
from .rule import CONFIDENCES, SEVERITIES, SEVERITY_RANK

FORMATS = ("text", "json", "sarif", "github")


def _split_ids(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _print_version(ctx, _param, value):
    # advisories hook: the bundled advisory snapshot's date, read only when --version is given
    if not value or ctx.resilient_parsing:
        return
    from .advisories import snapshot_date

    click.echo(f"cicdlint, version {__version__} (GitHub Actions advisory snapshot {snapshot_date()})")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", "-V", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version (and the advisory snapshot date) and exit.")
def cli():
    """Lint GitHub Actions workflows and AWS ECS deploy configs against CI/CD best practice."""


def _lint_options(function):
    """The options `check` and `baseline` share: what to lint and how."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--select", multiple=True, help="Only these rule ids or globs (comma-separated, repeatable)."),
        click.option("--ignore", multiple=True, help="Skip these rule ids or globs (comma-separated, repeatable)."),
        click.option("--min-severity", type=click.Choice(SEVERITIES), help="Hide findings below this severity."),
        click.option("--min-confidence", type=click.Choice(CONFIDENCES), help="Hide findings below this confidence."),
        click.option("--config", "config_file", type=click.Path(), help="Use this config file instead of searching for one."),
        click.option("--no-config", is_flag=True, help="Ignore config files."),
        click.option("--no-inline-ignores", is_flag=True, help="Report findings that `# cicdlint: ignore[...]` would hide."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Processes to use (default: automatic)."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the result cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False),
                     help="Keep the result cache here (default: the user cache directory)."),
        click.option("--no-plugins", is_flag=True, help="Do not load rule plugins from installed packages."),
        click.option("--force-exclude", is_flag=True,
                     help="Lint a named file only if a directory walk would (for pre-commit: skips tsconfig.json and the like)."),
        click.option("--online", is_flag=True,
                     help="Also ask the GitHub API about the actions used (needs GH_TOKEN or GITHUB_TOKEN)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@cli.command()
@_lint_options
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None, help="Output format (default: text).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 only for findings at or above this severity (default: note).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings that this baseline file does not accept.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Also write today's findings to this baseline file.")
@click.option("--diff", "diff_ref", metavar="REF", help="Report only findings that the change since git REF introduced.")
@click.option("--report-unused-ignores", is_flag=True, help="Also report `# cicdlint: ignore[...]` comments that hide nothing.")
def check(paths, output_format, output, fail_on, exit_zero, baseline_file, write_baseline, diff_ref,
          report_unused_ignores, **options):
    """Lint workflows, actions and ECS files under PATHS (default: the current directory)."""
    result, settings = _lint(paths, options, fail_on, report_unused_ignores)
    if write_baseline:
        _write_baseline(write_baseline, result.findings)
    if baseline_file:
        from .baseline import BaselineError, apply, read

        try:
            applied = apply(result.findings, read(baseline_file))
        except BaselineError as error:
            raise click.UsageError(str(error)) from None
        result.findings, result.baseline = applied.kept, applied
    if diff_ref:
        result.findings = _only_changed(result.findings, diff_ref, settings)
        result.diff = diff_ref
    _write_report(result, settings, output_format or "text", output)
    failing = [f for f in result.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[settings.fail_on]]
    sys.exit(0 if exit_zero or not failing else 1)


@cli.command()
@_lint_options
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False), required=True,
              help="The baseline file to write (default name: .cicdlint-baseline.json).")
@click.option("--prune", is_flag=True, help="Keep only entries of the existing baseline that still match a finding.")
def baseline(paths, output, prune, **options):
    """Write the findings under PATHS to a baseline file, which `check --baseline` then accepts."""
    result, _ = _lint(paths, options, None, False)
    findings = result.findings
    if prune:
        from .baseline import BaselineError, prune as pruned, read

        try:
            findings = pruned(findings, read(output))
        except BaselineError as error:
            raise click.UsageError(str(error)) from None
    _write_baseline(output, findings)
    dropped = len(result.findings) - len(findings)
    sys.stderr.write(f"cicdlint: wrote {len(findings)} findings to {output}" + (f" ({dropped} not in the old baseline)" if prune else "") + "\n")


def _write_baseline(path: str, findings) -> None:
    from .baseline import render

    try:
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(render(findings))
    except OSError as error:
        raise click.UsageError(f"cannot write {path}: {error.strerror}") from None


def _lint(paths, options: dict, fail_on, report_unused_ignores: bool):
    """Lint the paths, each with the configuration found from it upward (or the one given)."""
    from .config import ConfigError
    from .engine import Result, disable_plugins, lint_paths, load_rules

    if options["no_plugins"]:
        disable_plugins()
    load_rules()
    missing = [path for path in paths if not _exists(path)]
    if missing:
        raise click.UsageError(f"no such file or directory: {missing[0]}")
    try:
        groups = _settings_groups(list(paths) or ["."], options)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    merged = Result([], 0)
    first = None
    for settings, group in groups:
        if fail_on:
            settings.fail_on = fail_on
        settings.report_unused_ignores = report_unused_ignores
        first = first or settings
        result = lint_paths(group, settings, options["jobs"])
        merged.findings.extend(result.findings)
        merged.files += result.files
        merged.suppressed += result.suppressed
        merged.warnings.extend(result.warnings)
        for path in result.empty:
            if paths and not settings.force_exclude:
                raise click.UsageError(f"nothing to lint under {path}: no workflow, action.yml, dependabot.yml or ECS JSON file")
            if not settings.force_exclude:
                merged.warnings.append(f"no file to lint under {path}")
    if not merged.files and first is not None and first.force_exclude:
        merged.warnings.append("no file to lint among the files given (none is a workflow, action or ECS file)")
    merged.findings.sort(key=lambda finding: finding.sort_key())
    for warning in merged.warnings:
        _warn(warning)
    return merged, first


def _settings_groups(paths: list[str], options: dict):
    """[(settings, paths)]: paths grouped by the config file that applies to them (the nearest
    `.cicdlint.yml`, `.cicdlint.yaml` or `pyproject.toml` with `[tool.cicdlint]` from the path up to
    its repository root), each group's settings with the command line's options on top."""
    import os

    from .config import find_config, load_settings

    groups: dict[str | None, list[str]] = {}
    for path in paths:
        if options["config_file"] or options["no_config"]:
            key = None
        else:
            absolute = os.path.abspath(path)
            start = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
            found = find_config(start)
            key = str(found[0]) if found else None
        groups.setdefault(key, []).append(path)
    result = []
    for key, group in groups.items():
        config = options["config_file"] or key
        settings = load_settings(config, options["no_config"] or (key is None and not options["config_file"]),
                                 cwd=_start_of(group[0]))
        _apply_options(settings, options)
        result.append((settings, group))
    return result


def _start_of(path: str):
    import os
    from pathlib import Path

    absolute = os.path.abspath(path)
    return Path(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))


def _apply_options(settings, options: dict) -> None:
    if options["select"]:
        settings.select = _split_ids(options["select"])
        if not settings.select:
            raise click.UsageError("--select names no rule: give rule ids or globs (e.g. --select 'unpinned-*')")
    if options["ignore"]:
        settings.ignore = settings.ignore + _split_ids(options["ignore"])
    _check_ids(settings.select + settings.ignore)
    settings.cache = not options["no_cache"]
    settings.cache_dir = options["cache_dir"]
    settings.force_exclude = options["force_exclude"]
    if options["min_severity"]:
        settings.min_severity = options["min_severity"]
    if options["min_confidence"]:
        settings.min_confidence = options["min_confidence"]
    if options["no_inline_ignores"]:
        settings.inline_ignores = False
    if options["online"]:  # the opt-in GitHub API checks (cicdlint/online.py)
        import os

        settings.online = True
        settings.cache = False  # findings then depend on the API's answers (cached on their own, with an expiry)
        if not (os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")):
            sys.stderr.write("cicdlint: --online: needs a GitHub token in GH_TOKEN or GITHUB_TOKEN; "
                             "the online checks are skipped\n")


def _only_changed(findings, ref: str, settings) -> list:
    from .gitdiff import DiffError, changes, keep

    try:
        found, root = changes(ref, str(settings.root))
    except DiffError as error:
        raise click.UsageError(str(error)) from None
    import os

    if os.path.abspath(root) != os.path.abspath(str(settings.root)):  # paths are relative to settings.root
        prefix = os.path.relpath(str(settings.root), root).replace(os.sep, "/")
        for table in (found.added, found.touched):
            for path in list(table):
                if path.startswith(prefix + "/"):
                    table[path[len(prefix) + 1:]] = table.pop(path)
        found.whole = {path[len(prefix) + 1:] if path.startswith(prefix + "/") else path for path in found.whole}
    return keep(findings, found, lambda finding: finding.scope)


def _exists(path: str) -> bool:
    import os

    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _check_ids(patterns: list[str]) -> None:
    import fnmatch

    from .rule import REGISTRY

    for pattern in patterns:
        if pattern not in ("*", "ALL", "all") and not any(fnmatch.fnmatchcase(rule_id, pattern) for rule_id in REGISTRY):
            raise click.UsageError(f"unknown rule id {pattern!r} (see `cicdlint rules`)")


def _warn(message: str) -> None:
    from .redact import clean_path

    sys.stderr.write(f"cicdlint: warning: {clean_path(message)}\n")


def _write_report(result, settings, output_format: str, output: str | None) -> None:
    from .formatters import get_formatter
    from .rule import REGISTRY

    formatter = get_formatter(output_format)
    if output:
        try:
            with open(output, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as stream:
                formatter(result, REGISTRY, settings, stream, color=False)
        except OSError as error:
            raise click.UsageError(f"cannot write {output}: {error.strerror}") from None
        return
    stream = sys.stdout
    try:
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
        formatter(result, REGISTRY, settings, stream, color=_use_color(stream))
        stream.flush()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0 if not result.findings else 1)
    except OSError as error:
        _silence_stdout()
        sys.stderr.write(f"cicdlint: cannot write the report to standard output: {error.strerror or error}\n")
        sys.exit(2)


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _use_color(stream) -> bool:
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


@cli.command("config-schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the schema to FILE.")
def config_schema(output):
    """Print the JSON Schema of `.cicdlint.yml` (for editors' validation and completion)."""
    import json

    from .config import schema
    from .engine import load_rules

    load_rules(import_all=True)
    text = json.dumps(schema(), indent=2, sort_keys=True) + "\n"
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(("table", "markdown", "json")), default="table")
def list_rules(output_format):
    """List the rules with their default severity and summary."""
    from .engine import load_rules
    from .formatters.rules_table import write_rules

    write_rules(load_rules(import_all=True), output_format, sys.stdout)


@cli.command()
@click.argument("rule_id")
def explain(rule_id):
    """Show the documentation of one rule."""
    from .engine import load_rules

    rules = load_rules(import_all=True)
    rule = rules.get(rule_id)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, list(rules), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.UsageError(f"unknown rule id {rule_id!r}{hint}; see `cicdlint rules`")
    tags = ", ".join(rule.tags) or "-"
    click.echo(f"# {rule.id}\n\n{rule.summary}\n\nDefault severity: {rule.severity}. Tags: {tags}.")
    if rule.options:
        options = ", ".join(f"{name} (default: {value!r})" for name, value in rule.options.items())
        click.echo(f"Options: {options}.")
    click.echo(f"\n{rule.doc}")


def main():
    import os

    cwd = os.path.abspath(os.getcwd())  # never import from the scanned repository (see __main__.py)
    sys.path[:] = [entry for entry in sys.path if entry and os.path.abspath(entry) != cwd]
    try:
        cli.main(prog_name="cicdlint")
    except KeyboardInterrupt:
        sys.stderr.write("cicdlint: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)
    except RecursionError:
        sys.stderr.write("cicdlint: input nested too deeply to process\n")
        sys.exit(2)
    except Exception as error:  # never show a traceback to a user
        sys.stderr.write(f"cicdlint: internal error: {type(error).__name__}: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
