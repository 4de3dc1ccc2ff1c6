#!/usr/bin/env python3
"""cicdlint against zizmor, audit by audit, on a tree of workflows.

    python benchmarks/zizmor_comparison.py [--zizmor PATH] [--corpus DIR]

Runs `zizmor --offline --format json` and `cicdlint check --format json` over the same tree, maps
each zizmor audit to its cicdlint counterpart, and matches findings by file and line (a finding
within LINE_SLACK lines of the other tool's, in the same file, counts as the same one: the tools
anchor some findings on a key and others on its value). Rewrites the generated part of
benchmarks/zizmor-comparison.md (between the `generated` markers); the hand-written reasons
around it are kept.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORT = HERE / "zizmor-comparison.md"
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "workflows"
LINE_SLACK = 3
SAMPLES = 5

COUNTERPARTS = {
    "template-injection": "template-injection",
    "dangerous-triggers": "dangerous-trigger",
    "excessive-permissions": "excessive-permissions",
    "artipacked": "checkout-persist-credentials",
    "unpinned-uses": "unpinned-action",
    "unpinned-images": "unpinned-container-image",
    "insecure-commands": "insecure-commands",
    "github-env": "github-env-injection",
    "secrets-inherit": "secrets-inherit",
    "overprovisioned-secrets": "overprovisioned-secrets",
    "self-hosted-runner": "self-hosted-runner-on-pr",
    "unsound-condition": "unsound-condition",
    "bot-conditions": "spoofable-bot-condition",
    "use-trusted-publishing": "use-trusted-publishing",
    "hardcoded-container-credentials": "hardcoded-credential",
    "secrets-outside-env": "secret-outside-environment",  # zizmor reports it only with --persona auditor
}


def run_zizmor(zizmor: str, corpus: Path) -> list[tuple[str, str, int]]:
    """(audit, path relative to the corpus, line) for every zizmor finding's primary location."""
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "json", str(corpus)],
        capture_output=True, text=True, check=False,
    )
    found = []
    for finding in json.loads(result.stdout or "[]"):
        for location in finding["locations"]:
            if location["symbolic"]["kind"] != "Primary":
                continue
            path = location["symbolic"]["key"]["Local"]["verbatim_path"]
            line = location["concrete"]["location"]["start_point"]["row"] + 1
            found.append((finding["ident"], _relative(path, corpus), line))
    return found


def run_cicdlint(corpus: Path) -> list[tuple[str, str, int]]:
    command = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    result = subprocess.run(
        [command, "check", str(corpus), "--no-config", "--exit-zero", "--format", "json",
         "--select", ",".join(COUNTERPARTS.values())],
        capture_output=True, text=True, check=False,
    )
    return [(f["rule"], _relative(f["path"], corpus), f["line"]) for f in json.loads(result.stdout)["findings"]]


def _relative(path: str, corpus: Path) -> str:
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return path


def match(theirs: list[tuple[str, int]], ours: list[tuple[str, int]]):
    """Pair findings in the same file within LINE_SLACK lines, nearest first."""
    unmatched_ours = defaultdict(list)
    for path, line in ours:
        unmatched_ours[path].append(line)
    both, only_theirs = [], []
    for path, line in sorted(theirs):
        candidates = unmatched_ours.get(path, [])
        best = min(candidates, key=lambda ours_line: abs(ours_line - line), default=None)
        if best is not None and abs(best - line) <= LINE_SLACK:
            candidates.remove(best)
            both.append((path, line))
        else:
            only_theirs.append((path, line))
    only_ours = [(path, line) for path, lines in unmatched_ours.items() for line in lines]
    return both, only_theirs, sorted(only_ours)


def report(zizmor_findings, cicdlint_findings, corpus: Path) -> str:
    by_audit = defaultdict(list)
    for audit, path, line in zizmor_findings:
        by_audit[audit].append((path, line))
    by_rule = defaultdict(list)
    for rule, path, line in cicdlint_findings:
        by_rule[rule].append((path, line))
    rows = ["| zizmor audit | cicdlint rule | both | only zizmor | only cicdlint |", "| --- | --- | ---: | ---: | ---: |"]
    samples = []
    rng = random.Random(0)
    for audit, rule in COUNTERPARTS.items():
        both, only_theirs, only_ours = match(by_audit.get(audit, []), by_rule.get(rule, []))
        rows.append(f"| `{audit}` | `{rule}` | {len(both)} | {len(only_theirs)} | {len(only_ours)} |")
        for label, items in (("only zizmor", only_theirs), ("only cicdlint", only_ours)):
            if items:
                picked = sorted(rng.sample(items, min(SAMPLES, len(items))))
                samples.append(f"- `{audit}` / `{rule}`, {label}: " + ", ".join(f"`{p}:{n}`" for p, n in picked))
    others = sorted(set(by_audit) - set(COUNTERPARTS))
    lines = [
        f"Corpus: `{corpus.name}/` ({len({p for _, p, _ in zizmor_findings} | {p for _, p, _ in cicdlint_findings})} files with findings). "
        f"zizmor: {len(zizmor_findings)} findings in all; cicdlint (counterpart rules): {len(cicdlint_findings)}.",
        "",
        *rows,
        "",
        "zizmor audits with no counterpart here: " + (", ".join(f"`{a}` ({len(by_audit[a])})" for a in others) or "none") + ".",
        "",
        "Samples of the disagreements (random, seeded, read for the reasons below):",
        "",
        *samples,
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zizmor", default=os.environ.get("ZIZMOR") or shutil.which("zizmor") or "zizmor")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    generated = report(run_zizmor(args.zizmor, args.corpus), run_cicdlint(args.corpus), args.corpus)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "<!-- generated:start -->\n<!-- generated:end -->\n"
    text = re.sub(
        r"(<!-- generated:start -->\n).*?(<!-- generated:end -->)",
        lambda m: m.group(1) + generated + m.group(2),
        text,
        flags=re.S,
    )
    REPORT.write_text(text, encoding="utf-8")
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
