from __future__ import annotations

import re

from cicdlint import lazyre, shell
from cicdlint.model import as_map
from cicdlint.notions import deploys_gated_by, is_deploy_step
from cicdlint.rule import Issue, Location, rule
from cicdlint.yamlpos import Map, Scalar, Seq

# --- what counts as a test, lint or scan ---------------------------------------------------------

_PACKAGE_MANAGERS = {"npm", "yarn", "pnpm", "bun"}
_SCRIPT_NAMES = lazyre.compile(r"(?:test|lint|check|e2e|spec|typecheck|type-check|audit)(?:$|[:_-])", re.I)
_TOOLS = {
    # tests
    "pytest": "test", "py.test": "test", "tox": "test", "nox": "test", "jest": "test", "vitest": "test",
    "mocha": "test", "ava": "test", "karma": "test", "rspec": "test", "phpunit": "test", "pest": "test",
    "ctest": "test", "behave": "test", "unittest": "test",
    # lint
    "eslint": "lint", "flake8": "lint", "pylint": "lint", "mypy": "lint", "pyright": "lint", "pyrefly": "lint",
    "golangci-lint": "lint", "staticcheck": "lint", "rubocop": "lint", "hadolint": "lint", "shellcheck": "lint",
    "tflint": "lint", "stylelint": "lint", "actionlint": "lint", "yamllint": "lint", "markdownlint": "lint",
    "markdownlint-cli2": "lint", "ktlint": "lint", "swiftlint": "lint", "phpstan": "lint", "phpcs": "lint",
    "biome": "lint", "oxlint": "lint", "cfn-lint": "lint", "helm-lint": "lint", "commitlint": "lint",
    # scans
    "trivy": "scan", "grype": "scan", "snyk": "scan", "checkov": "scan", "tfsec": "scan", "gitleaks": "scan",
    "semgrep": "scan", "bandit": "scan", "safety": "scan", "pip-audit": "scan", "osv-scanner": "scan",
    "govulncheck": "scan", "zizmor": "scan", "kics": "scan", "terrascan": "scan", "trufflehog": "scan",
    "dependency-check": "scan", "dependency-check.sh": "scan", "bundler-audit": "scan",
}
# tools that check only with a subcommand or flag: name -> (subcommands or flags, kind)
_SUBCOMMANDS = {
    "go": ({"test", "vet"}, "test"),
    "cargo": ({"test", "nextest", "clippy", "audit", "deny"}, "test"),
    "dotnet": ({"test"}, "test"),
    "mvn": ({"test", "verify"}, "test"),
    "mvnw": ({"test", "verify"}, "test"),
    "gradle": ({"test", "check"}, "test"),
    "gradlew": ({"test", "check"}, "test"),
    "make": ({"test", "tests", "check", "lint", "vet", "e2e"}, "test"),
    "rake": ({"test", "spec"}, "test"),
    "mix": ({"test", "credo"}, "test"),
    "deno": ({"test", "lint"}, "test"),
    "flutter": ({"test", "analyze"}, "test"),
    "ruff": ({"check", "--check"}, "lint"),
    "black": ({"--check"}, "lint"),
    "prettier": ({"--check", "-c"}, "lint"),
    "isort": ({"--check", "--check-only", "-c"}, "lint"),
    "terraform": ({"validate"}, "lint"),
    "tsc": ({"--noEmit", "--noemit"}, "lint"),
    "playwright": ({"test"}, "test"),
    "cypress": ({"run"}, "test"),
    "helm": ({"lint"}, "lint"),
    "pre-commit": ({"run"}, "lint"),
}
_SCANNER_IMAGES = lazyre.compile(
    r"(?:^|/)(?:aquasec/trivy|aquasecurity/trivy|anchore/grype|bridgecrew/checkov|snyk/snyk|zricethezav/gitleaks"
    r"|returntocorp/semgrep|semgrep/semgrep)(?::[\w.-]+)?(?:@sha256:\w+)?$"
)
_RUNNERS = {"npx", "pnpx", "bunx", "uvx", "uv", "poetry", "pipenv", "hatch", "pdm"}
_ACTIONS = {
    "golangci/golangci-lint-action": "lint",
    "aquasecurity/trivy-action": "scan",
    "aquasecurity/tfsec-action": "scan",
    "anchore/scan-action": "scan",
    "bridgecrewio/checkov-action": "scan",
    "github/codeql-action/analyze": "scan",
    "gitleaks/gitleaks-action": "scan",
    "returntocorp/semgrep-action": "scan",
    "semgrep/semgrep-action": "scan",
    "zizmorcore/zizmor-action": "scan",
    "super-linter/super-linter": "lint",
    "github/super-linter": "lint",
    "wearerequired/lint-action": "lint",
    "astral-sh/ruff-action": "lint",
    "chartboost/ruff-action": "lint",
    "psf/black": "lint",
    "hadolint/hadolint-action": "lint",
    "ludeeus/action-shellcheck": "lint",
    "pre-commit/action": "lint",
    "cypress-io/github-action": "test",
}
_ACTION_PREFIXES = (("snyk/actions/", "scan"), ("reviewdog/action-", "lint"))
# Reporters that fail the job on failed tests, so a `continue-on-error` test step before them is fine.
_FAILING_REPORTERS = {
    "dorny/test-reporter": ("fail-on-error", True),
    "mikepenz/action-junit-report": ("fail_on_failure", False),
}
_UPLOAD_SARIF = lazyre.compile(r"upload-sarif$", re.I)
_KIND_WORDS = {"test": "tests", "lint": "lint checks", "scan": "security scan"}


@rule(
    id="gate-continue-on-error",
    kinds=("workflow", "action"),
    severity="error",
    summary="Test, lint or scan that gates a deploy is allowed to fail",
    tags=("reliability", "deployment"),
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `continue-on-error: true` on a test, lint or security-scan step or job that a deploy
    waits for:

    - a job a deploy job needs (directly, or through the jobs it needs) with
      `continue-on-error: true`, when the job runs tests, linters or scanners;
    - a test, lint or scan step with `continue-on-error: true` in such a job;
    - a test, lint or scan step with `continue-on-error: true` earlier in the deploy job itself
      (before a deploy step), or earlier in a composite action that deploys.

    A deploy job is a job that names an `environment:` or has a deploy step (an ECS, Kubernetes,
    Helm, Cloud Run, SSH... deployment). Tests, linters and scanners are recognised by their
    commands (`npm test`, `npm run lint`, `pytest`, `go test`, `eslint`, `ruff check`,
    `golangci-lint`, `trivy`, `snyk test`, `grype`, `checkov`, ...) and actions
    (`golangci/golangci-lint-action`, `aquasecurity/trivy-action`, `snyk/actions/*`,
    `github/codeql-action/analyze`, ...).

    Not reported: `continue-on-error: ${{ matrix.experimental }}` and other expressions (the
    documented way to let some matrix entries fail); jobs no deploy depends on; a deploy job
    whose `if:` uses `always()` or `failure()` (its `needs` do not gate it); a step whose
    `steps.<id>.outcome` a later step checks, or followed by a test reporter that fails the job
    (`dorny/test-reporter`, `mikepenz/action-junit-report` with `fail_on_failure: true`); scans
    whose SARIF a later step uploads to code scanning.

    ## Why is this bad?
    `continue-on-error: true` makes a failed step (or job) count as a success: the job goes on,
    its result is `success`, and every job that `needs` it runs - GitHub reports
    `needs.<job>.result == 'success'` even for a job that failed this way. The deploy then ships
    code whose tests, lint or vulnerability scan failed, and the pipeline looks like it has a
    gate it does not have.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci
          - name: Run unit tests
            run: npm test
            continue-on-error: true
      deploy:
        needs: test
        environment: production
        runs-on: ubuntu-latest
        steps:
          - run: ./scripts/deploy.sh
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci
          - name: Run unit tests
            run: npm test
          - name: Upload test report
            if: always()
            uses: actions/upload-artifact@v4
            with:
              name: test-report
              path: reports/
      deploy:
        needs: test
        environment: production
        runs-on: ubuntu-latest
        steps:
          - run: ./scripts/deploy.sh
    ```
    Remove `continue-on-error` so a failure stops the deploy. To keep reports and notifications
    running after a failure, give those steps `if: always()` (or `if: failure()`). For a check
    that is allowed to fail, run it in a job the deploy does not need.
    """
    if ctx.doc.kind == "workflow":
        workflow = ctx.workflow
        gated = deploys_gated_by(workflow)
        for job in workflow.jobs:
            deploys = gated.get(job.id, [])
            steps = job.steps
            yield from _steps(ctx, steps, job, deploys)
            coe = _continue_on_error(job.node) if deploys else None
            if coe is not None:
                kinds = [kind for step in steps if (kind := _check_kind(step)) and not _reports_to_code_scanning(step, steps)]
                if kinds and not _job_outputs_outcome(job):
                    deploy = deploys[0]
                    yield Issue(
                        coe,
                        f"Remove `continue-on-error: true` from job '{job.id}', or move its {_KIND_WORDS[kinds[0]]} to a "
                        f"job the deploy does not need. Deploy job '{deploy.id}' waits for it{_through(deploy, job)}, and a job allowed to fail "
                        "counts as a success, so the deploy runs whatever the checks find.",
                        related=[Location(doc.path, ctx.span(deploy.key), "deploy job that waits for it")],
                    )
    else:
        yield from _steps(ctx, ctx.steps(), None, [])


def _steps(ctx, steps, job, deploys):
    """Check steps with continue-on-error that gate a deploy (through `needs`, or a later deploy step)."""
    for position, step in enumerate(steps):
        coe = _continue_on_error(step.node)
        if coe is None:
            continue
        kind = _check_kind(step)
        if kind is None:
            continue
        later = steps[position + 1 :]
        if _outcome_checked(step, later) or _failing_reporter(later) or _reports_to_code_scanning(step, steps):
            continue
        deploy_step = next((other for other in later if is_deploy_step(other)), None)
        shown = _name(step)
        what = _KIND_WORDS[kind]
        if deploy_step is not None:
            target = _name(deploy_step)
            yield Issue(
                coe,
                f"Remove `continue-on-error: true` from {shown}. A later step deploys ({target}), and with it the "
                f"{what} can fail and the deploy still runs.",
                related=[Location(ctx.doc.path, ctx.span(deploy_step.uses or deploy_step.run or deploy_step.node), "deploys after it")],
            )
        elif deploys:
            deploy = deploys[0]
            yield Issue(
                coe,
                f"Remove `continue-on-error: true` from {shown}. Deploy job '{deploy.id}' waits for job '{job.id}'"
                f"{_through(deploy, job)}, and with it the {what} can fail while the job - and so the deploy - goes ahead.",
                related=[Location(ctx.doc.path, ctx.span(deploy.key), "deploy job that waits for it")],
            )


def _through(deploy, job) -> str:
    """` (through 'build' and 'test')` when the deploy needs the job through other jobs."""
    workflow = deploy.workflow
    paths = {deploy.id: []}
    queue = [deploy]
    budget = 1000  # jobs walked: the path is for the message, and long chains must stay linear
    while queue and budget:
        budget -= 1
        current = queue.pop(0)
        for name in current.needs:
            if name in paths:
                continue
            paths[name] = paths[current.id] + ([current.id] if current is not deploy else [])
            if name == job.id:
                between = paths[name]
                if not between:
                    return ""
                return " (through " + " and ".join(f"'{n}'" for n in reversed(between)) + ")"
            needed = workflow.job(name)
            if needed is not None:
                queue.append(needed)
    return ""


def _name(step) -> str:
    if step.name:
        return f"step '{step.name}'"
    if step.uses is not None:
        return f"step '{step.uses.value}'"
    if step.run is not None:
        first = step.run.value.strip().splitlines()[0] if step.run.value.strip() else ""
        return f"step `{first[:50]}`"
    return "this step"


def _continue_on_error(node):
    """The `continue-on-error:` value when it is literally true (not an expression)."""
    value = node.get("continue-on-error") if isinstance(node, Map) else None
    if not isinstance(value, Scalar):
        return None
    text = value.value.strip()
    if value.as_bool() is True or (value.style in ("'", '"') and text.lower() == "true"):
        return value
    if text.replace(" ", "") == "${{true}}":
        return value
    return None


# --- recognising checks --------------------------------------------------------------------------


def _check_kind(step) -> str | None:
    """'test', 'lint' or 'scan' when the step runs one, else None."""
    uses = step.uses
    if uses is not None and "@" in uses.value:
        target = uses.value.split("@", 1)[0].lower()
        if target in _ACTIONS:
            return _ACTIONS[target]
        for prefix, kind in _ACTION_PREFIXES:
            if target.startswith(prefix) and not target.endswith("/setup"):
                return kind
    for scalar, _where in step.scripts():
        for item in shell.parse_nested(scalar.value):
            kind = _command_kind(item.command)
            if kind is not None:
                return kind
    return None


def _command_kind(command) -> str | None:
    words = [word.value for word in shell.strip_wrappers(command.words)]
    if not words:
        return None
    name = words[0].rsplit("/", 1)[-1]
    if name in _RUNNERS and len(words) > 1:
        words = words[1:]
        if words[0] == "run" and len(words) > 1:  # `poetry run pytest`
            words = words[1:]
        name = words[0].rsplit("/", 1)[-1].split("@", 1)[0]
    if name == "docker" and words[1:2] == ["run"] and any(_SCANNER_IMAGES.search(word) for word in words[2:]):
        return "scan"
    if name in ("python", "python3", "py") and len(words) > 2 and words[1] == "-m":
        words = words[2:]
        name = words[0]
    if name == "bundle" and words[1:2] == ["audit"]:
        return "scan"
    if name == "bundle" and words[1:2] == ["exec"] and len(words) > 2:
        words = words[2:]
        name = words[0].rsplit("/", 1)[-1]
    args = words[1:]
    if name in _PACKAGE_MANAGERS:
        return _package_script_kind(name, args)
    if name in _TOOLS:
        if any(arg in ("--version", "-V", "--help", "version") for arg in args):
            return None
        if name == "snyk" and "test" not in args:
            return None  # `snyk auth`, `snyk monitor`
        if name == "trivy" and not set(args) & {"image", "fs", "filesystem", "repo", "repository", "config", "rootfs", "sbom", "k8s", "vm"}:
            return None
        if name == "trivy" and any(arg.startswith("--download-db-only") for arg in args):
            return None
        if name == "grype" and args[:1] in (["db"], ["version"]):
            return None
        return _TOOLS[name]
    if name in _SUBCOMMANDS:
        wanted, kind = _SUBCOMMANDS[name]
        positional = [arg for arg in args if not arg.startswith("-")]
        if name in ("ruff", "black", "prettier", "isort", "tsc"):
            return kind if set(args) & wanted else None
        if positional[:1] and positional[0] in wanted:
            return "scan" if positional[0] in ("audit", "deny") else ("lint" if positional[0] in ("vet", "clippy", "lint", "credo", "analyze") else kind)
    return None


def _package_script_kind(name: str, args) -> str | None:
    positional = [arg for arg in args if not arg.startswith("-")]
    if not positional:
        return None
    first = positional[0]
    if first in ("test", "t", "tst"):
        return "test"
    if first == "audit" and not set(positional[1:2]) & {"fix", "signatures"} and "--fix" not in args:
        return "scan"
    if first in ("run", "run-script") and len(positional) > 1:
        script = positional[1]
    elif name in ("yarn", "pnpm", "bun") and first not in ("install", "add", "build", "dlx", "exec", "run", "ci"):
        script = first  # `yarn lint`, `pnpm test:unit`
    else:
        return None
    if _SCRIPT_NAMES.match(script) and "fix" not in script.lower():
        if script.startswith(("lint", "check", "typecheck", "type-check")):
            return "lint"
        if script.startswith("audit"):
            return "scan"
        return "test"
    return None


# --- exceptions ----------------------------------------------------------------------------------


def _outcome_checked(step, later) -> bool:
    """Does a later step (or the job's outputs) read this step's `outcome`, to act on a failure?"""
    if not step.id:
        return False
    pattern = re.compile(
        rf"steps\.{re.escape(step.id)}\.outcome|steps\[\s*'{re.escape(step.id)}'\s*\]\.outcome", re.I
    )
    for other in later:
        for node in (other.if_, other.run, other.node.get("with"), other.node.get("env")):
            if _mentions(node, pattern):
                return True
    return step.job is not None and _mentions(step.job.outputs, pattern)


def _job_outputs_outcome(job) -> bool:
    return _mentions(job.outputs, re.compile(r"steps\.[\w-]+\.outcome|steps\[\s*'[^']+'\s*\]\.outcome", re.I))


def _mentions(node, pattern) -> bool:
    if isinstance(node, Scalar):
        return bool(pattern.search(node.value))
    if isinstance(node, Map):
        return any(_mentions(value, pattern) for _, value in node.pairs)
    if isinstance(node, Seq):
        return any(_mentions(item, pattern) for item in node.items)
    return False


def _failing_reporter(later) -> bool:
    """A later test reporter that fails the job when tests failed."""
    for step in later:
        uses = step.uses
        if uses is None or "@" not in uses.value:
            continue
        target = uses.value.split("@", 1)[0].lower()
        if target not in _FAILING_REPORTERS:
            continue
        name, default = _FAILING_REPORTERS[target]
        inputs = as_map(step.node.get("with"))
        value = inputs.get(name) if inputs is not None else None
        if not isinstance(value, Scalar):
            if default:
                return True
            continue
        text = value.value.strip().lower()
        if text == "true" or "${{" in text:
            return True
    return False


def _reports_to_code_scanning(step, steps) -> bool:
    """A scan that writes SARIF for a later `upload-sarif` step: it reports through code scanning."""
    if _check_kind(step) != "scan":
        return False
    later = steps[next((i for i, s in enumerate(steps) if s.node is step.node), len(steps)) + 1 :]
    if not any(s.uses is not None and _UPLOAD_SARIF.search(s.uses.value.split("@", 1)[0]) for s in later):
        return False
    target = step.uses.value.split("@", 1)[0].lower() if step.uses is not None else ""
    if target.startswith("snyk/actions/") or target in ("anchore/scan-action", "github/codeql-action/analyze"):
        return True
    inputs = as_map(step.node.get("with"))
    if inputs is not None and any(isinstance(v, Scalar) and "sarif" in v.value.lower() for _, v in inputs.pairs):
        return True
    return any("sarif" in scalar.value.lower() for scalar, _ in step.scripts())
