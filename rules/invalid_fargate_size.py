import re

from cicdlint import lazyre
from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

# Task CPU units -> the memory sizes (MiB) Fargate accepts with it: (first, last, step).
FARGATE_SIZES = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),  # Linux platform version 1.4.0 or later
    16384: tuple(range(32768, 122880 + 1, 8192)),  # Linux platform version 1.4.0 or later
}
WINDOWS_CPUS = (1024, 2048, 4096)  # Windows tasks on Fargate: 1, 2 or 4 vCPU
_CPU = lazyre.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(vcpus?)?\s*$", re.I)
_MEMORY = lazyre.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*(gb|gib)?\s*$", re.I)
# `${CPU}`, `<MEMORY>`, `{{ cpu }}`, `#{Memory}`, `%CPU%`, `$$$CPU$$$`: filled in later.
_PLACEHOLDER = lazyre.compile(r"[$<>{}%#]")


@rule(
    id="invalid-fargate-size",
    kinds=("taskdef",),
    severity="error",
    summary="Fargate task has a cpu/memory size that Fargate does not offer, or none",
    tags=("correctness", "ecs", "fargate"),
)
def check(doc, ctx):
    """## What it does
    Checks the task-level `cpu` and `memory` of a task definition that lists `FARGATE` in
    `requiresCompatibilities` (also when it lists `EC2` beside it) against the sizes Fargate
    offers:

    | cpu (units)     | memory (MiB)                                  |
    |-----------------|-----------------------------------------------|
    | 256 (.25 vCPU)  | 512, 1024, 2048                               |
    | 512 (.5 vCPU)   | 1024 to 4096 in steps of 1024                 |
    | 1024 (1 vCPU)   | 2048 to 8192 in steps of 1024                 |
    | 2048 (2 vCPU)   | 4096 to 16384 in steps of 1024                |
    | 4096 (4 vCPU)   | 8192 to 30720 in steps of 1024                |
    | 8192 (8 vCPU)   | 16384 to 61440 in steps of 4096 (Linux 1.4.0+)|
    | 16384 (16 vCPU) | 32768 to 122880 in steps of 8192 (Linux 1.4.0+)|

    It reports:

    - a `cpu` that is not one of these sizes (Windows tasks, per `runtimePlatform`, only have
      1, 2 and 4 vCPU);
    - a `memory` that the task's `cpu` does not allow;
    - a Fargate task without a task-level `cpu` or `memory` (container-level values do not
      count).

    Values may be numbers, strings (`"512"`), or the unit forms the API converts on
    registration (`"1 vCPU"`, `"0.5 vCPU"`, `"2 GB"`, `"2GB"`). Values that are still template
    placeholders (`"${CPU}"`, `"<MEMORY>"`, `"{{ memory }}"`, `""`) are not checked, and
    neither are tasks that do not require Fargate.

    ## Why is this bad?
    Fargate only runs the sizes in its table. `aws ecs register-task-definition` (and the
    `amazon-ecs-deploy-task-definition` action) fails with `Invalid 'cpu' setting for task`, or
    Terraform with `No Fargate configuration exists for given values`, so the deploy breaks at
    its last step, after the image was built and pushed. Without task-level `cpu` and
    `memory` registration fails too (`Fargate requires that 'cpu' be defined at the task
    level`).

    ## Example
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "256",
      "memory": "4096",
      "containerDefinitions": [{ "name": "api", "image": "nginx:1.27" }]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "1024",
      "memory": "4096",
      "containerDefinitions": [{ "name": "api", "image": "nginx:1.27" }]
    }
    ```
    Pick a row of the table: raise `cpu` until it allows the memory you need, or round
    `memory` to a size that the `cpu` allows.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    fargate = taskdef.requires("FARGATE")
    if fargate is None:
        return
    node = taskdef.node
    cpu_node, memory_node = node.get("cpu"), node.get("memory")
    cpu_node, memory_node = _present(cpu_node), _present(memory_node)
    missing = [name for name, value in (("cpu", cpu_node), ("memory", memory_node)) if value is None]
    if missing:
        nulls = [node.get(name) for name in missing if node.get(name) is not None]
        where = nulls[0] if nulls else fargate  # a `null` value, else the FARGATE that demands them
        if len(missing) == 2:
            what, example, pronoun = "`cpu` and `memory`", '`"cpu": "256"`, `"memory": "512"`', "them"
        elif missing == ["memory"]:
            cpu = _cpu_units(cpu_node.value) if as_scalar(cpu_node) is not None else None
            size = FARGATE_SIZES[cpu][0] if cpu in FARGATE_SIZES else 512
            what, example, pronoun = "`memory`", f'`"memory": "{size}"`', "it"
        else:
            memory = _memory_mib(memory_node.value) if as_scalar(memory_node) is not None else None
            fits = [size for size, memories in FARGATE_SIZES.items() if memory in memories]
            what, example, pronoun = "`cpu`", f'`"cpu": "{fits[0] if fits else 256}"`', "it"
        yield Issue(
            where,
            f"Add a task-level {what} to this Fargate task definition (e.g. {example}). Fargate sizes the task "
            f"from `cpu` and `memory`, and registration fails without {pronoun}; container-level values do not count.",
        )
        return
    cpu_node, memory_node = as_scalar(cpu_node), as_scalar(memory_node)
    if cpu_node is None or memory_node is None:
        return
    cpu = _cpu_units(cpu_node.value)
    memory = _memory_mib(memory_node.value)
    windows = taskdef.is_windows
    sizes = WINDOWS_CPUS if windows else tuple(FARGATE_SIZES)
    if cpu is not None and cpu not in sizes:
        platform = "Fargate offers for Windows tasks" if windows else "Fargate offers"
        yield Issue(
            cpu_node,
            f"Set `cpu` to a size {platform} ({_or(sizes)} CPU units; 1024 = 1 vCPU). "
            f"{_shown(cpu_node.value, cpu, 'CPU units')} is not one of them, so registration fails.",
        )
        return
    if cpu is None or memory is None:
        return  # a placeholder, or a form the API does not take either (left to AWS)
    allowed = FARGATE_SIZES[cpu]
    if memory in allowed:
        return
    fits = [size for size, memories in FARGATE_SIZES.items() if memory in memories and (not windows or size in WINDOWS_CPUS)]
    hint = f", or set `cpu` to {_or(fits)} (which allow{'s' if len(fits) == 1 else ''} {memory} MiB)" if fits else ""
    yield Issue(
        memory_node,
        f"Set `memory` to a size Fargate allows with {cpu} CPU units ({_describe(allowed)} MiB){hint}. "
        f"Fargate has no {cpu} CPU / {memory} MiB size, so registration "
        "fails (`No Fargate configuration exists for given values`).",
    )


def _present(value):
    """The node, or None when the field is absent or JSON null (empty or placeholder values count
    as present: they are filled in later)."""
    if value is None:
        return None
    scalar = as_scalar(value)
    if scalar is not None and scalar.is_null:
        return None
    return value


def _cpu_units(value: str) -> int | float | None:
    if _PLACEHOLDER.search(value):
        return None
    match = _CPU.match(value)
    if not match:
        return None
    number = float(match.group(1))
    if match.group(2):  # "1 vCPU", "0.25 vcpu"
        number *= 1024
    return int(number) if number.is_integer() else number  # a fraction is never a Fargate size


def _memory_mib(value: str) -> int | float | None:
    if _PLACEHOLDER.search(value):
        return None
    match = _MEMORY.match(value)
    if not match:
        return None
    number = float(match.group(1))
    if match.group(2):  # "2 GB", "0.5GB"
        number *= 1024
    return int(number) if number.is_integer() else number  # a fraction is never a Fargate size


def _shown(written: str, value, unit: str) -> str:
    written = written.strip()
    return f"'{written}'" if written == str(value) else f"'{written}' ({value} {unit})"


def _or(sizes) -> str:
    sizes = [str(size) for size in sizes]
    return sizes[0] if len(sizes) == 1 else ", ".join(sizes[:-1]) + " or " + sizes[-1]


def _describe(sizes: tuple[int, ...]) -> str:
    if len(sizes) <= 4:
        return ", ".join(str(size) for size in sizes)
    step = sizes[1] - sizes[0]
    return f"{sizes[0]} to {sizes[-1]} in steps of {step}"
