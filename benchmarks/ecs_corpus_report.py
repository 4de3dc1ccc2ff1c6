#!/usr/bin/env python3
"""Findings of the deploy-config rules over the real-world corpus.

    python benchmarks/ecs_corpus_report.py [--corpus DIR]

Lints `DIR/ecs` (task definitions and services) and `DIR/workflows` (for the deploy-practice
and cross-file rules) and rewrites the generated part of benchmarks/ecs-corpus-report.md: the
number of findings per rule and three examples of each (the first three in path order, so a
rerun shows the same ones). The hand-written notes around it (what the examples showed, the false
positives fixed and those left) are kept.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from generated_section import write_generated

HERE = Path(__file__).resolve().parent
REPORT = HERE / "ecs-corpus-report.md"
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
WORKFLOW_RULES = (
    "deploy-without-tests", "deploy-without-environment", "deploy-without-concurrency", "ecs-deploy-no-wait",
    "scan-not-enforced", "gate-continue-on-error", "deploy-from-pull-request", "missing-job-timeout",
    "unknown-container-name", "missing-task-definition", "min-healthy-percent-below-100",
)
EXAMPLES = 3
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`'\"])")


def deploy_config_rules() -> list[str]:
    from cicdlint.engine import load_rules

    return sorted(
        rule_id for rule_id, rule in load_rules().items()
        if rule.check is not None and ({"taskdef", "service"} & set(rule.kinds) or rule_id in WORKFLOW_RULES)
    )


def lint(target: Path, rules: list[str]) -> list[dict]:
    command = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    result = subprocess.run(
        [command, "check", str(target), "--no-config", "--exit-zero", "--format", "json",
         "--select", ",".join([*rules, "parse-error"])],
        capture_output=True, text=True, check=False, cwd=target.parent,
    )
    if result.returncode != 0:
        raise SystemExit(f"cicdlint failed on {target}: {result.stderr.strip()}")
    return json.loads(result.stdout)["findings"]


def report(findings: list[dict], rules: list[str], corpus: Path) -> str:
    by_rule = defaultdict(list)
    for finding in findings:
        by_rule[finding["rule"]].append(finding)
    crashes = len(by_rule.pop("internal-error", []))
    parse_errors = by_rule.pop("parse-error", [])
    lines = [
        f"Corpus: `{corpus.name}/ecs` and `{corpus.name}/workflows`. {len(findings)} findings of the "
        f"{len(rules)} deploy-config rules; internal errors: {crashes}; files that do not parse: {len(parse_errors)}.",
        "",
        "| rule | findings | errors | warnings | notes |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for rule_id in rules:
        found = by_rule.get(rule_id, [])
        counts = {level: sum(f["severity"] == level for f in found) for level in ("error", "warning", "note")}
        lines.append(f"| `{rule_id}` | {len(found)} | {counts['error']} | {counts['warning']} | {counts['note']} |")
    lines += ["", "### Examples (the first three of each rule, in path order)", ""]
    for rule_id in rules:
        found = sorted(by_rule.get(rule_id, []), key=lambda f: (f["path"], f["line"]))
        if not found:
            continue
        lines.append(f"- `{rule_id}`:")
        for finding in found[:EXAMPLES]:
            message = _FIRST_SENTENCE.split(finding["message"], 1)[0].rstrip(".")
            lines.append(f"  - `{finding['path']}:{finding['line']}` ({finding['severity']}): {message}.")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    rules = deploy_config_rules()
    findings = lint(corpus / "ecs", rules) + lint(corpus / "workflows", [r for r in rules if r in WORKFLOW_RULES])
    generated = report(findings, rules, corpus)
    write_generated(REPORT, generated)
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
