"""The deploy notions added for the deploy-practice rules: real deploy steps, rehearsals,
deploy-target environments, and `can_run_when`."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cicdlint.conditions import can_run_when, job_can_run_when
from cicdlint.loaders import Document
from cicdlint.model import Workflow
from cicdlint.notions import (
    Production,
    deploy_steps,
    environment_is_deploy_target,
    is_deploy_job,
    is_rehearsal_job,
    name_words,
)
from cicdlint.yamlpos import Scalar, compose


def workflow(text: str, path: str = "ci.yml") -> Workflow:
    text = textwrap.dedent(text)
    doc = Document(path=path, abspath=Path(path), text=text, composed=compose(text), kind="workflow")
    return Workflow(doc)


def job(steps: str, extra: str = "", job_id: str = "deploy", path: str = "ci.yml"):
    body = textwrap.indent(textwrap.dedent(steps), "      ")
    return workflow(f"on: push\njobs:\n  {job_id}:\n    runs-on: ubuntu-latest\n{extra}    steps:\n{body}", path).jobs[0]


@pytest.mark.parametrize(
    "steps, deploys",
    [
        ("- run: kubectl apply -f k8s/\n", True),
        ("- uses: appleboy/ssh-action@v1\n", True),
        ("- run: ssh deploy@app.example.com 'systemctl reload app'\n", True),
        ("- uses: azure/setup-kubectl@v4\n", False),
        ("- uses: aws-actions/amazon-ecs-render-task-definition@v1\n", False),
        ("- run: |\n    # then run kubectl apply -f k8s/\n    make build\n", False),
        ("- run: vagrant ssh -- make test\n", False),
        ("- run: ssh -T git@github.com || true\n", False),
        ("- uses: helm/kind-action@v1\n- run: helm install x ./chart\n", False),
        ("- run: kind create cluster && kubectl apply -f k8s/\n", False),
    ],
)
def test_deploy_steps(steps, deploys):
    assert bool(deploy_steps(job(steps))) is deploys


def test_test_jobs_rehearse():
    assert is_rehearsal_job(job("- run: kubectl apply -f k8s/\n", job_id="e2e-tests"))
    assert not is_rehearsal_job(job("- run: kubectl apply -f k8s/\n", job_id="test-and-deploy"))
    assert is_rehearsal_job(job("- run: kubectl apply -f k8s/\n", job_id="run", path="integration-test.yml"))


@pytest.mark.parametrize(
    "environment, target",
    [
        ("production", True),
        ("staging", True),
        ("github-pages", True),
        ("${{ inputs.environment }}", True),
        ("${{ github.event_name == 'push' && 'production' || 'preview' }}", True),
        ("pypi", False),
        ("automations", False),
        ("protected", False),
        ("Prod (Readonly)", False),
        ("${{ github.event_name == 'push' && 'allow-uploading-flakiness-results' || null }}", False),
    ],
)
def test_environment_is_deploy_target(environment, target):
    j = job("- run: ./go.sh\n", extra=f"    environment: \"{environment}\"\n", job_id="ship")
    assert environment_is_deploy_target(j, Production()) is target


def test_real_deploy_job():
    assert is_deploy_job(job("- run: ./go.sh\n", extra="    environment: production\n"))
    assert not is_deploy_job(job("- run: ./go.sh\n", extra="    environment: production\n", job_id="verify"))
    assert not is_deploy_job(job("- run: twine upload dist/*\n", extra="    environment: pypi\n", job_id="publish"))


def test_name_words():
    assert name_words("winIntegration") == {"win", "integration"}
    assert name_words("build-and-deploy") == {"build", "and", "deploy"}


@pytest.mark.parametrize(
    "condition, event, known, runs",
    [
        ("github.event_name == 'push'", "pull_request", None, False),
        ("github.ref == 'refs/heads/main'", "pull_request", None, False),
        ("github.ref == 'refs/heads/main'", "pull_request_target", None, True),
        ("github.event.pull_request.merged == true", "pull_request", None, False),
        ("github.event.pull_request.head.repo.full_name == github.repository", "pull_request", None, True),
        ("github.ref_name == 'main'", "pull_request", None, False),
        ("startsWith(github.ref, 'refs/tags/')", "pull_request", None, False),
        ("github.event.workflow_run.conclusion == 'success'", "workflow_run", {"github.event.workflow_run.conclusion": "failure"}, False),
        ("github.event.workflow_run.conclusion == 'success'", "push", None, False),
        ("github.event.workflow_run.conclusion == 'success'", "workflow_run", None, True),
        ("contains(github.event.pull_request.labels.*.name, 'deploy')", "pull_request", None, True),
    ],
)
def test_can_run_when(condition, event, known, runs):
    assert can_run_when(Scalar(condition, None, 0, 0), event, known) is runs


def test_job_can_run_when_follows_needs():
    wf = workflow(
        """
        on: [push, pull_request]
        jobs:
          build:
            if: github.event_name == 'push'
            runs-on: ubuntu-latest
            steps: [{run: make}]
          deploy:
            needs: build
            runs-on: ubuntu-latest
            steps: [{run: make deploy}]
          report:
            needs: build
            if: always()
            runs-on: ubuntu-latest
            steps: [{run: make report}]
        """
    )
    assert not job_can_run_when(wf.job("deploy"), "pull_request")
    assert job_can_run_when(wf.job("deploy"), "push")
    assert job_can_run_when(wf.job("report"), "pull_request")
