"""Scaling: does linting cost grow linearly with the input? Generated workflows and task
definitions at 1x, 10x and 100x of a size (jobs in a workflow, steps in a job, files in a tree,
bytes of a file), linted in one process with every rule; the report gives the time per unit at
each scale. A flat column is linear; a column that grows tenfold per step is quadratic.

    python benchmarks/scaling.py            # prints the table
    python benchmarks/scaling.py --update   # also rewrites the figures in README.md
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

JOB = """\
  job{i}:
    runs-on: ubuntu-latest
    needs: [job{prev}]
    if: github.event_name == 'push'
    environment: production
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{{{ github.event.head_commit.message }}}}" && curl -s https://example.com | sh
"""
STEP = """\
      - name: step {i}
        id: s{i}
        run: |
          echo "building {i}" >> "$GITHUB_OUTPUT"
          docker build -t app:${{{{ github.sha }}}} .
        env:
          TOKEN: ${{{{ secrets.TOKEN }}}}
"""
HEADER = "name: scale\non:\n  push:\n  pull_request_target:\npermissions: write-all\njobs:\n"


def workflow_with_jobs(count: int) -> str:
    return HEADER + "".join(JOB.format(i=i, prev=max(i - 1, 0)) for i in range(count))


def workflow_with_steps(count: int) -> str:
    return HEADER + "  build:\n    runs-on: ubuntu-latest\n    steps:\n" + "".join(STEP.format(i=i) for i in range(count))


def task_definition(containers: int) -> str:
    return json.dumps({
        "family": "api-production",
        "containerDefinitions": [
            {"name": f"c{i}", "image": "nginx:latest", "essential": True, "privileged": True,
             "environment": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}],
             "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost"]}}
            for i in range(containers)
        ],
    }, indent=2)


def _lint(paths: list[str]):
    from cicdlint.config import Settings
    from cicdlint.engine import lint_paths, load_rules

    load_rules()
    settings = Settings(root=os.path.commonpath(paths))
    start = time.perf_counter()
    result = lint_paths(paths, settings, jobs=1)
    return time.perf_counter() - start, result


def _tree(directory: Path, files: int) -> list[str]:
    workflows = directory / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        (workflows / f"w{i}.yml").write_text(workflow_with_jobs(3), encoding="utf-8")
    return [str(directory)]


CASES = [
    ("jobs in one workflow", "job", (150, 1_500, 15_000), lambda d, n: _file(d, "w.yml", workflow_with_jobs(n))),
    ("steps in one job", "step", (150, 1_500, 15_000), lambda d, n: _file(d, "w.yml", workflow_with_steps(n))),
    ("files in a tree", "file", (20, 200, 2_000), _tree),
    ("containers in a task definition", "container", (50, 500, 5_000), lambda d, n: _file(d, "td.json", task_definition(n), ecs=True)),
]


def _file(directory: Path, name: str, text: str, ecs: bool = False) -> list[str]:
    path = (directory / name) if ecs else (directory / ".github" / "workflows" / name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return [str(path)]


def measure() -> list[dict]:
    rows = []
    for title, unit, scales, make in CASES:
        row = {"case": title, "unit": unit, "points": []}
        for scale in scales:
            with tempfile.TemporaryDirectory() as directory:
                paths = make(Path(directory), scale)
                size = sum(p.stat().st_size for path in paths for p in ([Path(path)] if Path(path).is_file() else Path(path).rglob("*.yml")))
                seconds, result = _lint(paths)
            row["points"].append({"scale": scale, "seconds": seconds, "bytes": size, "findings": len(result.findings),
                                  "complex": sum(f.rule_id == "too-complex" for f in result.findings)})
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| input | 1x | 10x | 100x | µs per unit (1x → 10x → 100x) | 100x / 1x per unit |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        points = row["points"]
        cells = [f"{p['scale']:,} {row['unit']}s, {p['bytes'] / 1e6:.2f} MB: {p['seconds']:.2f} s" for p in points]
        per_unit = [p["seconds"] / p["scale"] * 1e6 for p in points]
        growth = per_unit[-1] / per_unit[0]
        lines.append(
            f"| {row['case']} | {cells[0]} | {cells[1]} | {cells[2]} | "
            + " → ".join(f"{value:,.0f}" for value in per_unit)
            + f" | {growth:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite the scaling figures in README.md")
    arguments = parser.parse_args()
    rows = measure()
    text = table(rows)
    print(text)
    if arguments.update:
        from generated_section import replace_section

        replace_section(ROOT / "README.md", "scaling", text)


if __name__ == "__main__":
    main()
