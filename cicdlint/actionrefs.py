"""The `uses: owner/repo[/path]@ref` references of a workflow or composite action, with the
version their trailing comment names (`@<sha> # v4.1.2`). Shared by the rules that judge
action versions (known-vulnerable-action and the opt-in online checks)."""
from __future__ import annotations

from . import lazyre

_SHA = lazyre.compile(r"[0-9a-fA-F]{40}")
_NAME = lazyre.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_REPO = lazyre.compile(r"[A-Za-z0-9._-]{1,100}")


class ActionRef:
    __slots__ = ("node", "owner", "repo", "path", "ref", "is_sha", "comment_version", "kind")

    def __init__(self, node, owner, repo, path, ref, is_sha, comment_version, kind):
        self.node = node  # the `uses:` scalar
        self.owner = owner
        self.repo = repo
        self.path = path  # "" or the path inside the repository (`.github/workflows/x.yml`)
        self.ref = ref
        self.is_sha = is_sha
        self.comment_version = comment_version  # `v4.1.2` from `# v4.1.2`, or None
        self.kind = kind  # "step" | "job" (a reusable workflow call)

    @property
    def target(self) -> str:
        return f"{self.owner}/{self.repo}" + (f"/{self.path}" if self.path else "")

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.repo}"


def uses_nodes(doc, ctx):
    """(node, kind) for every step's `uses:` and, in a workflow, every job's `uses:`."""
    for step in ctx.steps():
        if step.uses is not None:
            yield step.uses, "step"
    if doc.kind == "workflow":
        for job in ctx.workflow.jobs:
            if job.uses is not None:
                yield job.uses, "job"


def rest_of_line(doc, ctx, node) -> str:
    """The text after the node on its last line (where a `# v1.2.3` comment sits)."""
    span = ctx.span(node)
    if span.end_line < 1 or span.end_line > len(doc.lines):
        return ""
    return doc.lines[span.end_line - 1][span.end_col - 1:]


def action_refs(doc, ctx) -> list[ActionRef]:
    """The remote `owner/repo[/path]@ref` references (not `./local`, `docker://` or expressions)."""
    from .advisories import comment_version

    found = []
    for node, kind in uses_nodes(doc, ctx):
        value = node.value.strip() if isinstance(node.value, str) else ""
        if "@" not in value or value.startswith(("./", "$/", "docker://")) or "${{" in value:
            continue
        target, ref = value.rsplit("@", 1)
        parts = target.split("/")
        if len(parts) < 2 or not ref or not _NAME.fullmatch(parts[0]) or not _REPO.fullmatch(parts[1]):
            continue
        is_sha = bool(_SHA.fullmatch(ref))
        version = comment_version(rest_of_line(doc, ctx, node)) if is_sha else None
        found.append(ActionRef(node, parts[0], parts[1], "/".join(parts[2:]), ref, is_sha, version, kind))
    return found
