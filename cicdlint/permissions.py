"""The GITHUB_TOKEN permissions a job gets.

A job's `permissions:` replaces the workflow's (they are not merged). A map lists scopes;
every scope it leaves out is `none`. `read-all` / `write-all` set every scope, `{}` sets none.
With no `permissions:` on the job or the workflow the repository or organisation default
applies, which this file cannot see: `declared` is False and `level()` is None.
"""
from __future__ import annotations

from .records import MutableRecord

from .yamlpos import Map, Node, Scalar

SCOPES = (
    "actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
    "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses",
)
LEVELS = ("read", "write", "none")
SHORTHANDS = {"read-all": "read", "write-all": "write"}

# The two repository defaults (GitHub's GITHUB_TOKEN reference). Older repositories and
# organisations often still have the permissive one.
PERMISSIVE_DEFAULT = {**{scope: "write" for scope in SCOPES}, "id-token": "none", "models": "read"}


class Permissions(MutableRecord):
    __slots__ = ("declared", "source", "key", "node", "shorthand", "valid", "levels", "nodes", "bad_entries")

    def __init__(
        self,
        declared: bool,
        source: str | None = None,
        key: Scalar | None = None,
        node: Node | None = None,
        shorthand: str | None = None,
        valid: bool = True,
        levels: dict[str, str] | None = None,
        nodes: dict[str, Node] | None = None,
        bad_entries: dict[str, Node] | None = None,
    ):
        self.declared = declared  # False: no `permissions:` on the job nor the workflow (the repository default)
        self.source = source  # "job" | "workflow" | None
        self.key = key  # the `permissions` key that applies
        self.node = node  # its value
        self.shorthand = shorthand  # "read-all" | "write-all"
        self.valid = valid  # False: the value is neither a map nor a shorthand (levels are then unknown)
        self.levels = levels if levels is not None else {}  # every scope -> read | write | none
        self.nodes = nodes if nodes is not None else {}  # scope -> the node that set it
        self.bad_entries = bad_entries if bad_entries is not None else {}  # unknown scope or level -> value node

    def level(self, scope: str) -> str | None:
        """"read" | "write" | "none", or None when undeclared or invalid."""
        return self.levels.get(scope)

    def write_scopes(self) -> list[str]:
        return [scope for scope in SCOPES if self.levels.get(scope) == "write"]

    def node_for(self, scope: str) -> Node | None:
        """Where the scope's level was set: its entry, or the whole `permissions:` value for a
        shorthand or a scope left out of the map."""
        return self.nodes.get(scope, self.node)


def read_permissions(key: Scalar | None, node: Node | None, source: str) -> Permissions:
    """The permissions one `permissions:` value grants."""
    perms = Permissions(declared=True, source=source, key=key, node=node)
    if isinstance(node, Scalar) and node.value in SHORTHANDS:
        perms.shorthand = node.value
        perms.levels = {scope: SHORTHANDS[node.value] for scope in SCOPES}
    elif isinstance(node, Map):
        perms.levels = {scope: "none" for scope in SCOPES}
        for name, _, value in node.items():
            level = value.value if isinstance(value, Scalar) else None
            if name in SCOPES and level in LEVELS:
                perms.levels[name] = level
                perms.nodes[name] = value
            else:
                perms.bad_entries[name] = value
    else:
        perms.valid = False
    return perms


def workflow_permissions(workflow) -> Permissions:
    key, node = workflow.node.item("permissions")
    if key is None:
        return Permissions(declared=False)
    return read_permissions(key, node, "workflow")


def job_permissions(workflow, job) -> Permissions:
    """The permissions the job's token gets: the job's own, else the workflow's, else undeclared."""
    key, node = job.node.item("permissions")
    if key is not None:
        return read_permissions(key, node, "job")
    return workflow_permissions(workflow)


def has_write(perms: Permissions, scope: str) -> bool:
    """Is write access to the scope declared? (False when undeclared: see may_write.)"""
    return perms.levels.get(scope) == "write"


def may_write(perms: Permissions, scope: str) -> bool:
    """Declared write, or undeclared where the permissive repository default grants write."""
    if not perms.declared:
        return PERMISSIVE_DEFAULT.get(scope) == "write"
    return has_write(perms, scope)


def id_token_write(perms: Permissions) -> bool:
    """Can the job request an OIDC token? (No repository default grants it.)"""
    return has_write(perms, "id-token")
