"""Shared notions every rule uses the same way: production context and deploy jobs."""
from __future__ import annotations

import re

from . import lazyre
from .model import Job, Step, as_map, is_ssh_action, text

DEFAULT_PRODUCTION_PATTERNS = ("prod", "production", "prd", "live")
MAX_NAME = 256  # characters of a name that production patterns are matched against

DEPLOY_ACTIONS = (
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/amazon-ecs-render-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "aws-actions/amazon-eks-fargate",
    "azure/webapps-deploy",
    "azure/k8s-deploy",
    "azure/functions-action",
    "azure/container-apps-deploy-action",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/get-gke-credentials",
    "serverless/github-action",
    "deliverybot/helm",
    "wahyd4/kubectl-helm-action",
    "actions-hub/kubectl",
    "steebchen/kubectl",
    "azure/setup-kubectl",
    "azure/setup-helm",
    "amondnet/vercel-action",
    "cloudflare/wrangler-action",
    "superfly/flyctl-actions",
    "einaregilsson/beanstalk-deploy",
)
_DEPLOY_COMMAND = lazyre.compile(
    # `kubectl -n "$NS" set image ...`: options may come before the verb.
    r"(?:^|[\s;&|(])(?:kubectl(?:\s+-{1,2}[\w-]+(?:[= ](?:\"[^\"]*\"|'[^']*'|[^\s\"']+))?)*\s+(?:apply|set|rollout|create|replace|patch)"
    r"|helm(?:\s+-{1,2}[\w-]+(?:[= ](?:\"[^\"]*\"|'[^']*'|[^\s\"']+))?)*\s+(?:upgrade|install)"
    r"|aws\s+ecs\s+(?:update-service|create-service|deploy|register-task-definition)|ecs-deploy\b"
    r"|docker\s+service\s+(?:update|create)|docker\s+stack\s+deploy|serverless\s+deploy|sls\s+deploy"
    r"|cdk\s+deploy|terraform\s+apply|flyctl\s+deploy|eb\s+deploy|gcloud\s+run\s+deploy"
    r"|aws\s+deploy\s+create-deployment|copilot\s+(?:svc|job)\s+deploy|ssh\s)"
)


class Production:
    """Decides whether a name (environment, family, service, cluster, path) means production.

    Patterns are case-insensitive globs (`*`, `?`, `[...]`, see cicdlint/globs.py) that must
    match whole words of the name: `prod` matches `prod-cluster`, `my_prod_api` and `PROD`, never
    `products` or `prodigy` (`prod*` would). `pre-prod` and `non-prod` name the environments
    that are not production. Globs, not regular expressions: the configuration is part of a pull request,
    and a glob cannot be written to backtrack for ever."""

    def __init__(self, patterns=DEFAULT_PRODUCTION_PATTERNS):
        from .globs import word_globs

        self.regex = re.compile(
            rf"(?<![A-Za-z0-9])(?<!pre[-_ ])(?<!non[-_ ])(?:{word_globs(patterns)})(?![A-Za-z0-9])", re.I | re.S
        )

    def matches(self, *names: str | None) -> bool:
        return any(name and self.regex.search(name[:MAX_NAME]) for name in names)

    def job(self, job: Job) -> bool:
        """A job deploys to production when its environment, or its workflow's file, says so."""
        name = job.environment_name
        if name and "${{" not in name:
            return self.matches(name)
        return self.matches(_file_stem(job.workflow.doc.path))

    def job_environment_is_dynamic(self, job: Job) -> bool:
        name = job.environment_name
        return bool(name and "${{" in name)


_PRODUCTIONS: dict[tuple, Production] = {}


def production_for(patterns) -> Production:
    """The Production notion for configured patterns (the defaults when None), made once."""
    key = tuple(patterns) if patterns else DEFAULT_PRODUCTION_PATTERNS
    if key not in _PRODUCTIONS:
        _PRODUCTIONS[key] = Production(key)
    return _PRODUCTIONS[key]


def _file_stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def _memo(view, key, compute):
    """Remember a notion on the view object: views are built once per file and shared by every
    rule, and the rules ask the same questions of the same jobs and steps."""
    memo = view.__dict__.setdefault("_notions", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def is_deploy_step(step: Step) -> bool:
    """A step that deploys: a deploy action, an SSH action, or a deploy command in its script
    (not in a comment). Steps that only prepare a deploy (a tool installer, cluster credentials,
    a task definition rendered into a file) and `ssh` that reaches no deploy target (`vagrant
    ssh`, `ssh localhost`, `ssh -T git@github.com`) are not deploys."""
    return _memo(step, "deploy", lambda: _is_deploy_step(step))


def _is_deploy_step(step: Step) -> bool:
    uses = text(step.node.get("uses"))
    if uses:
        if step.uses_action(*PREPARE_ONLY_ACTIONS):
            return False
        return step.uses_action(*DEPLOY_ACTIONS) or is_ssh_action(uses)
    run = text(step.node.get("run"))
    if not run:
        return False
    script = _NOT_A_REMOTE_SSH.sub(lambda m: " " * len(m.group(0)), _without_comments(run))
    return bool(_DEPLOY_COMMAND.search(script))


def is_deploy_job(job: Job, production: "Production | None" = None) -> bool:
    """The one notion of a deploy job: it has a step that deploys to a real target (not a
    rehearsal on a throwaway cluster, see `deploy_steps`), or it names an environment that is a
    deploy target (`environment_is_deploy_target`). A job that calls a reusable workflow is
    judged in that workflow."""
    if job.uses is not None:
        return False
    return _memo(job, ("deploy", id(production)), lambda: bool(deploy_steps(job)) or environment_is_deploy_target(job, production))


# --- What is not a deploy ------------------------------------------------------------------------
# A tool installer (setup-kubectl, setup-helm), cluster credentials (get-gke-credentials) or a
# rendered task definition deploys nothing; a command inside a shell comment or `vagrant ssh` /
# `ssh git@github.com` is no deploy; and a job that first creates a throwaway cluster or VM
# (kind, minikube, k3d, k3s, microk8s, vagrant, localstack, docker swarm init) rehearses a
# deploy in an integration test.

# Actions that prepare a deploy but change nothing: a tool installer, cluster credentials, a
# task definition rendered into a local file.
PREPARE_ONLY_ACTIONS = (
    "azure/setup-kubectl",
    "azure/setup-helm",
    "google-github-actions/get-gke-credentials",
    "aws-actions/amazon-ecs-render-task-definition",
)
THROWAWAY_TARGET_ACTIONS = (
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "debianmaster/actions-k3s",
    "jupyterhub/action-k3s-helm",
    "balchua/microk8s-actions",
    "localstack/setup-localstack",
)
_THROWAWAY_COMMAND = lazyre.compile(
    r"(?:^|[\s;&|(])(?:kind\s+create\s+cluster|minikube\s+start|k3d\s+cluster\s+create|ctlptl\s+(?:create|apply)"
    r"|microk8s\s|vagrant\s+up|localstack\s+start|docker\s+swarm\s+init|get\.k3s\.io"
    r"|make\s+[\w-]*(?:kind|minikube|k3d|k3s)[\w-]*|openssh-server\b)",
    re.M,
)
_THROWAWAY_USES = lazyre.compile(r"(?:^|[/_-])(?:kind|minikube|k3d|k3s|microk8s|localstack)(?:$|[/_-])", re.I)
_NOT_A_REMOTE_SSH = lazyre.compile(
    r"(?:(?:vagrant|minikube|multipass|limactl|docker-machine|colima)\s+ssh\s|ssh\s+(?:-\S+\s+)*(?:git@github\.com|localhost|127\.0\.0\.1)\b)"
)


def _without_comments(script: str) -> str:
    """The script with whole-line and trailing shell comments blanked out (offsets kept)."""
    return re.sub(r"(?m)(^|\s)#.*$", lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), script)


_TEST_WORDS = frozenset(("test", "tests", "testing", "e2e", "integration", "perftest", "conformance", "smoke"))
_DEPLOY_WORDS = frozenset(("deploy", "release", "publish", "rollout", "ship", "promote", "cd"))


def name_words(name: str | None) -> set[str]:
    """The lower-case words of a job id, job name or file name (`winIntegration`,
    `k6_test_run`, `build-and-deploy` → {win, integration}, {k6, test, run}, {build, and, deploy})."""
    if not name:
        return set()
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word}


def is_rehearsal_job(job: Job) -> bool:
    """Does the job rehearse a deploy rather than deploy? It creates the cluster or machine it
    deploys to (kind, minikube, k3d, k3s, microk8s, vagrant, localstack, `docker swarm init`,
    an SSH server container),
    or it is a test job: its id or name (or else its workflow's file name) says test / e2e /
    integration / smoke, and nothing there says deploy / release / publish / rollout."""
    job_words = name_words(job.id) | name_words(text(job.node.get("name")))
    file_words = name_words(_file_stem(job.workflow.doc.path))
    if not job_words & _DEPLOY_WORDS:
        if job_words & _TEST_WORDS or (file_words & _TEST_WORDS and not file_words & _DEPLOY_WORDS):
            return True
    for step in job.steps:
        uses = text(step.node.get("uses"))
        if uses:
            target = uses.split("@", 1)[0].lower()
            if target in THROWAWAY_TARGET_ACTIONS or (target.startswith("./") and _THROWAWAY_USES.search(target)):
                return True
        run = text(step.node.get("run"))
        if run and _THROWAWAY_COMMAND.search(_without_comments(run)):
            return True
    services = as_map(job.node.get("services"))
    for _, _, service in services.items() if services is not None else ():
        image = text(service.get("image")) if hasattr(service, "get") else text(service)
        if image and re.search(r"openssh-server|sshd", image, re.I):
            return True
    return False


def deploy_steps(job: Job) -> list[Step]:
    """The steps that deploy to a real target; none in a rehearsal job."""
    return _memo(job, "deploy_steps", lambda: _deploy_steps(job))


def _deploy_steps(job: Job) -> list[Step]:
    steps = [step for step in job.steps if is_deploy_step(step)]
    if steps and is_rehearsal_job(job):
        return []
    return steps


def deploys_gated_by(workflow) -> dict[str, list[Job]]:
    """For each job id, the first deploy job (`is_deploy_job`, in file order) that waits for it to
    succeed, as a one-item list: it needs the job, directly or through other jobs. A job whose `if:` calls `always()`, `failure()` or
    `cancelled()` runs whatever the jobs it needs did, so the chain stops there."""
    cached = getattr(workflow, "_deploys_gated_by", None)
    if cached is not None:
        return cached
    from .conditions import calls_status_function

    # Each job gets the first deploy (in file order) that waits for it: a later deploy's search
    # stops at jobs already claimed, whose own needs the earlier one has walked, so the whole
    # is linear in the size of the graph.
    gated: dict[str, list[Job]] = {}
    for deploy in workflow.jobs:
        if not is_deploy_job(deploy):
            continue
        pending = [deploy]
        while pending:
            job = pending.pop()
            if calls_status_function(job.if_):
                continue
            for name in job.needs:
                needed = workflow.job(name)
                if needed is None or name in gated or name == deploy.id:
                    continue
                gated[name] = [deploy]
                pending.append(needed)
    workflow._deploys_gated_by = gated  # the views are built once per file and shared by the rules
    return gated


# Words of an environment name that say it is somewhere the job deploys to. Environments are
# also used only to hold secrets or to ask for an approval (`automations`, `protected`,
# `release`, `pypi`, `trigger-nightly`): a job naming one of those deploys nothing.
_TARGET_WORDS = frozenset((
    "prod", "production", "prd", "live", "staging", "stage", "stg", "dev", "develop", "development",
    "qa", "uat", "preview", "review", "sandbox", "demo", "canary", "gamma", "beta", "alpha", "perf",
    "docs", "pages", "storybook", "deploy", "deploys", "deployment", "deployments",
))
# A job that names a production environment only to read from it: `environment: Prod (Readonly)`,
# or a job called download / verify / plan / backup.
_READ_ONLY_JOB_WORDS = frozenset((
    "download", "verify", "verification", "validate", "validation", "check", "checks", "plan", "diff",
    "lint", "audit", "report", "query", "backup", "inspect", "drift",
))
_TARGET_CONTEXT = lazyre.compile(r"(?:env|environment|environments|stage|target|deploy\w*)$", re.I)


def environment_is_deploy_target(job: Job, production: "Production | None" = None) -> bool:
    """Does the job's environment name a place it deploys to (production, staging, dev,
    preview, github-pages, `${{ inputs.environment }}` ...), rather than a holder of secrets or
    an approval gate (`automations`, `protected`, `release`, `pypi`)? A job whose id or name
    says deploy / rollout / promote deploys to whatever environment it names; one that says
    download / verify / plan / backup ..., or an environment called read-only, only reads; a
    test job (by its name, or its workflow's file name) tests against it. False without an
    environment."""
    name = job.environment_name
    if not name or not name.strip():
        return False
    job_words = name_words(job.id) | name_words(text(job.node.get("name")))
    file_words = name_words(_file_stem(job.workflow.doc.path))
    if not job_words & {"deploy", "rollout", "promote"}:
        # A test job that runs against the environment (`e2e`, `cypress-run` in testing.yml).
        if job_words & _TEST_WORDS or (file_words & _TEST_WORDS and not file_words & _DEPLOY_WORDS):
            return False
    if job_words & {"deploy", "deployment", "rollout", "promote"}:
        return True
    if job_words & _READ_ONLY_JOB_WORDS or {"readonly"} <= name_words(name) or {"read", "only"} <= name_words(name):
        return False
    if "${{" not in name:
        return _names_target(name, production)
    from .expressions import find_expressions

    literals = re.findall(r"'((?:[^']|'')*)'", name)
    if any(_names_target(literal, production) for literal in literals):
        return True
    for expression in find_expressions(name):
        for path in expression.flowing_contexts():
            if _TARGET_CONTEXT.search(path.rsplit(".", 1)[-1]):
                return True
    outside = re.sub(r"\$\{\{.*?\}\}", " ", name)
    return _names_target(outside, production)


def _names_target(name: str, production: "Production | None") -> bool:
    if production is not None and production.matches(name):
        return True
    return bool(name_words(name) & _TARGET_WORDS)


def describe_deploy_step(step: Step) -> str:
    """A short description of how a deploy step deploys, for messages: `uses: x/y@v1`, or
    the deploy command it runs (`kubectl apply`, `ssh`)."""
    uses = text(step.node.get("uses"))
    if uses:
        return f"`{uses}`"
    run = text(step.node.get("run")) or ""
    script = _NOT_A_REMOTE_SSH.sub(lambda m: " " * len(m.group(0)), _without_comments(run))
    match = _DEPLOY_COMMAND.search(script)
    if match:
        return "`" + " ".join(match.group(0).strip(" \t\n;&|(").split()) + "`"
    return f"step {step.index + 1}"


def gates_deploy(job: Job | None, step: Step | None = None) -> bool:
    """Must `job` succeed before a deploy runs (a deploy job needs it, directly or through other
    jobs)? With `step`: must that step succeed first (its job gates a deploy, or a later step of
    its own job deploys)?"""
    if job is None:
        return False
    if job.id in deploys_gated_by(job.workflow):
        return True
    if step is None:
        return False
    later = False
    for other in job.steps:
        if later and is_deploy_step(other):
            return True
        later = later or other.node is step.node
    return False


# --- expressions GitHub evaluates ----------------------------------------------------------------


def expression_sites(doc, view) -> list:
    """Every expression GitHub evaluates in a workflow or action, in document order:
    (scalar, Expression, is_condition). Each `${{ }}` in a value, and each job or step `if:`
    written without `${{ }}` as one Expression spanning the whole value. `view` is the
    document's Workflow or Action (the result is remembered on it)."""
    return _memo(view, "expression_sites", lambda: _expression_sites(doc, view))


def _expression_sites(doc, view) -> list:
    from .expressions import Expression, find_expressions
    from .model import Workflow
    from .yamlpos import Scalar

    conditions = set()
    if isinstance(view, Workflow):
        for job in view.jobs:
            conditions.add(id(job.if_))
            conditions.update(id(step.if_) for step in job.steps)
    else:
        conditions.update(id(step.if_) for step in view.steps())
    sites = []
    for scalar, _ in doc.composed.values():
        value = scalar.value
        condition = id(scalar) in conditions
        if "${{" in value:
            sites.extend((scalar, expression, condition) for expression in find_expressions(value))
        elif condition and value.strip() and not scalar.is_null:
            body = value.strip()
            start = value.find(body)
            sites.append((scalar, Expression(start, start + len(body), body), True))
    return sites
