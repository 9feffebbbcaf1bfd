"""``make app``: the explorers as Voilà web apps: preheated, capped, and kernels that end with their page.

``python -m helpers.run.app [voila options]`` starts Voilà on ``notebooks/`` (127.0.0.1:8866,
code hidden), and fixes what plain ``voila`` gets wrong for a classroom:

- **The first chart comes fast.** Each notebook has a pool of ``--pool_size`` (default 1)
  preheated kernels that have already imported, loaded and built the explorer, and wait
  in ``helpers.explore`` (``voila.utils.wait_for_request``) for a visitor's URL query.
- **Leaving a page shuts its kernel down.** Voilà's page sends ``POST
  /voila/api/shutdown/<kernel>`` with the ``_xsrf`` cookie on ``beforeunload``, but
  Voilà never sets that cookie, so the server answered ``403 '_xsrf' argument missing``.
  The page handler now sets the cookie (tornado's own XSRF token; the check itself stays on).
- **A page that never says goodbye** (a killed browser, ``curl --max-time 1``, a tab closed
  before its script ran) loses its kernel once no websocket has been open for
  ``--CappedKernelManager.unattended_timeout`` seconds (default 30,
  ``KETAMINE_APP_UNATTENDED_TIMEOUT``): see ``helpers.run.app_kernels``.
- **The chart shows before the widgets load.** When the app starts, a thread draws each
  explorer's chart at its defaults into the cache (``helpers.render.baked``; about 3 s the first
  time, nothing once cached); a page then shows that picture with its text (about 0.3 s), and the
  live chart replaces it once voila.js and the widgets have loaded (2-3 s). A page whose link
  presets other values shows its picture only if those were drawn before: a visitor never waits
  for the drawing.
- **At most** ``--CappedKernelManager.max_kernels`` **visitors** (default
  :data:`DEFAULT_MAX_KERNELS`, or ``KETAMINE_APP_MAX_KERNELS``); preheated kernels count
  only once a visitor holds one. One more visitor gets a page that says the explorers are
  all in use and what to do (HTTP 503), instead of a server that runs out of memory.
  Memory: (max_kernels + pool_size x notebooks) kernels of ~200 MB, 17 by default (~3.4 GB).

Kernels talk over IPC sockets (no TCP ports, no "running over TCP without encryption"
warning per kernel) and idle ones, even with a page open, are still culled after 10 minutes.

Pages use the ``ketamine`` Voilà template (``helpers/render/jupyter/voila/templates/``): Voilà's
lab template less its Font Awesome links to a CDN, with a language and a main landmark, so
an app works, and reads well to a screen reader, with no network.
"""

from __future__ import annotations

import html
import os
import sys
import threading

from helpers.paths import ROOT
from helpers.run.app_kernels import (
    DEFAULT_MAX_KERNELS,
    CappedKernelManager,
    KernelCapReached,
    page_kernels,
    preheat_factory,
)

__all__ = ["DEFAULT_MAX_KERNELS", "CappedKernelManager", "KernelCapReached", "main", "merged_args"]
DEFAULT_POOL_SIZE = 1  # preheated kernels per notebook, waiting for a visitor
TEMPLATE = "ketamine"
# A Jupyter data folder holding voila/templates/ketamine; Voilà looks for templates on JUPYTER_PATH.
TEMPLATE_ROOT = ROOT / "helpers" / "render" / "jupyter"

FULL_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>All explorers are in use</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>All explorers are in use</h1>
<p>This server runs at most {cap} explorer session(s) at once, and all of them are open.</p>
<p>Close an explorer tab you no longer need, or try again in a minute: a session closes when its
tab is closed, {unattended} seconds after its page is gone, and after {idle} minutes without use.</p>
<p><a href="{again}">Try again</a></p>
</body></html>
"""


def patch_page_handler() -> None:
    """Voilà's page handler: set the ``_xsrf`` cookie, and answer 503 with a clear page at the kernel cap."""
    from voila.handler import VoilaHandler

    if getattr(VoilaHandler, "_ketamine_patched", False):
        return
    original = VoilaHandler.get_generator

    async def get_generator(self, path=None):
        self.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie the page's shutdown beacon sends back
        manager = self.kernel_manager
        kernels = page_kernels()  # what this request starts or claims: unattended only once the page is sent
        pages = original(self, path)
        try:
            try:
                first = await pages.__anext__()
            except StopAsyncIteration:
                return
            except KernelCapReached:
                idle = int(getattr(manager, "cull_idle_timeout", 600) or 600) // 60
                unattended = int(getattr(manager, "unattended_timeout", 0))
                self.set_status(503)
                self.set_header("Retry-After", "60")
                again = html.escape(self.request.uri or "/", quote=True)
                yield FULL_PAGE.format(cap=manager.max_kernels, idle=idle, unattended=unattended, again=again)
                return
            yield first
            async for chunk in pages:
                yield chunk
        finally:
            # Also when the notebook failed: the kernel then waits for a page like any other.
            if kernels and hasattr(manager, "page_sent"):
                manager.page_sent(kernels)

    VoilaHandler.get_generator = get_generator
    VoilaHandler._ketamine_patched = True


def template_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with :data:`TEMPLATE_ROOT` first on ``JUPYTER_PATH``."""
    env = dict(os.environ if env is None else env)
    paths = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(TEMPLATE_ROOT)]
    env["JUPYTER_PATH"] = os.pathsep.join([str(TEMPLATE_ROOT), *paths])
    return env


def template_args() -> list[str]:
    """The options that make Voilà use :data:`TEMPLATE` (with ``template_env`` set)."""
    return [f"--VoilaConfiguration.template={TEMPLATE}"]


def default_args() -> list[str]:
    """``make app``'s options; any of them given on the command line replaces the default."""
    return [
        str(ROOT / "notebooks"),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--Voila.port=8866",
        "--strip_sources=True",
        *template_args(),
        f"--VoilaConfiguration.multi_kernel_manager_class={CappedKernelManager.__module__}.CappedKernelManager",
        "--KernelManager.transport=ipc",
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={DEFAULT_POOL_SIZE}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_idle_timeout=600",
    ]


_ALIASES = {
    "port": "Voila.port",
    "ip": "Voila.ip",
    "strip_sources": "VoilaConfiguration.strip_sources",
    "template": "VoilaConfiguration.template",
    "preheat_kernel": "VoilaConfiguration.preheat_kernel",
    "pool_size": "VoilaConfiguration.default_pool_size",
}


def _key(arg: str) -> str:
    name = arg.lstrip("-").split("=", 1)[0]
    return _ALIASES.get(name, name)


def merged_args(args: list[str]) -> list[str]:
    """This module's defaults, less those the command line sets itself (traitlets refuses a value twice)."""
    given = {_key(a) for a in args if a.startswith("-")}
    defaults = [a for a in default_args() if not a.startswith("-") or _key(a) not in given]
    if any(not a.startswith("-") for a in args):  # a notebook or folder given: serve that instead
        defaults = [a for a in defaults if a.startswith("-")]
    return defaults + args


def bake_defaults() -> list[str]:
    """Draw every explorer's chart at its defaults into the cache (helpers.render.baked); the notebooks done."""
    from helpers.render.baked import bake
    from helpers.views import BUILDERS, view

    done = []
    for notebook in BUILDERS:
        the_view = view(notebook)
        if bake(the_view.payload(the_view.validate({}))):
            done.append(notebook)
    return done


def _bake_in_background() -> threading.Thread:
    def run() -> None:
        try:
            bake_defaults()
        except Exception as error:  # the pictures only save time: the app serves without them
            print(f"[ketamine app] the charts' pictures were not drawn ({type(error).__name__}: {error})", flush=True)

    thread = threading.Thread(target=run, name="ketamine-bake", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    """Voilà with this module's defaults; options given on the command line replace them."""
    import voila.app
    from voila.app import Voila

    patch_page_handler()
    if not getattr(voila.app.voila_kernel_manager_factory, "_ketamine", False):
        # A preheated kernel counts against the cap once a visitor claims it (app_kernels.claim).
        voila.app.voila_kernel_manager_factory = preheat_factory(voila.app.voila_kernel_manager_factory)
        voila.app.voila_kernel_manager_factory._ketamine = True
    os.environ.update(template_env())  # read by Voilà when it looks for the template
    _bake_in_background()
    Voila.launch_instance(argv=merged_args(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
