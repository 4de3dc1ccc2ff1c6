#!/usr/bin/env python3
"""cicdlint's syntax rules against actionlint's syntax checks, finding by finding.

    python benchmarks/syntax_vs_actionlint.py [--actionlint PATH] [PATH ...]
    python benchmarks/syntax_vs_actionlint.py --mutate 300 [--seed 1]

Runs `actionlint -shellcheck= -pyflakes= -format '{{json .}}'` and `cicdlint check --select
unexpected-key,missing-required-key,invalid-value,unknown-event --format json` over the same
workflow files (default: the shared corpus), keeps actionlint's `syntax-check` and `permissions` errors and the
`events` errors that are about syntax (unknown events, filters an event does not take, a
`workflow_run` without `workflows`, input types, defaults and options), and pairs them by file
and line (within one line: the tools anchor some problems on a key and others on its value).

`--mutate N` lints N broken copies of corpus workflows instead (in a temporary directory): each
copy has one mistake put in at random (a misspelt key, a key in the wrong case, a value of the
wrong type, a required key removed, a misspelt event), so the recall of both tools on broken
files can be compared; the clean corpus only measures false positives.

Prints the counts and every unpaired finding of each tool. Exit status 0.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The checkout is /work/main or a worktree /work/wt/NAME; the corpus and peers live in /work.
_WORK = next((parent for parent in HERE.parents if (parent / "shared" / "corpus").is_dir()), HERE.parent.parent)
DEFAULT_CORPUS = _WORK / "shared" / "corpus" / "workflows"
DEFAULT_ACTIONLINT = _WORK / "venvs" / "peers" / "bin" / "actionlint"
RULES = "unexpected-key,missing-required-key,invalid-value,unknown-event"
# actionlint `events` messages that are syntax (the rest, activity types, cron, globs and
# required-with-default, belong to other cicdlint rules).
SYNTAX_EVENTS = re.compile(
    r"unknown Webhook event|filter is not available|no workflow is configured|cannot be configured for|"
    r"cannot be specified for|\"options\" is not set|not included in its options|can not be set to|"
    r"cannot be parsed as a float|must be \"true\" or \"false\"|must be true or false|maximum number of inputs"
)
# actionlint messages cicdlint leaves to other rules or deliberately does not report.
NOT_SYNTAX = re.compile(
    r"could not parse as YAML|anchor .* is defined but not used|does not support YAML merge key|"
    r"is duplicated in|must be greater than zero: 0$"
)


def workflow_files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        for root, _, files in os.walk(path):
            if Path(root).name == "workflows" and Path(root).parent.name == ".github":
                found.extend(Path(root) / name for name in files if name.endswith((".yml", ".yaml")))
    return sorted(found)


def run_actionlint(binary: Path, files: list[Path]) -> list[dict]:
    found = []
    for start in range(0, len(files), 200):
        batch = [str(path) for path in files[start : start + 200]]
        result = subprocess.run(
            [str(binary), "-no-color", "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *batch],
            capture_output=True, text=True, check=False,
        )
        text = result.stdout.strip()
        if text:
            found.extend(json.loads(text))
    kept = []
    for error in found:
        kind, message = error["kind"], error["message"]
        if kind in ("syntax-check", "permissions") or (kind == "events" and SYNTAX_EVENTS.search(message)):
            error["filepath"] = str(Path(error["filepath"]).resolve())
            error["ours"] = not NOT_SYNTAX.search(message) and not not_a_workflow(error["filepath"])
            kept.append(error)
    return kept


def not_a_workflow(path: str) -> bool:
    """A file under .github/workflows that is not a workflow (no `on`, no `jobs`): cicdlint
    skips it when it walks a tree, as GitHub shows no error for it either."""
    import yaml

    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except Exception:  # noqa: BLE001 - a file that does not parse is parse-error's
        return False
    return not (isinstance(data, dict) and ("on" in data or "jobs" in data))


def run_cicdlint(files: list[Path]) -> list[dict]:
    found = []
    for start in range(0, len(files), 500):
        batch = [str(path) for path in files[start : start + 500]]
        result = subprocess.run(
            [sys.executable, "-m", "cicdlint", "check", "--select", RULES, "--format", "json", "--exit-zero",
             "--no-config", *batch],
            capture_output=True, text=True, check=False,
        )
        found.extend(json.loads(result.stdout)["findings"])
    for finding in found:
        finding["path"] = str(Path(finding["path"]).resolve())
    return found


def pair(actionlint: list[dict], cicdlint: list[dict]):
    ours_by_file = defaultdict(list)
    for finding in cicdlint:
        ours_by_file[finding["path"]].append(finding)
    paired, only_actionlint = [], []
    used: set[int] = set()
    for error in actionlint:
        candidates = [f for f in ours_by_file[error["filepath"]] if id(f) not in used and abs(f["line"] - error["line"]) <= 1]
        candidates.sort(key=lambda f: (abs(f["line"] - error["line"]), abs(f["column"] - error["column"])))
        if candidates:
            used.add(id(candidates[0]))
            paired.append((error, candidates[0]))
        else:
            only_actionlint.append(error)
    only_cicdlint = [f for f in cicdlint if id(f) not in used]
    return paired, only_actionlint, only_cicdlint


# --- mutations --------------------------------------------------------------------------------

KEY_LINE = re.compile(r"^(\s*-?\s*)([A-Za-z][A-Za-z0-9_-]*)(:)(\s|$)")
TYPOS = {
    "runs-on": ["runs_on", "run-on", "Runs-On"], "timeout-minutes": ["timeout_minutes", "timeout-minute"],
    "continue-on-error": ["continue_on_error"], "steps": ["step", "Steps"], "with": ["width", "With"],
    "needs": ["need"], "branches": ["branch"], "paths": ["path"], "environment": ["enviroment"],
    "permissions": ["permission"], "strategy": ["stratergy"], "matrix": ["matrx"], "uses": ["use"],
    "name": ["Name"], "env": ["ENV"], "if": ["If"], "pull_request": ["pull-request"], "push": ["pushh"],
    "workflow_dispatch": ["workflow-dispatch"], "schedule": ["schedules"], "concurrency": ["concurency"],
    "contents": ["content"], "shell": ["shel"], "working-directory": ["working_directory"],
}
BAD_VALUES = {
    "timeout-minutes": "abc", "continue-on-error": "maybe", "fail-fast": "sometimes", "max-parallel": "two",
    "contents": "readonly", "id-token": "read", "cancel-in-progress": "perhaps", "permissions": "read",
}


def mutate(text: str, rng: random.Random) -> tuple[str, str] | None:
    lines = text.split("\n")
    candidates = []
    for index, line in enumerate(lines):
        match = KEY_LINE.match(line)
        if not match:
            continue
        key = match.group(2)
        if key in TYPOS:
            candidates.append(("typo", index, key))
        if key in BAD_VALUES and line[match.end(3):].strip() and not line[match.end(3):].strip().startswith(("|", ">", "&", "*")):
            candidates.append(("value", index, key))
        value = line[match.end(3):].strip()
        if key in ("runs-on", "run", "image", "group") and value and value[0] not in "|>&*" and "-" not in match.group(1):
            candidates.append(("drop", index, key))
    if not candidates:
        return None
    kind, index, key = rng.choice(candidates)
    match = KEY_LINE.match(lines[index])
    if kind == "typo":
        lines[index] = match.group(1) + rng.choice(TYPOS[key]) + lines[index][match.end(2):]
    elif kind == "value":
        comment = lines[index].find(" #")
        lines[index] = lines[index][: match.end(3)] + " " + BAD_VALUES[key] + (lines[index][comment:] if comment > 0 else "")
    else:
        lines[index] = match.group(1) + "# " + lines[index][len(match.group(1)):]
    return "\n".join(lines), f"{kind} {key} line {index + 1}"


def mutated_tree(corpus: Path, count: int, seed: int) -> tuple[Path, dict]:
    rng = random.Random(seed)
    files = workflow_files([corpus])
    rng.shuffle(files)
    out = Path(tempfile.mkdtemp(prefix="syntax-mutants-"))
    notes = {}
    for path in files:
        if len(notes) >= count:
            break
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        result = mutate(text, rng)
        if result is None:
            continue
        target = out / f"m{len(notes):04d}" / ".github" / "workflows" / path.name
        target.parent.mkdir(parents=True)
        target.write_text(result[0], encoding="utf-8")
        notes[str(target.resolve())] = f"{path.relative_to(corpus)}: {result[1]}"
    return out, notes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--actionlint", type=Path, default=DEFAULT_ACTIONLINT)
    parser.add_argument("--mutate", type=int, default=0, help="lint this many broken copies of corpus workflows")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    notes: dict = {}
    if args.mutate:
        tree, notes = mutated_tree(args.paths[0] if args.paths else DEFAULT_CORPUS, args.mutate, args.seed)
        files = workflow_files([tree])
    else:
        files = workflow_files(args.paths or [DEFAULT_CORPUS])
    actionlint = run_actionlint(args.actionlint, files)
    ours_only = [error for error in actionlint if error["ours"]]
    cicdlint = run_cicdlint(files)
    paired, only_actionlint, only_cicdlint = pair(ours_only, cicdlint)
    print(f"{len(files)} workflow files")
    print(f"actionlint syntax findings: {len(actionlint)} ({len(actionlint) - len(ours_only)} left to other rules, not errors on GitHub, or in files that are not workflows)")
    print(f"cicdlint syntax findings:   {len(cicdlint)} {dict(Counter(f['rule'] for f in cicdlint))}")
    print(f"paired: {len(paired)}; actionlint only: {len(only_actionlint)}; cicdlint only: {len(only_cicdlint)}")
    if only_actionlint:
        print("\nactionlint only:")
        for error in only_actionlint:
            note = notes.get(error["filepath"], "")
            print(f"  {error['filepath']}:{error['line']}:{error['column']} {error['message'][:160]}  [{note}]")
    if only_cicdlint:
        print("\ncicdlint only:")
        for finding in only_cicdlint:
            note = notes.get(finding["path"], "")
            print(f"  {finding['path']}:{finding['line']}:{finding['column']} {finding['rule']}: {finding['message'][:160]}  [{note}]")
    if args.mutate:
        missed = [path for path in notes if not any(f["path"] == path for f in cicdlint)]
        print(f"\nmutants without a cicdlint finding: {len(missed)} of {len(notes)}")
        for path in missed:
            print(f"  {notes[path]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
