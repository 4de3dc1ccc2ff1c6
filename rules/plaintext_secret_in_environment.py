from __future__ import annotations

import re

from cicdlint import credentials, lazyre
from cicdlint.credentials import redact
from cicdlint.model import as_map, as_scalar, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

# --- secret-like names ---------------------------------------------------------------------------
# Matched against the name in UPPER_SNAKE form (`dbPassword` -> `DB_PASSWORD`, `db.password` ->
# `DB_PASSWORD`). The secret word must END the name: DB_PASSWORD_FILE, JWT_SECRET_ARN,
# API_TOKEN_URL, AWS_ACCESS_KEY_ID and SECRET_NAME name where a secret is, not the secret.
_SECRET_NAME = lazyre.compile(
    r"""(?x)(?:^|_)(?:
        PASSWORD|PASSWD|PASSPHRASE|
        SECRET|SECRET_KEY|SECRET_KEY_BASE|CLIENT_SECRET|SECRET_ACCESS_KEY|SECRET_TOKEN|
        TOKEN|ACCESS_TOKEN|AUTH_TOKEN|API_TOKEN|REFRESH_TOKEN|BEARER_TOKEN|
        API_KEY|APIKEY|PRIVATE_KEY|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY|LICENSE_KEY|ACCOUNT_KEY|
        AUTH_KEY|HMAC_KEY|JWT_KEY|CIPHER_KEY|SESSION_KEY
    )$"""
)
# Glued to a prefix: PGPASSWORD, MYSQLPASSWORD.
_GLUED_SECRET_NAME = lazyre.compile(r"^[A-Z0-9]{2,}(?:PASSWORD|PASSWD|PASSPHRASE)$")
# Need a prefix: a bare PWD is the working directory, a bare PASS is rare and ambiguous.
_SECRET_NAME_WITH_PREFIX = lazyre.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_(?:PASS|PWD)$")
_WHOLE_SECRET_NAMES = {"APP_KEY"}  # Laravel's encryption key
# Names that end like a secret but hold a flag, a count or a duration.
_NOT_SECRET_NAME = lazyre.compile(
    r"(?:^|_)(?:ALLOW_EMPTY|RANDOM|SKIP|USE|REQUIRE|REQUIRED|NO|DISABLE|ENABLE|GENERATE|"
    r"MAX|MIN|NUM|COUNT|LENGTH|LEN|SIZE|TTL|EXPIRY|EXPIRES|EXPIRE|TIMEOUT|LIFETIME)_"
)

# --- values that are not literal secrets ---------------------------------------------------------
_FLAG_VALUES = {"true", "false", "yes", "no", "on", "off", "y", "n", "0", "1", "none", "null", "nil", "undefined",
                "n/a", "na", "-", "empty", "unset", "disabled", "enabled", "optional", "required",
                "bearer", "basic", "jwt", "hs256", "rs256"}
_PLACEHOLDER = lazyre.compile(
    r"""(?ix)
      \$\{ | \$\( | \{\{ | \}\} | \#\{ | <% | \$\$\$ | @@     # ${X}, $(cmd), {{ x }}, #{X}, <%= x %>, $$$X$$$, @@X@@
    | ^\$[A-Za-z_]                                       # $VAR
    | ^<[^<>]*>$ | ^\{[A-Za-z_][\w.-]*\}$ | ^%[A-Za-z_][\w.-]*%$ | ^@[A-Za-z_][\w.-]*@$ | ^__[A-Za-z_]\w*__$
    | ^(.)\1*$                                           # x, xxx, ***, ----
    | x{4,} | \*{3,} | \.\.\.
    | dummy | fake | placeholder | example | sample | redacted | replace[_ -]?(?:me|this|with) | to[_ -]?be[_ -]?(?:set|replaced)
    | not[_ -]?(?:a[_ -]?)?(?:real|secret|set|valid)
    | ^your[_ -] | ^insert[_ -] | ^enter[_ -] | ^put[_ -] | ^todo$ | ^tbd$ | ^fixme$
    | ^!!!.*!!!$                                         # cookiecutter's "!!!SET DJANGO_SECRET_KEY!!!"
    """
)
_ENV_NAME = lazyre.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # VAR_DB_PASSWORD: replaced by a script
_REFERENCE = lazyre.compile(r"(?i)^(?:arn:aws[\w-]*:|ssm:|secretsmanager:|resolve:|vault:|alias/|/)|\.(?:pem|key|crt|p12|pfx|jks|json|txt)$")
_URL = lazyre.compile(r"(?i)^[a-z][a-z0-9+.-]*://")

# --- values in a known credential format, whatever the name ---------------------------------------
# scheme://user:password@host (database URLs, AMQP, Redis with `:password@`).
_URL_CREDENTIALS = lazyre.compile(r"(?i)(?<![\w+.-])[a-z][a-z0-9+.-]*://([^\s/:@?#]*):([^\s/@?#]+)@[^\s/@]+")
# ADO.NET / ODBC / JDBC-property style: `...;Password=...;`
_CONNECTION_PASSWORD = lazyre.compile(r"(?i)(?:^|[;?&\s])(?:password|pwd)=([^;&\s]+)")
_GENERIC_USERS = {"user", "username", "usr", "login", "name"}
_GENERIC_PASSWORDS = {"password", "pass", "passwd", "pwd", "secret"}


def _upper_snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()


def secret_name(name: str) -> bool:
    normal = _upper_snake(name)
    if not normal or _NOT_SECRET_NAME.search(normal):
        return False
    return bool(
        _SECRET_NAME.search(normal)
        or _GLUED_SECRET_NAME.match(normal)
        or _SECRET_NAME_WITH_PREFIX.match(normal)
        or normal in _WHOLE_SECRET_NAMES
    )


def _placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value))


def literal(value: str, name: str = "") -> str | None:
    """The value when it can be a literal secret, or None (flags, placeholders, references)."""
    value = value.strip()
    if not value or value.lower() in _FLAG_VALUES or _placeholder(value):
        return None
    normal_name = _upper_snake(name)
    if len(normal_name) >= 6 and normal_name in _upper_snake(value):
        return None  # "db-password" for DB_PASSWORD, "SET_DB_PASSWORD_HERE": the value names itself
    if _ENV_NAME.match(value) or _REFERENCE.search(value):
        return None
    if _URL.match(value) and not _URL_CREDENTIALS.search(value):
        return None  # an endpoint, not a secret (a URL with a password is found below)
    return value


def _format(value: str) -> str | None:
    """What known credential format the value holds, if any."""
    found = credentials.find(value)
    if found:
        return credentials.article(found[0].kind)
    for match in _URL_CREDENTIALS.finditer(value):
        user, password = match.group(1), match.group(2)
        if _credential_part(password) and not (
            user.lower() in _GENERIC_USERS and password.lower() in _GENERIC_PASSWORDS
        ) and not (password.isupper() and password.isalpha()):
            return "a URL with a password"
    for match in _CONNECTION_PASSWORD.finditer(value):
        if _credential_part(match.group(1)) and match.group(1).lower() not in _GENERIC_PASSWORDS:
            return "a connection string with a password"
    return None


def _credential_part(text: str) -> bool:
    return bool(text) and not _placeholder(text) and not text.startswith("%") and not _ENV_NAME.match(text)



@rule(
    id="plaintext-secret-in-environment",
    kinds=("taskdef",),
    severity="error",
    summary="A password, token or key is written in plaintext in a container's `environment`",
    tags=("security", "secrets", "secret-value"),
    security_severity=8.0,
)
def check(doc, ctx):
    """## What it does
    Reads the `environment` list (`{"name": ..., "value": ...}` entries) of every container
    definition and reports, at the value, an entry that holds a literal secret:

    - a secret-like *name* with a literal value: a name that ends in `PASSWORD`, `PASSWD`,
      `PASSPHRASE`, `SECRET`, `SECRET_KEY`, `SECRET_KEY_BASE`, `CLIENT_SECRET`,
      `SECRET_ACCESS_KEY`, `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY`, `SIGNING_KEY`,
      `ENCRYPTION_KEY`, `MASTER_KEY`, `LICENSE_KEY`, `ACCOUNT_KEY`, `AUTH_KEY`, `HMAC_KEY`,
      `JWT_KEY`, `CIPHER_KEY` or `SESSION_KEY`, or in `_PASS` / `_PWD` after a prefix, a
      name glued to `PASSWORD` (`PGPASSWORD`), and Laravel's `APP_KEY` (camelCase and dotted
      names count too: `dbPassword`);
    - a secret-like *value* under any name: an AWS access key id (`AKIA…`/`ASIA…`), GitHub
      (`ghp_…`, `github_pat_…`), Slack (`xoxb-…`, webhook URLs), Stripe live, Google API, npm
      and GitLab tokens, a private key block with key material, a URL with a password
      (`postgres://app:…@db.internal/app`) and a connection string with `Password=`.

    A name only says where a secret is when the secret word ends it, so these are not
    reported: `DB_PASSWORD_FILE`, `JWT_SECRET_ARN`, `API_TOKEN_URL`, `SECRET_NAME`,
    `AWS_ACCESS_KEY_ID` (unless its value is an `AKIA…` key), `TOKEN_TTL`, `MAX_TOKEN`,
    `ALLOW_EMPTY_PASSWORD`. Nor are values that are not literal secrets: empty values, flags
    (`true`, `no`, `null`), template placeholders (`${DB_PASSWORD}`, `$DB_PASSWORD`,
    `<password>`, `{{ db_password }}`, `#{DbPassword}`, `{aws_secret_access_key}`,
    `$$$PASSWORD$$$`, `__PASSWORD__`, `%PASSWORD%`, `VAR_DB_PASSWORD`, `YOUR_API_KEY`, `xxxx`,
    `***`, `!!!SET DJANGO_SECRET_KEY!!!`, a value that repeats the variable's own name such as
    `db-password` for `DB_PASSWORD`), ARNs, KMS aliases (`alias/...`), parameter and file
    paths, URLs without a password, `user:password@` and `USER:PASSWORD@` in URLs, token
    types (`Bearer`), and AWS's documented example key. Weak real passwords such as
    `changeme`, `secret` or `postgres` *are* reported: they are what the container gets.

    Messages show at most the first four characters of the value; the rule is tagged
    `secret-value`, so the text report also hides the source line.

    ## Why is this bad?
    `environment` values are part of the task definition: anyone who can read the file in
    the repository (and its history), call `ecs:DescribeTaskDefinition`, or open the task in
    the console can read them, and every revision keeps them. They also show up in
    `docker inspect` on EC2 hosts and in tools that export task definitions. A secret given
    through `secrets` is fetched by the execution role at start-up, is never stored in the
    task definition, and can be rotated without registering a new revision.

    ## Example
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "environment": [
            { "name": "DB_HOST", "value": "orders.cluster-c9akciq32.us-east-1.rds.amazonaws.com" },
            { "name": "DB_PASSWORD", "value": "Tr0ub4dor&3-prod" },
            { "name": "STRIPE_API_KEY", "value": "sk_live_4eC39HqLyjWDarjtT1zdp7dc" }
          ]
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "executionRoleArn": "arn:aws:iam::123456789012:role/orders-api-execution",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "environment": [
            { "name": "DB_HOST", "value": "orders.cluster-c9akciq32.us-east-1.rds.amazonaws.com" }
          ],
          "secrets": [
            { "name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-AbCdEf" },
            { "name": "STRIPE_API_KEY", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/orders/stripe-api-key" }
          ]
        }
      ]
    }
    ```
    Store the value in Secrets Manager or SSM Parameter Store (SecureString), reference it
    from `secrets` with `valueFrom`, and let the execution role read it
    (`secretsmanager:GetSecretValue` / `ssm:GetParameters`). Rotate the exposed value: it is
    in git history and in every registered revision. For AWS keys, give the task a
    `taskRoleArn` instead of keys.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    for container in taskdef.containers:
        where = f"container '{container.name}'" if container.name else "this container"
        for entry in as_seq(container.node.get("environment")):
            entry = as_map(entry)
            if entry is None:
                continue
            name_node, value_node = as_scalar(entry.get("name")), as_scalar(entry.get("value"))
            if value_node is None or value_node.is_null:
                continue
            name = name_node.value.strip() if name_node is not None and not name_node.is_null else ""
            issue = _check_entry(name, value_node, where)
            if issue is not None:
                yield issue


def _check_entry(name: str, node: Scalar, where: str) -> Issue | None:
    raw = node.value
    shown_name = f"`{name}`" if name and not _placeholder(name) else "this variable"
    kind = _format(raw)
    named = bool(name) and not _placeholder(name) and secret_name(name)
    if kind is None and not (named and literal(raw, name) is not None):
        return None
    shown = redact(raw)
    aws = kind == "an AWS access key id" or _upper_snake(name).endswith(("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))
    fix = (
        f"Move {shown_name} of {where} from `environment` to `secrets`, with `valueFrom` set to a Secrets Manager "
        "secret or SSM Parameter Store parameter ARN"
    )
    if aws:
        fix = (
            f"Remove {shown_name} from `environment` of {where} and give the task an IAM role (`taskRoleArn`); if a "
            "key is unavoidable, pass it through `secrets` with `valueFrom` (a Secrets Manager or SSM parameter ARN)"
        )
    what = f"The value is {kind}" if kind else "The value is a literal secret"
    return Issue(
        node,
        f"{fix}, and rotate the exposed value ('{shown}'). {what} in plaintext: anyone who can read this file, "
        "its git history or the registered task definition can read it.",
    )
