from __future__ import annotations

from cicdlint.expressions import find_expressions
from cicdlint.rule import Issue, rule


@rule(
    id="overprovisioned-secrets",
    kinds=("workflow", "action"),
    severity="warning",
    summary="`toJSON(secrets)` or `secrets[<expression>]` gives the runner every secret",
    tags=("security", "secrets"),
    security_severity=5.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds expressions anywhere in a workflow or action that read the whole `secrets` context
    (`${{ toJSON(secrets) }}`) or a secret whose name is computed
    (`${{ secrets[format('DEPLOY_KEY_{0}', matrix.env)] }}`, `${{ secrets[inputs.name] }}`),
    reported at the expression. Literal names (`secrets.NPM_TOKEN`, `secrets['NPM_TOKEN']`)
    are fine.

    ## Why is this bad?
    GitHub sends a job's runner only the secrets the job names. When a name is computed at
    run time, or the whole context is serialised, GitHub cannot know which ones are needed and
    sends all of them: every repository, environment and organisation secret is then on the
    runner, where any step (and any compromised action or dependency) can read it, and
    `toJSON(secrets)` puts them all into one value that is easy to leak into a log or a file.

    ## Example
    ```yaml
    jobs:
      deploy:
        strategy:
          matrix:
            env: [staging, production]
        steps:
          - run: ./deploy.sh
            env:
              DEPLOY_KEY: ${{ secrets[format('DEPLOY_KEY_{0}', matrix.env)] }}
              ALL_SECRETS: ${{ toJSON(secrets) }}
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        strategy:
          matrix:
            env: [staging, production]
        environment: ${{ matrix.env }}
        steps:
          - run: ./deploy.sh
            env:
              DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
    ```
    Name each secret literally. To pick a secret per target, store it under the same name in
    one GitHub environment per target, or select it with literal names:
    `${{ matrix.env == 'production' && secrets.DEPLOY_KEY_PRODUCTION || secrets.DEPLOY_KEY_STAGING }}`.
    """
    for scalar, _ in doc.composed.values():
        value = scalar.value
        if "${{" not in value or "secrets" not in value.lower():
            continue
        for expression in find_expressions(value):
            if "secrets" not in expression.body.lower() or not expression.dynamic_secret_access():
                continue
            span = ctx.locate(scalar, expression.start, expression.length)
            yield Issue(span, _message(expression))


def _message(expression) -> str:
    body = " ".join(expression.body.split())
    shown = body if len(body) <= 80 else body[:77] + "..."
    if "secrets" in expression.contexts():
        return (
            f"Pass only the secrets that are needed, each by name (`${{{{ secrets.NAME }}}}`), instead of "
            f"`${{{{ {shown} }}}}`. Reading the whole secrets context makes GitHub send every secret to "
            f"the runner, and puts them all in one value."
        )
    return (
        f"Name the secret literally (`secrets.NAME`, one per environment or chosen with `&&`/`||`) "
        f"instead of `${{{{ {shown} }}}}`. A computed secret name makes GitHub send every secret to "
        f"the runner."
    )
