"""Compare cicdlint's jobs-graph / events / matrix / runner-label / shell rules with actionlint's
`job-needs`, `events`, `glob`, `matrix`, `runner-label`, `id` and `shell-name` checks on the same
workflow files.

    python benchmarks/graph_vs_actionlint.py [CORPUS] [--actionlint PATH] [--cicdlint PATH]

Findings are matched by file, kind and the value they name (the label, the job, the activity
type...), not by line: the two tools point at different nodes (actionlint at the job key for an
unknown `needs`, cicdlint at the `needs` entry). Prints the matched count per kind, then every
finding only one tool has."""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

RULES = (
    "needs-unknown-job", "needs-cycle", "duplicate-needs", "invalid-id", "duplicate-id",
    "unknown-activity-type", "conflicting-filters", "invalid-glob", "invalid-schedule",
    "schedule-too-frequent", "workflow-run-unknown-workflow", "duplicate-matrix-value",
    "unmatched-matrix-exclude", "empty-matrix",
    "unknown-runner-label", "conflicting-runner-labels", "invalid-shell",
)
ACTIONLINT_KINDS = ("job-needs", "events", "glob", "matrix", "runner-label", "id", "shell-name")

# (actionlint kind, message pattern) -> (category, group holding the value)
ACTIONLINT_PATTERNS = (
    ("job-needs", r'needs job "([^"]+)" which does not exist', "needs-unknown"),
    ("job-needs", r"cyclic dependencies", "needs-cycle"),
    ("job-needs", r'job ID "([^"]+)" duplicates in "needs"', "needs-duplicate"),
    ("job-needs", r'job ID "([^"]+)" duplicates\.', "id-duplicate"),
    ("id", r'invalid (?:job|step) ID "([^"]*)"', "id-invalid"),
    ("id", r'step ID "([^"]+)" duplicates', "id-duplicate"),
    ("events", r'invalid activity type "([^"]+)"', "activity-type"),
    ("events", r'both "([^"]+)" and', "filters"),
    ("events", r'invalid CRON format "([^"]*)"', "cron"),
    ("events", r"invalid timezone \"([^\"]*)\"", "cron"),
    ("events", r"runs too frequently", "cron-frequent"),
    ("glob", r"", "glob"),
    ("matrix", r"duplicate value (\S+)", "matrix-duplicate"),
    ("matrix", r'"([^"]+)" in "exclude" section does not exist', "matrix-exclude"),
    ("matrix", r"value (\S+) in \"exclude\" does not match", "matrix-exclude"),
    ("runner-label", r'label "([^"]+)" is unknown', "runner-unknown"),
    ("runner-label", r'label "([^"]+)" conflicts', "runner-conflict"),
    ("shell-name", r'shell name "([^"]+)" is invalid', "shell"),
)
CICDLINT_CATEGORY = {
    "needs-unknown-job": ("needs-unknown", r"needs '([^']+)'"),
    "needs-cycle": ("needs-cycle", None),
    "duplicate-needs": ("needs-duplicate", r"already needs '([^']+)'"),
    "invalid-id": ("id-invalid", r"^'([^']*)'"),
    "duplicate-id": ("id-duplicate", r"'([^']+)'"),
    "unknown-activity-type": ("activity-type", r"^'([^']+)'"),
    "conflicting-filters": ("filters", r"`([^`]+)`"),
    "invalid-schedule": ("cron", None),
    "schedule-too-frequent": ("cron-frequent", None),
    "invalid-glob": ("glob", None),
    "duplicate-matrix-value": ("matrix-duplicate", None),
    "unmatched-matrix-exclude": ("matrix-exclude", None),
    "unknown-runner-label": ("runner-unknown", r"'([^']+)'"),
    "conflicting-runner-labels": ("runner-conflict", r"^'([^']+)'"),
    "invalid-shell": ("shell", r"'([^']+)'"),
}


def _actionlint(binary: str, files: list[str]) -> list[tuple[str, str, str]]:
    found = []
    chunks = [files[start : start + 200] for start in range(0, len(files), 200)]
    while chunks:
        chunk = chunks.pop()
        result = subprocess.run([binary, "-no-color", "-shellcheck=", "-pyflakes=", "-format", "{{json .}}", *chunk],
                                capture_output=True, text=True)
        if result.returncode not in (0, 1):  # actionlint crashed on one of them: run them one by one
            if len(chunk) > 1:
                chunks.extend([file] for file in chunk)
            continue
        for line in result.stdout.splitlines():
            if not line.strip():
                continue
            for error in json.loads(line):
                if error["kind"] not in ACTIONLINT_KINDS:
                    continue
                for kind, pattern, category in ACTIONLINT_PATTERNS:
                    if kind != error["kind"]:
                        continue
                    match = re.search(pattern, error["message"])
                    if match:
                        value = match.group(1).lower() if match.groups() else ""
                        found.append((os.path.realpath(error["filepath"]), category, value, error["line"], error["message"]))
                        break
    return found


def _cicdlint(binary: str, corpus: str) -> list[tuple[str, str, str]]:
    result = subprocess.run([binary, "check", corpus, "--select", ",".join(RULES), "--format", "json", "--exit-zero",
                             "--no-config"], capture_output=True, text=True)
    found = []
    for finding in json.loads(result.stdout)["findings"]:
        category, pattern = CICDLINT_CATEGORY.get(finding["rule"], (finding["rule"], None))
        match = re.search(pattern, finding["message"]) if pattern else None
        value = match.group(1).lower() if match else ""
        found.append((os.path.realpath(finding["path"]), category, value, finding["line"], f"[{finding['rule']}] {finding['message']}"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default="../shared/corpus/workflows")
    parser.add_argument("--actionlint", default="/work/venvs/peers/bin/actionlint")
    parser.add_argument("--cicdlint", default="cicdlint")
    args = parser.parse_args()
    files = sorted(str(path) for path in Path(args.corpus).rglob("*") if path.suffix in (".yml", ".yaml")
                   and path.parent.name == "workflows" and path.parent.parent.name == ".github")
    theirs = _actionlint(args.actionlint, files)
    ours = _cicdlint(args.cicdlint, args.corpus)
    # Values are compared where both name one; otherwise by category and file only.
    def key(item, with_value=True):
        return (item[0], item[1], item[2] if with_value and item[1] not in ("needs-cycle", "cron", "cron-frequent", "glob", "matrix-duplicate", "matrix-exclude") else "")

    pool = defaultdict(list)
    for item in ours:
        pool[key(item)].append(item)
    matched = defaultdict(int)
    only_theirs = []
    for item in theirs:
        bucket = pool.get(key(item))
        if bucket:
            bucket.pop()
            matched[item[1]] += 1
        else:
            only_theirs.append(item)
    only_ours = [item for bucket in pool.values() for item in bucket]
    root = os.path.realpath(args.corpus)
    print("matched by kind:", dict(sorted(matched.items())))
    print(f"\nonly actionlint ({len(only_theirs)}):")
    for path, category, value, line, message in sorted(only_theirs):
        print(f"  {os.path.relpath(path, root)}:{line}: {category}: {message[:160]}")
    print(f"\nonly cicdlint ({len(only_ours)}):")
    for path, category, value, line, message in sorted(only_ours):
        print(f"  {os.path.relpath(path, root)}:{line}: {category}: {message[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
