from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

_FIXES = {
    "pidMode": (
        "error",
        "Remove `\"pidMode\": \"host\"` (use `\"task\"` if the containers of this task must see each other's "
        "processes). In the instance's PID namespace the containers see every process on the host, including "
        "other tasks' containers and the ECS agent, and root in them can signal (kill) those processes.",
    ),
    "ipcMode": (
        "error",
        "Remove `\"ipcMode\": \"host\"` (use `\"task\"` to share IPC between this task's containers only). With "
        "the instance's IPC namespace the containers can read and write the shared memory, semaphores and "
        "message queues of every process on the host.",
    ),
    "networkMode": (
        "warning",
        "Use `\"networkMode\": \"awsvpc\"` instead of `host`, unless the task must own the instance's network "
        "(a monitoring daemon). In `host` mode the containers share the instance's network stack: no security "
        "group of their own, access to the instance metadata endpoint (the instance role's credentials), and "
        "raw sockets that can read the instance's traffic.",
    ),
}


@rule(
    id="host-namespace",
    kinds=("taskdef",),
    severity="error",
    summary="Task shares the container instance's PID, IPC or network namespace",
    tags=("security", "container-hardening"),
    security_severity=7.5,
)
def check(doc, ctx):
    """## What it does
    Reports task definitions that put their containers in a namespace of the container
    instance, at the value:

    - `"pidMode": "host"`: an error;
    - `"ipcMode": "host"`: an error;
    - `"networkMode": "host"`: a warning. Host networking has real uses (a metrics or
      log daemon that must see the instance's interfaces, high packet rates), and it does not
      by itself hand over other processes, so it is reported less severely than the other two.

    Not reported: `task` and `none` modes, `awsvpc` and `bridge` networking, template
    placeholders (`"${NETWORK_MODE}"`), and a blank `--generate-cli-skeleton` file
    (`"family": ""`, nameless containers), which writes `host` as a stand-in value.

    ## Why is this bad?
    Namespaces are what separates a container from the instance it runs on and from the
    other tasks there.

    - In the host PID namespace a container sees every process on the instance (other tasks'
      containers, the ECS agent, the Docker daemon) and root in it can kill them; with
      `SYS_PTRACE` it can also read their memory and environment, secrets included.
    - In the host IPC namespace it can attach to the shared memory segments and message queues
      of any process on the instance.
    - In the host network namespace it has no security group of its own, can bind any port of
      the instance, can reach the instance metadata service and so the instance role's
      credentials, and with the default `NET_RAW` capability can capture the instance's traffic.

    Fargate supports none of these modes, so they also tie the task to EC2.

    ## Example
    ```json
    {
      "family": "api",
      "networkMode": "host",
      "pidMode": "host",
      "ipcMode": "host",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.8.2" }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "api",
      "networkMode": "awsvpc",
      "pidMode": "task",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.8.2" }
      ]
    }
    ```
    Use `awsvpc` networking (each task gets its own network interface and security group),
    and `task` for `pidMode` or `ipcMode` when the task's own containers need to share
    processes or shared memory (a debugging or APM sidecar). Keep host namespaces to
    dedicated daemon tasks, and list those files under `per-path-ignores` in the configuration.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    for field, (severity, message) in _FIXES.items():
        value = as_scalar(taskdef.node.get(field))
        if value is None or value.is_null or value.value.strip().lower() != "host":
            continue
        yield Issue(value, message, severity=severity)
