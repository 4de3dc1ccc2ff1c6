"""Thin typed views over the node tree: Workflow / Job / Step, Action, TaskDefinition /
Container, Service. Views never raise on odd shapes: a missing or mistyped field is None or []."""
from __future__ import annotations

from functools import cached_property, lru_cache

from . import lazyre
from .expressions import secret_names
from .yamlpos import Map, Node, Scalar, Seq


_NUMBER = lazyre.compile(r"\s*(-?\d+(?:\.\d+)?)\s*")


def as_map(node) -> Map | None:
    return node if isinstance(node, Map) else None


def as_seq(node) -> list:
    return node.items if isinstance(node, Seq) else []


def as_scalar(node) -> Scalar | None:
    return node if isinstance(node, Scalar) else None


def text(node) -> str | None:
    return node.value if isinstance(node, Scalar) else None


def number(node) -> float | None:
    """A number written as a JSON number or as a numeric string ("50"); None otherwise."""
    match = _NUMBER.fullmatch(node.value) if isinstance(node, Scalar) else None
    return float(match.group(1)) if match else None


class EnvVar:
    """One `env:` entry, and the level it was set at (workflow, job, step)."""

    __slots__ = ("name", "key", "value", "level")

    def __init__(self, name: str, key: Scalar, value: Node, level: str):
        self.name, self.key, self.value, self.level = name, key, value, level

    @property
    def secrets(self) -> list[str]:
        return secret_names(self.value.value) if isinstance(self.value, Scalar) else []


def env_vars(node, level: str) -> dict[str, EnvVar]:
    env = as_map(node)
    if env is None:
        return {}
    return {name: EnvVar(name, key, value, level) for name, key, value in env.items()}


# --- GitHub Actions ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _lowered(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


class Step:
    def __init__(self, node: Map, index: int, job: "Job | None", action: "Action | None" = None):
        self.node = node
        self.index = index
        self.job = job
        self.action = action  # the composite action this step belongs to

    @cached_property
    def uses(self) -> Scalar | None:
        return as_scalar(self.node.get("uses"))

    @cached_property
    def run(self) -> Scalar | None:
        return as_scalar(self.node.get("run"))

    @property
    def with_(self) -> Map | None:
        return as_map(self.node.get("with"))

    def input(self, name: str) -> Scalar | None:
        inputs = self.with_
        return as_scalar(inputs.get(name)) if inputs else None

    @property
    def shell(self) -> str | None:
        return text(self.node.get("shell"))

    @property
    def id(self) -> str | None:
        return text(self.node.get("id"))

    @property
    def name(self) -> str | None:
        return text(self.node.get("name"))

    @property
    def if_(self) -> Node | None:
        """The `if:` condition node (a Scalar, or an odd shape), or None."""
        return self.node.get("if")

    @cached_property
    def action_name(self) -> str | None:
        """`owner/repo[/path]` in lower case, without the ref; None for `run:` steps."""
        uses = text(self.node.get("uses"))
        if not uses or "@" not in uses:
            return None
        return uses.split("@", 1)[0].lower()

    def uses_action(self, *names: str) -> bool:
        """Does the step use one of these actions (`owner/repo` or `owner/repo/path`), any ref?"""
        target = self.action_name
        return target is not None and target in _lowered(names)

    @cached_property
    def env(self) -> dict[str, EnvVar]:
        """The environment the step runs with: workflow, then job, then step `env:`."""
        merged: dict[str, EnvVar] = {}
        if self.job is not None:
            merged.update(self.job.env)
        merged.update(env_vars(self.node.get("env"), "step"))
        return merged

    @cached_property
    def scripts_list(self) -> list[tuple[Scalar, str]]:
        return self._scripts()

    def scripts(self) -> list[tuple[Scalar, str]]:
        """Shell scripts this step runs on the runner or a remote host: (scalar, where)."""
        return self.scripts_list

    def _scripts(self) -> list[tuple[Scalar, str]]:
        found = []
        if self.run is not None:
            found.append((self.run, "run"))
        if self.uses is not None and is_ssh_action(self.uses.value):
            for name in ("script", "script_stop"):
                script = self.input(name)
                if script is not None and name == "script":
                    found.append((script, "ssh"))
        return found


SSH_ACTIONS = ("appleboy/ssh-action", "garygrossgarten/github-action-ssh", "fifsky/ssh-action",
               "cross-the-world/ssh-pipeline", "D3rHase/ssh-command-action", "matheusvanzan/sshpass-action",
               "invi5H/ssh-action", "easingthemes/ssh-deploy")


_SSH_ACTIONS_LOWER = frozenset(name.lower() for name in SSH_ACTIONS)


def is_ssh_action(uses: str) -> bool:
    return uses.split("@", 1)[0].lower() in _SSH_ACTIONS_LOWER


class Job:
    def __init__(self, workflow: "Workflow", job_id: str, key: Scalar, node: Map):
        self.workflow = workflow
        self.id = job_id
        self.key = key
        self.node = node

    @cached_property
    def steps(self) -> list[Step]:
        return [Step(step, index, self) for index, step in enumerate(as_seq(self.node.get("steps"))) if isinstance(step, Map)]

    @property
    def uses(self) -> Scalar | None:
        return as_scalar(self.node.get("uses"))

    @cached_property
    def env(self) -> dict[str, EnvVar]:
        merged = dict(self.workflow.env)
        merged.update(env_vars(self.node.get("env"), "job"))
        return merged

    @property
    def environment(self) -> Node | None:
        """The node naming the environment: `environment: x` or `environment: {name: x}`."""
        node = self.node.get("environment")
        if isinstance(node, Map):
            return node.get("name")
        return node

    @property
    def environment_name(self) -> str | None:
        return text(self.environment)

    @property
    def needs(self) -> list[str]:
        node = self.node.get("needs")
        if isinstance(node, Scalar):
            return [node.value]
        return [item.value for item in as_seq(node) if isinstance(item, Scalar)]

    @property
    def services(self) -> list[tuple[str, Map]]:
        services = as_map(self.node.get("services"))
        if services is None:
            return []
        return [(name, value) for name, _, value in services.items() if isinstance(value, Map)]

    @property
    def container(self) -> Node | None:
        return self.node.get("container")

    @property
    def permissions(self) -> Node | None:
        """The job's `permissions:` value node (Map or Scalar), or None."""
        return self.node.get("permissions")

    @property
    def if_(self) -> Node | None:
        """The job's `if:` condition node, or None."""
        return self.node.get("if")

    @property
    def runs_on(self) -> Node | None:
        """The `runs-on:` value node (Scalar, Seq or Map), or None."""
        return self.node.get("runs-on")

    @property
    def outputs(self) -> Map | None:
        return as_map(self.node.get("outputs"))

    def run_defaults(self, key: str) -> list[Node]:
        """The `defaults.run.<key>` nodes that apply to the job's steps: the job's, then the workflow's."""
        found = []
        for owner in (self.node, self.workflow.node):
            defaults = as_map(owner.get("defaults"))
            run = as_map(defaults.get("run")) if defaults else None
            if run is not None and run.get(key) is not None:
                found.append(run.get(key))
        return found

    @property
    def runner_labels(self) -> list[str]:
        """The `runs-on:` labels as written (also `runs-on: {labels: ...}`); [] for odd shapes."""
        node = self.runs_on
        if isinstance(node, Map):
            node = node.get("labels")
        if isinstance(node, Scalar):
            return [node.value]
        return [item.value for item in as_seq(node) if isinstance(item, Scalar)]


class Workflow:
    def __init__(self, doc):
        self.doc = doc
        self.node: Map = doc.root

    @cached_property
    def env(self) -> dict[str, EnvVar]:
        return env_vars(self.node.get("env"), "workflow")

    @cached_property
    def jobs(self) -> list[Job]:
        jobs = as_map(self.node.get("jobs"))
        if jobs is None:
            return []
        return [Job(self, name, key, value) for name, key, value in jobs.items() if isinstance(value, Map)]

    @property
    def permissions_node(self) -> Node | None:
        """The workflow-level `permissions:` value node, or None."""
        return self.node.get("permissions")

    def job(self, job_id: str) -> Job | None:
        index = self.__dict__.get("_job_index")
        if index is None:
            index = self.__dict__["_job_index"] = {}
            for job in self.jobs:
                index.setdefault(job.id, job)
        return index.get(job_id)

    @cached_property
    def triggers(self) -> list[str]:
        node = self.node.get("on")
        if isinstance(node, Scalar):
            return [node.value]
        if isinstance(node, Seq):
            return [item.value for item in node.items if isinstance(item, Scalar)]
        if isinstance(node, Map):
            return [name for name, _, _ in node.items()]
        return []

    def steps(self) -> list[Step]:
        return [step for job in self.jobs for step in job.steps]


def fold_needs(job: Job, combine, memo: dict, in_progress=None):
    """A value for `job` that depends on the values of the jobs it needs, computed bottom-up
    over the `needs:` graph without recursion (a chain of 100,000 jobs is fine) and memoized in
    `memo` (job id -> value), so asking for every job of a workflow is linear in its size.
    `combine(job, needed)` gets `(name, job or None, value)` for each `needs:` entry, in order
    (None and None for a job the workflow does not define); a job met again while its own value
    is being computed (a cycle) has the value `in_progress`."""
    if job.id in memo:
        return memo[job.id]
    workflow = job.workflow
    stack = [(job, False)]
    while stack:
        current, expanded = stack.pop()
        if not expanded:
            if current.id in memo:
                continue
            memo[current.id] = in_progress
            stack.append((current, True))
            for name in current.needs:
                needed = workflow.job(name)
                if needed is not None and needed.id not in memo:
                    stack.append((needed, False))
            continue
        needed = []
        for name in current.needs:
            other = workflow.job(name)
            needed.append((name, other, memo.get(other.id, in_progress) if other is not None else None))
        memo[current.id] = combine(current, needed)
    return memo[job.id]


def memo_of(view, key) -> dict:
    """A dict kept on a view (built once per file, shared by every rule) for one notion."""
    memos = view.__dict__.setdefault("_memos", {})
    if key not in memos:
        memos[key] = {}
    return memos[key]


class Action:
    """An `action.yml`: composite, docker or node."""

    def __init__(self, doc):
        self.doc = doc
        self.node: Map = doc.root

    @property
    def runs(self) -> Map | None:
        return as_map(self.node.get("runs"))

    @cached_property
    def steps_list(self) -> list[Step]:
        runs = self.runs
        if runs is None:
            return []
        return [Step(step, index, None, self) for index, step in enumerate(as_seq(runs.get("steps"))) if isinstance(step, Map)]

    def steps(self) -> list[Step]:
        return self.steps_list


# --- ECS -----------------------------------------------------------------------------------------


class Container:
    def __init__(self, node: Map, task: "TaskDefinition"):
        self.node = node
        self.task = task

    @property
    def name(self) -> str | None:
        return text(self.node.get("name"))

    @property
    def image(self) -> Scalar | None:
        return as_scalar(self.node.get("image"))

    @property
    def health_check(self) -> Map | None:
        return as_map(self.node.get("healthCheck"))

    @property
    def essential(self) -> bool:
        node = as_scalar(self.node.get("essential"))
        return node is None or node.as_bool() is not False  # ECS default: true

    @property
    def user(self) -> Scalar | None:
        """The `user` value node (`"1000"`, `"app:app"`, `"root"`), or None."""
        return as_scalar(self.node.get("user"))

    @property
    def port_mappings(self) -> list[Map]:
        return [item for item in as_seq(self.node.get("portMappings")) if isinstance(item, Map)]

    @property
    def log_configuration(self) -> Map | None:
        return as_map(self.node.get("logConfiguration"))


class TaskDefinition:
    """RegisterTaskDefinition input, or describe-task-definition output ({"taskDefinition": ...})."""

    def __init__(self, doc):
        self.doc = doc
        root = doc.root
        wrapped = as_map(root.get("taskDefinition")) if isinstance(root, Map) else None
        self.node: Map = wrapped if wrapped is not None and "containerDefinitions" in wrapped else root

    @property
    def family(self) -> str | None:
        return text(self.node.get("family"))

    @cached_property
    def containers(self) -> list[Container]:
        return [Container(item, self) for item in as_seq(self.node.get("containerDefinitions")) if isinstance(item, Map)]

    @property
    def requires_compatibilities(self) -> list[Scalar]:
        """The `requiresCompatibilities` entries (`EC2`, `FARGATE`, `EXTERNAL`, ...) as nodes."""
        return [item for item in as_seq(self.node.get("requiresCompatibilities")) if isinstance(item, Scalar)]

    def requires(self, compatibility: str) -> Scalar | None:
        """The `requiresCompatibilities` entry naming this launch type (case-insensitive), or None."""
        wanted = compatibility.upper()
        return next((item for item in self.requires_compatibilities if item.value.strip().upper() == wanted), None)

    @property
    def operating_system_family(self) -> str | None:
        """`runtimePlatform.operatingSystemFamily` (`LINUX`, `WINDOWS_SERVER_2022_CORE`, ...), or None."""
        platform = as_map(self.node.get("runtimePlatform"))
        return text(platform.get("operatingSystemFamily")) if platform else None

    @property
    def is_skeleton(self) -> bool:
        """`aws ecs register-task-definition --generate-cli-skeleton` output or a blank template:
        `"family": ""` and every container name empty. Its values are stand-ins, not settings."""
        family = as_scalar(self.node.get("family"))
        return (
            family is not None
            and not family.value.strip()
            and all(not (container.name or "").strip() for container in self.containers)
        )

    @property
    def is_windows(self) -> bool:
        family = self.operating_system_family
        return bool(family and family.strip().upper().startswith("WINDOWS"))


class Service:
    """A create-service / update-service input, or one entry of describe-services output."""

    def __init__(self, node: Map, doc):
        self.node = node
        self.doc = doc

    @property
    def name(self) -> str | None:
        return text(self.node.get("serviceName")) or text(self.node.get("service"))

    @property
    def cluster(self) -> str | None:
        return text(self.node.get("cluster")) or text(self.node.get("clusterArn"))

    @property
    def deployment_configuration(self) -> Map | None:
        return as_map(self.node.get("deploymentConfiguration"))

    @property
    def scheduling_strategy(self) -> str | None:
        return text(self.node.get("schedulingStrategy"))

    @property
    def deployment_controller(self) -> str:
        """ECS, CODE_DEPLOY or EXTERNAL (upper case; ECS when not set)."""
        controller = as_map(self.node.get("deploymentController"))
        kind = text(controller.get("type")) if controller else None
        config = self.deployment_configuration
        if not kind and config is not None:
            # A deploymentController misplaced inside deploymentConfiguration (AWS rejects it)
            # still tells what the author meant.
            nested = as_map(config.get("deploymentController"))
            kind = text(nested.get("type")) if nested else None
        return (kind or "ECS").upper()

    @property
    def is_update_input(self) -> bool:
        """An update-service input names the service with `service`; create-service and
        describe-services use `serviceName`. Fields it leaves out keep their current values."""
        return "serviceName" not in self.node and isinstance(self.node.get("service"), Scalar)

    @property
    def is_skeleton(self) -> bool:
        """`aws ecs create-service --generate-cli-skeleton` output: names left as empty strings."""
        for key in ("serviceName", "service", "taskDefinition"):
            value = self.node.get(key)
            if isinstance(value, Scalar) and value.style is not None and not value.value.strip():
                return True
        return False

    @property
    def anchor(self) -> Node | None:
        """Where to report something missing from the whole service: its name, else its first key."""
        for key in ("serviceName", "service", "taskDefinition"):
            value = self.node.get(key)
            if isinstance(value, Scalar):
                return value
        return self.node.pairs[0][0] if self.node.pairs else None


def services_of(doc) -> list[Service]:
    root = doc.root
    if not isinstance(root, Map):
        return []
    listed = root.get("services")
    if isinstance(listed, Seq):
        return [Service(item, doc) for item in listed.items if isinstance(item, Map)]
    wrapped = as_map(root.get("service"))
    if wrapped is not None:
        return [Service(wrapped, doc)]
    return [Service(root, doc)]
