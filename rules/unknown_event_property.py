from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="unknown-event-property",
    kinds=("workflow",),
    severity="error",
    summary="`github.event.<path>` is in the webhook payload of none of the events that start the workflow",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Follows each `github.event.<path>` through the webhook payloads of the events that start
    the workflow (from GitHub's webhook schemas, all activity types of each event) and
    reports a path that exists in none of them, with a did-you-mean: a typo
    (`github.event.pull_request.titel`), a property of another event
    (`github.event.release.tag_name` in a workflow that only runs on `push`), or a property
    of a single value (`github.event.pull_request.title.text`). Free-form objects accept
    anything (`workflow_dispatch` inputs, `repository_dispatch` `client_payload`), and a
    workflow that is also triggered by `workflow_call` (its event is the caller's), by
    `schedule` or by an event without a published payload is not checked.

    ## Why is this bad?
    A path that is not in the payload is silently empty: a condition on it is never true, a
    tag built from it is empty, a notification says nothing. GitHub reports no error.

    ## Example
    ```yaml
    on: push
    jobs:
      notify:
        runs-on: ubuntu-latest
        steps:
          - run: echo "Released ${{ github.event.release.tag_name }}"
          - run: echo "${{ github.event.head_commit.mesage }}"
    ```

    ## Use instead
    ```yaml
    on:
      push:
      release:
        types: [published]
    jobs:
      notify:
        runs-on: ubuntu-latest
        steps:
          - if: github.event_name == 'release'
            run: echo "Released ${{ github.event.release.tag_name }}"
          - run: echo "${{ github.event.head_commit.message }}"
    ```
    Add the event whose payload holds the property to `on:`, or read the property the event
    you have really sends (see "Webhook events and payloads" in GitHub's docs).
    """
    return exprcheck.event_issues(doc, ctx)
