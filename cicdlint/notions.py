"""Shared notions every rule uses the same way: production context and deploy jobs."""
from __future__ import annotations

import re

from .model import Job, Step, as_map, text

DEFAULT_PRODUCTION_PATTERNS = (r"prod", r"production", r"prd", r"live")

DEPLOY_ACTIONS = (
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/amazon-ecs-render-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "aws-actions/amazon-eks-fargate",
    "azure/webapps-deploy",
    "azure/k8s-deploy",
    "azure/functions-action",
    "azure/container-apps-deploy-action",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/get-gke-credentials",
    "serverless/github-action",
    "deliverybot/helm",
    "wahyd4/kubectl-helm-action",
    "actions-hub/kubectl",
    "steebchen/kubectl",
    "azure/setup-kubectl",
    "azure/setup-helm",
    "amondnet/vercel-action",
    "cloudflare/wrangler-action",
    "superfly/flyctl-actions",
    "einaregilsson/beanstalk-deploy",
)
_DEPLOY_COMMAND = re.compile(
    r"(?:^|[\s;&|(])(?:kubectl\s+(?:apply|set|rollout|create|replace|patch)|helm\s+(?:upgrade|install)"
    r"|aws\s+ecs\s+(?:update-service|create-service|deploy|register-task-definition)|ecs-deploy\b"
    r"|docker\s+service\s+(?:update|create)|docker\s+stack\s+deploy|serverless\s+deploy|sls\s+deploy"
    r"|cdk\s+deploy|terraform\s+apply|flyctl\s+deploy|eb\s+deploy|gcloud\s+run\s+deploy"
    r"|aws\s+deploy\s+create-deployment|copilot\s+(?:svc|job)\s+deploy|ssh\s)"
)


class Production:
    """Decides whether a name (environment, family, service, cluster, path) means production."""

    def __init__(self, patterns=DEFAULT_PRODUCTION_PATTERNS):
        alternatives = "|".join(f"(?:{pattern})" for pattern in patterns) or "(?!)"
        # A pattern matches a whole word of the name: `prod-cluster`, `my_prod_api`, `Production`,
        # but not `products`, `prodigy` or `pre-prod`.
        # `pre-prod` and `non-prod` name the environments that are not production.
        self.regex = re.compile(
            rf"(?<![A-Za-z0-9])(?<!pre[-_ ])(?<!non[-_ ])(?:{alternatives})(?![A-Za-z0-9])", re.I
        )

    def matches(self, *names: str | None) -> bool:
        return any(name and self.regex.search(name) for name in names)

    def job(self, job: Job) -> bool:
        """A job deploys to production when its environment, or its workflow's file, says so."""
        name = job.environment_name
        if name and "${{" not in name:
            return self.matches(name)
        return self.matches(_file_stem(job.workflow.doc.path))

    def job_environment_is_dynamic(self, job: Job) -> bool:
        name = job.environment_name
        return bool(name and "${{" in name)


def _file_stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def is_deploy_step(step: Step) -> bool:
    uses = text(step.node.get("uses"))
    if uses:
        from .model import is_ssh_action

        if step.uses_action(*DEPLOY_ACTIONS) or is_ssh_action(uses):
            return True
    run = text(step.node.get("run"))
    return bool(run and _DEPLOY_COMMAND.search(run))


def is_deploy_job(job: Job) -> bool:
    """A job deploys when it names an environment or has a deploy step."""
    if job.node.get("environment") is not None:
        return True
    return any(is_deploy_step(step) for step in job.steps)


def environment_url(job: Job) -> str | None:
    env = as_map(job.node.get("environment"))
    return text(env.get("url")) if env else None
