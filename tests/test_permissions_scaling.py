"""excessive-permissions is linear in the number of jobs (issue 7: a list membership test inside
a loop over jobs made 20,000 trivial jobs take 12 s).

Two checks that do not depend on the machine's speed: the number of job comparisons the rule
makes (a `job in some_list` compares the job with every element), and how the rule's time grows
from 2,000 to 20,000 jobs (10x for linear work, 100x for quadratic; the bound is 20x)."""
from __future__ import annotations

import time

from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from cicdlint.model import Job

load_rules()


def _workflow(path, jobs: int, permissions: str = "contents: read") -> None:
    lines = ["name: Many", "on: push", "permissions:", f"  {permissions}", "jobs:"]
    for index in range(jobs):
        lines.append(f"  job{index}:")
        lines.append("    runs-on: ubuntu-latest")
        if index % 2:
            lines.append("    permissions: read-all" if index % 4 == 1 else "    permissions:\n      contents: write")
        lines.append("    steps:\n      - run: echo hi")
    path.write_text("\n".join(lines) + "\n")


def _run(path):
    settings = Settings(select=["excessive-permissions"], root=path.parent)
    findings, _, _ = lint_file(path, path.name, True, settings)
    return findings


def test_linear_in_jobs(tmp_path, monkeypatch):
    comparisons = 0

    def counting_eq(self, other):
        nonlocal comparisons
        comparisons += 1
        return self is other

    monkeypatch.setattr(Job, "__eq__", counting_eq)
    monkeypatch.setattr(Job, "__hash__", object.__hash__)
    small, large = tmp_path / "small.yml", tmp_path / "large.yml"
    _workflow(small, 2_000)
    _workflow(large, 20_000)

    def timed(path):
        start = time.perf_counter()
        findings = _run(path)
        return time.perf_counter() - start, findings

    _run(small)  # warm up (imports, lazily compiled patterns)
    small_time = min(timed(small)[0] for _ in range(3))
    comparisons = 0
    large_time, findings = timed(large)
    assert len([f for f in findings if "read-all" in f.message]) == 5_000
    assert comparisons <= 20_000, f"{comparisons} job comparisons for 20,000 jobs"
    if large_time / small_time >= 20:  # one retry: the machine may have been busy
        large_time = min(large_time, timed(large)[0])
    assert large_time / small_time < 20, f"20,000 jobs took {large_time / small_time:.1f}x the time of 2,000"
