"""How many report runs at once: the CPUs this process may use, and free memory per warm kernel."""

from __future__ import annotations

import os

KERNEL_MEMORY = 200 * 1024**2  # what one warm kernel holds, about (measured 167-266 MB)


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def available_memory() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def job_limit(requested: int | None, cpus: int | None = None, memory: int | None = None) -> tuple[int, str | None]:
    """Parallel runs allowed: ``requested`` capped at the CPUs and at free memory / ~200 MB per kernel.

    Returns the number and, when ``requested`` was lowered, a message saying why.
    """
    cpus = cpus or usable_cpus()
    memory = available_memory() if memory is None else memory
    by_memory = max(1, memory // KERNEL_MEMORY)
    limit = min(cpus, by_memory)
    if requested is None:
        return limit, None
    if requested <= limit:
        return requested, None
    reasons = []
    if cpus == limit:
        reasons.append(f"this machine has {cpus} CPU{'s' if cpus > 1 else ''}")
    if by_memory == limit:
        reasons.append(
            f"{memory / 1e9:.1f} GB of free memory holds about {by_memory} kernel{'s' if by_memory > 1 else ''} "
            f"of ~{KERNEL_MEMORY // 1024**2} MB"
        )
    return limit, f"--jobs {requested} lowered to {limit}: {' and '.join(reasons)}."
