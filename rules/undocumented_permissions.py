from __future__ import annotations

from cicdlint import lazyre
from cicdlint.model import as_map, as_scalar
from cicdlint.rule import Issue, rule

# Tool directives: not explanations (the text after one can be).
_DIRECTIVE = lazyre.compile(
    r"(?:cicdlint|zizmor|checkov|trivy|yamllint|pragma)\s*:\s*(?:ignore|disable|skip)\S*(?:\[[^\]]*\])?|noqa(?::\s*\S+)?|nosec|prettier-ignore"
    r"|checkov:skip=\S+",
    lazyre.IGNORECASE,
)


@rule(
    id="undocumented-permissions",
    kinds=("workflow",),
    severity="note",
    summary="A `write` permission has no comment saying why the workflow or job needs it",
    tags=("pedantic",),
    confidence="high",
    default_enabled=False,
    options={"include-read": False},
    options_schema={
        "include-read": {
            "type": "boolean",
            "description": "also ask for a comment on read permissions (except `contents: read`), as zizmor does",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Opt-in (pedantic): finds `write` permissions in workflow- and job-level `permissions:`
    blocks (and `permissions: write-all`) with no comment explaining them. A comment counts
    when it is on the permission's line, on the line(s) right above it, or on or right above
    the `permissions:` line (documenting the whole block). Tool directives
    (`# cicdlint: ignore[...]`, `# zizmor: ignore[...]`, `# noqa`) are not explanations. With
    the `include-read` option, read permissions other than `contents: read` need a comment too.
    Enable it with `--select undocumented-permissions` or
    `rules: {undocumented-permissions: {enabled: true}}`.

    ## Why is this bad?
    Every write permission is something a compromised step can do with the job's token: push
    code, publish a release, approve a pull request. A one-line reason makes it possible to
    review whether the permission is still needed and to notice when someone widens it
    without need. Permissions nobody can explain tend to stay forever.

    ## Example
    ```yaml
    permissions:
      contents: write
      pull-requests: write
    ```

    ## Use instead
    ```yaml
    permissions:
      contents: write       # push the release tag
      pull-requests: write  # comment the changelog on the pull request
    ```
    Add a short comment on each write permission's line saying what needs it.
    """
    include_read = bool(ctx.options.get("include-read"))
    workflow = ctx.workflow
    blocks = [("the workflow", workflow.node.key("permissions"), workflow.permissions_node)]
    blocks += [(f"job '{job.id}'", job.node.key("permissions"), job.permissions) for job in workflow.jobs]
    lines = doc.lines
    for owner, key, value in blocks:
        if key is None or value is None:
            continue
        block_documented = _comment_at(doc, key.start, key, lines) or _comment_above(doc, key, lines)
        if block_documented:
            continue
        scalar = as_scalar(value)
        if scalar is not None:
            level = scalar.value.strip()
            if level == "write-all" and not _comment_at(doc, scalar.end, scalar, lines):
                yield Issue(scalar, f"Add a comment saying why {owner} needs `write-all`, or better, list the write "
                                    "permissions it needs one by one, each with its reason.")
            continue
        permissions = as_map(value)
        if permissions is None:
            continue
        for name, scope_key, level_node in permissions.items():
            level = as_scalar(level_node)
            if level is None:
                continue
            wanted = level.value.strip()
            if wanted != "write" and not (include_read and wanted == "read" and name != "contents"):
                continue
            if _comment_at(doc, level.end, level, lines) or _comment_above(doc, scope_key, lines):
                continue
            yield Issue(
                scope_key,
                f"Add a comment saying why {owner} needs `{name}: {wanted}` (`{name}: {wanted}  # <what uses it>`), so "
                "that reviewers can tell whether it is still needed.",
            )


def _comment_at(doc, offset: int, node, lines) -> bool:
    """A meaningful comment after `offset` on the line where `offset` is."""
    line, col = doc.composed.line_col(offset)
    rest = lines[line - 1][col - 1:] if line <= len(lines) else ""
    for index, char in enumerate(rest):
        if char == "#" and (index == 0 and col > 1 and lines[line - 1][col - 2] in " \t" or index > 0 and rest[index - 1] in " \t"):
            return _meaningful(rest[index:])
    return False


def _comment_above(doc, key, lines) -> bool:
    """A meaningful comment on the comment-only lines right above the key's line."""
    line = doc.composed.line_col(key.start)[0] - 1
    while line >= 1:
        stripped = lines[line - 1].strip()
        if not stripped.startswith("#"):
            return False
        if _meaningful(stripped):
            return True
        line -= 1
    return False


def _meaningful(comment: str) -> bool:
    rest = _DIRECTIVE.sub(" ", comment.lstrip("#"))
    return any(char.isalpha() for char in rest)
