"""Unmodified clients in other processes reach the emulator by the vendor's own hostname,
over TLS verified with the local CA (``docs/howto-unmodified-clients.md``).

* the TypeScript Hume SDK (npm ``hume`` 0.15.17, the last with ``StreamClient``), which
  hard-codes ``wss://api.hume.ai/v0/stream/models``, and Hume's own Python streaming example:
  each in a network namespace this test creates, whose hosts file maps ``api.hume.ai`` to
  its loopback, where the emulator listens on port 443;
* a browser page and Hume's Next.js streaming sandbox in Chromium, with
  ``--host-resolver-rules`` (``api.hume.ai:443`` to the emulator's port) and the CA's key
  in ``--ignore-certificate-errors-spki-list``.

Each also fails without the CA: certificates are verified. npm packages are installed once
into a cache (``node_projects.py``); without namespaces, Node.js, the registry or Chromium
a test is skipped with the reason.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.server import MockServer

from .netns import namespace
from .node_projects import NodeUnavailable, node_project, tree_digest

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

EXAMPLES = Path(__file__).parent / "examples"
HOSTS = {"api.hume.ai": "127.0.0.1"}
KEY = "mock-hume-key"
TEXT = "I am so happy today"
MOCKSERVER = [sys.executable, "-m", "mockserver"]
FREE_PORTS = [
    "--hume-v1-port", "0", "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0",
    "--admin-port", "0",
]  # fmt: skip
#: Variables of this process that would change how a child trusts or finds the emulator.
FOREIGN = (
    "HUME_API_KEY", "TEST_HUME_API_KEY", "PYTHONPATH", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "http_proxy", "https_proxy",
    "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
)  # fmt: skip

TS_CLIENT = """\
// An ordinary TypeScript-SDK client: no URL anywhere, the SDK's own wss://api.hume.ai.
const { HumeClient } = require("hume");

async function main() {
  const client = new HumeClient({ apiKey: process.env.HUME_API_KEY });
  const socket = client.expressionMeasurement.stream.connect({
    config: { language: { granularity: "passage" } },
  });
  const result = await socket.sendText({ text: process.argv[2] });
  socket.close();
  const emotions = result.language.predictions[0].emotions;
  emotions.sort((a, b) => b.score - a.score);
  console.log(JSON.stringify(emotions.slice(0, 3).map((e) => e.name)));
}

main().catch((error) => {
  // A failed connection rejects with the ws error event: print its message.
  console.error(error?.message ?? error?.error?.message ?? String(error));
  process.exit(3);
});
"""

PAGE = """<!doctype html><meta charset="utf-8"><title>page</title><pre id="out">waiting</pre>
<script>
const ws = new WebSocket("wss://api.hume.ai/v0/stream/models?apikey=%s");
ws.onopen = () => ws.send(JSON.stringify(
  {models: {language: {granularity: "passage"}}, raw_text: true, data: "%s"}));
ws.onmessage = (event) => { document.getElementById("out").textContent = event.data; };
ws.onerror = () => { document.getElementById("out").textContent = "ERROR"; };
</script>""" % (KEY, TEXT)  # noqa: UP031  (braces in the page)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


def environment(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in FOREIGN}, **extra}


def top_names(output: str) -> list[str]:
    """The emotion names the Python example prints, best first."""
    return re.findall(r"^(\w[\w ]*?)\s*: 0\.\d{4}$", output, re.M)


@pytest.fixture(scope="module")
def ts_sdk() -> Path:
    try:
        return node_project(
            "hume-ts-sdk",
            package={"name": "client", "private": True, "dependencies": {"hume": "0.15.17"}},
            files={"client.js": TS_CLIENT},
        )
    except NodeUnavailable as exc:
        pytest.skip(str(exc))


# -- by the vendor hostname, in a network namespace ------------------------------------------


def test_typescript_sdk_by_the_vendor_hostname(ts_sdk: Path, tmp_path: Path) -> None:
    with namespace(hosts=HOSTS) as ns:
        serve = [*MOCKSERVER, "exec", "--tls", "--hume-port", "443", "--state-dir",
                 str(tmp_path), "--log-level", "warning", "--"]  # fmt: skip
        done = ns.run([*serve, "node", "client.js", TEXT], environment(), cwd=ts_sdk)
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout)[0] == "Joy"
        # The same without the CA variable that exec gives: Node verifies the certificate.
        untrusting = ["env", "-u", "NODE_EXTRA_CA_CERTS", "node", "client.js", TEXT]
        refused = ns.run([*serve, *untrusting], environment(), cwd=ts_sdk)
        assert refused.returncode == 3 and "certificate" in refused.stderr, refused.stderr


@pytest.fixture
def python_example(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    for name in ("main.py", "test_main.py"):
        shutil.copyfile(EXAMPLES / "hume_python_streaming" / name, folder / name)
    return folder


def test_python_app_by_the_vendor_hostname(python_example: Path, tmp_path: Path) -> None:
    with namespace(hosts=HOSTS) as ns:
        server = ns.popen(
            [*MOCKSERVER, "serve", "--tls", "--hume-port", "443", *FREE_PORTS,
             "--state-dir", str(tmp_path), "--print-json"],
            environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            ready = json.loads(server.stdout.readline())
            trust = ready["tls"]["environment"]  # what `mockserver ca` prints
            app = [sys.executable, "main.py"]
            done = ns.run(
                app, environment(**trust, HUME_API_KEY=KEY), cwd=python_example,
                stdin=f"{TEXT}\nexit\n",
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            assert top_names(done.stdout)[0] == "Joy", done.stdout
            refused = ns.run(
                app, environment(HUME_API_KEY=KEY), cwd=python_example, stdin=f"{TEXT}\nexit\n"
            )
            assert refused.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
        finally:
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=30)
        assert server.returncode == 0


# -- in Chromium, with host resolver rules ---------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    state = tmp_path_factory.mktemp("browser-state")
    settings: dict[str, Any] = {"hume_v1": {"enabled": False}, "behavioral": {"enabled": False}}
    with MockServer(tls=True, state_dir=str(state), **settings) as server:
        yield server


def chromium(playwright: Any, profile: Path, server: MockServer, *, trust: bool) -> Any:
    """Chromium resolving api.hume.ai:443 to the emulator, trusting its CA if ``trust``."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)
    tls = server.runtime.tls
    assert tls is not None and tls.ca is not None
    rules = f"--host-resolver-rules=MAP api.hume.ai:443 127.0.0.1:{server.hume.port}"
    spki = f"--ignore-certificate-errors-spki-list={tls.ca.spki_sha256()}"
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, rules, *([spki] if trust else [])],
    )


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    """The page, served from loopback (a public origin may not reach loopback at all:
    Chromium's local network access checks)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_browser_page_by_the_vendor_hostname(
    tls_server: MockServer, page_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  Playwright: browser tests

    with sync_playwright() as playwright:
        for trust, profile in ((True, tmp_path / "a"), (False, tmp_path / "b")):
            context = chromium(playwright, profile, tls_server, trust=trust)
            try:
                page = context.new_page()
                page.goto(page_url)
                page.wait_for_function(
                    "document.getElementById('out').textContent !== 'waiting'", timeout=30_000
                )
                out = page.text_content("#out") or ""
            finally:
                context.close()
            if trust:
                reply = json.loads(out)
                assert reply["language"]["predictions"][0]["text"] == TEXT
            else:
                assert out == "ERROR"  # the certificate is not trusted without the CA


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def sandbox() -> Iterator[str]:
    """Hume's Next.js sandbox, unmodified, served by ``next dev`` on loopback."""
    source = EXAMPLES / "hume_nextjs_streaming"
    recorded = re.search(r"`([0-9a-f]{64})`", (source / "SOURCE.md").read_text("utf-8"))
    assert recorded is not None
    assert tree_digest(source, skip=("SOURCE.md", "LICENSE")) == recorded[1], "not unmodified"
    try:
        folder = node_project("hume-nextjs-sandbox", source=source)
    except NodeUnavailable as exc:
        pytest.skip(str(exc))
    port = _free_port()
    process = subprocess.Popen(
        [str(folder / "node_modules" / ".bin" / "next"), "dev", "-H", "127.0.0.1", "-p", str(port)],
        cwd=folder, env=environment(NEXT_TELEMETRY_DISABLED="1"), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # bounded: until it accepts connections, or the deadline
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, "next dev exited"
            assert time.monotonic() < deadline, "next dev did not start within 120 s"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.browser
def test_hume_nextjs_sandbox_in_chromium(
    tls_server: MockServer, sandbox: str, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  Playwright: browser tests

    tls_server.reset()
    with sync_playwright() as playwright:
        context = chromium(playwright, tmp_path / "profile", tls_server, trust=True)
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)  # the first visit compiles the page
            page.goto(sandbox + "/language")
            page.fill("input[placeholder='API Key']", KEY)
            with page.expect_console_message(lambda m: m.text == "Connected to websocket"):
                page.click("text=Log in")  # the page connects once logged in
            page.type("textarea", TEXT, delay=10)  # as a user types: a request per key
            expected = _reply_to(tls_server, TEXT)
            shown = (
                "Array.from(document.querySelectorAll('div.lowercase span'), e => e.textContent)"
            )
            compact = json.dumps(expected, separators=(",", ":"))  # as JSON.stringify writes
            page.wait_for_function(f"JSON.stringify({shown}) === {json.dumps(compact)}")
        finally:
            context.close()
    assert expected[0] == "Joy"  # what the page shows is what the emulator said of the text


def _reply_to(server: MockServer, text: str) -> list[str]:
    """The top three emotions of the emulator's reply to the request whose data is ``text``
    (waits for it, up to 30 s)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # bounded
        entries = server.journal.entries(vendor="hume", kind="text")
        for index, entry in enumerate(entries):
            data = entry.data if isinstance(entry.data, dict) else {}
            if entry.direction != "in" or data.get("data") != text:
                continue
            for later in entries[index + 1 :]:
                if later.connection == entry.connection and later.direction == "out":
                    emotions = later.data["language"]["predictions"][0]["emotions"]
                    emotions = sorted(emotions, key=lambda e: -e["score"])
                    return [e["name"] for e in emotions[:3]]
        time.sleep(0.1)
    raise AssertionError(f"the emulator never answered {text!r}")
