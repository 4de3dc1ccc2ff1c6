from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.conditions import calls_status_function, can_run_when, condition_body, job_can_run_when
from cicdlint.model import fold_needs, memo_of
from cicdlint.notions import deploy_steps, is_deploy_job, name_words
from cicdlint.rule import Issue, rule
from cicdlint.shell import parse, strip_wrappers
from cicdlint.triggers import events
from cicdlint.yamlpos import Map, Scalar

# Events whose runs were gated by someone else: the calling workflow, the deployment creator.
GATED_ELSEWHERE = ("workflow_call", "deployment", "deployment_status")
FAILED_RUN = {"github.event.workflow_run.conclusion": "failure"}

_B = r"(?:^|(?<=[\s/;&|(]))"  # a command word starts here
_E = r"(?=$|[\s;&|)])"
_TEST_COMMAND = lazyre.compile(
    "|".join(
        (
            # JavaScript
            _B + r"(?:npm|pnpm|yarn|bun)\s+(?:(?:run|run-script)\s+)?(?:-\S+\s+)*(?:t|[\w:.-]*test[\w:.-]*|e2e[\w:.-]*|coverage[\w:.-]*|cy:run|cypress[\w:.-]*|jest|vitest|spec)" + _E,
            _B + r"(?:jest|vitest|mocha|karma|ava|jasmine|c8|nyc)" + _E,
            _B + r"playwright\s+test" + _E,
            _B + r"cypress\s+run" + _E,
            _B + r"(?:nx|turbo|lerna)\s(?:.*[\s=:,])?(?:test|e2e)" + _E,
            # Python
            _B + r"(?:pytest|py\.test|tox|nox|behave|nose2?|ward)" + _E,
            _B + r"python[\d.]*\s+(?:-\S+\s+)*-m\s+(?:pytest|unittest|nose2?|tox|nox|coverage)" + _E,
            _B + r"manage\.py\s+test" + _E,
            _B + r"coverage\s+run" + _E,
            _B + r"hatch\s+(?:test|run\s+[\w:.-]*test[\w:.-]*)" + _E,
            # Go, Rust, .NET, C/C++, Elixir, Dart, Swift, Deno, Bazel, Haskell, Clojure
            _B + r"go\s+test" + _E,
            _B + r"(?:gotestsum|ginkgo|ctest)" + _E,
            _B + r"cargo\s+(?:\+\S+\s+)?(?:test|nextest|tarpaulin|llvm-cov)" + _E,
            _B + r"dotnet\s+test" + _E,
            _B + r"(?:meson|ninja)\s+(?:-\S+\s+)*test" + _E,
            _B + r"mix\s+test" + _E,
            _B + r"(?:flutter|dart|swift|deno|bun|bazel|bazelisk|stack|cabal|lein)\s+test" + _E,
            _B + r"xcodebuild\s+(?:.*\s)?test" + _E,
            _B + r"sbt\s+(?:.*\s)?\"?(?:test|[+]test|coverage)" + _E,
            # Ruby, PHP
            _B + r"(?:rspec|cucumber|phpunit|pest|paratest|codecept)" + _E,
            _B + r"(?:rake|rails)\s+(?:test|spec|ci)" + _E,
            _B + r"artisan\s+test" + _E,
            _B + r"composer\s+(?:run(?:-script)?\s+)?(?:[\w:-]*test[\w:-]*)" + _E,
            # make, scripts
            _B + r"make\s+(?:-\S+\s+)*(?:[\w./-]*\s+)*?[\w-]*(?:test|check)[\w-]*" + _E,
            _B + r"make\s+(?:-\S+\s+)*ci" + _E,
            # a test script: `./test.sh`, `scripts/run-tests`, `bin/test`, `run_tests.py`
            _B + r"\S*/(?:run[-_]?)?(?:unit[-_]?|integration[-_]?|e2e[-_]?)?tests?(?:[-_][\w-]+)?(?:\.(?:sh|bash|py|ps1))?" + _E,
            _B + r"(?:run[-_]?)?(?:unit[-_]?|integration[-_]?|e2e[-_]?)?tests?(?:[-_][\w-]+)?\.(?:sh|bash|py|ps1)" + _E,
            _B + r"(?:bash|sh|python[\d.]*|pwsh)\s+(?:-\S+\s+)*\S*(?:run[-_]?)?tests?(?:[-_][\w-]+)?(?:\.(?:sh|bash|py|ps1))?" + _E,
        )
    ),
    re.I,
)
_MAVEN = lazyre.compile(_B + r"(?:mvn|mvnw)" + _E, re.I)
_MAVEN_PHASE = lazyre.compile(r"(?:^|\s)(?:[\w.:-]*:)?(?:test|verify|package|install|integration-test)(?=$|\s)", re.I)
_MAVEN_SKIP = lazyre.compile(r"-D(?:skipTests|maven\.test\.skip)(?:=true)?(?=$|\s)|-DskipTests=true", re.I)
_GRADLE = lazyre.compile(_B + r"(?:gradle|gradlew|gradlew\.bat)" + _E, re.I)
_GRADLE_TASK = lazyre.compile(r"(?:^|\s)(?::?[\w-]+:)*(?:test|check|build|\w*Test|connectedCheck|integrationTest)(?=$|\s)")
_GRADLE_SKIP = lazyre.compile(r"(?:-x|--exclude-task)[\s=]+(?::?[\w-]+:)*(?:test|check)(?=$|\s)")
_NOT_RUNNING = ("echo", "printf", "cat", "grep", "sed", "awk", "ls", "cd", "export", "test", "[", "[[")
_INSTALLS = ("install", "i", "add", "ci", "update", "upgrade", "remove", "uninstall")

TEST_ACTIONS = (
    "cypress-io/github-action",
    "dorny/test-reporter",
    "enricomi/publish-unit-test-result-action",
    "mikepenz/action-junit-report",
    "codecov/codecov-action",
    "coverallsapp/github-action",
    "paambaati/codeclimate-action",
    "artiomtr/jest-coverage-report-action",
    "microsoft/playwright-github-action",
    "ctrf-io/github-test-reporter",
)
_STEP_NAME = lazyre.compile(r"\b(?:tests?|testing|specs?|e2e|unittests?|pytest|jest|vitest|rspec)\b", re.I)
_ACTION_WORDS = frozenset(("test", "tests", "testing", "pytest", "jest", "vitest", "rspec", "phpunit", "e2e"))
_JOB_WORDS = frozenset(("ci", "qa", "e2e", "spec", "specs", "unit", "integration", "coverage", "verify", "checks"))


@rule(
    id="deploy-without-tests",
    kinds=("workflow",),
    severity="warning",
    summary="A production deploy job does not wait for a job that runs the tests",
    tags=("deployment", "reliability"),
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds production deploy jobs that can run without the tests having passed first. A deploy
    job has a deploy step (ECS / EKS / Cloud Run / Serverless / SSH deploy, `kubectl apply`,
    `helm upgrade` ...) or names an environment it deploys to; it is a production deploy when
    its environment, or else the workflow's file name, says production. Reported at the job's
    key when neither of these holds:

    - the job depends through `needs:` (directly or through other jobs) on a job that runs
      tests: a step running a test runner (`npm test`, `npm run test:unit`, `yarn test`,
      `pnpm test`, `jest`, `vitest`, `pytest`, `python -m pytest`, `tox`, `nox`, `go test`,
      `mvn verify` / `mvn test` / `mvn package` (without `-DskipTests`), `gradle test` /
      `./gradlew check` / `./gradlew build` (without `-x test`), `cargo test`, `dotnet test`,
      `rspec`, `bundle exec rspec`, `rake test`, `phpunit`, `php artisan test`, `mix test`,
      `make test` / `make check`, `ctest`, `./scripts/run-tests.sh` ...), a test action
      (Cypress, a test reporter, a coverage upload), a step named like tests, or a job whose
      id or name says test / ci / e2e / unit / integration. A job that calls a reusable
      workflow (`uses: ./.github/workflows/ci.yml`) counts as running tests: what it runs
      cannot be seen from here;
    - the job itself runs tests before its first deploy step.

    A test job with `continue-on-error: true`, a test command followed by `|| true`, and a
    `needs:` link that the deploy job ignores (`if: always()` without checking
    `needs.<job>.result`) do not gate anything.

    Triggers decide too. A workflow started by `workflow_run` (when the CI workflow completes)
    is gated when the job's condition, a condition of a job it needs, or the condition of every
    deploy step requires `github.event.workflow_run.conclusion == 'success'`; without that
    check it is reported, since `completed` includes failed runs. (Which workflow triggers it
    is not checked: a successful run of it counts as the tests.) Other triggers the condition excludes
    (`if: github.event_name == 'workflow_run' && ...`) do not count. Workflows that only run
    as a reusable workflow (`workflow_call`) or on `deployment` events are not reported: their
    caller decides what runs first. A workflow that only a person starts (`workflow_dispatch`)
    is reported with medium confidence, since the person may be promoting a build that was
    tested elsewhere.

    ## Why is this bad?
    Deploys must follow passing tests. A deploy job that does not wait for the tests ships
    whatever was pushed, including the commit that breaks the build: the test job fails in
    parallel, minutes after production already runs the broken code. `needs:` is the only
    thing that makes GitHub wait for another job and skip the deploy when it fails. (Branch
    protection with required checks keeps untested code out of `main` only when every change
    goes through a pull request, and says nothing about tags, dispatches or direct pushes.)

    ## Example
    ```yaml
    on:
      push:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - run: ./scripts/build-and-push.sh
          - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
            with:
              task-definition: task-definition.json
              service: my-api-service
              cluster: production-cluster
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
      deploy:
        needs: [test]
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - run: ./scripts/build-and-push.sh
          - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
            with:
              task-definition: task-definition.json
              service: my-api-service
              cluster: production-cluster
    ```
    Add the test job to the deploy job's `needs:` (directly or through the build job). When
    the deploy lives in its own workflow, start it with `workflow_run` on the CI workflow and
    guard the job with `if: github.event.workflow_run.conclusion == 'success'`, or call the
    CI workflow as a reusable workflow and `needs:` that job.
    """
    workflow = ctx.workflow
    triggers = [event for event in events(workflow) if event not in GATED_ELSEWHERE]
    if not triggers:
        return
    for job in workflow.jobs:
        if not is_deploy_job(job, ctx.production) or not ctx.production.job(job):
            continue
        if _tests_in_job(job):
            continue
        gate, bypassed = _tested_through_needs(job, workflow)
        if gate is not None:
            continue
        steps = deploy_steps(job)
        reachable = []
        for event in triggers:
            known = FAILED_RUN if event == "workflow_run" else None
            if not job_can_run_when(job, event, known):
                continue
            if steps and not any(can_run_when(step.if_, event, known) for step in steps):
                continue  # every deploy step is guarded (`terraform apply` only on push)
            reachable.append(event)
        if not reachable:
            continue
        where = f"environment '{job.environment_name}'" if job.environment_name else "production"
        confidence = "medium" if set(reachable) <= {"workflow_dispatch"} else None
        if reachable == ["workflow_run"]:
            message = (
                f"Guard job '{job.id}' with `if: github.event.workflow_run.conclusion == 'success'`. It "
                f"deploys to {where} when the triggering workflow completes, and `completed` includes "
                "failed runs, so a commit whose tests failed is deployed."
            )
        elif bypassed is not None:
            fix, why = bypassed
            message = (
                f"Make the tests gate job '{job.id}': {fix}. It deploys to {where}, and {why}, so a commit "
                "that fails them is still deployed."
            )
        else:
            on = ", ".join(f"`{event}`" for event in reachable)
            message = (
                f"Make job '{job.id}' wait for the tests: add the job that runs them to its `needs:` "
                f"(e.g. `needs: [test]`), or run them in the job before it deploys. It deploys to {where} "
                f"on {on}, and neither it nor any job it needs runs tests, so a commit that fails them is "
                "still deployed."
            )
        yield Issue(job.key, message, confidence=confidence)


def _tests_in_job(job) -> bool:
    """Does the job run tests before its first deploy step (anywhere, when it deploys only by
    naming an environment)?"""
    deploys = deploy_steps(job)
    first = deploys[0].index if deploys else len(job.steps)
    return any(_step_runs_tests(step) for step in job.steps if step.index < first)


def _tested_through_needs(job, workflow):
    """(the job that runs tests, None) when `job` waits for one through `needs:`; else
    (None, (fix, why)) when a test job is needed but does not gate (`continue-on-error`, an
    `always()` condition), or (None, None)."""
    return fold_needs(job, _tested_given, memo_of(workflow, "tested_through_needs"), (None, None))


def _tested_given(job, needed_jobs: list):
    """`_tested_through_needs` of a job, from the answers for the jobs it needs."""
    bypassed = None
    ignored = _ignores_needs(job)
    for name, needed, (found, deeper) in ((n, j, v or (None, None)) for n, j, v in needed_jobs):
        if needed is None:
            # A job this file does not define (the workflow is broken): trust its name.
            if _test_name(name, None) and not ignored:
                return name, None
            continue
        if _runs_tests(needed):
            if _continues_on_error(needed):
                bypassed = bypassed or (
                    f"remove `continue-on-error: true` from job '{needed.id}'",
                    f"job '{needed.id}' runs tests but `continue-on-error: true` lets the run go on when they fail",
                )
            elif ignored:
                bypassed = bypassed or _ignored(job, needed.id)
            else:
                return needed, None
            continue
        if found is not None:
            if not ignored:
                return found, None
            bypassed = bypassed or _ignored(job, needed.id)
        bypassed = bypassed or deeper
    return None, bypassed


def _ignored(job, needed: str):
    return (
        f"make job '{job.id}' check `needs.{needed}.result == 'success'` instead of running always",
        f"job '{job.id}' runs even when job '{needed}' failed",
    )


def _ignores_needs(job) -> bool:
    """Does the job run whatever happened to the jobs it needs (`if: always()`, `!cancelled()`,
    `failure()`) without looking at their results?"""
    if not calls_status_function(job.if_):
        return False
    body = condition_body(job.if_) or ""
    return "needs." not in body and "success()" not in body


def _continues_on_error(job) -> bool:
    node = job.node.get("continue-on-error")
    return isinstance(node, Scalar) and node.as_bool() is True


def _runs_tests(job) -> bool:
    """Does the job run tests: a reusable workflow (cannot be seen into), a test job by its id
    or name, or a step that runs tests?"""
    memo = memo_of(job.workflow, "runs_tests")
    if job.id not in memo:
        memo[job.id] = _job_runs_tests(job)
    return memo[job.id]


def _job_runs_tests(job) -> bool:
    if job.uses is not None:
        return True
    steps = [step for step in job.steps if step.run is not None or step.uses is not None]
    if not steps:
        return False
    if _test_name(job.id, _text(job.node.get("name"))):
        return True
    return any(_step_runs_tests(step) for step in job.steps)


def _test_name(job_id: str, name: str | None) -> bool:
    """Does a job id or name say it tests (`test`, `unit-tests`, `ci`, `e2e`, `verify` ...)?"""
    if "test" in job_id.lower() or "test" in (name or "").lower():
        return True
    return bool((name_words(job_id) | name_words(name)) & _JOB_WORDS)


def _step_runs_tests(step) -> bool:
    node = step.node.get("continue-on-error")
    if isinstance(node, Scalar) and node.as_bool() is True:
        return False
    if step.uses_action(*TEST_ACTIONS):
        return True
    uses = step.uses.value if step.uses is not None else ""
    if uses and name_words(uses.split("@", 1)[0].rstrip("/").rsplit("/", 1)[-1]) & _ACTION_WORDS:
        return True  # `./.github/actions/run-tests`, `acme/unit-test-action`
    scripts = [step.run.value] if step.run is not None else []
    inputs = step.with_
    if uses and isinstance(inputs, Map):
        for name, _, value in inputs.items():
            if name.lower() in ("run", "command", "commands", "script", "args", "arguments", "coveragecommand") and isinstance(value, Scalar):
                scripts.append(value.value)
                if name.lower() == "arguments" and "gradle" in uses.lower() and _GRADLE_TASK.search(value.value):
                    return True
    if any(_script_runs_tests(script) for script in scripts):
        return True
    name = step.name or ""
    return step.run is not None and bool(_STEP_NAME.search(name)) and "skip" not in name.lower()


def _script_runs_tests(script: str) -> bool:
    if not script or not script.strip():
        return False
    commands = parse(script)
    for index, command in enumerate(commands):
        words = strip_wrappers(command.words)
        if not words or words[0].value in _NOT_RUNNING:
            continue
        if command.or_fallback and index + 1 < len(commands):
            fallback = commands[index + 1].name
            if fallback in ("true", ":", "echo", "exit 0"):
                continue
        line = " ".join(word.value for word in words)
        if _MAVEN.search(line) and _MAVEN_PHASE.search(line) and not _MAVEN_SKIP.search(line):
            return True
        if _GRADLE.search(line) and _GRADLE_TASK.search(line) and not _GRADLE_SKIP.search(line):
            return True
        if any(word.value in _INSTALLS for word in words[1:3]):
            continue  # `pip install pytest`, `npm i -D jest`
        if _TEST_COMMAND.search(line):
            return True
    return False


def _text(node) -> str | None:
    return node.value if isinstance(node, Scalar) else None
