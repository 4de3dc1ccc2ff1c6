from __future__ import annotations

from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, rule


@rule(
    id="dependabot-execution",
    kinds=("dependabot",),
    severity="error",
    summary="Dependabot is allowed to run code from dependency manifests while it updates them",
    tags=("security", "supply-chain"),
    security_severity=7.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `insecure-external-code-execution: allow` in the `updates:` entries of
    `.github/dependabot.yml`.

    ## Why is this bad?
    With `allow`, Dependabot runs code that comes with the dependencies while it resolves an
    update (a `setup.py`, a Gemfile's Ruby code, a `mix.exs`). A compromised or malicious
    release of any dependency then runs inside the Dependabot job, which holds the
    credentials of the private registries configured for that update and can push a pull
    request branch to your repository. Updating automatically is exactly when nobody has
    looked at the new code yet.

    ## Example
    ```yaml
    version: 2
    updates:
      - package-ecosystem: pip
        directory: /
        schedule:
          interval: weekly
        insecure-external-code-execution: allow
    ```

    ## Use instead
    ```yaml
    version: 2
    updates:
      - package-ecosystem: pip
        directory: /
        schedule:
          interval: weekly
        insecure-external-code-execution: deny
    ```
    Remove the option (the default is `deny`) or set it to `deny`. If the ecosystem cannot
    resolve without running code, prefer a lock file Dependabot can update without executing
    anything (a `requirements.txt` or `pyproject.toml` instead of `setup.py`).
    """
    root = as_map(doc.root)
    if root is None:
        return
    for update in as_seq(root.get("updates")):
        update = as_map(update)
        if update is None:
            continue
        value = as_scalar(update.get("insecure-external-code-execution"))
        if value is None or value.value.strip() != "allow":  # the schema is case-sensitive
            continue
        ecosystem = text(update.get("package-ecosystem")) or "this ecosystem"
        directory = text(update.get("directory"))
        where = f"'{ecosystem}' updates" + (f" in '{directory}'" if directory else "")
        registries = update.get("registries")
        reach = (
            " The job also holds the credentials of the registries this update uses (`registries:`)."
            if registries is not None and not getattr(registries, "is_null", False)
            else ""
        )
        yield Issue(
            value,
            f"Set `insecure-external-code-execution: deny` (or remove it) for {where}. With `allow`, Dependabot runs "
            f"code shipped with the dependencies while it updates them, so a malicious release runs in the update job."
            f"{reach}",
        )
