"""Generate cicdlint/data/ecs-taskdef.schema.json and ecs-service.schema.json from the ECS API
shapes (the botocore service model behind the AWS API reference), plus the documented ranges
and cicdlint's leniencies. A development tool, not part of the package:

    pip install botocore
    python scripts/gen_ecs_schema.py "$(python -c 'import botocore, os; print(os.path.dirname(botocore.__file__))')/data/ecs/2014-11-13/service-2.json.gz" cicdlint/data
"""
import gzip
import json
import sys

MODEL = sys.argv[1]
OUT = sys.argv[2]
opener = gzip.open if MODEL.endswith(".gz") else open
model = json.load(opener(MODEL, "rt"))
shapes = model["shapes"]
VERSION = model["metadata"]["apiVersion"]

# Structures AWS writes and nobody types: any object (copied output, fields change over time).
OUTPUT_ONLY = {
    "Attribute", "TaskSet", "Scale", "DeploymentEphemeralStorage", "Deployment",
    "ServiceConnectServiceResource", "ServiceEvent", "ServiceCurrentRevisionSummary", "Failure",
}
# Read-only members of describe output: accepted with any value.
TASKDEF_OUTPUT_MEMBERS = {
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
    "deregisteredAt", "deleteRequestedAt", "registeredBy",
}
SERVICE_OUTPUT_MEMBERS = {
    "serviceArn", "clusterArn", "status", "runningCount", "pendingCount", "platformFamily", "taskSets",
    "deployments", "roleArn", "events", "createdAt", "currentServiceDeployment", "currentServiceRevisions",
    "createdBy", "resourceManagementType",
}

# Documented ranges (AWS API reference text; the model's own min/max are applied too).
RANGES = {
    ("HealthCheck", "interval"): (5, 300, "seconds"),
    ("HealthCheck", "timeout"): (2, 60, "seconds"),
    ("HealthCheck", "retries"): (1, 10, None),
    ("HealthCheck", "startPeriod"): (0, 300, "seconds"),
    ("LinuxParameters", "swappiness"): (0, 100, None),
    ("LinuxParameters", "maxSwap"): (0, None, "MiB"),
    ("EphemeralStorage", "sizeInGiB"): (21, 200, "GiB"),
    ("PortMapping", "containerPort"): (0, 65535, None),
    ("PortMapping", "hostPort"): (0, 65535, None),
    ("LoadBalancer", "containerPort"): (0, 65535, None),
    ("ServiceRegistry", "port"): (0, 65535, None),
    ("ServiceRegistry", "containerPort"): (0, 65535, None),
    ("EFSVolumeConfiguration", "transitEncryptionPort"): (0, 65535, None),
    ("DeploymentConfiguration", "maximumPercent"): (0, None, "percent"),
    ("DeploymentConfiguration", "minimumHealthyPercent"): (0, None, "percent"),
    ("ContainerRestartPolicy", "restartAttemptPeriod"): (60, 1800, "seconds"),
    ("LinearConfiguration", "stepPercent"): (3, 100, "percent"),
    ("LinearConfiguration", "stepBakeTimeInMinutes"): (0, 1440, "minutes"),
    ("CanaryConfiguration", "canaryPercent"): (0.1, 100, "percent"),
    ("CanaryConfiguration", "canaryBakeTimeInMinutes"): (0, 1440, "minutes"),
    ("CreateServiceRequest", "desiredCount"): (0, None, None),
    ("UpdateServiceRequest", "desiredCount"): (0, None, None),
    ("CreateServiceRequest", "healthCheckGracePeriodSeconds"): (0, None, "seconds"),
    ("UpdateServiceRequest", "healthCheckGracePeriodSeconds"): (0, None, "seconds"),
    ("Service", "healthCheckGracePeriodSeconds"): (0, None, "seconds"),
}
UNITS = {  # for messages: fields measured in a unit, without a documented range
    ("ContainerDefinition", "memory"): "MiB",
    ("ContainerDefinition", "memoryReservation"): "MiB",
    ("ContainerDefinition", "startTimeout"): "seconds",
    ("ContainerDefinition", "stopTimeout"): "seconds",
    ("Tmpfs", "size"): "MiB",
    ("LinuxParameters", "sharedMemorySize"): "MiB",
}
# Task-level cpu/memory are strings in the API ("256", "1 vCPU", "0.5 GB"); tools and the
# console accept numbers too.
STRING_OR_INTEGER = {
    ("RegisterTaskDefinitionRequest", "cpu"), ("RegisterTaskDefinitionRequest", "memory"),
    ("TaskDefinition", "cpu"), ("TaskDefinition", "memory"),
}
NOUNS = {
    "RegisterTaskDefinitionRequest": "a task definition",
    "TaskDefinition": "a task definition",
    "ContainerDefinition": "a container definition",
    "RepositoryCredentials": "repositoryCredentials",
    "PortMapping": "a port mapping",
    "ContainerRestartPolicy": "a restart policy",
    "KeyValuePair": "a name/value pair",
    "EnvironmentFile": "an environment file",
    "MountPoint": "a mount point",
    "VolumeFrom": "a volumesFrom entry",
    "LinuxParameters": "linuxParameters",
    "KernelCapabilities": "capabilities",
    "Device": "a device",
    "Tmpfs": "a tmpfs mount",
    "Secret": "a secret",
    "ContainerDependency": "a dependsOn entry",
    "HostEntry": "an extraHosts entry",
    "Ulimit": "a ulimit",
    "LogConfiguration": "a log configuration",
    "HealthCheck": "a health check",
    "SystemControl": "a systemControls entry",
    "ResourceRequirement": "a resource requirement",
    "FirelensConfiguration": "a FireLens configuration",
    "Volume": "a volume",
    "HostVolumeProperties": "a host volume",
    "DockerVolumeConfiguration": "a Docker volume configuration",
    "EFSVolumeConfiguration": "an EFS volume configuration",
    "EFSAuthorizationConfig": "an EFS authorization config",
    "FSxWindowsFileServerVolumeConfiguration": "an FSx volume configuration",
    "FSxWindowsFileServerAuthorizationConfig": "an FSx authorization config",
    "TaskDefinitionPlacementConstraint": "a placement constraint",
    "Tag": "a tag",
    "ProxyConfiguration": "a proxy configuration",
    "InferenceAccelerator": "an inference accelerator",
    "EphemeralStorage": "ephemeralStorage",
    "RuntimePlatform": "runtimePlatform",
    "CreateServiceRequest": "a service (create-service input)",
    "UpdateServiceRequest": "a service update (update-service input)",
    "ServiceInput": "a service definition",
    "Service": "a service",
    "LoadBalancer": "a load balancer entry",
    "ServiceRegistry": "a service registry",
    "CapacityProviderStrategyItem": "a capacity provider strategy item",
    "DeploymentConfiguration": "deploymentConfiguration",
    "DeploymentCircuitBreaker": "deploymentCircuitBreaker",
    "DeploymentAlarms": "deployment alarms",
    "DeploymentLifecycleHook": "a lifecycle hook",
    "PlacementConstraint": "a placement constraint",
    "PlacementStrategy": "a placement strategy",
    "NetworkConfiguration": "networkConfiguration",
    "AwsVpcConfiguration": "awsvpcConfiguration",
    "DeploymentController": "deploymentController",
    "ServiceConnectConfiguration": "serviceConnectConfiguration",
    "ServiceConnectService": "a Service Connect service",
    "ServiceConnectClientAlias": "a Service Connect client alias",
    "TimeoutConfiguration": "a timeout configuration",
    "ServiceVolumeConfiguration": "a service volume configuration",
    "ServiceManagedEBSVolumeConfiguration": "a managed EBS volume",
    "VpcLatticeConfiguration": "a VPC Lattice configuration",
    "S3FilesVolumeConfiguration": "an S3 Files volume configuration",
    "HookDetails": "hookDetails",
    "DeploymentLifecycleHookTimeoutConfiguration": "a lifecycle hook timeout configuration",
    "ServiceConnectAccessLogConfiguration": "a Service Connect access log configuration",
    "ServiceConnectTestTrafficRules": "Service Connect test traffic rules",
    "ServiceConnectTestTrafficHeaderRules": "Service Connect test traffic header rules",
    "ServiceConnectTestTrafficHeaderMatchRules": "Service Connect test traffic header match rules",
    "ServiceConnectTlsConfiguration": "a Service Connect TLS configuration",
    "ServiceConnectTlsCertificateAuthority": "a Service Connect TLS certificate authority",
    "EBSTagSpecification": "an EBS tag specification",
    "DescribeTaskDefinitionOutput": "describe-task-definition output",
    "DescribeServicesOutput": "describe-services output",
    "ServiceOutput": "create-service / update-service output",
}
ENUM_NOUNS = {
    "NetworkMode": "a network mode",
    "Compatibility": "a launch type compatibility",
    "LaunchType": "a launch type",
    "SchedulingStrategy": "a scheduling strategy",
    "DeploymentControllerType": "a deployment controller type",
    "TransportProtocol": "a port mapping protocol",
    "ApplicationProtocol": "an application protocol",
    "LogDriver": "a log driver ECS supports",
    "AssignPublicIp": "an assignPublicIp value",
    "PropagateTags": "a propagateTags value",
    "PidMode": "a PID mode",
    "IpcMode": "an IPC mode",
    "ContainerCondition": "a dependsOn condition",
    "UlimitName": "a ulimit name",
    "FirelensConfigurationType": "a FireLens type",
    "ResourceType": "a resource requirement type",
    "PlacementStrategyType": "a placement strategy type",
    "PlacementConstraintType": "a placement constraint type",
    "TaskDefinitionPlacementConstraintType": "a task placement constraint type",
    "CPUArchitecture": "a CPU architecture",
    "OSFamily": "an operating system family",
    "EFSTransitEncryption": "a transitEncryption value",
    "EFSAuthorizationConfigIAM": "an EFS iam value",
    "Scope": "a Docker volume scope",
    "EnvironmentFileType": "an environment file type",
    "DeploymentStrategy": "a deployment strategy",
    "ProxyConfigurationType": "a proxy configuration type",
    "DeviceCgroupPermission": "a device permission",
    "AvailabilityZoneRebalancing": "an availabilityZoneRebalancing value",
    "VersionConsistency": "a versionConsistency value",
    "TaskFilesystemType": "a file system type",
}

# Values the ECS API accepts beyond the model's enum lists.
EXTRA_ENUM = {
    "LogDriver": ["none"],  # accepted for EC2 tasks (Docker's `none` driver; ECS agent capability)
}

defs = {}


def scalar(name, owner=None, member=None):
    shape = shapes[name]
    kind = shape["type"]
    if (owner, member) in STRING_OR_INTEGER:
        return {"type": ["string", "integer"]}
    if kind == "string":
        if "enum" in shape:
            out = {"enum": list(shape["enum"]) + EXTRA_ENUM.get(name, []), "x-enum": name}
            if name in ENUM_NOUNS:
                out["x-noun"] = ENUM_NOUNS[name]
            return out
        return {"type": "string"}
    if kind in ("integer", "long"):
        out = {"type": "integer"}
    elif kind in ("double", "float"):
        out = {"type": "number"}
    elif kind == "boolean":
        return {"type": "boolean"}
    elif kind == "timestamp":
        return {"type": ["string", "number"]}
    elif kind == "blob":
        return {"type": "string"}
    else:
        raise ValueError(kind)
    if "min" in shape:
        out["minimum"] = shape["min"]
    if "max" in shape:
        out["maximum"] = shape["max"]
    return out


def ref(name, owner=None, member=None):
    shape = shapes[name]
    kind = shape["type"]
    if kind == "structure":
        structure(name)
        return {"$ref": f"#/$defs/{name}"}
    if kind == "list":
        out = {"type": "array", "items": ref(shape["member"]["shape"])}
        if "max" in shape:
            out["maxItems"] = shape["max"]
        return out
    if kind == "map":
        return {"type": "object", "additionalProperties": ref(shape["value"]["shape"])}
    out = scalar(name, owner, member)
    low, high, unit = RANGES.get((owner, member), (None, None, None))
    if low is not None:
        out["minimum"] = low
    if high is not None:
        out["maximum"] = high
    unit = unit or UNITS.get((owner, member))
    if unit:
        out["x-unit"] = unit
    return out


def members_schema(name, members, skip_output=()):
    props = {}
    for member, spec in members.items():
        if member in skip_output:
            props[member] = {}
            continue
        props[member] = ref(spec["shape"], name, member)
    return props


def _noun(name):
    """'AdvancedConfiguration' -> 'an advanced configuration' (names without a NOUNS entry)."""
    import re

    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    text = " ".join(word if word.isupper() else word.lower() for word in words)
    return ("an " if text[0].lower() in "aeiou" else "a ") + text


def structure(name, extra=None, output_members=(), required=True):
    if name in defs:
        return
    if name in OUTPUT_ONLY:
        defs[name] = {"type": "object"}
        return
    defs[name] = None  # placeholder against recursion
    shape = shapes[name]
    if shape.get("document"):  # free-form JSON (hookDetails)
        defs[name] = {"x-noun": NOUNS.get(name) or _noun(name)}
        return
    props = members_schema(name, shape["members"], output_members)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required and shape.get("required"):
        out["required"] = list(shape["required"])
    out["x-noun"] = NOUNS.get(name) or _noun(name)
    defs[name] = out


def merged(name, sources, output_members, noun):
    props = {}
    for source, skip in sources:
        for member, spec in shapes[source]["members"].items():
            if member in props:
                continue
            props[member] = {} if member in skip else ref(spec["shape"], source, member)
    defs[name] = {"type": "object", "properties": props, "additionalProperties": False, "x-noun": noun}


# --- task definitions ----------------------------------------------------------------------------
defs.clear()
# Bare task definition: RegisterTaskDefinition input plus the read-only fields of describe output
# (the console's JSON view and `describe-task-definition --query taskDefinition` include them; the
# amazon-ecs-deploy-task-definition action drops them before registering).
merged(
    "TaskDefinition",
    [("RegisterTaskDefinitionRequest", ()), ("TaskDefinition", TASKDEF_OUTPUT_MEMBERS)],
    TASKDEF_OUTPUT_MEMBERS,
    "a task definition",
)
defs["DescribeTaskDefinitionOutput"] = {
    "type": "object",
    "properties": {"taskDefinition": {"$ref": "#/$defs/TaskDefinition"}, "tags": ref("Tags"), "ResponseMetadata": {}},
    "additionalProperties": False,
    "x-noun": NOUNS["DescribeTaskDefinitionOutput"],
}
taskdef_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://cicdlint.dev/schemas/ecs-taskdef.schema.json",
    "title": "Amazon ECS task definition (RegisterTaskDefinition input, describe-task-definition output)",
    "$comment": (
        f"Generated for cicdlint from the Amazon ECS API shapes ({VERSION}) and the ranges documented in the"
        " AWS API reference. x-noun / x-unit / x-enum are message hints for the ecs-schema rule."
    ),
    "$defs": dict(sorted(defs.items())),
}

# --- services ----------------------------------------------------------------------------------------
defs.clear()
merged(
    "ServiceInput",
    [("CreateServiceRequest", ()), ("UpdateServiceRequest", ())],
    (),
    NOUNS["ServiceInput"],
)
merged(
    "Service",
    [("Service", SERVICE_OUTPUT_MEMBERS), ("CreateServiceRequest", ())],
    SERVICE_OUTPUT_MEMBERS,
    NOUNS["Service"],
)
defs["DescribeServicesOutput"] = {
    "type": "object",
    "properties": {
        "services": {"type": "array", "items": {"$ref": "#/$defs/Service"}},
        "failures": {"type": "array", "items": {"type": "object"}},
        "ResponseMetadata": {},  # boto3 responses saved with json.dump
    },
    "additionalProperties": False,
    "x-noun": NOUNS["DescribeServicesOutput"],
}
defs["ServiceOutput"] = {
    "type": "object",
    "properties": {"service": {"$ref": "#/$defs/Service"}, "ResponseMetadata": {}},
    "additionalProperties": False,
    "x-noun": NOUNS["ServiceOutput"],
}
service_schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://cicdlint.dev/schemas/ecs-service.schema.json",
    "title": "Amazon ECS service (CreateService / UpdateService input, describe-services and create-service output)",
    "$comment": taskdef_schema["$comment"],
    "$defs": dict(sorted(defs.items())),
}

for filename, schema in (("ecs-taskdef.schema.json", taskdef_schema), ("ecs-service.schema.json", service_schema)):
    with open(f"{OUT}/{filename}", "w", encoding="utf-8") as file:
        json.dump(schema, file, indent=1, sort_keys=False)
        file.write("\n")
    print(filename, len(schema["$defs"]), "definitions")
