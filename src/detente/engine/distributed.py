"""Running chunks of work on a Dask distributed cluster.

The model and the rank tables are scattered to every worker once; each chunk is one task; the
results come back in chunk order, so the caller sums them exactly as a local run does.
``dask.distributed`` is imported only here, only when a scheduler address is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from detente.model.errors import AnalysisError

T = TypeVar("T")
#: How long to wait for the scheduler to answer.
CONNECT_TIMEOUT = "5s"


def run_on_cluster(
    address: str,
    fn: Callable[..., T],
    model: Any,
    tables: Any,
    chunks: Sequence[tuple[Any, ...]],
    *args: Any,
) -> list[T]:
    """``[fn(model, tables, *chunk, *fixed) for chunk in chunks]`` on the cluster at ``address``.

    ``args`` ends with ``progress`` (callable(done, total) or None) and the chunk sizes.
    """
    *fixed, progress, sizes = args
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise AnalysisError("running on a Dask cluster needs dask[distributed]") from exc
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise AnalysisError(
            f"cannot reach the Dask scheduler at {address!r} ({exc}); start one with "
            "`dask scheduler` and workers with `dask worker ADDRESS`"
        ) from None
    try:
        model_f, tables_f = client.scatter([model, tables], broadcast=True)
        futures = [client.submit(fn, model_f, tables_f, *chunk, *fixed, pure=False)
                   for chunk in chunks]
        index = {f.key: k for k, f in enumerate(futures)}
        total = sum(sizes)
        done = 0
        for fut in as_completed(futures):
            done += sizes[index[fut.key]]
            if progress:
                progress(done, total)
        return list(client.gather(futures))
    finally:
        client.close()
