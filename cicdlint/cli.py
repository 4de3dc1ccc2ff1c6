"""The command line: `cicdlint check`, `cicdlint rules`, `cicdlint explain`."""
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


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default=None, help="Output format (default: text).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these rule ids or globs (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or globs (comma-separated, repeatable).")
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Hide findings below this severity.")
@click.option("--min-confidence", type=click.Choice(CONFIDENCES), help="Hide findings below this confidence.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 only for findings at or above this severity (default: note).")
@click.option("--config", "config_file", type=click.Path(), help="Use this config file instead of searching for one.")
@click.option("--no-config", is_flag=True, help="Ignore config files.")
@click.option("--no-inline-ignores", is_flag=True, help="Report findings that `# cicdlint: ignore[...]` would hide.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), help="Processes to use (default: automatic).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Keep the result cache here (default: the user cache directory).")
@click.option("--no-plugins", is_flag=True, help="Do not load rule plugins from installed packages.")
@click.option("--force-exclude", is_flag=True,
              help="Lint a named file only if a directory walk would (for pre-commit: skips tsconfig.json and the like).")
@click.option("--online", is_flag=True,
              help="Also ask the GitHub API about the actions used (needs GH_TOKEN or GITHUB_TOKEN).")
def check(paths, output_format, output, select, ignore, min_severity, min_confidence, fail_on, config_file,
          no_config, no_inline_ignores, exit_zero, jobs, no_cache, cache_dir, no_plugins, force_exclude, online):
    """Lint workflows, actions and ECS files under PATHS (default: the current directory)."""
    from .config import ConfigError, load_settings
    from .engine import disable_plugins, lint_paths, load_rules

    if no_plugins:
        disable_plugins()
    load_rules()
    try:
        settings = load_settings(config_file, no_config)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    if select:
        settings.select = _split_ids(select)
        if not settings.select:
            raise click.UsageError("--select names no rule: give rule ids or globs (e.g. --select 'unpinned-*')")
    if ignore:
        settings.ignore = settings.ignore + _split_ids(ignore)
    _check_ids(settings.select + settings.ignore)
    settings.cache = not no_cache
    settings.cache_dir = cache_dir
    settings.force_exclude = force_exclude
    if min_severity:
        settings.min_severity = min_severity
    if min_confidence:
        settings.min_confidence = min_confidence
    if fail_on:
        settings.fail_on = fail_on
    if no_inline_ignores:
        settings.inline_ignores = False
    if online:  # advisories hook: the opt-in GitHub API checks (cicdlint/online.py)
        import os

        settings.online = True
        settings.cache = False  # findings then depend on the API's answers (cached on their own, with an expiry)
        if not (os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")):
            sys.stderr.write("cicdlint: --online: needs a GitHub token in GH_TOKEN or GITHUB_TOKEN; "
                             "the online checks are skipped\n")
    missing = [path for path in paths if not _exists(path)]
    if missing:
        raise click.UsageError(f"no such file or directory: {missing[0]}")
    result = lint_paths(list(paths) or ["."], settings, jobs)
    for warning in result.warnings:
        _warn(warning)
    _write_report(result, settings, output_format or "text", output)
    failing = [f for f in result.findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[settings.fail_on]]
    sys.exit(0 if exit_zero or not failing else 1)


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
