"""Which steps request a GitHub OIDC token (and so need `id-token: write`).

`required_by(step)`: the step certainly requests a token and fails without `id-token: write`
(configure-aws-credentials with `role-to-assume` and nothing else to sign the AssumeRole call
with, google-github-actions/auth with `workload_identity_provider`, azure/login with a
`client-id` and no `creds`, pypa/gh-action-pypi-publish without `password`, the attest
actions, actions/deploy-pages, `npm publish --provenance`).

`job_use(job)`: whether a job may request one: "uses" (a step above, or another known
consumer: a trusted-publishing command, keyless `cosign sign`, a script reading
`ACTIONS_ID_TOKEN_REQUEST_URL`, `core.getIDToken()` ...), "unknown" (a step this file cannot
see into: a local or unlisted third-party action, a reusable workflow, a tool that may fetch a
token itself such as terraform or goreleaser) or "none" (only actions known not to request a
token and scripts without any sign of one).
"""
from __future__ import annotations

import re

from . import lazyre
from .model import Job, Step, as_map, as_seq, text
from .yamlpos import Scalar

AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
GCP_AUTH = "google-github-actions/auth"
AZURE_LOGIN = "azure/login"
PYPI_PUBLISH = "pypa/gh-action-pypi-publish"
ATTEST_ACTIONS = ("actions/attest-build-provenance", "actions/attest-sbom", "actions/attest")

# Actions that never request an OIDC token themselves (owner/repo; any path below it).
NO_OIDC_ACTIONS = frozenset(
    name.lower()
    for name in (
        "actions/checkout", "actions/setup-node", "actions/setup-python", "actions/setup-go", "actions/setup-java",
        "actions/setup-dotnet", "actions/cache", "actions/upload-artifact", "actions/download-artifact",
        "actions/create-github-app-token", "actions/labeler", "actions/stale", "actions/configure-pages",
        "actions/upload-pages-artifact", "actions/dependency-review-action", "actions/add-to-project",
        "actions/create-release", "actions/upload-release-asset", "actions/first-interaction",
        "actions/delete-package-versions", "actions/github-script", "actions/setup-ruby",
        "docker/setup-buildx-action", "docker/setup-qemu-action", "docker/metadata-action", "docker/login-action",
        "docker/build-push-action", "docker/bake-action", "docker/setup-docker-action", "docker/scout-action",
        "github/codeql-action", "step-security/harden-runner", "dorny/paths-filter", "dorny/test-reporter",
        "peter-evans/create-pull-request", "peter-evans/repository-dispatch", "peter-evans/create-or-update-comment",
        "peter-evans/find-comment", "softprops/action-gh-release", "ncipollo/release-action",
        "pnpm/action-setup", "astral-sh/setup-uv", "swatinem/rust-cache", "dtolnay/rust-toolchain",
        "actions-rs/toolchain", "actions-rs/cargo", "ruby/setup-ruby", "hashicorp/setup-terraform",
        "azure/setup-helm", "azure/setup-kubectl", "slackapi/slack-github-action", "mshick/add-pr-comment",
        "aquasecurity/trivy-action", "jlumbroso/free-disk-space", "googleapis/release-please-action",
        "google-github-actions/release-please-action", "amannn/action-semantic-pull-request",
        "tj-actions/changed-files", "stefanzweifel/git-auto-commit-action", "endbug/add-and-commit",
        "crazy-max/ghaction-import-gpg", "gradle/actions", "gradle/gradle-build-action",
        "gradle/wrapper-validation-action", "subosito/flutter-action", "cachix/install-nix-action",
        "aws-actions/amazon-ecr-login", "aws-actions/amazon-ecs-render-task-definition",
        "aws-actions/amazon-ecs-deploy-task-definition", "azure/webapps-deploy", "azure/k8s-deploy",
        "azure/k8s-set-context", "google-github-actions/setup-gcloud", "google-github-actions/get-gke-credentials",
        "google-github-actions/deploy-cloudrun", "google-github-actions/upload-cloud-storage",
        "helm/chart-releaser-action", "helm/kind-action", "azure/docker-login", "mikefarah/yq",
        "sigstore/cosign-installer", "anchore/sbom-action", "anchore/scan-action", "goto-bus-stop/setup-zig",
        "mlugg/setup-zig", "oven-sh/setup-bun", "denoland/setup-deno", "haskell-actions/setup",
        "erlef/setup-beam", "shivammathur/setup-php", "msys2/setup-msys2", "microsoft/setup-msbuild",
        "ilammy/msvc-dev-cmd", "ilammy/setup-nasm", "jwlawson/actions-setup-cmake", "lukka/get-cmake",
        "extractions/setup-just", "taiki-e/install-action", "arduino/setup-protoc", "bufbuild/buf-setup-action",
        "golangci/golangci-lint-action", "reviewdog/action-setup", "codecov/test-results-action",
        "coverallsapp/github-action", "actions/setup-haskell", "actions/setup-elixir", "mxschmitt/action-tmate",
        "nick-fields/retry", "nick-invision/retry", "azure/cli", "azure/powershell", "crazy-max/ghaction-upx",
        "crazy-max/ghaction-setup-docker", "kota65535/github-openvpn-connect-action", "go-task/setup-task",
        "bwoodsend/setup-winlibs-action", "getsentry/action-github-app-token", "tibdex/github-app-token",
        "rtCamp/action-slack-notify", "8398a7/action-slack", "marocchino/sticky-pull-request-comment",
        "thollander/actions-comment-pull-request", "JamesIves/github-pages-deploy-action",
        "peaceiris/actions-gh-pages", "cycjimmy/semantic-release-action", "dawidd6/action-download-artifact",
        "geekyeggo/delete-artifact", "svenstaro/upload-release-action", "actions/upload-release-asset",
        "hadolint/hadolint-action", "ludeeus/action-shellcheck", "super-linter/super-linter",
        "github/super-linter", "pre-commit/action", "cypress-io/github-action", "treosh/lighthouse-ci-action",
        "codespell-project/actions-codespell", "crate-ci/typos", "EmbarkStudios/cargo-deny-action",
        "rustsec/audit-check", "dependabot/fetch-metadata", "release-drafter/release-drafter",
        "actions/setup-ruby", "ruby/setup-ruby-pkgs", "hashicorp/setup-packer", "opentofu/setup-opentofu",
        "azure/aks-set-context", "aws-actions/aws-secretsmanager-get-secrets",
    )
)

# Actions that may request a token (their inputs decide, or they do it in a way this file does
# not show). Listed so that messages can name them; anything unlisted is unknown anyway.
MAY_USE_OIDC_ACTIONS = frozenset(
    name.lower()
    for name in (
        "ossf/scorecard-action", "codecov/codecov-action", "hashicorp/vault-action", "rubygems/release-gem",
        "rubygems/configure-rubygems-credentials", "rust-lang/crates-io-auth-action", "pyo3/maturin-action",
        "actions/publish-immutable-action", "sigstore/gh-action-sigstore-python", "anthropics/claude-code-action",
        "tailscale/github-action", "pulumi/auth-actions", "octo-sts/action", "depot/build-push-action",
        "depot/setup-action", "depot/bake-action", "jfrog/setup-jfrog-cli", "goreleaser/goreleaser-action",
    )
)

_SCRIPT_USES = lazyre.compile(
    r"ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)|getIDToken|\b(?:npm|pnpm)\s+(?:[\w-]+\s+)*publish\b"
    r"|\byarn\s+(?:npm\s+)?publish\b|\bsemantic-release\b|\bchangeset\s+publish\b|\blerna\s+publish\b"
    r"|\bnx\s+release\b|\btwine\s+upload\b|\buv\s+publish\b|\bpdm\s+publish\b|\bhatch\s+publish\b"
    r"|\bmaturin\s+(?:upload|publish)\b|\bcosign\s+(?:sign|attest)|\bsigstore\b|\bgh\s+attestation\b"
    r"|\bvault\s+(?:login|write)\b[^\n]*\bjwt\b|--federated-token|ARM_USE_OIDC|ARM_OIDC"
    r"|assume-role-with-web-identity|AWS_WEB_IDENTITY_TOKEN_FILE|\bcargo\s+publish\b|\bgem\s+push\b"
)
# Tools that can fetch a token by themselves, configured in files this workflow does not show,
# and project scripts whose name says they publish, release, sign or deploy.
_SCRIPT_OPAQUE = lazyre.compile(
    r"\b(?:terraform|terragrunt|tofu|pulumi|goreleaser|cdktf)\b"
    r"|\b(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?[\w:.-]*(?:publish|release|sign|deploy)"
    r"|\bmake\s+(?:-\S+\s+)*[\w.-]*(?:publish|release|sign|deploy)"
    r"|(?:\./|scripts?/|bin/)[\w./-]*(?:publish|release|sign|deploy)",
    re.I,
)


def _target(step: Step) -> str | None:
    uses = text(step.node.get("uses"))
    if not uses:
        return None
    return uses.split("@", 1)[0].strip().lower()


def _owner_repo(target: str) -> str:
    return "/".join(target.split("/")[:2])


def _set(step: Step, name: str) -> bool:
    """Is the input given a non-empty value?"""
    node = step.input(name)
    return node is not None and node.value.strip() not in ("", "''", '""')


def _true(step: Step, name: str) -> bool:
    node = step.input(name)
    return node is not None and node.value.strip().lower() == "true"


def _maybe_true(step: Step, name: str) -> bool:
    """Is the boolean input set to true or to an expression (absent: false)?"""
    node = step.input(name)
    return node is not None and (node.value.strip().lower() == "true" or "${{" in node.value)


def _env_has(step: Step, *names: str) -> bool:
    return any(name in step.env for name in names)


def _earlier_steps(step: Step) -> list[Step]:
    return step.job.steps[: step.index] if step.job is not None else []


def runs_on_github_hosted(job: Job | None) -> bool | None:
    """True: every `runs-on:` label is a GitHub-hosted image; False: a self-hosted or custom
    label; None: cannot tell (an expression, a runner group, no runs-on)."""
    if job is None:
        return None
    node = job.runs_on
    if isinstance(node, Scalar):
        labels = [node.value]
    elif as_seq(node):
        labels = [text(item) or "" for item in as_seq(node)]
    elif as_map(node) is not None:
        return False  # `group:` / `labels:`: a larger or self-hosted runner
    else:
        return None
    if any("${{" in label for label in labels):
        return None
    hosted = re.compile(r"(?:ubuntu|windows|macos)-(?:latest|\d[\w.-]*)(?:-(?:arm|arm64|xlarge|large))?$", re.I)
    return all(hosted.match(label.strip()) for label in labels)


def aws_oidc(step: Step) -> str | None:
    """configure-aws-credentials that will call AssumeRoleWithWebIdentity with a GitHub token,
    or None (static keys, a token file, role chaining, or credentials from elsewhere)."""
    if not step.uses_action(AWS_CREDENTIALS) or not _set(step, "role-to-assume"):
        return None
    if _set(step, "aws-access-key-id") or _set(step, "web-identity-token-file") or _true(step, "role-chaining"):
        return None
    return "aws-actions/configure-aws-credentials with role-to-assume"


def required_by(step: Step) -> tuple[str, Scalar | None] | None:
    """(what, node) when the step certainly requests an OIDC token and fails without
    `id-token: write`; node is the input that makes it so (for messages and positions)."""
    target = _target(step)
    if target is None:
        scalar = step.run
        if scalar is not None and re.search(r"\bnpm\s+(?:[\w-]+\s+)*publish\b[^\n]*--provenance\b(?!=false)", scalar.value):
            return "`npm publish --provenance`", scalar
        return None
    if aws_oidc(step):
        # Without a token the action signs AssumeRole with credentials it finds in the
        # environment (static keys, an earlier step's, a self-hosted runner's instance role).
        if _env_has(step, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE"):
            return None
        if any(_target(earlier) and earlier.uses_action(AWS_CREDENTIALS) for earlier in _earlier_steps(step)):
            return None
        if runs_on_github_hosted(step.job) is not True:
            return None
        return "aws-actions/configure-aws-credentials with role-to-assume", step.input("role-to-assume")
    if step.uses_action(GCP_AUTH) and _set(step, "workload_identity_provider") and not _set(step, "credentials_json"):
        return "google-github-actions/auth with workload_identity_provider", step.input("workload_identity_provider")
    if step.uses_action(AZURE_LOGIN) and _set(step, "client-id") and not _set(step, "creds"):
        auth_type = step.input("auth-type")
        if auth_type is None or auth_type.value.strip().upper() == "SERVICE_PRINCIPAL":
            return "azure/login with client-id (no creds)", step.input("client-id")
        return None
    if step.uses_action(PYPI_PUBLISH) and not _set(step, "password"):
        return "pypa/gh-action-pypi-publish without a password (trusted publishing)", step.uses
    if step.uses_action(*ATTEST_ACTIONS):
        return target, step.uses
    if step.uses_action("actions/deploy-pages"):
        return "actions/deploy-pages", step.uses
    return None


def step_use(step: Step) -> tuple[str, str | None]:
    """("uses", what) | ("unknown", what) | ("none", None) for one step."""
    required = required_by(step)
    if required:
        return "uses", required[0]
    target = _target(step)
    if target is None:
        for scalar, _ in step.scripts():
            verdict = script_use(scalar.value)
            if verdict[0] != "none":
                return verdict
        return "none", None
    if target.startswith("./") or target.startswith("docker://") or target.startswith("."):
        return "unknown", text(step.node.get("uses"))
    owner_repo = _owner_repo(target)
    if step.uses_action(AWS_CREDENTIALS):
        return ("uses", "aws-actions/configure-aws-credentials with role-to-assume") if aws_oidc(step) else ("none", None)
    if step.uses_action(GCP_AUTH):
        return ("uses", "google-github-actions/auth") if _set(step, "workload_identity_provider") else ("none", None)
    if step.uses_action(AZURE_LOGIN):
        return ("uses", "azure/login with client-id") if not _set(step, "creds") else ("none", None)
    if step.uses_action(PYPI_PUBLISH):
        return ("uses", "pypa/gh-action-pypi-publish") if not _set(step, "password") else ("none", None)
    if owner_repo in NO_OIDC_ACTIONS or target in NO_OIDC_ACTIONS:
        if owner_repo == "actions/github-script":
            script = step.input("script")
            if script is None or "getIDToken" in script.value:
                return "uses", "actions/github-script calling core.getIDToken()"
        if owner_repo == "docker/login-action" and not _set(step, "password"):
            return "uses", "docker/login-action without a password (registry OIDC)"
        if owner_repo in ("nick-fields/retry", "nick-invision/retry"):
            command = step.input("command")
            return script_use(command.value) if command is not None else ("none", None)
        return "none", None
    if owner_repo == "codecov/codecov-action" and not _maybe_true(step, "use_oidc"):
        return "none", None
    if owner_repo == "ossf/scorecard-action" and not _maybe_true(step, "publish_results"):
        return "none", None
    if owner_repo in MAY_USE_OIDC_ACTIONS:
        return "uses", owner_repo
    return "unknown", text(step.node.get("uses"))


def script_use(script: str) -> tuple[str, str | None]:
    match = _SCRIPT_USES.search(script)
    if match:
        return "uses", f"`{match.group(0).strip()}`"
    match = _SCRIPT_OPAQUE.search(script)
    if match:
        return "unknown", f"`{match.group(0)}`"
    return "none", None


def job_use(job: Job) -> tuple[str, str | None]:
    """("uses", what) when a step may request an OIDC token, ("unknown", what) when a step
    cannot be seen into, else ("none", None)."""
    if job.uses is not None:
        return "unknown", job.uses.value
    unknown = None
    for step in job.steps:
        verdict, what = step_use(step)
        if verdict == "uses":
            return verdict, what
        if verdict == "unknown" and unknown is None:
            unknown = what
    if unknown is not None:
        return "unknown", unknown
    for step in job.steps or [None]:
        env = step.env if step is not None else job.env
        for name in env:
            if name.startswith(("ARM_USE_OIDC", "ARM_OIDC", "ACTIONS_ID_TOKEN")):
                return "uses", name
    return "none", None
