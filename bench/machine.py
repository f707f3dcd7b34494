"""What the ingest benches read off the machine: CPU of PostgreSQL's backends serving a
database, the whole machine's busy CPU (from /proc/stat), waiting until it is quiet, and vacuuming
a server's database before its run."""

import os
import subprocess
import time
from pathlib import Path


def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to ``database`` (the bench's own
    connection among them, idle meanwhile)."""
    listed = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAF", " ", "-c",
         "SELECT datname, pid FROM pg_stat_activity WHERE datname IS NOT NULL"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = {}
    pids = [
        line.split()[1] for line in listed.stdout.splitlines() if line.split()[:1] == [database]
    ]
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # not on this machine, or gone
        found[int(pid)] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def vacuum(database: str) -> None:
    """VACUUM (ANALYZE) a server's database before its run, as autovacuum would have meanwhile:
    a PostgreSQL run without autovacuum (this machine's was) leaves the dead rows of every
    earlier run in the way, and a server that updates rows as it works (Central's audit log,
    processed by its job loop) slows down run after run, which is not its own doing."""
    subprocess.run(
        ["psql", "-w", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc",
         "VACUUM (ANALYZE)"],
        capture_output=True,
        check=True,
        timeout=600,
    )  # fmt: skip


def ticks() -> tuple[int, int]:
    """All the machine's CPU ticks so far, and its idle ones (idle + iowait), from /proc/stat."""
    # user nice system idle iowait irq softirq steal (guest time is within user and nice)
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return sum(fields), fields[3] + fields[4]


def busy_seconds(since: tuple[int, int]) -> float:
    """CPU seconds every process on the machine spent since ``since`` (a ``ticks()``)."""
    total, idle = ticks()
    return round((total - since[0] - (idle - since[1])) / os.sysconf("SC_CLK_TCK"), 1)


def machine_busy(seconds: float = 1.0) -> float:
    """The share of all cores busy over ``seconds`` (from /proc/stat: every process counted)."""

    total0, idle0 = ticks()
    time.sleep(seconds)
    total1, idle1 = ticks()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def settle(limit: float = 60, quiet: float = 0.15) -> float:
    """Wait until the machine is quiet (under ``quiet`` of its cores busy for two seconds in a
    row, at most ``limit`` s); return the seconds waited. Each server keeps working after its
    run (the peer's background jobs, PostgreSQL's autovacuum and checkpoints, the anonymising
    worker): without this, one run's tail is measured in the other's latency."""
    started, calm = time.monotonic(), 0
    while calm < 2 and time.monotonic() - started < limit:
        calm = calm + 1 if machine_busy() < quiet else 0
    return round(time.monotonic() - started, 1)
