from __future__ import annotations

import re

from cicdlint import lazyre, shell
from cicdlint.notions import gates_deploy, is_deploy_step
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

_TRIVY_ACTION = "aquasecurity/trivy-action"
_GRYPE_ACTION = "anchore/scan-action"
_CHECKOV_ACTION = "bridgecrewio/checkov-action"
_SNYK_ACTION = lazyre.compile(r"snyk/actions/(?!setup$)[\w.-]+$", re.I)
_UPLOAD_SARIF = lazyre.compile(r"github/codeql-action/upload-sarif$|upload-sarif", re.I)

# trivy subcommands that scan (the others print a version, manage plugins, run a server...)
_TRIVY_SCANS = {"image", "i", "filesystem", "fs", "repository", "repo", "rootfs", "config", "conf",
                "sbom", "vm", "kubernetes", "k8s", "aws"}
_TRIVY_SUBCOMMANDS = _TRIVY_SCANS | {"version", "plugin", "module", "server", "convert", "clean", "registry", "vex",
                                     "help", "completion"}
_TRIVY_SBOM_FORMATS = {"cyclonedx", "spdx", "spdx-json", "github"}
_GRYPE_NOT_SCANS = {"db", "version", "explain", "config", "completion", "help"}
_SNYK_PRODUCTS = {"container", "iac", "code", "sbom"}
# Scanners whose failure a `|| true` swallows: name -> subcommands that scan (None: any call).
_OTHER_SCANNERS = {
    "tfsec": None, "terrascan": {"scan"}, "kics": {"scan"}, "gitleaks": {"detect", "protect", "git", "dir"},
    "trufflehog": None, "semgrep": {"ci", "scan", "--config"}, "bandit": None, "safety": {"check", "scan"},
    "pip-audit": None, "osv-scanner": None, "govulncheck": None, "bundler-audit": None, "zizmor": None,
    "dependency-check.sh": None, "dependency-check": None, "checkov": None,
}
_AUDIT_TOOLS = {"npm", "yarn", "pnpm", "cargo", "bundle"}  # `X audit` (not `X audit fix`)
_RUNNERS = {"npx", "pnpx", "bunx", "uvx"}
_DOCKER_IMAGES = lazyre.compile(r"(?:^|/)(?:aquasec/trivy|aquasecurity/trivy|anchore/grype|bridgecrew/checkov)(?::[\w.-]+)?(?:@sha256:\w+)?$")
_SWALLOWERS = ("true", ":")
_MENTIONS_SCANNER = lazyre.compile(
    r"trivy|grype|snyk|checkov|tfsec|terrascan|kics|gitleaks|trufflehog|semgrep|bandit|safety|pip-audit"
    r"|osv-scanner|govulncheck|bundler-audit|zizmor|dependency-check|audit"
)


@rule(
    id="scan-not-enforced",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Vulnerability scan can never fail the build",
    tags=("security", "deployment"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds vulnerability, misconfiguration and secret scans set up so that what they find can
    never fail the job:

    - `aquasecurity/trivy-action` with `exit-code: 0` (or `'0'`), or with no `exit-code` at all:
      Trivy exits 0 by default, so the scan only prints a table (no `exit-code` is reported
      with medium confidence: a `trivy.yaml` in the repository may set it);
    - the `trivy` CLI (`trivy image`, `trivy fs`, `trivy config`, also `docker run
      aquasec/trivy ...`) without `--exit-code 1`, or with `--exit-code 0`;
    - `anchore/scan-action` with `fail-build: false`; the `grype` CLI without `--fail-on`
      (Grype exits 0 by default; medium confidence, a `.grype.yaml` may set `fail-on-severity`);
    - `bridgecrewio/checkov-action` with `soft_fail: true`, `checkov --soft-fail`,
      `tfsec --soft-fail`;
    - `|| true`, `|| :`, `|| exit 0` or `|| echo ...` after a scanner command (`trivy`,
      `grype`, `snyk test`, `snyk container test`, `checkov`, `tfsec`, `gitleaks`, `semgrep`,
      `osv-scanner`, `pip-audit`, `npm audit`, `cargo audit`, `govulncheck`, `zizmor`...);
    - `continue-on-error: true` on a scan step (`snyk/actions/*`, the actions above, a `run:`
      calling a scanner) or on the job that runs it. When the job gates a deploy this is
      `gate-continue-on-error` (an error) instead.

    Not reported: scans whose SARIF results a later step uploads to GitHub code scanning
    (`github/codeql-action/upload-sarif`): they report through the Security tab, where
    code-scanning merge protection enforces them; SBOM generation (`format: cyclonedx`,
    `spdx-json`, `github`); `exit-code: ${{ inputs.fail }}` and other run-time values;
    `TRIVY_EXIT_CODE` / `GRYPE_FAIL_ON_SEVERITY` set in `env:`; a `trivy-config` / `--config`
    file; `|| true` when the same job also runs the scanner enforced (a warning-only second
    pass); `npm audit || true` next to `npm audit fix` (a remediation job); a
    `continue-on-error` step whose `steps.<id>.outcome` a later step checks.

    ## Why is this bad?
    A scan that cannot fail is a report nobody reads: the pipeline stays green, the image with
    a critical CVE is pushed and deployed, and the workflow still looks like it has a security
    gate. Trivy and Grype are the trap here: both exit 0 on findings unless told otherwise, so
    a step copied from a README without `exit-code` never blocks anything.

    ## Example
    ```yaml
    - name: Scan image for vulnerabilities
      uses: aquasecurity/trivy-action@0.28.0
      with:
        image-ref: ${{ steps.meta.outputs.tags }}
        severity: CRITICAL,HIGH
    - name: Dependency audit
      run: npm audit --audit-level=high || true
    ```

    ## Use instead
    ```yaml
    - name: Scan image for vulnerabilities
      uses: aquasecurity/trivy-action@0.28.0
      with:
        image-ref: ${{ steps.meta.outputs.tags }}
        severity: CRITICAL,HIGH
        exit-code: "1"
        ignore-unfixed: true
    - name: Dependency audit
      run: npm audit --audit-level=high
    ```
    Make the scan fail the job on the findings you care about (`exit-code: 1`, `--fail-on
    high`, no `soft_fail`), narrow it with a severity threshold and an ignore file instead of
    silencing it, and remove `|| true` / `continue-on-error`. To publish results even when the
    scan fails, give the upload step `if: always()`.
    """
    for steps, job in _step_groups(ctx):
        last_upload = max((i for i, step in enumerate(steps) if _uploads_sarif([step])), default=-1)
        for position, step in enumerate(steps):
            yield from _step_issues(ctx, step, job, steps, position, sarif=position < last_upload)
        yield from _job_issues(job)


def _step_issues(ctx, step, job, steps, position: int, sarif: bool):
    # A scan whose SARIF a later step uploads reports to code scanning: merge protection enforces it.
    to_code_scanning = sarif and _writes_sarif(step)
    scan = False
    if step.uses is not None and not to_code_scanning:
        scan, issues = _scan_action(step)
        yield from issues
    for scalar, _where in step.scripts():
        found, issues = _scripts(scalar, step, steps, sarif, ctx)
        scan = scan or found
        yield from issues
    if not scan or to_code_scanning:
        return
    later = steps[position + 1 :]
    coe = _continue_on_error(step.node)
    if coe is not None and not _gates_deploy(job, step, later) and not _outcome_checked(step, later):
        yield Issue(
            coe,
            f"Remove `continue-on-error: true` from scan step {_name(step)} and let it fail the job. "
            "With it the scan's findings never fail the build; give steps that must still run "
            "(uploads, notifications) `if: always()`.",
        )


def _job_issues(job):
    coe = _continue_on_error(job.node) if job is not None else None
    if coe is None or gates_deploy(job):
        return
    if any(_is_scan_step(step) for step in job.steps) and not _uploads_sarif(job.steps):
        yield Issue(
            coe,
            f"Remove `continue-on-error: true` from job '{job.id}', which runs a security scan. "
            "Whatever the scan finds, the job - and the workflow run - still succeeds.",
        )


def _gates_deploy(job, step, later) -> bool:
    """Left to gate-continue-on-error: the step must pass before a deploy (in a workflow or an action)."""
    if job is not None:
        return gates_deploy(job, step)
    return any(is_deploy_step(other) for other in later)


def _name(step) -> str:
    if step.name:
        return f"'{step.name}'"
    if step.uses is not None:
        return f"'{step.uses.value}'"
    first = step.run.value.strip().splitlines()[0] if step.run is not None and step.run.value.strip() else ""
    return f"`{first[:50]}`" if first else "(unnamed)"


def _step_groups(ctx):
    if ctx.doc.kind == "workflow":
        return [(job.steps, job) for job in ctx.workflow.jobs]
    return [(ctx.steps(), None)]


# --- actions -------------------------------------------------------------------------------------


def _target(step) -> str:
    """The `uses:` value without its ref, as written."""
    return step.uses.value.split("@", 1)[0]


def _scan_action(step):
    """(is the step a scan action, its issues)."""
    uses = step.uses.value
    if step.uses_action(_TRIVY_ACTION):
        return True, _trivy_action(step)
    if step.uses_action(_GRYPE_ACTION):
        value = _literal_input(step, "fail-build", "false")
        return True, [] if value is None else [Issue(
            value,
            f"Set `fail-build: true` on '{uses}' (or remove the input: it is the default). "
            f"With `fail-build: {value.value}` the scan never fails, whatever Grype finds.",
        )]
    if step.uses_action(_CHECKOV_ACTION):
        value = _literal_input(step, "soft_fail", "true")
        return True, [] if value is None else [Issue(
            value, f"Remove `soft_fail: true` from '{uses}'. Checkov then reports failed checks but always exits 0."
        )]
    return bool(_SNYK_ACTION.match(_target(step))) and "monitor" not in (_input_text(step, "command") or ""), []


def _input_item(step, name: str):
    inputs = step.with_
    if inputs is None:
        return None, None
    for key_name, key, value in inputs.items():
        if key_name.lower() == name:
            return key, value
    return None, None


def _input_text(step, name: str) -> str | None:
    _, value = _input_item(step, name)
    return value.value if isinstance(value, Scalar) else None


def _literal_input(step, name: str, literal: str):
    """The value of input `name` when it is written as `literal` (any case)."""
    _, value = _input_item(step, name)
    if isinstance(value, Scalar) and value.value.strip().lower() == literal:
        return value
    return None


def _trivy_action(step):
    fmt = (_input_text(step, "format") or "").strip().lower()
    if fmt in _TRIVY_SBOM_FORMATS:
        return
    uses = step.uses.value
    key, value = _input_item(step, "exit-code")
    if isinstance(value, Scalar) and value.value.strip():
        text = value.value.strip()
        if "${{" in text or text.strip("'\"") != "0":
            return
        yield Issue(
            value,
            f"Set `exit-code: \"1\"` on '{uses}' (it is {text}). With exit code 0 Trivy prints what it "
            "finds and the step still passes, so vulnerable images go out.",
        )
        return
    env = step.env.get("TRIVY_EXIT_CODE")
    if env is not None:
        text = env.value.value.strip() if isinstance(env.value, Scalar) else ""
        if text == "0":
            yield Issue(env.value, "Set `TRIVY_EXIT_CODE` to 1 (it is 0). With exit code 0 Trivy never fails the step.")
        return
    if _input_text(step, "trivy-config"):
        return
    yield Issue(
        key if key is not None else step.uses,
        f"Add `exit-code: \"1\"` to '{uses}'. Trivy's default exit code is 0, so without it the scan prints "
        "its findings and the step still passes.",
        confidence="medium",
    )


# --- scripts -------------------------------------------------------------------------------------


def _scripts(scalar, step, steps, sarif: bool, ctx):
    """(does the script run a scanner, issues)."""
    script = scalar.value
    if not _MENTIONS_SCANNER.search(script):
        return False, []
    nested = shell.parse_nested(script)
    found = False
    issues = []
    for index, item in enumerate(nested):
        scanner = _scanner(item.command)
        if scanner is None:
            continue
        name, words, args = scanner
        found = True
        swallowed = _swallowed_at(script, nested, index)
        if swallowed is not None:
            if item.via == "substitution":
                continue  # `out=$(scanner ... || true)`: the script goes on to look at what it printed
            if _enforced_elsewhere(name, steps) or _remediation(name, script):
                continue
            start, end = swallowed
            shown = " ".join(word.value for word in words[:3])[:60]
            issues.append(Issue(
                ctx.locate(scalar, start, end - start),
                f"Remove `{script[start:end].strip()}` after `{shown}`. It turns every finding of the scan "
                "into a passing step.",
            ))
            continue
        if sarif and _command_writes_sarif(args):
            continue
        issue = _cli_settings(name, words, args, step, scalar, ctx)
        if issue is not None:
            issues.append(issue)
    return found, issues


def _scanner(command):
    """(name, words from the scanner's name on, its arguments) when the command runs a scan."""
    invoked = _invocation(command)
    if invoked is None:
        return None
    name, words = invoked
    args = [word.value for word in words[1:]]
    positional = [arg for arg in args if not arg.startswith("-")]
    if name == "trivy":
        scans = _trivy_scans(args)
    elif name == "grype":
        scans = _grype_scans(args, positional, command)
    elif name == "snyk":
        scans = positional[:1] == ["test"] or (
            positional[:1] and positional[0] in _SNYK_PRODUCTS and positional[1:2] == ["test"]
        )
    elif name in _AUDIT_TOOLS:
        scans = _audits(name, args, positional)
    elif name in _OTHER_SCANNERS:
        scans = _other_scans(name, args)
    else:
        scans = False
    return (name, words, args) if scans else None


def _invocation(command):
    """(program name, words from it on), past wrappers, `npx`-style runners and `docker run IMAGE`."""
    words = shell.strip_wrappers(command.words)
    if not words:
        return None
    name = words[0].value.rsplit("/", 1)[-1]
    if name in _RUNNERS and len(words) > 1:
        words = words[1:]
        name = words[0].value.rsplit("/", 1)[-1].split("@", 1)[0]
    elif name == "docker" and len(words) > 2 and words[1].value == "run":
        for index, word in enumerate(words[2:], start=2):
            if _DOCKER_IMAGES.search(word.value):
                return word.value.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0], words[index:]
        return None
    return name, words


def _trivy_scans(args) -> bool:
    first = next((arg for arg in args if arg in _TRIVY_SUBCOMMANDS), None)
    if first not in _TRIVY_SCANS or any(a.startswith(("--download-db-only", "--download-java-db-only", "--version")) for a in args):
        return False
    fmt = _option(args, ("--format", "-f"))
    return not (fmt and fmt.lower() in _TRIVY_SBOM_FORMATS)


def _grype_scans(args, positional, command) -> bool:
    if any(arg in ("--version", "--help", "-h") for arg in args) or args == ["-v"]:
        return False
    if positional and positional[0] in _GRYPE_NOT_SCANS:
        return False
    return bool(positional) or command.piped_in  # `grype` alone prints its help


def _audits(name: str, args, positional) -> bool:
    """`npm audit`, `cargo audit`, `bundle audit [check]`; not `npm audit fix`."""
    if name == "bundle":
        return positional[:1] == ["audit"] and positional[1:2] in ([], ["check"])
    return positional[:1] == ["audit"] and not (set(positional[1:2]) & {"fix", "signatures"}) and "--fix" not in args


def _other_scans(name: str, args) -> bool:
    if any(a in ("--version", "-v", "--help", "-h", "version", "--list") for a in args):
        return False
    wanted = _OTHER_SCANNERS[name]
    return wanted is None or bool(set(args[:2]) & wanted)


def _option(args, names) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _same_level(a, b) -> bool:
    return len(a.parents) == len(b.parents) and all(x is y for x, y in zip(a.parents, b.parents))


def _pipeline_end(nested, index: int) -> int:
    """The index of the last command of the pipeline nested[index] starts (or is in)."""
    while nested[index].command.piped_out:
        following = next((i for i in range(index + 1, len(nested)) if _same_level(nested[i], nested[index])), None)
        if following is None:
            break
        index = following
    return index


def _swallowed_at(script: str, nested, index: int):
    """(start, end) of the `|| true`-like fallback that swallows the failure of the pipeline of nested[index]."""
    last = _pipeline_end(nested, index)
    return _swallowed(script, nested, last) if nested[last].command.or_fallback else None


def _swallowed(script: str, nested, index: int):
    """(start, end) of `|| true` / `|| :` / `|| exit 0` / `|| echo ...` after nested[index]."""
    current = nested[index]
    operator = script.find("||", current.command.end)
    if operator < 0:
        return None
    following = next((item for item in nested[index + 1 :] if _same_level(item, current)), None)
    if following is None or not following.command.words:
        return None
    between = script[operator + 2 : following.command.start]
    if between.strip() or script[operator + 2 :].lstrip().startswith(("{", "(")):
        return None  # `|| { ...; exit 1; }`, `|| (...)`: a group may still exit non-zero
    fallback = following.command
    words = [word.value for word in fallback.words]
    if words[0] in ("echo", "printf"):
        if _captures_status(fallback) or fallback.or_fallback:
            return None
        if script[fallback.end : fallback.end + 200].lstrip(" \t").startswith("&&"):
            return None
    elif words not in (["true"], [":"], ["exit", "0"]):
        return None
    return operator, fallback.end


def _captures_status(command) -> bool:
    """`|| echo "failed=true" >> "$GITHUB_OUTPUT"`: a later step can act on it."""
    return any(
        redirect.target is not None and re.search(r"GITHUB_(OUTPUT|ENV)", redirect.target.text)
        for redirect in command.redirects
    )


def _enforced_elsewhere(name: str, steps) -> bool:
    """Does the job also run this scanner without swallowing its failure?"""
    for step in steps:
        for scalar, _where in step.scripts():
            if name not in scalar.value:
                continue
            nested = shell.parse_nested(scalar.value)
            for index, item in enumerate(nested):
                scanner = _scanner(item.command)
                if scanner is None or scanner[0] != name or _swallowed_at(scalar.value, nested, index) is not None:
                    continue
                if _enforces(name, scanner[2]):
                    return True
    return False


def _enforces(name: str, args) -> bool:
    """Do these arguments make the scanner fail on findings (as far as the command line says)?"""
    if name == "trivy":
        code = _option(args, ("--exit-code",))
        return code is not None and code.strip("'\"") != "0"
    if name == "grype":
        return _has_option(args, ("--fail-on", "-f"))
    if name in ("checkov", "tfsec"):
        return not any(arg == "--soft-fail" for arg in args)
    return True


def _remediation(name: str, script: str) -> bool:
    return name in _AUDIT_TOOLS and re.search(rf"\b{name}\s+audit\s+fix\b", script) is not None


def _cli_settings(name: str, words, args, step, scalar, ctx):
    if name == "trivy":
        return _trivy_cli(words, args, step, scalar, ctx)
    if name == "grype":
        if _has_option(args, ("--fail-on", "-f", "--config", "-c")) or "GRYPE_FAIL_ON_SEVERITY" in step.env:
            return None
        return Issue(
            _word_span(ctx, scalar, words[0]),
            "Add `--fail-on high` (or the severity you gate on) to `grype`. Grype exits 0 by default, so "
            "the step passes whatever it finds.",
            confidence="medium",
        )
    if name in ("checkov", "tfsec") and not _has_option(args, ("--hard-fail-on",)):
        for index, arg in enumerate(args):
            if arg == "--soft-fail" or arg.startswith("--soft-fail="):
                return Issue(
                    _word_span(ctx, scalar, words[index + 1]),
                    f"Remove `--soft-fail` from `{name}`. With it the scan reports failed checks but always exits 0.",
                )
    return None


def _trivy_cli(words, args, step, scalar, ctx):
    if _has_option(args, ("--config", "-c")) or "TRIVY_EXIT_CODE" in step.env:
        return None
    for index, arg in enumerate(args):
        if arg == "--exit-code" and index + 1 < len(args):
            value, word = args[index + 1], words[index + 2]
        elif arg.startswith("--exit-code="):
            value, word = arg.split("=", 1)[1], words[index + 1]
        else:
            continue
        if value.strip("'\"") != "0":
            return None
        return Issue(
            _word_span(ctx, scalar, word),
            f"Use `--exit-code 1` (it is {value}). With exit code 0 `trivy {_sub(args)}` never fails the step.",
        )
    return Issue(
        _word_span(ctx, scalar, words[0]),
        f"Add `--exit-code 1` to `trivy {_sub(args)}`. Trivy exits 0 by default, so the step passes "
        "whatever it finds.",
        confidence="medium",
    )


def _word_span(ctx, scalar, word):
    return ctx.locate(scalar, word.start, word.end - word.start)


def _has_option(args, names) -> bool:
    return any(arg in names or any(arg.startswith(name + "=") for name in names if name.startswith("--")) for arg in args)


def _sub(args) -> str:
    return next((arg for arg in args if arg in _TRIVY_SCANS), "")


# --- SARIF, continue-on-error --------------------------------------------------------------------


def _uploads_sarif(steps) -> bool:
    return any(step.uses is not None and _UPLOAD_SARIF.search(_target(step)) for step in steps)


def _writes_sarif(step) -> bool:
    """Does the scan step produce SARIF (for a later upload to code scanning)?"""
    if step.uses is not None and (_SNYK_ACTION.match(_target(step)) or step.uses_action(_GRYPE_ACTION)):
        return True  # both write SARIF by default
    inputs = step.with_
    if inputs is not None and any(isinstance(value, Scalar) and "sarif" in value.value.lower() for _, _, value in inputs.items()):
        return True
    return any("sarif" in scalar.value.lower() for scalar, _ in step.scripts())


def _command_writes_sarif(args) -> bool:
    return any("sarif" in arg.lower() for arg in args)


def _continue_on_error(node):
    value = node.get("continue-on-error") if hasattr(node, "get") else None
    if not isinstance(value, Scalar):
        return None
    text = value.value.strip()
    quoted_true = value.style in ("'", '"') and text.lower() == "true"
    if value.as_bool() is True or quoted_true or text.replace(" ", "") == "${{true}}":
        return value
    return None


def _outcome_checked(step, later) -> bool:
    """Does a later step read this step's `outcome` (to fail the job after reporting)?"""
    if not step.id:
        return False
    pattern = re.compile(rf"steps\.{re.escape(step.id)}\.outcome|steps\[\s*'{re.escape(step.id)}'\s*\]\.outcome", re.I)
    for other in later:
        for node in (other.if_, other.run, other.node.get("with"), other.node.get("env")):
            if _mentions(node, pattern):
                return True
    return step.job is not None and _mentions(step.job.outputs, pattern)


def _mentions(node, pattern) -> bool:
    if isinstance(node, Scalar):
        return bool(pattern.search(node.value))
    if hasattr(node, "items") and callable(node.items):
        try:
            return any(_mentions(value, pattern) for _, _, value in node.items())
        except (TypeError, ValueError):
            return False
    return False


def _is_scan_step(step) -> bool:
    if step.uses is not None and (
        step.uses_action(_TRIVY_ACTION, _GRYPE_ACTION, _CHECKOV_ACTION) or _SNYK_ACTION.match(_target(step))
    ):
        return True
    for scalar, _ in step.scripts():
        if _MENTIONS_SCANNER.search(scalar.value) and any(
            _scanner(item.command) is not None for item in shell.parse_nested(scalar.value)
        ):
            return True
    return False
