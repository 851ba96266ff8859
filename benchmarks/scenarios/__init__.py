"""Benchmark scenarios: every module here is one group, found by `discover`.

A module defines either or both of

- `requests(client, admin, unavailable)` → `[(name, path shown, call), ...]`: each
  call makes one request and checks its answer (raising `unavailable(message)` when
  it is wrong); the worker times it after warm-up requests;
- `jobs(admin, unavailable)` → `[{"name", "value", "unit", "detail"}, ...]`: batch
  work and throughput measured once, after every module's requests (they may
  change the data).

`client` is a Django test client carrying an administrator's API token.
"""

import importlib
import pkgutil
from types import ModuleType

FIRST = ("api",)  # the core requests first; the rest in name order


def discover(only: set[str] | None = None) -> list[ModuleType]:
    names = sorted(
        (m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")),
        key=lambda name: (name not in FIRST, name),
    )
    unknown = (only or set()) - set(names)
    if unknown:
        raise SystemExit(
            f"unknown scenarios: {', '.join(sorted(unknown))} (have: {', '.join(names)})"
        )
    return [importlib.import_module(f"{__name__}.{n}") for n in names if not only or n in only]
