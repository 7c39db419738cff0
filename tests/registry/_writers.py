"""Child processes of the registry tests, run by ``runpy`` in spawned interpreters.

``WORKER`` and ``DB`` (and ``MODE``) come in as globals. ``MODE == "append"`` appends 30 records
of 5 effects; ``MODE == "die"`` starts a record and kills its own process half-way through;
``MODE == "import"`` imports every CSV file of the list ``FILES``, in order. With a ``BARRIER``
path, a worker says it is ready (``BARRIER.ready<WORKER>``) and waits for the parent's go
(``BARRIER.go``) before it writes, so that the workers race.
"""

from __future__ import annotations

if __name__ == "__main__":
    import os
    import signal
    from typing import Any

    import sqlalchemy as sa

    from proxymetric.registry import EffectRecord, Registry
    from proxymetric.registry import store as store_module

    effects = [
        EffectRecord(variant="treatment", metric=f"m{j}", role=None, effect=float(j), effect_se=1.0)
        for j in range(5)
    ]
    reg = Registry(globals()["DB"], timeout=120)
    if globals()["BARRIER"]:
        import time
        from pathlib import Path

        # Start together: say ready, then wait for the parent's go.
        Path(f"{globals()['BARRIER']}.ready{globals()['WORKER']}").touch()
        while not Path(f"{globals()['BARRIER']}.go").exists():
            time.sleep(0.01)
    if globals()["MODE"] == "append":
        for i in range(30):
            reg.add_summary(f"w{globals()['WORKER']}-{i}", effects)
    elif globals()["MODE"] == "import":
        from proxymetric.registry import import_csv

        for path in globals()["FILES"]:
            import_csv(reg, path)
    else:
        real = store_module._insert_rows

        def die_half_way(conn: Any, table: sa.Table, rows: Any) -> None:
            real(conn, table, rows[:2])  # some effect rows are in, the rest never will be
            os.kill(os.getpid(), signal.SIGKILL)

        store_module._insert_rows = die_half_way
        reg.add_summary("half", effects)
