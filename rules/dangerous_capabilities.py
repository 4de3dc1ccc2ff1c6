from cicdlint import lazyre
from cicdlint.model import as_map, as_scalar, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

# Capability -> what it gives root in the container. Errors: each is enough for a known way out
# of the container or into the host kernel.
_ERRORS = {
    "ALL": "every capability, which is nearly a privileged container",
    "SYS_ADMIN": "mount filesystems and use namespace and BPF operations, which most container escapes need",
    "SYS_MODULE": "load kernel modules, which is code running in the host kernel",
    "SYS_RAWIO": "raw I/O port and /dev/mem access to the host's memory and disks",
    "DAC_READ_SEARCH": "open any file of the host by handle (`open_by_handle_at`, the 'shocker' escape)",
    "BPF": "load BPF programs into the host kernel",
    "SYS_BOOT": "reboot the instance and load a new kernel with kexec",
    "MAC_ADMIN": "change the AppArmor or SELinux policy that confines the container",
    "MAC_OVERRIDE": "bypass the AppArmor or SELinux policy that confines the container",
}
# Warnings: powerful, with real uses (debuggers, APM agents, VPN sidecars), and not an escape on
# their own. Some become errors with a host namespace (below).
_WARNINGS = {
    "SYS_PTRACE": "trace processes it can see and read their memory and environment",
    "NET_ADMIN": "reconfigure network interfaces, routes and firewall rules",
    "PERFMON": "observe performance events of the whole host, a side channel into other tasks",
    "SYS_TIME": "set the clock of the instance, for every container on it",
    "SYSLOG": "read the kernel log, including kernel addresses that help kernel exploits",
}
# `${CAPS}`, `<CAP>`, `{{ cap }}`, `$$$CAP$$$`: filled in later.
_PLACEHOLDER = lazyre.compile(r"[$<>{}%#@]")


def _normal(value: str) -> str:
    name = value.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def _entries(node) -> list[tuple[Scalar, str]]:
    """The real entries of an `add` or `drop` list: (node, normalised name)."""
    found = []
    for item in as_seq(node):
        if isinstance(item, Scalar) and not item.is_null and item.value.strip() and not _PLACEHOLDER.search(item.value):
            found.append((item, _normal(item.value)))
    return found


@rule(
    id="dangerous-capabilities",
    kinds=("taskdef",),
    severity="error",
    summary="Container adds Linux capabilities that reach the host, or keeps the default set",
    tags=("security", "container-hardening"),
    security_severity=7.5,
)
def check(doc, ctx):
    """## What it does
    Reads `linuxParameters.capabilities` of every container definition and reports each entry
    of `add` that grants too much, at the entry (names may be written `CAP_SYS_ADMIN` or in
    lower case, as Docker accepts):

    - an error for `ALL`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`, `BPF`,
      `SYS_BOOT`, `MAC_ADMIN` and `MAC_OVERRIDE`: each alone is enough for a known way out of
      the container or into the host kernel;
    - a warning for `SYS_PTRACE`, `NET_ADMIN`, `PERFMON`, `SYS_TIME` and `SYSLOG`, which
      have real uses (debuggers and APM agents, VPN or service-mesh sidecars) but widen what a
      compromised container can do. `SYS_PTRACE` is an error when the task also sets
      `"pidMode": "host"` (it can then read the memory of every process on the instance), and
      `NET_ADMIN` is an error with `"networkMode": "host"` (it then rewrites the instance's own
      firewall and routes).

    A note is added once per container that adds any capability (other than `ALL`) without
    `"drop": ["ALL"]`: at its `drop` list when there is one, else at the `capabilities` key.
    Containers that add nothing get no note: dropping the default set is good practice but
    reporting every container without it would be noise.

    Not reported: `NET_RAW`, `NET_BIND_SERVICE`, `CHOWN` and the other capabilities of
    Docker's default set (adding them changes nothing on EC2), empty entries and template
    placeholders (`"${CAPABILITY}"`), and a blank `--generate-cli-skeleton` file.

    ## Why is this bad?
    Capabilities split root's power into pieces; Docker keeps 14 harmless ones by default.
    The ones above give a process in the container power over the host kernel or the
    instance: mounting the host's disks, loading kernel modules, opening host files by
    handle, reading other processes' memory. Any code execution in the container (a
    vulnerable dependency, an injected command) then becomes control of the container
    instance and every task on it. Fargate accepts only `SYS_PTRACE` in `add`, so the others
    also tie the task to EC2.

    ## Example
    ```json
    {
      "family": "vpn-gateway",
      "containerDefinitions": [
        {
          "name": "gateway",
          "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/vpn-gateway:3.2.0",
          "linuxParameters": {
            "capabilities": { "add": ["SYS_ADMIN", "NET_ADMIN"] }
          }
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "vpn-gateway",
      "containerDefinitions": [
        {
          "name": "gateway",
          "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/vpn-gateway:3.2.0",
          "linuxParameters": {
            "capabilities": { "drop": ["ALL"], "add": ["NET_ADMIN"] }
          }
        }
      ]
    }
    ```
    Drop everything and add back only what the process needs, checked against the program's
    documentation (`NET_ADMIN` for a VPN, `SYS_PTRACE` for a profiler); for a file-system
    mount use an EFS or bind volume instead of `SYS_ADMIN`.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    host_pid = _mode(taskdef.node.get("pidMode")) == "host"
    host_net = _mode(taskdef.node.get("networkMode")) == "host"
    for container in taskdef.containers:
        parameters = as_map(container.node.get("linuxParameters"))
        capabilities = as_map(parameters.get("capabilities")) if parameters else None
        if capabilities is None:
            continue
        name = f"container '{container.name}'" if container.name else "this container"
        added = _entries(capabilities.get("add"))
        for node, cap in added:
            if cap in _ERRORS:
                yield Issue(
                    node,
                    f"Remove '{node.value.strip()}' from `capabilities.add` of {name} and add only the narrow "
                    f"capability it needs. {cap} lets root in the container {_ERRORS[cap]}.",
                    severity="error",
                )
            elif cap in _WARNINGS:
                escalated = (cap == "SYS_PTRACE" and host_pid) or (cap == "NET_ADMIN" and host_net)
                why = f"{cap} lets root in the container {_WARNINGS[cap]}"
                if cap == "SYS_PTRACE" and host_pid:
                    why += ", and with `\"pidMode\": \"host\"` that is every process on the instance"
                elif cap == "NET_ADMIN" and host_net:
                    why += " of the instance itself, because `networkMode` is `host`"
                yield Issue(
                    node,
                    f"Remove '{node.value.strip()}' from `capabilities.add` of {name} unless the container needs "
                    f"it (a debugger, an APM agent, a VPN sidecar). {why}.",
                    severity="error" if escalated else "warning",
                )
        if not added or any(cap == "ALL" for _, cap in added):
            continue
        drop_key, drop_node = capabilities.item("drop")
        if any(cap == "ALL" for _, cap in _entries(drop_node)):
            continue
        if drop_key is not None and _placeholder(drop_node):
            continue
        names = ", ".join(cap for _, cap in added[:3]) + (", ..." if len(added) > 3 else "")
        yield Issue(
            drop_node if drop_key is not None else parameters.key("capabilities"),
            f"Add `\"drop\": [\"ALL\"]` to `linuxParameters.capabilities` of {name} and keep in `add` only what "
            f"it needs. It adds {names} but keeps all of Docker's default set (CHOWN, DAC_OVERRIDE, SETUID, "
            "NET_RAW and ten more), most of which it likely does not use.",
            severity="note",
        )


def _mode(node) -> str | None:
    scalar = as_scalar(node)
    return scalar.value.strip().lower() if scalar is not None and not scalar.is_null else None


def _placeholder(node) -> bool:
    scalar = as_scalar(node)
    return scalar is not None and bool(_PLACEHOLDER.search(scalar.value))
