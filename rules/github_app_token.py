from __future__ import annotations

from cicdlint.model import as_map, text
from cicdlint.rule import Issue, Location, rule

CREATE_APP_TOKEN = "actions/create-github-app-token"
TIBDEX = "tibdex/github-app-token"
PETER_MURRAY = "peter-murray/workflow-application-token-action"
# Actions that mint an installation token but cannot narrow it at all.
UNSCOPABLE = ("getsentry/action-github-app-token", "wow-actions/use-app-token", "navikt/github-app-token-generator",
              "machine-learning-apps/actions-app-token", "jnwng/github-app-installation-token-action")

# create-github-app-token permissions that only reach organization resources: with only these,
# `owner:` without `repositories:` grants nothing in the repositories (zizmor's list).
ORG_ONLY_PERMISSIONS = frozenset((
    "permission-custom-properties-for-organizations",
    "permission-enterprise-custom-properties-for-organizations",
    "permission-members",
    "permission-organization-administration",
    "permission-organization-announcement-banners",
    "permission-organization-copilot-seat-management",
    "permission-organization-custom-org-roles",
    "permission-organization-custom-properties",
    "permission-organization-custom-roles",
    "permission-organization-events",
    "permission-organization-hooks",
    "permission-organization-packages",
    "permission-organization-personal-access-token-requests",
    "permission-organization-personal-access-tokens",
    "permission-organization-plan",
    "permission-organization-projects",
    "permission-organization-secrets",
    "permission-organization-self-hosted-runners",
    "permission-organization-user-blocking",
))
_TRUE = ("true", "yes", "on", "1", "y")


@rule(
    id="github-app-token",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A GitHub App token is minted with all the installation's permissions or repositories, or is never revoked",
    tags=("security", "permissions"),
    security_severity=6.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds steps that mint a GitHub App installation token more powerful than needed:

    - `actions/create-github-app-token` with no `permission-<name>` input (the token gets every
      permission of the installation); with `owner:` but no `repositories:` (the token reaches
      every repository of the installation, unless all the requested permissions are
      organization-only); with `skip-token-revoke: true` (the token stays valid for up to an
      hour after the job; an expression there is reported at low confidence);
    - `tibdex/github-app-token` with no `permissions` input, or with neither `repositories` nor
      `repository_ids` (it defaults to every repository the installation can access);
    - `peter-murray/workflow-application-token-action` with no `permissions` input;
    - actions that cannot narrow the token at all (`getsentry/action-github-app-token` and
      similar), at medium confidence.

    A step whose `with:` is not a mapping (an expression) is not reported: its inputs are not
    visible here.

    ## Why is this bad?
    An App installation is usually granted broad access once, for all its uses (often
    `contents: write` on every repository of the organization). A token minted with the
    defaults carries all of it into this job, where any step, action or compromised
    dependency can read it from the environment or the step's output and push to, approve
    or release any of those repositories. A token that is not revoked stays usable after the
    job, e.g. from a leaked log or artifact.

    ## Example
    ```yaml
    steps:
      - id: app-token
        uses: actions/create-github-app-token@v2
        with:
          app-id: ${{ vars.APP_ID }}
          private-key: ${{ secrets.APP_PRIVATE_KEY }}
          owner: my-org
    ```

    ## Use instead
    ```yaml
    steps:
      - id: app-token
        uses: actions/create-github-app-token@v2
        with:
          app-id: ${{ vars.APP_ID }}
          private-key: ${{ secrets.APP_PRIVATE_KEY }}
          owner: my-org
          repositories: website,docs
          permission-contents: write
          permission-pull-requests: write
    ```
    Name the repositories the job works on and request only the permissions it uses
    (`permission-contents: write` ...; tibdex: `permissions: '{"contents": "write"}'`,
    `repositories: '["website"]'`). Leave token revocation on.
    """
    for step in ctx.steps():
        name = step.action_name
        if name is None:
            continue
        if name == CREATE_APP_TOKEN:
            yield from _create_app_token(doc, ctx, step)
        elif name == TIBDEX:
            yield from _tibdex(step)
        elif name == PETER_MURRAY:
            names = _input_names(step)
            if names is not None and "permissions" not in names:
                yield Issue(step.uses, "Add a `permissions:` input (e.g. `permissions: \"contents:write\"`): without it the "
                                       "token gets every permission of the App's installation.")
        elif name in UNSCOPABLE:
            yield Issue(
                step.uses,
                f"Replace '{name}' with actions/create-github-app-token and its `repositories:` and `permission-*` inputs: "
                "this action cannot narrow the token, which gets every permission and repository of the App's installation.",
                confidence="medium",
            )


def _input_names(step) -> set[str] | None:
    """The names under `with:`; None when `with:` is an expression (not visible here)."""
    node = step.node.get("with")
    inputs = as_map(node)
    if node is not None and inputs is None and not getattr(node, "is_null", False):
        return None
    return {key for key, _, _ in inputs.items()} if inputs is not None else set()


def _create_app_token(doc, ctx, step):
    names = _input_names(step)
    if names is None:
        return
    inputs = step.with_
    permissions = {key for key in names if key.startswith("permission-")}
    revoke_node = inputs.get("skip-token-revoke") if inputs is not None else None
    if revoke_node is None and inputs is not None:
        revoke_node = inputs.get("skip_token_revoke")
    revoke = text(revoke_node)
    if revoke is not None:
        value = revoke.strip().lower()
        if "${{" in value:
            yield Issue(revoke_node, "Remove `skip-token-revoke` (or make sure the expression is false): when it is true the "
                                     "token stays valid after the job, for up to an hour.", confidence="low")
        elif value in _TRUE:
            yield Issue(revoke_node, "Remove `skip-token-revoke: true`: the token then stays valid after the job, for up to an "
                                     "hour, wherever it was logged or saved.")
    owner_key = inputs.key("owner") if inputs is not None else None
    repositories = text(inputs.get("repositories")) if inputs is not None else None
    if repositories is not None and not repositories.strip():
        names.discard("repositories")  # an empty input is no input
    if owner_key is not None and "repositories" not in names and not (permissions and permissions <= ORG_ONLY_PERMISSIONS):
        owner = text(inputs.get("owner")) or "the owner"
        yield Issue(
            owner_key,
            f"Add `repositories:` (e.g. `repositories: ${{{{ github.event.repository.name }}}}`) next to `owner: {owner}`: "
            "without it the token reaches every repository the App is installed on for that owner.",
            related=[Location(doc.path, ctx.span(step.uses), "token minted here")],
        )
    if not permissions:
        yield Issue(
            step.uses,
            "Add the `permission-<name>` inputs the job needs (e.g. `permission-contents: write`): without any, the token gets "
            "every permission of the App's installation.",
        )


def _tibdex(step):
    names = _input_names(step)
    if names is None:
        return
    missing, effects = [], []
    if "permissions" not in names:
        missing.append("`permissions:` (e.g. `permissions: '{\"contents\": \"write\"}'`)")
        effects.append("every permission of the App's installation")
    if "repositories" not in names and "repository_ids" not in names:
        missing.append("`repositories:` (e.g. `repositories: '[\"${{ github.event.repository.name }}\"]'`)")
        effects.append("every repository the installation can access")
    if missing:
        yield Issue(
            step.uses,
            f"Add {' and '.join(missing)}: without {'them' if len(missing) > 1 else 'it'} the token gets "
            f"{' and '.join(effects)}.",
            confidence=None if "permissions" not in names else "medium",
        )
