"""Real-browser harness: JupyterLab, Notebook 7 and Voila servers, Debian's Chromium, kernel probes.

Shared by ``tests/browser`` (through ``conftest.py``), ``benchmarks/bench_browser.py`` and
``scripts/screenshot.py``. Nothing here touches the user's home or the repository: every
Jupyter, IPython and matplotlib directory lives in a temp folder, the notebooks are served
from a temp copy (JupyterLab would otherwise write checkpoints next to them), and servers are
stopped by the PID this module started.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STPWIDGET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ENABLE_HINT = (
    "Chromium not found at {path}: the browser tests need Debian's chromium "
    "(`apt-get install chromium`, as root) and the Python playwright package "
    "(`pip install -e .[test]`); never `playwright install`."
)

# Lab settings that make a headless run quiet and deterministic: no news/update toast, no
# autosave (the served copy is throwaway anyway), every cell rendered (no windowing, so
# off-screen outputs exist in the DOM), no extension manager (it would query PyPI).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}

#: JupyterLab's and Notebook 7's theme setting, and Voila's option, per theme name.
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}

#: Server kinds that run the JupyterLab frontend: module to run (``python -m``) and the
#: application class whose traits take the settings and workspaces folders.
LAB_APPS = {"lab": ("jupyterlab", "LabApp"), "notebook": ("notebook", "JupyterNotebookApp")}

#: Options of a Voila app: no code; the lab extensions of jupytext and of Notebook 7 off
#: (they need JupyterLab's document registry and throw module federation error RUNTIME-012
#: in Voila's page).
VOILA_DENIED_EXTENSIONS = ("jupyterlab-jupytext", "@jupyter-notebook/lab-extension")
VOILA_ARGS = [f"--VoilaConfiguration.extension_denylist={list(VOILA_DENIED_EXTENSIONS)!r}"]
#: Outside hosts the pages ask for that this offline machine cannot reach (Voila's default
#: template links Font Awesome from the jsDelivr CDN).
OFFLINE_HOSTS = ("cdn.jsdelivr.net",)
#: Known upstream errors in a server kind's own frontend, nothing the notebooks cause: a
#: page error passes only if its message *and* stack match. Notebook 7.6: the shortcuts
#: plugin reads its own schema when another plugin's settings load before its own, a
#: startup race (https://github.com/jupyter/notebook/issues/7862, open), e.g.
#: ``TypeError: Cannot read properties of undefined (reading 'schema')`` at ``_.load``.
KNOWN_PAGE_ERRORS: dict[str, tuple[re.Pattern, ...]] = {
    "notebook": (
        re.compile(
            r"^Cannot read properties of undefined \(reading 'schema'\)\n"
            r"TypeError: Cannot read properties of undefined \(reading 'schema'\)\n"
            r"\s+at \S+/static/notebook/notebook_core\.[0-9a-f]+\.js\S*\n"
            r"(?:\s+at .*\n)*\s+at \w+\.load \(\S+/static/notebook/notebook_core\."
        ),
    ),
}


def browser_available() -> tuple[bool, str]:
    """Whether Chromium and playwright are usable here, and else the message saying how."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return False, ENABLE_HINT.format(path=CHROMIUM)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, ENABLE_HINT.format(path=CHROMIUM) + " (playwright is not importable)"
    return True, ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isolated_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ):
        path = base / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The test process runs matplotlib headless (MPLBACKEND=Agg); a kernel must not inherit
    # that, or `%matplotlib widget` and the explorer's backend detection see Agg.
    env.pop("MPLBACKEND", None)
    env.pop("JPY_SESSION_NAME", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Server:
    """A running JupyterLab, Notebook 7 or Voila process (see :func:`jupyter_server`)."""

    kind: str
    url: str
    root: Path
    runtime_dir: Path
    log: Path
    proc: subprocess.Popen = field(repr=False)

    def log_text(self) -> str:
        """The server's combined stdout/stderr so far."""
        return self.log.read_text(errors="replace")

    def connection_files(self) -> list[Path]:
        """Connection files of the kernels this server started, oldest first."""
        files = list(self.runtime_dir.rglob("kernel-*.json"))
        return sorted(files, key=lambda p: p.stat().st_mtime)


def _wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"server not listening after {timeout} s:\n{log.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server (it shuts its kernels down), then SIGKILL its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    # Kernels live in the server's process group (start_new_session): reap any left over.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def jupyter_server(
    kind: str,
    notebooks: dict[str, Path],
    *,
    voila_notebook: str | None = None,
    timeout: float = 90.0,
    theme: str = "light",
) -> Iterator[Server]:
    """Start JupyterLab (``kind="lab"``), Notebook 7 (``"notebook"``) or Voila (``"voila"``).

    The server listens on a free 127.0.0.1 port, without token or password.

    ``notebooks`` maps a served name to a source file; the sources are copied into a temp
    root together with their folder's other files (data, helpers). Voila serves
    ``voila_notebook`` (one of the names) at ``/``.
    """
    base = Path(tempfile.mkdtemp(prefix=f"stpwidget-{kind}-"))
    root = base / "root"
    root.mkdir()
    for name, src in notebooks.items():
        shutil.copy2(src, root / name)
    env = _isolated_env(base)
    port = free_port()
    log = base / "server.log"
    if kind in LAB_APPS:
        # JupyterLab and Notebook 7 are the same frontend (Notebook 7 is built from Lab's
        # plugins): the same user settings apply, given to each app's own traits.
        module, app = LAB_APPS[kind]
        settings = base / "lab-user-settings"
        themes = {"@jupyterlab/apputils-extension:themes": {"theme": THEMES[theme]}}
        for plugin, values in {**LAB_SETTINGS, **themes}.items():
            package, _, name = plugin.partition(":")
            path = settings / package / f"{name}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        cmd = [
            sys.executable,
            "-m",
            module,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--port-retries=0",
            f"--ServerApp.root_dir={root}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--{app}.user_settings_dir={settings}",
            f"--{app}.workspaces_dir={base / 'lab-workspaces'}",
            "--ServerApp.open_browser=False",
            *(["--LabApp.news_url="] if kind == "lab" else []),
        ]
    elif kind == "voila":
        if voila_notebook is None:
            raise ValueError("voila_notebook names the notebook Voila serves")
        cmd = [
            sys.executable,
            "-m",
            "voila",
            str(root / voila_notebook),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",
            f"--Voila.root_dir={root}",
            f"--Voila.connection_dir_root={env['JUPYTER_RUNTIME_DIR']}",
            f"--theme={theme}",
            # jupytext's and Notebook 7's lab extensions cannot load outside JupyterLab
            # (module federation error RUNTIME-012 in the console); `make app` should deny
            # them the same way.
            *VOILA_ARGS,
        ]
    else:
        raise ValueError(f"kind must be 'lab', 'notebook' or 'voila', not {kind!r}")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(
        kind=kind,
        url=f"http://127.0.0.1:{port}",
        root=root,
        runtime_dir=Path(env["JUPYTER_RUNTIME_DIR"]),
        log=log,
        proc=proc,
    )
    try:
        _wait_listening(port, proc, log, timeout)
        if kind in LAB_APPS:
            _wait_http(f"{server.url}/api/status", proc, log, timeout)
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(base, ignore_errors=True)


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError as e:
            last = e
        time.sleep(0.2)
    raise TimeoutError(
        f"{url} not answering after {timeout} s ({last}):\n{log.read_text()[-4000:]}"
    )


@contextlib.contextmanager
def chromium(
    *, width: int = 1400, height: int = 1000, scale: float = 1.0
) -> Iterator[tuple[object, object]]:
    """Yield ``(browser, context)``: headless Debian Chromium and a fresh context.

    ``scale`` is the context's device scale factor (``window.devicePixelRatio``: 2 for a
    retina screen); :func:`new_context` makes more contexts on the same browser.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            with new_context(browser, width=width, height=height, scale=scale) as context:
                yield browser, context
        finally:
            browser.close()


@contextlib.contextmanager
def new_context(
    browser, *, width: int = 1400, height: int = 1000, scale: float = 1.0
) -> Iterator[object]:
    """A fresh browser context (own storage) with a viewport and a device scale factor."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=scale,
        service_workers="block",
    )
    try:
        yield context
    finally:
        context.close()


# --------------------------------------------------------------------------------------
# Watching the page: console errors and the kernel's messages on the websocket.


def _decode_ws_v1(payload: bytes) -> dict | None:
    """Decode a ``v1.kernel.websocket.jupyter.org`` binary frame into a message dict."""
    if len(payload) < 8:
        return None
    n = int.from_bytes(payload[:8], "little")
    if n < 6 or len(payload) < 8 * (n + 1):
        return None
    offsets = [int.from_bytes(payload[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(n)]
    parts = [payload[offsets[i] : offsets[i + 1]] for i in range(n - 1)]
    try:
        return {
            "channel": parts[0].decode(),
            "header": json.loads(parts[1]),
            "parent_header": json.loads(parts[2]),
            "content": json.loads(parts[4]),
        }
    except (UnicodeDecodeError, ValueError, IndexError):
        return None


@dataclass
class PageWatch:
    """Console errors, page errors and kernel iopub traffic seen by one page."""

    console_errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    status: list[tuple[float, str]] = field(default_factory=list)
    allowed_hosts: tuple[str, ...] = ()
    #: Patterns of known upstream errors (see :data:`KNOWN_PAGE_ERRORS`), matched against a
    #: page error's message and stack; those matching go to ``known`` instead.
    known_errors: tuple[re.Pattern, ...] = ()
    known: list[str] = field(default_factory=list)

    def attach(self, page) -> PageWatch:
        """Start listening on ``page``."""
        page.on("console", self._on_console)
        page.on("pageerror", self._on_pageerror)
        page.on("websocket", self._on_websocket)
        return self

    def _on_pageerror(self, exc) -> None:
        full = f"{getattr(exc, 'message', exc)}\n{getattr(exc, 'stack', '') or ''}"
        if any(pattern.search(full) for pattern in self.known_errors):
            self.known.append(full)
        else:
            self.console_errors.append(f"pageerror: {exc}")

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        where = msg.location.get("url", "") if msg.location else ""
        if any(host in text or host in where for host in self.allowed_hosts):
            return
        self.console_errors.append(f"{text} ({where})")

    def _on_websocket(self, ws) -> None:
        if "/channels" in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        if isinstance(payload, bytes | bytearray):
            msg = _decode_ws_v1(bytes(payload))
        else:
            try:
                msg = json.loads(payload)
            except ValueError:
                msg = None
        if not msg or msg.get("channel") not in (None, "iopub"):
            return
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        if kind == "status":
            self.status.append((time.monotonic(), content.get("execution_state", "")))
        elif kind == "error":
            self.tracebacks.append("\n".join(content.get("traceback", [])) or str(content))
        elif kind == "stream" and content.get("name") == "stderr":
            text = content.get("text", "")
            self.stderr.append(text)
            if "Traceback" in text:
                self.tracebacks.append(text)

    def kernel_idle_since(self) -> float | None:
        """``time.monotonic()`` of the last status message if it said idle, else None."""
        if not self.status or self.status[-1][1] != "idle":
            return None
        return self.status[-1][0]


# --------------------------------------------------------------------------------------
# Canvas pixels, from inside the page.

# The figure is an ipympl canvas (the first <canvas> inside the selector's element) or the
# image path's stacked images (every <img class="widget-image"> inside it: a PNG layer and
# an SVG layer on top). Its pixels: the canvas' own, or the images drawn in order onto an
# offscreen canvas of the shown size times devicePixelRatio. Hashed with FNV-1a on 32-bit
# words.
JS_PIXELS = r"""
(() => {
  if (window.__stp) return;
  function root(sel) { return document.querySelector(sel); }
  function layers(sel) {
    const r = root(sel);
    if (!r) return [];
    if (r.tagName === 'CANVAS' || r.tagName === 'IMG') return [r];
    // ipympl's canvas (its first: the second is the rubber band's) or the static image,
    // then the SVG data layer that lies on it.
    const canvas = r.querySelector('canvas');
    const images = Array.from(r.querySelectorAll('img.widget-image'));
    return canvas ? [canvas, ...images.filter(el => el.classList.contains('stp-vector'))]
                  : images;
  }
  function pixels(els) {
    if (!els.length) return null;
    const first = els[0];
    const images = els.filter(el => el.tagName === 'IMG');
    if (first.tagName === 'CANVAS' && !images.length) {
      if (!first.width || !first.height) return null;
      return first.getContext('2d').getImageData(0, 0, first.width, first.height).data;
    }
    if (images.some(el => !el.complete || !el.naturalWidth)) return null;
    // The layers composed as the page shows them, at device pixels.
    const ratio = window.devicePixelRatio || 1;
    const c = document.createElement('canvas');
    c.width = Math.round(first.clientWidth * ratio);
    c.height = Math.round(first.clientHeight * ratio);
    if (!c.width || !c.height) return null;
    const g = c.getContext('2d');
    for (const el of els) g.drawImage(el, 0, 0, c.width, c.height);
    return g.getImageData(0, 0, c.width, c.height).data;
  }
  function hash(data) {
    if (!data) return null;
    const w = new Uint32Array(data.buffer, data.byteOffset, data.byteLength >> 2);
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) { h ^= w[i]; h = Math.imul(h, 0x01000193); }
    return (h >>> 0).toString(16) + ':' + w.length;
  }
  function same(a, b) {
    if (!a || !b || a.length !== b.length) return false;
    const x = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  // Canvas draws are announced to the armed probe (ipympl draws each received image).
  const listeners = new Set();
  for (const name of ['drawImage', 'putImageData']) {
    const original = CanvasRenderingContext2D.prototype[name];
    CanvasRenderingContext2D.prototype[name] = function (...args) {
      const out = original.apply(this, args);
      for (const f of listeners) f(this.canvas);
      return out;
    };
  }
  window.__stp = {
    layers, pixels, hash, same,
    hashOf(sel) { return hash(pixels(layers(sel))); },
    // Device pixels drawn per device pixel shown, for each raster layer of the figure
    // (an SVG layer is drawn by the browser at any density: left out).
    sharpness(sel) {
      const ratio = window.devicePixelRatio || 1;
      return layers(sel).filter(el => !el.classList.contains('stp-vector')).map(el => {
          const w = el.tagName === 'CANVAS' ? el.width : el.naturalWidth;
          const h = el.tagName === 'CANVAS' ? el.height : el.naturalHeight;
          return {tag: el.tagName, natural: [w, h], css: [el.clientWidth, el.clientHeight],
                  ratio, density: w / (el.clientWidth * ratio)};
        });
    },
    // Arm a latency probe: the next keydown (capture phase, anywhere) starts the clock; the
    // clock stops at the first animation frame after a new picture arrived (an image's load,
    // a draw on the canvas) whose figure pixels differ from those before the key press.
    arm(sel) {
      const els = layers(sel);
      const base = pixels(els);
      const probe = { t0: null, t1: null, base: base && base.slice() };
      window.__stpProbe = probe;
      const onKey = () => { if (probe.t0 === null) probe.t0 = performance.now(); };
      window.addEventListener('keydown', onKey, { capture: true, once: true });
      let queued = false;
      const check = () => {
        if (window.__stpProbe !== probe || probe.t0 === null || probe.t1 !== null || queued) return;
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          const now = pixels(layers(sel));
          if (now && !same(now, probe.base)) probe.t1 = performance.now();
        });
      };
      const r = root(sel);
      if (r) r.addEventListener('load', check, true);
      const onDraw = canvas => { if (els.includes(canvas)) check(); };
      listeners.add(onDraw);
      probe.stop = () => {
        listeners.delete(onDraw);
        if (r) r.removeEventListener('load', check, true);
      };
      return probe.base !== null;
    },
    result() {
      const p = window.__stpProbe;
      if (p && p.t1 !== null) { p.stop(); return p.t1 - p.t0; }
      return null;
    },
  };
})();
"""


def install_pixels(page) -> None:
    """Install ``window.__stp`` (pixel hashes and the latency probe) in ``page``."""
    page.evaluate(JS_PIXELS)


def sharpness(page, selector: str) -> list[dict]:
    """Per raster layer of the figure: its pixel size, its CSS box, ``devicePixelRatio`` and
    ``density``, the device pixels drawn per device pixel shown (1 is sharp, 0.5 blurred)."""
    install_pixels(page)
    return page.evaluate("sel => window.__stp.sharpness(sel)", selector)


def canvas_hash(page, selector: str) -> str | None:
    """Hash of the figure's pixels (None while it has none)."""
    install_pixels(page)
    return page.evaluate("sel => window.__stp.hashOf(sel)", selector)


def wait_canvas_change(page, selector: str, before: str | None, timeout: float = 5.0) -> str:
    """Wait until the figure's pixel hash differs from ``before``; return the new hash."""
    deadline = time.monotonic() + timeout
    while True:
        now = canvas_hash(page, selector)
        if now is not None and now != before:
            return now
        if time.monotonic() > deadline:
            raise AssertionError(f"figure {selector} pixels did not change within {timeout} s")
        page.wait_for_timeout(25)


def wait_canvas_stable(page, selector: str, quiet: float = 0.3, timeout: float = 10.0) -> str:
    """Wait until the figure's pixels stay the same for ``quiet`` seconds; return the hash."""
    deadline = time.monotonic() + timeout
    last = canvas_hash(page, selector)
    since = time.monotonic()
    while True:
        page.wait_for_timeout(30)
        now = canvas_hash(page, selector)
        if now != last:
            last, since = now, time.monotonic()
        elif last is not None and time.monotonic() - since >= quiet:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"figure {selector} still changing after {timeout} s")


def measure_key_latency(page, selector: str, handle_selector: str, key: str, timeout=5.0):
    """Milliseconds from a key press on a focused slider handle to changed figure pixels."""
    page.focus(handle_selector)
    assert page.evaluate("sel => window.__stp.arm(sel)", selector), f"no pixels in {selector}"
    page.keyboard.press(key)
    deadline = time.monotonic() + timeout
    while True:
        ms = page.evaluate("() => window.__stp.result()")
        if ms is not None:
            return ms
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} on {handle_selector} changed no pixels in {timeout} s")
        page.wait_for_timeout(10)


def settle(page, watch: PageWatch, selector: str, *, kind: str, quiet=0.25, timeout=15.0) -> str:
    """Wait until the kernel is idle and the figure unchanged for ``quiet`` s; return its hash.

    Idle means the kernel's last iopub status was idle (and, in JupyterLab or Notebook 7,
    the page's own kernel indicator says Idle, see :func:`kernel_status`) and no status
    message came while the figure was watched. ``kind`` is the server's kind.
    """
    deadline = time.monotonic() + timeout
    while True:
        since = watch.kernel_idle_since()
        idle = since is not None and time.monotonic() - since >= quiet
        if idle and kind in LAB_APPS:
            idle = kernel_shown_idle(page, kind)
        if idle:
            left = max(1.0, deadline - time.monotonic())
            figure = wait_canvas_stable(page, selector, quiet=quiet, timeout=left)
            if watch.kernel_idle_since() == since:
                return figure
        if time.monotonic() > deadline:
            raise AssertionError(
                f"kernel/figure not settled after {timeout} s: {watch.status[-3:]}"
            )
        page.wait_for_timeout(30)


# --------------------------------------------------------------------------------------
# The notebook UI of JupyterLab and Notebook 7 (both are built from JupyterLab's plugins:
# same menus, commands and output areas; they differ in where the kernel status shows).

#: Per kind, JavaScript returning the kernel status text the page shows, and the pattern of
#: that text when the kernel is idle. JupyterLab: the status bar's kernel item (not only the
#: toolbar), ``Python 3 (ipykernel) | Idle``. Notebook 7 has no status bar: the toolbar's
#: execution indicator (in the header, next to the kernel name): its ``data-status`` and the
#: first line of its tooltip, ``idle: Kernel status: Idle``; it appears once the page's
#: session has a kernel.
KERNEL_STATUS = {
    "lab": (
        """() => {
          for (const el of document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')) {
            const t = el.textContent.trim();
            if (/\\|\\s*[A-Za-z]+\\s*$/.test(t)) return t;
          }
          return '';
        }""",
        re.compile(r"\|\s*Idle\s*$"),
    ),
    "notebook": (
        """() => {
          const el = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
          if (!el) return '';
          const tip = el.querySelector('.jp-Notebook-ExecutionIndicator-tooltip > span');
          return (el.dataset.status || '') + ': ' + (tip ? tip.textContent.trim() : '');
        }""",
        re.compile(r"^idle: Kernel status: Idle$"),
    ),
}
#: Notebook paths, per kind.
NOTEBOOK_URL = {"lab": "/lab/tree/{name}", "notebook": "/notebooks/{name}"}


def kernel_status(page, kind: str) -> str:
    """The kernel status the page shows (see :data:`KERNEL_STATUS`), ``''`` if none yet."""
    return page.evaluate(KERNEL_STATUS[kind][0])


def kernel_shown_idle(page, kind: str) -> bool:
    """Whether the page shows the kernel idle."""
    return bool(KERNEL_STATUS[kind][1].search(kernel_status(page, kind)))


def wait_kernel_idle(page, kind: str, timeout: float = 90.0, quiet: float = 0.0) -> None:
    """Wait until the page has shown the kernel idle for ``quiet`` s without a break."""
    deadline = time.monotonic() + timeout
    since = None
    while True:
        if kernel_shown_idle(page, kind):
            since = since or time.monotonic()
            if time.monotonic() - since >= quiet:
                return
        else:
            since = None
        if time.monotonic() > deadline:
            raise AssertionError(
                f"kernel not idle after {timeout} s (shown: {kernel_status(page, kind)!r})"
            )
        page.wait_for_timeout(50)


def open_notebook(page, server: Server, name: str, timeout: float = 120.0) -> None:
    """Open ``name`` in the server's UI and wait for its kernel to be connected and idle."""
    page.goto(server.url + NOTEBOOK_URL[server.kind].format(name=name), timeout=timeout * 1000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
    wait_kernel_idle(page, server.kind, timeout=timeout, quiet=0.5)


def run_all(page) -> None:
    """Run → Run All Cells, through the menu as a person would (JupyterLab, Notebook 7)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()


def open_and_run(page, server: Server, name: str, timeout: float = 120.0) -> None:
    """Show notebook ``name`` running, as a person would for the server's kind.

    JupyterLab, Notebook 7: open it, wait for its kernel, Run All. Voila runs the notebook
    it serves by itself: open its page.
    """
    if server.kind in LAB_APPS:
        open_notebook(page, server, name, timeout=timeout)
        run_all(page)
    else:
        page.goto(f"{server.url}/", timeout=timeout * 1000)


def output_tracebacks(page) -> list[str]:
    """Texts of notebook outputs that show an error or a traceback."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
              '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
              + '.jp-OutputArea-output'))
            .map(e => e.textContent)
            .filter(t => /Traceback|Error:/.test(t))"""
    )


# --------------------------------------------------------------------------------------
# Asking the kernel itself (over ZMQ, with the connection file the server wrote).


class KernelProbe:
    """Evaluate expressions in a server's kernel, outside the browser."""

    def __init__(self, connection_file: Path):
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)

    def eval(self, code: str, expr: str, timeout: float = 30.0):
        """Run ``code`` silently, then return ``json.loads`` of the string ``expr`` yields."""
        msg_id = self.client.execute(
            code, silent=True, store_history=False, user_expressions={"r": expr}
        )
        deadline = time.monotonic() + timeout
        while True:
            reply = self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"probe failed: {content.get('ename')}: {content.get('evalue')}")
        result = content["user_expressions"]["r"]
        if result.get("status") != "ok":
            raise RuntimeError(f"probe expression failed: {result}")
        import ast

        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def close(self) -> None:
        """Stop the client's channels."""
        self.client.stop_channels()
