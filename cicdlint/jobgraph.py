"""The `needs:` graph of a workflow's jobs: job ids (GitHub compares them without regard to
case), each job's `needs` entries as nodes, and the dependency cycles (strongly connected
components, found by an iterative Tarjan: linear, no recursion, fine on 100k jobs)."""
from __future__ import annotations

from . import lazyre
from .yamlpos import Map, Scalar, Seq

ID = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def needs_entries(job) -> list[Scalar]:
    """The scalar entries of `needs:` (a string or a list), expressions and empty ones left out."""
    node = job.node.get("needs")
    items = [node] if isinstance(node, Scalar) else node.items if isinstance(node, Seq) else []
    return [item for item in items if isinstance(item, Scalar) and item.value.strip() and "${{" not in item.value
            and not item.is_null]


def job_ids(workflow) -> dict[str, str]:
    """Lower-cased job id -> the id as first written, for every key of `jobs:`."""
    jobs = workflow.node.get("jobs")
    found: dict[str, str] = {}
    if isinstance(jobs, Map):
        for name, _, _ in jobs.items():
            found.setdefault(name.lower(), name)
    return found


def graph(workflow) -> tuple[list, dict[str, list[tuple[str, Scalar]]]]:
    """(jobs in file order, lower-cased id -> [(lower-cased needed id, entry node)]) for the
    needs that name an existing job. Cached on the workflow view."""
    cached = workflow.__dict__.get("_needs_graph")
    if cached is not None:
        return cached
    ids = job_ids(workflow)
    edges: dict[str, list[tuple[str, Scalar]]] = {}
    jobs = []
    for job in workflow.jobs:
        key = job.id.lower()
        if key in edges:
            continue  # a repeated id (another rule's finding): the first one counts
        jobs.append(job)
        seen: set[str] = set()
        targets = []
        for entry in needs_entries(job):
            target = entry.value.strip().lower()
            if target in ids and target not in seen:
                seen.add(target)
                targets.append((target, entry))
        edges[key] = targets
    workflow.__dict__["_needs_graph"] = (jobs, edges)
    return jobs, edges


def cycles(order: list[str], edges: dict[str, list[tuple[str, Scalar]]]) -> list[list[str]]:
    """The strongly connected components that hold a cycle (two or more jobs, or a job that
    needs itself), each as its ids in `order`'s order. Iterative Tarjan."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    position = {name: i for i, name in enumerate(order)}
    for root in order:
        if root in index:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, next_edge = work[-1]
            targets = edges.get(node, [])
            if next_edge < len(targets):
                work[-1] = (node, next_edge + 1)
                target = targets[next_edge][0]
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or any(target == node for target, _ in targets):
                    component.sort(key=lambda name: position.get(name, 0))
                    found.append(component)
    found.sort(key=lambda component: position.get(component[0], 0))
    return found


def cycle_path(component: list[str], edges: dict[str, list[tuple[str, Scalar]]]) -> list[tuple[str, Scalar]]:
    """A shortest cycle through the component's first job, as (job, the needs entry that
    leads on to the next job). Breadth-first inside the component: linear in its size."""
    members = set(component)
    start = component[0]
    previous: dict[str, tuple[str, Scalar]] = {}
    queue = [start]
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        for target, entry in edges.get(node, []):
            if target not in members:
                continue
            if target == start:
                path = [(node, entry)]
                while node != start:
                    node, entry = previous[node]
                    path.append((node, entry))
                path.reverse()
                return path
            if target not in previous:
                previous[target] = (node, entry)
                queue.append(target)
    return []
