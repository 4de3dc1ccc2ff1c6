from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.expressions import find_expressions
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar

_AWS_FIX = (
    "Use OIDC instead of long-lived AWS keys: grant `id-token: write` and give "
    "aws-actions/configure-aws-credentials `role-to-assume: arn:aws:iam::<account>:role/<role>` "
    "(an IAM role trusting token.actions.githubusercontent.com), then delete the IAM user's access key."
)
_GCP_FIX = (
    "Use Workload Identity Federation instead of a service account key: grant `id-token: write` and give "
    "google-github-actions/auth `workload_identity_provider` (and `service_account`), then delete the key."
)
_AZURE_FIX = (
    "Use OIDC instead of a client secret: add a federated credential to the app registration, grant "
    "`id-token: write` and give azure/login `client-id`, `tenant-id` and `subscription-id` (no `creds`)"
)

# `with:` inputs of other actions that take AWS keys (beanstalk-deploy, s3 sync actions...).
_AWS_KEY_INPUT = lazyre.compile(r"aws[-_.]?(?:access[-_.]?key(?:[-_.]?id)?|secret[-_.]?(?:access[-_.]?)?key)$", re.I)
_AWS_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
_GCP_ENV = ("GOOGLE_CREDENTIALS", "GOOGLE_CLOUD_KEYFILE_JSON", "GCLOUD_KEYFILE_JSON")
_AZURE_ENV = ("ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET")

# S3-compatible stores that are not AWS (no GitHub OIDC federation): Cloudflare R2, MinIO,
# DigitalOcean Spaces, Backblaze B2, Wasabi, Linode, Scaleway ... Recognised by the secret's
# name or by an endpoint setting near the keys.
_OTHER_S3_NAME = lazyre.compile(
    r"(?:^|_)(?:R2|CF|CLOUDFLARE|MINIO|DO|DIGITALOCEAN|SPACES?|B2|BACKBLAZE|WASABI|LINODE|SCALEWAY|SCW|OVH"
    r"|HETZNER|OCI|ORACLE|STORJ|IDRIVE|CEPH|GARAGE|TIGRIS|FILEBASE|CONTABO|YANDEX|ALIYUN|OSS|COS|TENCENT)(?:_|$)",
    re.I,
)
_OTHER_S3_TEXT = lazyre.compile(
    r"endpoint[-_]?url|AWS_ENDPOINT|S3_ENDPOINT|--endpoint\b|r2\.cloudflarestorage\.com|digitaloceanspaces\.com"
    r"|wasabisys\.com|backblazeb2\.com|linodeobjects\.com|\bminio\b|storage\.googleapis\.com|\br2\b",
    re.I,
)


@rule(
    id="long-lived-cloud-credentials",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Long-lived cloud keys from secrets where the cloud supports OIDC federation",
    tags=("security", "secrets", "cloud"),
    security_severity=6.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds static cloud credentials taken from secrets where the cloud accepts GitHub's OIDC
    token instead:

    - AWS: `aws-access-key-id` / `aws-secret-access-key` inputs of
      `aws-actions/configure-aws-credentials`; `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
      set from secrets in `env:` at the workflow, job or step level; AWS key inputs of other
      actions (`aws_access_key`, `aws_secret_key` ...; medium confidence, as the action must
      also accept credentials from the environment).
    - Google Cloud: `credentials_json` of `google-github-actions/auth`, `service_account_key` of
      `google-github-actions/setup-gcloud`, and `GOOGLE_CREDENTIALS` (Terraform) from secrets.
    - Azure: `creds` of `azure/login`, and `ARM_CLIENT_SECRET` / `AZURE_CLIENT_SECRET` from
      secrets.

    The finding is at the input or `env:` key (one per pair of AWS keys). Keys for S3-compatible
    stores that are not AWS (Cloudflare R2, MinIO, DigitalOcean Spaces, Backblaze B2 ...,
    recognised by the secret's name or an endpoint setting) are not reported, nor are literal
    test values (`minioadmin`) or credentials produced by an earlier step (a Vault step's
    outputs are short-lived).

    ## Why is this bad?
    An IAM user's access key, a service account JSON key or a client secret never expires on
    its own. Anyone who gets it (a leaked log, a compromised action or dependency that reads
    the environment, a malicious pull request run with secrets) can use it from anywhere until
    someone notices and rotates it. With OIDC the job exchanges a token that lives for minutes,
    is bound to this repository (and branch or environment, if the cloud's trust policy says
    so), and there is no secret to leak or rotate.

    ## Example
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
              aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
              aws-region: us-east-1
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        permissions:
          contents: read
          id-token: write
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              role-to-assume: arn:aws:iam::123456789012:role/github-deploy
              aws-region: us-east-1
    ```
    Create an IAM OIDC identity provider for `token.actions.githubusercontent.com` and a role
    whose trust policy allows this repository (`repo:OWNER/REPO:environment:production`). On
    Google Cloud use Workload Identity Federation (`workload_identity_provider`), on Azure a
    federated credential on the app registration (`client-id`, `tenant-id`,
    `subscription-id`). Then delete the old keys.
    """
    text = doc.text
    workflow_env = {}
    if doc.kind == "workflow":
        workflow = ctx.workflow
        yield from _env_map(workflow.node.get("env"), text, workflow.node, {})
        workflow_env = _secret_env(workflow.node.get("env"))
        for job in workflow.jobs:
            job_env = {**workflow_env, **_secret_env(job.node.get("env"))}
            yield from _env_map(job.node.get("env"), text, job.node, workflow_env)
            for step in job.steps:
                yield from _step(step, text, job_env)
    else:
        for step in ctx.steps():
            yield from _step(step, text, {})


def _secret_env(node) -> dict[str, list[str]]:
    """env name -> the secrets its value reads."""
    env = as_map(node)
    if env is None:
        return {}
    found = {}
    for name, _, value in env.items():
        if isinstance(value, Scalar):
            names = _secrets(value.value, {})
            if names:
                found[name] = names
    return found


def _secrets(value: str, env: dict[str, list[str]], inputs: bool = False) -> list[str]:
    """Secrets an input or env value passes on: `secrets.X` directly, through `env.X` when X
    holds a secret, or (in a composite action, `inputs=True`) an input the caller fills."""
    names = []
    for expr in find_expressions(value):
        for path in expr.flowing_contexts():
            if path.startswith("secrets."):
                names.append(path.split(".", 2)[1])
            elif path.startswith("env.") and path.split(".", 2)[1] in env:
                names.extend(env[path.split(".", 2)[1]])
            elif inputs and path.startswith("inputs."):
                names.append(path)
    return names


def _other_s3(names: list[str], scope_text: str) -> bool:
    return any(_OTHER_S3_NAME.search(name) for name in names) or bool(_OTHER_S3_TEXT.search(scope_text))


def _label(names: list[str]) -> str:
    shown = []
    # the secret part first: `secrets.ARM_CLIENT_SECRET` says more than `secrets.ARM_CLIENT_ID`
    names = sorted(names, key=lambda name: not re.search(r"SECRET|PASSWORD|KEY|CRED", name, re.I))
    for name in names:
        label = name if name.startswith("inputs.") else f"secrets.{name}"
        if label not in shown:
            shown.append(label)
    return ", ".join(f"`{label}`" for label in shown[:2])


def _env_map(node, text: str, scope, outer_env: dict, extra_scope: str = ""):
    """AWS / GCP / Azure keys set from secrets in one `env:` map."""
    env = as_map(node)
    if env is None:
        return
    scope_text = text[scope.start : scope.end] + extra_scope
    aws = {}
    for name in _AWS_ENV:
        key, value = env.item(name)
        if key is not None and isinstance(value, Scalar):
            names = _secrets(value.value, outer_env)
            if names:
                aws[name] = (key, names)
    if aws:
        names = [n for _, found in aws.values() for n in found]
        if not _other_s3(names, scope_text):
            key = (aws.get("AWS_ACCESS_KEY_ID") or aws.get("AWS_SECRET_ACCESS_KEY"))[0]
            yield Issue(
                key,
                f"{_AWS_FIX} `{'` / `'.join(aws)}` in `env:` come{'s' if len(aws) == 1 else ''} from {_label(names)}, "
                f"a long-lived IAM user key that works from anywhere until it is rotated.",
            )
    for name in _GCP_ENV:
        key, value = env.item(name)
        if key is not None and isinstance(value, Scalar):
            names = _secrets(value.value, outer_env)
            if names:
                yield Issue(key, f"{_GCP_FIX} `{name}` in `env:` comes from {_label(names)}, a service account key "
                                 f"that never expires.")
    for name in _AZURE_ENV:
        key, value = env.item(name)
        if key is not None and isinstance(value, Scalar):
            names = _secrets(value.value, outer_env)
            if names:
                hint = "`ARM_USE_OIDC: true` for Terraform" if name.startswith("ARM_") else "azure/login with `client-id`"
                yield Issue(
                    key,
                    f"Use OIDC instead of a client secret: add a federated credential to the app registration, grant "
                    f"`id-token: write` and use {hint}. `{name}` in `env:` comes from {_label(names)}, a service "
                    f"principal secret that is valid until it expires or is rotated.",
                )


def _step(step, text: str, outer_env: dict):
    in_action = step.job is None
    step_env = {**outer_env, **_secret_env(step.node.get("env"))}
    inputs = step.with_
    uses = step.uses.value if step.uses is not None else ""
    scope_text = text[step.node.start : step.node.end]
    yield from _env_map(step.node.get("env"), text, step.node, outer_env,
                        extra_scope="" if step.job is None else _job_text(step, text))
    if inputs is None or not uses:
        return
    if step.uses_action("aws-actions/configure-aws-credentials"):
        yield from _aws_inputs(inputs, step_env, in_action, scope_text, configure=True)
    elif step.uses_action("google-github-actions/auth"):
        yield from _input(inputs, "credentials_json", step_env, in_action,
                          f"{_GCP_FIX} `credentials_json` is {{}}, a service account key that never expires.")
    elif step.uses_action("google-github-actions/setup-gcloud"):
        yield from _input(inputs, "service_account_key", step_env, in_action,
                          f"{_GCP_FIX} `service_account_key` is {{}}, a service account key that never expires.")
    elif step.uses_action("azure/login"):
        yield from _input(inputs, "creds", step_env, in_action,
                          f"{_AZURE_FIX}. `creds` holds {{}}, a service principal client secret that is valid until it "
                          f"expires or is rotated.")
    elif not uses.startswith(("./", "docker://")):
        yield from _aws_inputs(inputs, step_env, in_action, scope_text, configure=False, action=uses.split("@", 1)[0])


def _job_text(step, text: str) -> str:
    job = step.job
    env = job.node.get("env")
    workflow_env = job.workflow.node.get("env")
    parts = [text[node.start : node.end] for node in (env, workflow_env) if node is not None]
    return "\n".join(parts)


def _input(inputs: Map, name: str, env: dict, in_action: bool, message: str):
    key, value = inputs.item(name)
    if key is None or not isinstance(value, Scalar):
        return
    names = _secrets(value.value, env, inputs=in_action)
    if names:
        yield Issue(key, message.format(_label(names)), confidence="medium" if names[0].startswith("inputs.") else None)


def _via_reported_env(value: str, env: dict) -> bool:
    paths = [path for expr in find_expressions(value) for path in expr.flowing_contexts()]
    return bool(paths) and all(path.startswith("env.") and path[4:] in _AWS_ENV and path[4:] in env for path in paths)


def _aws_inputs(inputs: Map, env: dict, in_action: bool, scope_text: str, configure: bool, action: str = ""):
    found = []  # (key, secret names)
    for name, key, value in inputs.items():
        if not isinstance(value, Scalar):
            continue
        if configure:
            if name not in ("aws-access-key-id", "aws-secret-access-key"):
                continue
        elif not _AWS_KEY_INPUT.match(name):
            continue
        if _via_reported_env(value.value, env):
            continue  # `${{ env.AWS_ACCESS_KEY_ID }}`: reported where the env var is set
        names = _secrets(value.value, env, inputs=in_action)
        if names:
            found.append((key, names))
    if not found:
        return
    names = [n for _, found_names in found for n in found_names]
    if _other_s3(names, scope_text):
        return
    key = found[0][0]
    listed = " / ".join(f"`{k.value}`" for k, _ in found)
    confidence = "medium" if not configure or any(n.startswith("inputs.") for n in names) else None
    if configure:
        message = f"{_AWS_FIX} {listed} come{'s' if len(found) == 1 else ''} from {_label(names)}, a long-lived IAM user key."
    else:
        message = (
            f"Use OIDC instead of long-lived AWS keys: run aws-actions/configure-aws-credentials with "
            f"`role-to-assume` (and `id-token: write`) before this step and drop {listed}, if {action} reads "
            f"credentials from the environment. They come from {_label(names)}, a long-lived IAM user key."
        )
    yield Issue(key, message, confidence=confidence)
