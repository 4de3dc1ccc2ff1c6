from __future__ import annotations

import math
import re
from collections import Counter

from cicdlint import credentials, lazyre
from cicdlint.credentials import redact
from cicdlint.model import as_map, text
from cicdlint.notions import is_deploy_job, is_deploy_step
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar


@rule(
    id="hardcoded-credential",
    kinds=("workflow", "action"),
    severity="error",
    summary="A password, token or key is written literally in the workflow",
    tags=("security", "secrets", "secret-value"),
    security_severity=8.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds credentials written as literal values in workflows and composite actions:

    - values in a known credential format anywhere in the file (`env:`, `with:`, `run:`
      scripts, input defaults): AWS access key ids (`AKIA…`/`ASIA…`), GitHub tokens (`ghp_`,
      `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack tokens (`xoxb-`…) and webhook URLs,
      private key blocks (`-----BEGIN … PRIVATE KEY-----`), Stripe live keys (`sk_live_`,
      `rk_live_`), Google API keys (`AIza…`), npm (`npm_`), PyPI (`pypi-AgE…`) and GitLab
      (`glpat-`) tokens, and a 40-character AWS secret key under a `*SECRET*` name;
    - a literal value for a credential-named key in `env:` (workflow, job, step, service and
      container), step `with:` inputs and the `with:` and `secrets:` passed to a reusable workflow:
      `password`, `*_PASSWORD`, `*_TOKEN`, `*_SECRET`, `*_SECRET_KEY`, `api_key`, `*_PRIVATE_KEY`
      and the like;
    - a literal `password` in the registry `credentials:` of a job `container:` or a `services:`
      container.

    Not reported: `${{ … }}` expressions, empty values, placeholders (`xxx`, `***`,
    `<password>`, `${VAR}`, `$VAR`, `dummy`, `example`, `not-a-real-secret`), booleans and
    flags (`MYSQL_ALLOW_EMPTY_PASSWORD: yes`), environment variable *names* (setup-java's
    `server-password: MAVEN_TOKEN`), file paths and URLs, and AWS's documented example key.

    Severity depends on where the value is. A known credential format, a registry password, a
    credential given to a login action (`docker/login-action`, `configure-aws-credentials` …)
    and any credential in a job that deploys or targets production is an error. In a job that
    does not deploy, a random-looking value (a real token) is an error with medium confidence,
    while a weak fixed value such as `POSTGRES_PASSWORD: postgres` for a test service container
    is a note with low confidence: it protects a throwaway database, but it should not be
    copied into anything that lives longer. A job counted as deploying only because of a deploy
    step (no `environment:`, no production name) that also starts containers itself
    (`services:`, `docker run`, `docker compose up`) gets a warning with medium confidence for a
    weak value, and a note when the value is the password of such a container (`docker run -e
    USER_PASSWORD=…`): that is how tests of SSH deploy actions look. The value is never shown in
    full in messages (at most its first four characters).

    ## Why is this bad?
    Everyone who can read the repository can read the workflow, and the value stays in git
    history after it is removed. A token in a public repository is found by scanners within
    minutes. Literal values also cannot be rotated without a commit and are not masked in logs.

    ## Example
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        env:
          AWS_ACCESS_KEY_ID: AKIA2E0A8F3B244C9986
          DB_PASSWORD: s3cr3t-Pr0d-pw
        steps:
          - uses: docker/login-action@v3
            with:
              username: deploybot
              password: dckr_pat_2b3e36beeb386dfdaacb9b46004
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        permissions:
          id-token: write
        env:
          DB_PASSWORD: ${{ secrets.DB_PASSWORD }}
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              role-to-assume: arn:aws:iam::123456789012:role/deploy
              aws-region: eu-west-1
          - uses: docker/login-action@v3
            with:
              username: deploybot
              password: ${{ secrets.DOCKERHUB_TOKEN }}
    ```
    Revoke the exposed credential first (it is in git history), store the new one as an
    encrypted secret (an environment secret for deploy jobs) and reference it with
    `${{ secrets.NAME }}`. Prefer OIDC (`id-token: write`) over long-lived cloud keys.
    """
    checker = _Checker(doc, ctx)
    yield from checker.run()


# --- known credential formats ------------------------------------------------------------------

_AWS_SECRET = lazyre.compile(r"[A-Za-z0-9/+]{40}")



# --- credential-named keys ---------------------------------------------------------------------

_SECRET_NAME = lazyre.compile(
    r"""(?ix)^(?:.*[_.-])?(?:
        password|passwd|passphrase|pass[_-]?word|
        token|auth[_-]?token|access[_-]?token|api[_-]?token|
        secret|client[_-]?secret|secret[_-]?key(?:[_-]?base)?|secret[_-]?access[_-]?key|
        api[_-]?key|apikey|private[_-]?key|signing[_-]?key|encryption[_-]?key
    )$"""
)
# Keys that end like a credential but hold a flag, a name or a count.
_NOT_SECRET_NAME = lazyre.compile(r"(?i)(?:^|[_-])(?:allow[_-]?empty|random|skip|use|require|no)[_-]?(?:root[_-]?)?password$")

_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "y", "n", "0", "1", "none", "null", "nil",
                "undefined", "n/a", "na", "-", "empty", "unset", "disabled", "enabled"}
_PLACEHOLDER = lazyre.compile(
    r"""(?ix)
      ^(.)\1*$                                  # xxx, ***, ..., ----
    | x{3,} | \*{3,} | \.\.\.
    | ^<[^>]*>$ | ^\[[^\]]*\]$ | \{\{.*\}\} | ^%[A-Za-z_]+%$ | ^@[A-Za-z_.]+@$ | ^__[A-Z_]+__$
    | ^\$[A-Za-z_{(]                          # $VAR, ${VAR}, $(cmd)
    | dummy | fake | placeholder | example | sample | redacted | unused | replace[_-]?me | to[_-]?be[_-]?set
    | not[_ -]?(?:actually[_ -]?|really[_ -]?)?(?:a[_ -]?)?(?:real|secret|used|set|valid)
    | ^your[_ -] | ^my[_-]?(?:secret|token|password)$ | ^insert[_ -] | ^enter[_ -] | ^todo$ | ^tbd$
    """
)
_ENV_NAME = lazyre.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
_CONTEXT_REF = lazyre.compile(r"(?i)^(?:secrets|env|vars|github|inputs|steps|needs|matrix)\.[A-Za-z_]")
_PATH = lazyre.compile(r"(?i)^(?:/|\./|\.\./|~/|[A-Za-z]:\\)|\.(?:pem|key|json|p12|pfx|jks|keystore|txt|gpg|asc|enc|crt|cer|pub|yml|yaml|env)$")
_URL = lazyre.compile(r"(?i)^[a-z][a-z0-9+.-]*://")
_TEST_WORD = lazyre.compile(r"(?i)test|insecure|local|demo|[^a-z]dev[^a-z]|^dev|changeme")
_SEQUENCE = lazyre.compile(r"(?i)012345|123456|234567|345678|456789|abcdef|qwerty|asdfgh")

# Actions whose credential inputs log in to a real account, whatever the job does.
_LOGIN_ACTIONS = (
    "docker/login-action", "azure/docker-login", "azure/login", "aws-actions/configure-aws-credentials",
    "aws-actions/amazon-ecr-login", "google-github-actions/auth", "google-github-actions/setup-gcloud",
    "pypa/gh-action-pypi-publish", "jfrog/setup-jfrog-cli", "hashicorp/setup-terraform",
)
# Inputs of login actions that take a whole credential (a JSON document, a key file's content).
_LOGIN_DOCUMENT_INPUT = lazyre.compile(r"(?i)^(?:creds|credentials_json|credentials|service_account_key|cli_config_credentials_token)$")


def _is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.match(name)) and not _NOT_SECRET_NAME.search(name)


def _literal(node, structured: bool = False) -> str | None:
    """The value of a scalar that holds a literal credential, or None (expressions, flags,
    placeholders, names, paths and URLs are not credentials). `structured`: the input takes a
    whole credential document (azure/login `creds`), which may span lines and hold spaces."""
    if not isinstance(node, Scalar) or node.is_null:
        return None
    value = node.value.strip()
    if not value or "${{" in value:
        return None
    if structured:
        return value if len(value) >= 8 and not _PLACEHOLDER.search(value) and not _ENV_NAME.match(value) else None
    if "\n" in value:
        return None
    lowered = value.lower()
    if lowered in _FLAG_VALUES or _PLACEHOLDER.search(value):
        return None
    if _ENV_NAME.match(value) or _CONTEXT_REF.match(value) or _PATH.search(value) or _URL.match(value):
        return None
    if value.count(" ") >= 2:  # a sentence, not a credential
        return None
    return value


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    """A generated token rather than a word someone typed (`postgres`, `Passw0rd!`)."""
    if len(value) < 20 or " " in value or _SEQUENCE.search(value) or _TEST_WORD.search(value):
        return False
    classes = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value)))
    if classes < 2 or _entropy(value) < 3.5:
        return False
    words = re.findall(r"[A-Za-z][a-z]{3,}|[A-Z]{4,}", value)  # dictionary-ish runs
    return sum(map(len, words)) <= len(value) * 0.4



def _secret_name_for(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", key).upper().strip("_")
    return name or "CREDENTIAL"


class _Scope:
    """Where a mapping is: does its job deploy, which job, and the test credentials of containers
    the job starts itself (service containers, `docker run -e X_PASSWORD=…`)."""

    def __init__(self, deploy: bool, job, fixtures: set[str], service: bool = False, guessed: bool = False):
        self.deploy, self.job, self.fixtures, self.service = deploy, job, fixtures, service
        self.starts_containers = job is not None and _starts_containers(job)
        # Deploying only by the look of a step (no environment, no production name): a test of an
        # SSH action against a container the job starts itself looks the same.
        self.guessed = guessed


_DOCKER_ENV = lazyre.compile(r"""(?:^|\s)(?:-e|--env)[ =]["']?([A-Za-z_][A-Za-z0-9_]*)=["']?([^\s"'\\]+)""")


_STARTS_CONTAINER = lazyre.compile(r"\bdocker(?:-compose|\s+compose)?\s+(?:run|up)\b|\bdocker-compose\s+up\b")


def _starts_containers(job) -> bool:
    if job.services:
        return True
    return any(_STARTS_CONTAINER.search(text(step.node.get("run")) or "") for step in job.steps)


def _fixture_values(job) -> set[str]:
    values = set()
    containers = [service for _, service in job.services]
    if as_map(job.container) is not None:
        containers.append(job.container)
    for container in containers:
        env = as_map(container.get("env"))
        for name, _, value in env.items() if env else ():
            if _is_secret_name(name) and isinstance(value, Scalar):
                values.add(value.value.strip())
    for step in job.steps:
        run = text(step.node.get("run"))
        if run and ("-e " in run or "--env" in run):
            values.update(value for name, value in _DOCKER_ENV.findall(run) if _is_secret_name(name))
    return values


# --- the walk ----------------------------------------------------------------------------------


class _Checker:
    def __init__(self, doc, ctx):
        self.doc = doc
        self.ctx = ctx
        self.done: set[int] = set()  # value nodes already reported

    def run(self):
        if not isinstance(self.doc.root, Map):
            return
        if self.doc.kind == "workflow":
            yield from self._workflow()
        else:
            yield from self._action()
        yield from self._formats_everywhere()

    # Where credential-named keys are checked, and how sure a weak value is a real problem.

    def _workflow(self):
        workflow = self.ctx.workflow
        # A job deploys when it names an environment or runs a deploy step; the production notion
        # (environment or file name) also counts, except for service containers, whose fixed test
        # passwords a file name such as `test-production-flags.yml` does not make real.
        deploys = {job.id: is_deploy_job(job) for job in workflow.jobs}
        production = {job.id: self.ctx.production.job(job) for job in workflow.jobs}
        any_deploy = any(deploys[job.id] or production[job.id] for job in workflow.jobs)
        yield from self._mapping(workflow.node.get("env"), "workflow `env`", _Scope(any_deploy, None, set()))
        for job in workflow.jobs:
            fixtures = _fixture_values(job)
            guessed = job.node.get("environment") is None and not production[job.id]
            scope = _Scope(deploys[job.id] or production[job.id], job, fixtures, guessed=guessed)
            service_scope = _Scope(deploys[job.id], job, fixtures, service=True)
            label = f"job '{job.id}'"
            yield from self._mapping(job.node.get("env"), f"`env` of {label}", scope)
            yield from self._mapping(job.node.get("secrets"), f"`secrets` passed by {label}", scope, all_secret=True)
            yield from self._mapping(job.node.get("with"), f"`with` of {label}", scope)
            container = as_map(job.container)
            if container is not None:
                yield from self._container(container, f"the container of {label}", service_scope)
            for name, service in job.services:
                yield from self._container(service, f"service '{name}' of {label}", service_scope)
            for step in job.steps:
                yield from self._step(step, scope)

    def _action(self):
        steps = self.ctx.action.steps()
        scope = _Scope(any(is_deploy_step(step) for step in steps), None, set())
        for step in steps:
            yield from self._step(step, scope)

    def _step(self, step, scope: "_Scope"):
        where = f"step '{step.name}'" if step.name else f"step {step.index + 1}"
        yield from self._mapping(step.node.get("env"), f"`env` of {where}", scope)
        login = bool(step.uses is not None and step.uses_action(*_LOGIN_ACTIONS))
        yield from self._mapping(step.node.get("with"), f"`with` of {where}", scope, login=login)

    def _container(self, node: Map, where: str, scope: "_Scope"):
        credentials = as_map(node.get("credentials"))
        if credentials is not None:
            password = credentials.get("password")
            value = _literal(password)
            if value is not None and not self._known(password):
                self.done.add(id(password))
                yield Issue(
                    password,
                    f"Replace the literal registry password in `credentials` of {where} with "
                    f"`${{{{ secrets.REGISTRY_PASSWORD }}}}`, and rotate it ('{redact(value)}'). A registry "
                    "account's password in the workflow is readable by anyone who can read the repository.",
                    severity="error",
                    confidence="high",
                )
        yield from self._mapping(node.get("env"), f"`env` of {where}", scope)

    def _mapping(self, node, where: str, scope: "_Scope", *, all_secret=False, login=False):
        mapping = as_map(node)
        if mapping is None:
            return
        names = {name for name, _, _ in mapping.items()}
        for name, _, value_node in mapping.items():
            if not isinstance(value_node, Scalar) or id(value_node) in self.done:
                continue
            if self._known(value_node):
                continue  # reported by the format scan, with a better message
            aws = self._aws_secret(name, value_node, names)
            if aws is not None:
                self.done.add(id(value_node))
                yield aws
                continue
            structured = login and bool(_LOGIN_DOCUMENT_INPUT.match(name))
            if not (all_secret or structured or _is_secret_name(name)):
                continue
            value = _literal(value_node, structured)
            if value is None:
                continue
            self.done.add(id(value_node))
            yield self._generic(name, value, value_node, where, scope, login)

    def _generic(self, name, value, node, where, scope: "_Scope", login: bool):
        shown = redact(value)
        secret = _secret_name_for(name)
        fix = f"Replace the literal value of `{name}` in {where} with `${{{{ secrets.{secret} }}}}`"
        if login:
            return Issue(
                node,
                f"{fix}, and rotate it ('{shown}'). It logs in to a real account, and anyone who can read "
                "the repository can read it.",
                severity="error",
                confidence="high",
            )
        if scope.deploy and not scope.service and value in scope.fixtures:
            return Issue(
                node,
                f"{fix} if it protects anything beyond this run ('{shown}'). The same value is the password "
                "of a container this job starts itself, so it is most likely a throwaway test credential.",
                severity="note",
                confidence="low",
            )
        if scope.deploy and scope.guessed and not scope.service and scope.starts_containers and not _looks_random(value):
            return Issue(
                node,
                f"{fix} if it protects anything beyond this run ('{shown}'). Job '{scope.job.id}' looks like it "
                "deploys, but it also starts containers itself, so this weak fixed value may be a test credential.",
                severity="warning",
                confidence="medium",
            )
        if scope.deploy:
            job = scope.job
            what = f"Job '{job.id}'" if job is not None else ("This action" if self.doc.kind == "action" else "A job of this workflow")
            return Issue(
                node,
                f"{fix}, and rotate it ('{shown}'). {what} deploys (an environment, a deploy step or a production name), and a "
                "credential written in the file is readable by anyone who can read the repository.",
                severity="error",
                confidence="high",
            )
        if _looks_random(value):
            return Issue(
                node,
                f"{fix}, and revoke it ('{shown}'). It looks like a generated token; anyone who can read "
                "the repository can read it and it stays in git history.",
                severity="error",
                confidence="medium",
            )
        context = "a test service container" if scope.service else "a job that does not deploy"
        return Issue(
            node,
            f"{fix} if it protects anything beyond this run ('{shown}'). A fixed credential in {context} "
            "is usually a throwaway test value, but it must not be reused outside CI.",
            severity="note",
            confidence="low",
        )

    def _aws_secret(self, name: str, node: Scalar, names: set[str]):
        """A 40-character AWS secret key under a *SECRET* name (or beside an access key id)."""
        value = node.value.strip()
        if "SECRET" not in name.upper() or not _AWS_SECRET.fullmatch(value):
            return None
        has_key_id = any("ACCESS_KEY_ID" in other.upper().replace("-", "_") for other in names)
        if not has_key_id and "ACCESS" not in name.upper():
            return None
        if not _looks_random(value) or "EXAMPLE" in value:
            return None
        return Issue(
            node,
            f"Revoke the AWS secret access key in `{name}` ('{redact(value)}') and use "
            "aws-actions/configure-aws-credentials with OIDC (`role-to-assume`) or "
            f"`${{{{ secrets.{_secret_name_for(name)} }}}}` instead. Anyone who can read the repository can use it.",
            severity="error",
            confidence="high",
        )

    # Known formats, in every scalar of the file.

    def _known(self, node: Scalar) -> bool:
        return any(self._format_matches(node))

    def _format_matches(self, node: Scalar):
        for match in credentials.find(node.value):
            yield match.kind, match.start, match.length, match.token

    def _formats_everywhere(self):
        for node, key in self.doc.composed.values():
            value = node.value
            if id(node) in self.done or len(value) < 20:
                continue
            for kind, offset, length, token in self._format_matches(node):
                shown = "" if kind in ("private key", "Slack webhook URL") else f" ('{redact(token)}')"
                article = "an" if kind[0] in "AEIOUn" else "a"
                whole = len(value.strip()) <= length + 2 or (kind == "private key" and value.lstrip().startswith(token))
                span = node if whole else self.ctx.locate(node, offset, length)
                if key in ("run", "script"):
                    where, secret = f"the `{key}` script", "NAME"
                elif key:
                    where, secret = f"`{key}`", _secret_name_for(key)
                else:
                    where, secret = "this value", "NAME"
                yield Issue(
                    span,
                    f"Revoke the {kind} in {where}{shown} and reference a secret instead "
                    f"(`${{{{ secrets.{secret} }}}}`). Anyone who can read the repository can use {article} {kind} "
                    "committed to it, and it stays in git history.",
                    severity="error",
                    confidence="high",
                )


