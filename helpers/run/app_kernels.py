"""The app's kernel manager: a cap on visitors' kernels, and kernels that end when nobody is there.

- **The cap counts visitors only.** A visitor's kernel is one started for a page, or a
  preheated kernel once a page has claimed it; kernels waiting in Voilà's preheat pool do
  not count. One more visitor than ``max_kernels`` gets :class:`KernelCapReached`, which
  ``helpers.run.app`` turns into an "all explorers are in use" page.
- **A kernel nobody is connected to ends.** Voilà's page asks for its kernel's shutdown on
  ``beforeunload``, but a page that never sends it (``curl --max-time 1``, a killed browser,
  a tab closed before the page's script ran) left a ~200 MB kernel for the 10-minute idle
  cull, and a few of them locked everyone out at the cap. Here a visitor's kernel with no
  open websocket for ``unattended_timeout`` seconds (default 30, or
  ``KETAMINE_APP_UNATTENDED_TIMEOUT``) is shut down, whatever the beacon did. The clock
  starts when the page has been sent (never while the notebook still runs for it) and
  again whenever the last websocket closes.
- A visitor arriving at the cap while some kernel has nobody connected waits for that
  kernel to end (at most ``unattended_timeout`` and one check) rather than being turned away.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Integer

DEFAULT_MAX_KERNELS = 8  # visitors' kernels, ~200 MB each; a class of students shares one server
DEFAULT_UNATTENDED_TIMEOUT = 30.0  # s: the page's script connects within a few seconds of arriving
PREHEAT = "VOILA_PREHEAT"  # Voilà sets it to "True" in the environment of its pool's kernels

# The kernels a page request started or claimed, so the handler can say when it has sent the page.
_PAGE_KERNELS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("page_kernels", default=None)


class KernelCapReached(RuntimeError):
    """More visitors' kernels were asked for than ``max_kernels``."""


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "")
    try:
        return float(text) if text.strip() else default
    except ValueError:
        raise SystemExit(f"{name} must be a number of seconds, got {text!r}") from None


class CappedKernelManager(AsyncMappingKernelManager):
    """Jupyter's kernel manager with a cap on visitors' kernels and an end for unattended ones."""

    max_kernels = Integer(
        int(os.environ.get("KETAMINE_APP_MAX_KERNELS") or DEFAULT_MAX_KERNELS),
        config=True,
        help="Most visitors' kernels at once (preheated ones waiting in the pool not counted); "
        "one more page gets an 'all explorers are in use' page.",
    )
    unattended_timeout = Float(
        _env_number("KETAMINE_APP_UNATTENDED_TIMEOUT", DEFAULT_UNATTENDED_TIMEOUT),
        config=True,
        help="Seconds a visitor's kernel may have no open websocket (after its page was sent) before it "
        "is shut down; 0 turns this off.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0  # visitors' kernels being started or claimed from the pool
        self._pooled: set[str] = set()  # preheated, no visitor yet
        self._serving: dict[str, int] = {}  # kernel -> page requests still being sent
        self._alone_since: dict[str, float] = {}  # kernel -> when it was last seen with nobody
        self._watcher: PeriodicCallback | None = None

    # --- the cap -------------------------------------------------------------------------------
    def visitors(self) -> int:
        """Visitors' kernels running or on their way."""
        return sum(1 for k in self.list_kernel_ids() if k not in self._pooled) + self._starting

    async def _take_slot(self) -> None:
        """Count one more visitor, or raise KernelCapReached. At the cap, wait while an unattended
        kernel may still end (its clock is bounded), so a new visitor is not refused for an empty tab."""
        deadline = time.monotonic() + self.unattended_timeout + self._interval() + 1
        while self.visitors() >= self.max_kernels:
            if self.unattended_timeout <= 0 or not self._unattended() or time.monotonic() > deadline:
                raise KernelCapReached(f"{self.max_kernels} kernels are running, the most allowed")
            await asyncio.sleep(0.2)
        self._starting += 1

    def _unattended(self) -> list[str]:
        return [k for k in self._alone_since if k in self and k not in self._pooled and not self._serving.get(k)]

    async def start_kernel(self, *args, **kwargs):
        preheated = (kwargs.get("env") or {}).get(PREHEAT) == "True"
        counted = kwargs.get("kernel_id") is None and not preheated
        if counted:
            await self._take_slot()
        try:
            kernel_id = await super().start_kernel(*args, **kwargs)
        finally:
            if counted:
                self._starting -= 1
        if preheated:
            self._pooled.add(kernel_id)
        elif counted:
            self._held(kernel_id)
        self._watch()
        return kernel_id

    async def claim(self, take):
        """Hand a preheated kernel to a visitor: ``await take()`` returns Voilà's (task, cache, kernel_id)."""
        await self._take_slot()
        try:
            result = await take()
        finally:
            self._starting -= 1
        self._pooled.discard(result[-1])
        self._held(result[-1])
        return result

    def _held(self, kernel_id: str) -> None:
        """A visitor holds ``kernel_id``: it is being sent its page by the current request."""
        page = _PAGE_KERNELS.get()
        if page is not None:
            page.append(kernel_id)
            self._serving[kernel_id] = self._serving.get(kernel_id, 0) + 1
        self._alone_since[kernel_id] = time.monotonic()

    def page_sent(self, kernel_ids: list[str]) -> None:
        """The page for these kernels is sent (or its visitor left): the unattended clock starts."""
        for kernel_id in kernel_ids:
            left = self._serving.get(kernel_id, 0) - 1
            if left > 0:
                self._serving[kernel_id] = left
            else:
                self._serving.pop(kernel_id, None)
            self._alone_since[kernel_id] = time.monotonic()

    # --- unattended kernels -------------------------------------------------------------------
    def _interval(self) -> float:
        return min(5.0, max(0.5, self.unattended_timeout / 4))

    def _watch(self) -> None:
        if self._watcher is None and self.unattended_timeout > 0:
            self._watcher = PeriodicCallback(self.end_unattended, 1000 * self._interval())
            self._watcher.start()
            self.log.info(
                "Kernels with no page connected for %s s are shut down (checked every %s s)",
                self.unattended_timeout,
                self._interval(),
            )

    async def end_unattended(self) -> None:
        """Shut down every visitor's kernel that has had no websocket for ``unattended_timeout`` seconds."""
        now = time.monotonic()
        for kernel_id in list(self._kernels):
            if kernel_id in self._pooled or self._serving.get(kernel_id):
                continue
            if self._kernel_connections.get(kernel_id, 0) > 0:
                self._alone_since.pop(kernel_id, None)
                continue
            since = self._alone_since.setdefault(kernel_id, now)
            if now - since < self.unattended_timeout:
                continue
            self.log.info("Kernel %s has had no page connected for %.0f s: shutting it down", kernel_id, now - since)
            try:
                await self.shutdown_kernel(kernel_id)
            except Exception:  # noqa: BLE001 - already gone (beacon, cull): keep checking the others
                self.log.exception("Could not shut down unattended kernel %s", kernel_id)

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self._pooled.discard(kernel_id)
        self._alone_since.pop(kernel_id, None)
        self._serving.pop(kernel_id, None)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)


def page_kernels() -> list[str]:
    """Start recording the kernels the current page request starts or claims. (The handler's task
    ends with its request, so the variable is never reset: an abandoned generator may be closed
    from another context, where a reset would fail.)"""
    kernels: list[str] = []
    _PAGE_KERNELS.set(kernels)
    return kernels


def preheat_factory(original):
    """Wrap Voilà's ``voila_kernel_manager_factory`` so a preheated kernel counts against the cap
    only when a visitor claims it (``CappedKernelManager.claim``)."""

    def factory(base_class, preheat_kernel, default_pool_size, page_config_hook=None):
        cls = original(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        if not (preheat_kernel and issubclass(cls, CappedKernelManager)):
            return cls

        class PreheatedCappedKernelManager(cls):
            async def get_rendered_notebook(self, *args, **kwargs):
                parent = super()
                return await self.claim(lambda: parent.get_rendered_notebook(*args, **kwargs))

        return PreheatedCappedKernelManager

    return factory
