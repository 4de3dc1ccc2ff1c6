#!/usr/bin/env python3
"""cicdlint against zizmor, audit by audit, on a tree of workflows.

    python benchmarks/zizmor_comparison.py [--zizmor PATH] [--corpus DIR]

Runs `zizmor --offline --persona auditor --format json` (every finding, each tagged with the
persona that shows it) and `cicdlint check --format json` over the same tree, maps each zizmor
audit to its cicdlint counterpart and pairs the findings of each file in passes:

1. same line and same anchored text (a `${{ }}` expression, a `uses:` value...);
2. same job/step and same anchored text (zizmor places every repeat of an expression in a
   `run:` block on the line of the first one; cicdlint places each on its own line);
3. nearest line within LINE_SLACK lines (the tools anchor some findings on a key and others
   on its value); for audits reported once per job or step (SAME_UNIT), the same job or step;
4. for audits whose tools report the same problem at a different granularity (GROUPS), a
   cicdlint finding covers the zizmor findings that are part of it, e.g. one "no
   `permissions:` in this workflow" at `on:` covers zizmor's per-job "default permissions
   used" findings; and in any audit, zizmor reports a step again at each YAML alias (`- *checkout`)
   where cicdlint reports the anchored step once. These are counted apart (column "grouped") so
   the difference stays visible.

The comparison uses zizmor's default (`regular`) persona, except for audits zizmor only reports
in its `auditor` persona (AUDITOR_ONLY). cicdlint findings left over are then matched against
zizmor's `auditor`/`pedantic`-only findings, to tell "zizmor does not see it" from "zizmor
sees it but hides it by default", and classified when zizmor cannot report them at all
(OUT_OF_SCOPE of the audit, a file zizmor rejects, a `# zizmor: ignore[...]` comment, a job with
`if: false`, which zizmor skips).

Rewrites the generated part of benchmarks/zizmor-comparison.md (between the `generated`
markers); the hand-written reasons around it are kept.
"""
from __future__ import annotations

import argparse
import bisect
import dataclasses
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from generated_section import write_generated

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
    "secrets-outside-env": "secret-outside-environment",
    "known-vulnerable-actions": "known-vulnerable-action",  # zizmor: online only
    # secrules2's audits (the pedantic ones are opt-in rules; `--select` enables them here).
    "github-app": "github-app-token",
    "concurrency-limits": "concurrency-limits",
    "anonymous-definition": "anonymous-definition",
    "undocumented-permissions": "undocumented-permissions",
    "unsound-contains": "unsound-contains",
    "unsound-ternary": "unsound-ternary",
    "unredacted-secrets": "unredacted-secrets",
    "dependabot-execution": "dependabot-execution",
    "dependabot-cooldown": "dependabot-cooldown",
}
# zizmor reports these once per block with a primary location per item (each permission);
# cicdlint reports each item: compare one zizmor hit per primary location.
SPLIT_PRIMARIES = {"undocumented-permissions"}
# Audits reported once per job or step on both sides, on different keys of it.
SAME_UNIT = {
    # zizmor: the job's `uses:`; cicdlint: its `secrets: inherit`.
    "secrets-inherit": lambda z, c: bool(z.container[:2]) and c.container[:2] == z.container[:2],
    # zizmor: the publish command; cicdlint: the token in the step's (or the workflow's) `env:`.
    "use-trusted-publishing": lambda z, c: z.container[: len(c.container)] == c.container,
}
RULE_LABELS = {}


def row_of(hit: "Hit") -> str:
    """The zizmor audit a cicdlint finding is compared with (`uses: docker://...` steps are in
    `unpinned-images` on both sides)."""
    return next((audit for audit, rule in COUNTERPARTS.items() if rule == hit.audit), hit.audit)


# zizmor reports these audits only with `--persona auditor` (or `--pedantic`, for the opt-in
# pedantic rules): compare against every persona.
AUDITOR_ONLY = {"secrets-outside-env", "self-hosted-runner", "anonymous-definition", "undocumented-permissions"}


def _permissions_key(hit: "Hit") -> str | None:
    text = hit.message
    if hit.tool == "zizmor":
        if text.startswith("default permissions used"):
            return "default"
        scope = re.match(r"([\w-]+): write is overly broad at the workflow level", text)
        return f"write:{scope.group(1)}" if scope else None
    if text.startswith(("Add a top-level `permissions:`", "Add `permissions:` to job")):
        return "default"
    scope = re.match(r"Move `([\w-]+): write` from the workflow", text)
    if scope:
        return f"write:{scope.group(1)}"
    if text.startswith(("Remove `id-token: write`:", "Grant `id-token: write` only")):
        return "write:id-token"
    return None


def _permissions_covers(z: "Hit", c: "Hit") -> bool:
    """excessive-permissions: zizmor reports a workflow without `permissions:` once for the
    workflow and once per job; cicdlint reports it once per workflow (at `on:`), or once per job
    without `permissions:` when other jobs declare theirs."""
    key = _permissions_key(z)
    return key is not None and key == _permissions_key(c)


def _expression_covers(z: "Hit", c: "Hit") -> bool:
    """template-injection: zizmor reports each context of an expression (`github.ref_name` and
    `github.ref` in `${{ github.ref_name || github.ref }}`); cicdlint reports the expression."""
    return z.line == c.line and len(z.text) >= 3 and z.text in c.text and z.text != c.text


def _job_covers(z: "Hit", c: "Hit") -> bool:
    """secrets-outside-env: zizmor reports every `secrets.X` expression of a job that has no
    environment; cicdlint reports the job once, at its first secret, and names them all."""
    return len(z.container) >= 2 and z.container[:2] == c.container[:2]


def _alias_covers(z: "Hit", c: "Hit") -> bool:
    """Any audit: zizmor reports a node again at each YAML alias (`- *checkout`); cicdlint reports
    it once, at the anchored node (`- &checkout`)."""
    return z.text.startswith("*") and any(abs(line - c.line) <= LINE_SLACK for line in z.lines[1:])


def _trigger_covers(z: "Hit", c: "Hit") -> bool:
    """dangerous-triggers: zizmor reports the trigger; when the workflow does run the pull
    request's code, cicdlint reports the step that does it (an error naming the trigger)."""
    return bool(z.text) and f"this {z.text} workflow" in c.message


def _same_node_covers(z: "Hit", c: "Hit") -> bool:
    """unpinned-images: zizmor reports `image: ${{ matrix.image }}` once per matrix value;
    cicdlint reports it once and names the unpinned values."""
    return z.line == c.line


# audit -> covers(zizmor hit, cicdlint hit): the cicdlint finding reports the zizmor finding's
# problem as part of a larger unit.
GROUPS = {
    "excessive-permissions": _permissions_covers,
    "template-injection": _expression_covers,
    "secrets-outside-env": _job_covers,
    "unpinned-images": _same_node_covers,
    "dangerous-triggers": _trigger_covers,
}


@dataclass
class Hit:
    tool: str
    audit: str  # zizmor audit or cicdlint rule
    path: str  # relative to the corpus
    line: int
    end_line: int
    text: str = ""  # the anchored text, white space squeezed
    message: str = ""  # zizmor's annotation or cicdlint's message
    persona: str = "regular"
    level: str = ""  # zizmor severity/confidence, cicdlint severity/confidence
    lines: tuple = ()  # every primary line (zizmor findings may have several)
    container: tuple = ()  # ('jobs', id, 'steps', i) / ('runs', 'steps', i) / ...


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Files:
    """Text, line offsets and job/step extents of the corpus files, loaded once."""

    def __init__(self, corpus: Path):
        self.corpus = corpus
        self._cache: dict[str, tuple] = {}

    def get(self, path: str):
        if path not in self._cache:
            self._cache[path] = self._load(path)
        return self._cache[path]

    def _load(self, path: str):
        try:
            data = (self.corpus / path).read_bytes()
        except OSError:
            return b"", "", [0], []
        text = data.decode("utf-8", "replace").lstrip("\ufeff")
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        return data, text, starts, _extents(text)

    def container(self, path: str, line: int) -> tuple:
        """The innermost job or step whose lines hold `line`."""
        best = ()
        for start, end, route in self.get(path)[3]:
            if start <= line <= end and len(route) > len(best):
                best = route
        return best

    def text_at(self, path: str, line: int, col: int, end_line: int, end_col: int) -> str:
        """Text between 1-based line/column points (columns in code points, end exclusive)."""
        _, text, starts, _ = self.get(path)
        if not 1 <= line <= len(starts) or not 1 <= end_line <= len(starts):
            return ""
        return text[starts[line - 1] + col - 1 : starts[end_line - 1] + end_col - 1]

    def zizmor_ignores(self, path: str) -> dict[int, str]:
        """Lines with a `# zizmor: ignore[...]` comment, and what they ignore."""
        _, text, _, _ = self.get(path)
        return {
            number: match.group(1)
            for number, line in enumerate(text.split("\n"), 1)
            for match in [re.search(r"#\s*zizmor:\s*ignore\[([^\]]*)\]", line)]
            if match
        }

    def extent(self, path: str, route: tuple) -> tuple[int, int] | None:
        return next(((start, end) for start, end, r in self.get(path)[3] if r == route), None)

    def disabled(self, path: str, route: tuple) -> bool:
        """Is the job of `route` switched off with `if: false`?"""
        return bool(route[:2]) and route[:2] + ("if: false",) in {r for _, _, r in self.get(path)[3]}

    def anchor_lines(self, path: str, name: str) -> tuple[int, ...]:
        _, text, starts, _ = self.get(path)
        return tuple(bisect.bisect_right(starts, m.start()) for m in re.finditer(rf"&{re.escape(name)}\b", text))

    def bytes_at(self, path: str, start: int, end: int) -> str:
        return self.get(path)[0][start:end].decode("utf-8", "replace")


def _extents(text: str) -> list[tuple[int, int, tuple]]:
    """(first line, last line, route) of each job and step of a workflow or composite action."""
    try:
        from cicdlint.yamlpos import Map, Seq, compose
    except ImportError:
        return []
    try:
        root = compose(text).root
    except Exception:
        return []
    if not isinstance(root, Map):
        return []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def lines(node, key=None) -> tuple[int, int]:
        first = key.start if key is not None else node.start
        last = node.end - 1
        while last > first and text[last] in " \t\r\n":  # a block ends where the next key starts
            last -= 1
        return bisect.bisect_right(starts, first), bisect.bisect_right(starts, last)

    out = []

    def steps(seq, route):
        if isinstance(seq, Seq):
            for index, step in enumerate(seq):
                out.append((*lines(step), route + ("steps", index)))

    jobs = root.get("jobs")
    if isinstance(jobs, Map):
        for key, job in jobs.pairs:
            out.append((*lines(job, key), ("jobs", key.value)))
            condition = job.get("if") if isinstance(job, Map) else None
            if getattr(condition, "value", None) in (False, "false", "${{ false }}"):
                out.append((0, 0, ("jobs", key.value, "if: false")))
            if isinstance(job, Map):
                steps(job.get("steps"), ("jobs", key.value))
    runs = root.get("runs")
    if isinstance(runs, Map):
        steps(runs.get("steps"), ("runs",))
    return out


def run_zizmor(zizmor: str, corpus: Path, files: Files, saved: Path | None = None) -> tuple[list[Hit], set[str]]:
    """One hit per zizmor finding, at its first primary location (all kept in `lines`), and the
    files zizmor rejected (it skips a file that does not match its workflow schema)."""
    if saved is not None:
        log = saved.with_suffix(".err")  # its stderr, when saved next to it
        output, errors = saved.read_text(encoding="utf-8"), log.read_text(encoding="utf-8") if log.exists() else ""
    else:
        run = subprocess.run(
            [zizmor, "--offline", "--no-progress", "--persona", "auditor", "--format", "json", str(corpus)],
            capture_output=True, text=True, check=False,
        )
        output, errors = run.stdout, run.stderr
    rejected = {_relative(m.group(1), corpus) for m in re.finditer(r"failed to validate file://(\S+) as", errors)}
    found = []
    for finding in json.loads(output or "[]"):
        primaries = [loc for loc in finding["locations"] if loc["symbolic"]["kind"] == "Primary"]
        if not primaries:
            continue
        first = primaries[0]
        path = _relative(first["symbolic"]["key"]["Local"]["verbatim_path"], corpus)
        concrete = first["concrete"]["location"]
        line = concrete["start_point"]["row"] + 1
        span = concrete.get("offset_span") or {}
        determinations = finding["determinations"]
        text = _squeeze(files.bytes_at(path, span.get("start", 0), span.get("end", 0)))
        lines = tuple(loc["concrete"]["location"]["start_point"]["row"] + 1 for loc in primaries)
        if re.fullmatch(r"\*[\w-]+", text):  # a YAML alias: cicdlint reports the anchored node
            lines += files.anchor_lines(path, text[1:])
        hit = Hit(
            tool="zizmor",
            audit=finding["ident"],
            path=path,
            line=line,
            end_line=concrete["end_point"]["row"] + 1,
            text=text,
            message=first["symbolic"].get("annotation") or "",
            persona=determinations["persona"].lower(),
            level=f"{determinations['severity'].lower()}/{determinations['confidence'].lower()}",
            lines=lines,
            container=files.container(path, line),
        )
        if finding["ident"] in SPLIT_PRIMARIES:
            for loc in primaries:
                where = loc["concrete"]["location"]
                row = where["start_point"]["row"] + 1
                part = loc["concrete"].get("offset_span") or {}
                found.append(dataclasses.replace(
                    hit, line=row, end_line=where["end_point"]["row"] + 1, lines=(row,),
                    text=_squeeze(files.bytes_at(path, part.get("start", 0), part.get("end", 0))),
                    container=files.container(path, row),
                ))
            continue
        found.append(hit)
    return found, rejected


def run_cicdlint(corpus: Path, files: Files) -> list[Hit]:
    command = shutil.which("cicdlint") or str(Path(sys.executable).with_name("cicdlint"))
    result = subprocess.run(
        [command, "check", str(corpus), "--no-config", "--exit-zero", "--format", "json",
         "--select", ",".join(COUNTERPARTS.values())],
        capture_output=True, text=True, check=False,
    )
    found = []
    for f in json.loads(result.stdout)["findings"]:
        path = _relative(f["path"], corpus)
        found.append(Hit(
            tool="cicdlint",
            audit=f["rule"],
            path=path,
            line=f["line"],
            end_line=f["end_line"],
            text=_squeeze(files.text_at(path, f["line"], f["column"], f["end_line"], f["end_column"])),
            message=f["message"],
            level=f"{f['severity']}/{f['confidence']}",
            lines=(f["line"],),
            container=files.container(path, f["line"]),
        ))
    return found


def _relative(path: str, corpus: Path) -> str:
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(corpus.resolve()).as_posix()
    except ValueError:
        return path


def _same_text(a: Hit, b: Hit) -> bool:
    """One anchored text holds the other (zizmor anchors `${{ x }}` or `x`, cicdlint may too)."""
    if not a.text or not b.text:
        return False
    short, long = sorted((a.text, b.text), key=len)
    return len(short) >= 3 and short in long


@dataclass
class Match:
    both: list = field(default_factory=list)  # (zizmor hit, cicdlint hit)
    grouped: list = field(default_factory=list)  # (zizmor hits, cicdlint hits) of one group
    only_theirs: list = field(default_factory=list)
    only_ours: list = field(default_factory=list)


def match(theirs: list[Hit], ours: list[Hit], group=None, same_unit=None) -> Match:
    """Pair the findings of each file (see the module docstring for the passes)."""
    result = Match()
    by_path_ours = defaultdict(list)
    for hit in ours:
        by_path_ours[hit.path].append(hit)
    by_path_theirs = defaultdict(list)
    for hit in theirs:
        by_path_theirs[hit.path].append(hit)
    for path in sorted(set(by_path_ours) | set(by_path_theirs)):
        left = sorted(by_path_theirs.get(path, []), key=lambda h: h.line)
        right = sorted(by_path_ours.get(path, []), key=lambda h: h.line)
        passes = (
            lambda z, c: c.line in z.lines and _same_text(z, c),
            lambda z, c: z.container == c.container and _same_text(z, c),
        )
        for accept in passes:
            for z in list(left):
                partner = next((c for c in right if accept(z, c)), None)
                if partner is not None:
                    left.remove(z)
                    right.remove(partner)
                    result.both.append((z, partner))
        for z in list(left):
            distance = lambda c: min(abs(c.line - line) for line in z.lines)  # noqa: E731
            partner = min(right, key=distance, default=None)
            if partner is not None and distance(partner) <= LINE_SLACK:
                left.remove(z)
                right.remove(partner)
                result.both.append((z, partner))
        if same_unit is not None:  # one finding per job or step, anchored on different keys of it
            for z in list(left):
                partner = next((c for c in right if same_unit(z, c)), None)
                if partner is not None:
                    left.remove(z)
                    right.remove(partner)
                    result.both.append((z, partner))
        # A cicdlint finding already paired one to one may also cover others.
        candidates = right + [c for _, c in result.both if c.path == path]
        covered = defaultdict(list)
        for z in list(left):
            cover = next((c for c in candidates if (group and group(z, c)) or _alias_covers(z, c)), None)
            if cover is not None:
                left.remove(z)
                covered[id(cover)].append((z, cover))
        for pairs in covered.values():
            cover = pairs[0][1]
            if cover in right:
                right.remove(cover)
            result.grouped.append(([z for z, _ in pairs], [cover]))
        result.only_theirs += left
        result.only_ours += right
    return result


def _credentials_scope(hit: Hit, files: "Files") -> str | None:
    # zizmor checks only the `credentials.password` of job containers and services.
    if "`credentials`" not in hit.message:
        return "outside the audit (a literal secret in `env:` or `with:`, not a registry password)"
    return None


def _environment_scope(hit: Hit, files: "Files") -> str | None:
    if "workflow `env:`" in hit.message:
        return "outside the audit (a secret in the workflow-level `env:`)"
    if "called workflow" in hit.message:
        return "outside the audit (a secret passed to a reusable workflow)"
    if re.search(r"^\s*workflow_call\s*:|^on:.*\bworkflow_call\b", files.get(hit.path)[1], re.M):
        return "outside the audit (zizmor skips workflows with a `workflow_call` trigger)"
    return None


# audit -> why(cicdlint hit, files): a label when the finding is outside what the zizmor audit
# looks at.
OUT_OF_SCOPE = {
    "hardcoded-container-credentials": _credentials_scope,
    "secrets-outside-env": _environment_scope,
}


def zizmor_side(hit: Hit, audit: str, files: Files, rejected: set[str]) -> str | None:
    """Why zizmor cannot report a cicdlint finding, when the reason is on zizmor's side."""
    scope = OUT_OF_SCOPE.get(audit)
    label = scope(hit, files) if scope is not None else None
    if label:
        return label
    if hit.path in rejected:
        return "file zizmor rejects"
    ignores = files.zizmor_ignores(hit.path)
    extent = files.extent(hit.path, hit.container) if hit.container else None
    # A workflow-level finding: zizmor's span can be the whole `on:` block, so any line counts.
    first, last = extent if extent else (1, len(files.get(hit.path)[2]))
    if any(first <= line <= last and audit in what for line, what in ignores.items()):
        return "`# zizmor: ignore` comment"
    if files.disabled(hit.path, hit.container):
        return "job with `if: false`"
    return None


def _levels(hits: list[Hit]) -> str:
    counts = Counter(hit.level for hit in hits)
    return ", ".join(f"{level} {n}" for level, n in counts.most_common())


def report(zizmor_findings: list[Hit], cicdlint_findings: list[Hit], corpus: Path, files: Files,
           rejected: set[str]) -> str:
    by_audit = defaultdict(list)
    for hit in zizmor_findings:
        by_audit[hit.audit].append(hit)
    by_row = defaultdict(list)  # zizmor audit -> the cicdlint findings compared with it
    for hit in cicdlint_findings:
        by_row[row_of(hit)].append(hit)
    rows = [
        "| zizmor audit | cicdlint rule | zizmor persona | both | grouped (zizmor → cicdlint) | only zizmor "
        "| only cicdlint | of which zizmor reports as auditor/pedantic | of which zizmor cannot report |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    levels, samples, grouping, skipped = [], [], [], []
    rng = random.Random(0)
    default_total = 0
    for audit, rule in COUNTERPARTS.items():
        persona = "auditor" if audit in AUDITOR_ONLY else "regular"
        compared = [h for h in by_audit.get(audit, []) if audit in AUDITOR_ONLY or h.persona == "regular"]
        hidden = [h for h in by_audit.get(audit, []) if h not in compared]
        default_total += len(compared)
        result = match(compared, by_row.get(audit, []), GROUPS.get(audit), SAME_UNIT.get(audit))
        seen_hidden = match(hidden, result.only_ours, GROUPS.get(audit), SAME_UNIT.get(audit))
        hidden_count = len(seen_hidden.both) + sum(len({id(c) for c in cs if c in result.only_ours}) for _, cs in seen_hidden.grouped)
        grouped_z = sum(len(zs) for zs, _ in result.grouped)
        grouped_c = len({id(c) for _, cs in result.grouped for c in cs})
        grouped = f"{grouped_z} → {grouped_c}" if result.grouped else "–"
        reasons = {id(h): zizmor_side(h, audit, files, rejected) for h in result.only_ours}
        why = Counter(reason for reason in reasons.values() if reason)
        rows.append(
            f"| `{audit}` | {RULE_LABELS.get(audit, f'`{rule}`')} | {persona} | {len(result.both)} | {grouped} | {len(result.only_theirs)} "
            f"| {len(result.only_ours)} | {hidden_count if result.only_ours else '–'} "
            f"| {sum(why.values()) if result.only_ours else '–'} |"
        )
        if why:
            skipped.append(f"- `{audit}`: " + ", ".join(f"{reason} {n}" for reason, n in why.most_common()))
        if result.grouped:
            grouping.append(
                f"- `{audit}`: {grouped_z} zizmor findings covered by {grouped_c} cicdlint "
                f"finding{'s' if grouped_c != 1 else ''}."
            )
        if result.only_theirs or result.only_ours:
            levels.append(
                f"- `{audit}`: only zizmor ({len(result.only_theirs)}): {_levels(result.only_theirs) or '–'}; "
                f"only cicdlint ({len(result.only_ours)}): {_levels(result.only_ours) or '–'}"
            )
        unexplained = [h for h in result.only_ours if not reasons[id(h)]]
        for label, items in (("only zizmor", result.only_theirs), ("only cicdlint", unexplained)):
            if items:
                picked = sorted(rng.sample(items, min(SAMPLES, len(items))), key=lambda h: (h.path, h.line))
                samples.append(
                    f"- `{audit}` / {RULE_LABELS.get(audit, f'`{rule}`')}, {label}: "
                    + ", ".join(f"`{h.path}:{h.line}`" for h in picked)
                )
    others = sorted(a for a in by_audit if a not in COUNTERPARTS)
    other_counts = [
        f"`{a}` ({sum(1 for h in by_audit[a] if h.persona == 'regular')}"
        f"{'' if all(h.persona == 'regular' for h in by_audit[a]) else ' + ' + str(sum(1 for h in by_audit[a] if h.persona != 'regular')) + ' auditor/pedantic'})"
        for a in others
    ]
    files_with = {h.path for h in zizmor_findings} | {h.path for h in cicdlint_findings}
    lines = [
        f"Corpus: `{corpus.name}/` ({len(files_with)} files with findings). zizmor: {default_total} findings of counterpart "
        f"audits compared ({len(zizmor_findings)} findings of all audits and personas); cicdlint (counterpart rules): "
        f"{len(cicdlint_findings)}.",
        "",
        *rows,
        "",
        "Columns: *both* counts zizmor findings paired one to one with a cicdlint finding; *grouped* counts zizmor "
        "findings covered by a cicdlint finding that reports the same problem once for a larger unit (a workflow, a job); "
        "*of which zizmor reports as auditor/pedantic* counts the *only cicdlint* findings that zizmor reports too, but only "
        "with `--persona auditor` or `--pedantic`; *of which zizmor cannot report* counts those outside what the zizmor "
        "audit looks at, in a file that fails zizmor's schema check, under a `# zizmor: ignore[...]` comment, or in a "
        "job with `if: false` (zizmor skips disabled jobs; cicdlint checks them, the code is still there).",
        "",
        "Only-cicdlint findings that zizmor cannot report:",
        "",
        *(skipped or ["- none"]),
        "",
        "Granularity differences (grouped):",
        "",
        *(grouping or ["- none"]),
        "",
        "Disagreements by zizmor severity/confidence and by cicdlint severity/confidence:",
        "",
        *levels,
        "",
        "zizmor audits with no counterpart here (regular persona): " + (", ".join(other_counts) or "none") + ".",
        "",
        "Samples of the disagreements (random, seeded, read for the reasons below; only-cicdlint samples leave out "
        "the findings zizmor cannot report):",
        "",
        *samples,
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zizmor", default=os.environ.get("ZIZMOR") or shutil.which("zizmor") or "zizmor")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--zizmor-output", type=Path, help="read this saved output of "
                        "`zizmor --offline --persona auditor --format json CORPUS` (and its stderr from the same "
                        "name with the suffix .err, if there) instead of running zizmor")
    args = parser.parse_args()
    files = Files(args.corpus)
    zizmor_findings, rejected = run_zizmor(args.zizmor, args.corpus, files, args.zizmor_output)
    generated = report(zizmor_findings, run_cicdlint(args.corpus, files), args.corpus, files, rejected)
    write_generated(REPORT, generated)
    print(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
