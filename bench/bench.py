#!/usr/bin/python3
"""Side-by-side benchmarks of SPEC section 8, run by bench/run.sh after it builds.

Starts a private RabbitMQ node under bench/out/broker, measures each row against
its anchor in the same run, prints a markdown table (also written to
bench/out/latest.md) and stops the node by its pid, whatever happens.

    bench/run.sh [--quick]
"""
import argparse
import datetime
import os
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

import pika

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
WORK = os.path.join(OUT, "work")
BROKER_DIR = os.path.join(OUT, "broker")
BROKER_SH = os.path.join(ROOT, "scripts", "broker.sh")
UNREACHABLE = "amqp://guest:guest@127.0.0.1:1"  # the store answers from its state; no broker needed

FULL = dict(single_runs=40, bulk_lines=100_000, bulk_rounds=3, backlog=100_000, drain_rounds=4,
            checks=200_000, check_products=10_000, latency_seconds=10, latency_rate=1000,
            memory_products=1_000_000)
QUICK = dict(single_runs=5, bulk_lines=5_000, bulk_rounds=1, backlog=5_000, drain_rounds=1,
             checks=20_000, check_products=10_000, latency_seconds=2, latency_rate=1000,
             memory_products=50_000)


class BenchError(Exception):
    pass


def on_signal(signum, _frame):
    raise SystemExit(f"bench: stopped by signal {signum}")


# ---- processes and CPU -------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """User+system CPU seconds of a live process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def children_cpu():
    """CPU seconds of every child reaped so far (a delta around one run is that run's)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def vm_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise BenchError(f"no {key} in /proc/{pid}/status")


class LineReader:
    """Lines from a pipe, with a deadline on each."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def readline(self, timeout=60):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BenchError(f"no answer within {timeout} s")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    raise BenchError("the process closed its output")
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode()


class Bench:
    def __init__(self, args):
        self.quick = args.quick
        self.size = QUICK if args.quick else FULL
        self.bin = os.path.join(os.path.abspath(args.build_dir), "bin")
        self.publisher = os.path.join(self.bin, "inventory_publisher")
        self.store = os.path.join(self.bin, "store_service")
        self.url = None
        self.broker_pid = None
        self.live = []     # processes we started and have not reaped yet
        self.rows = []     # the results table
        self.cpu = []      # where the CPU went
        self.notes = []

    # ---- small helpers ----
    def log(self, text):
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def popen(self, cmd, **kw):
        p = subprocess.Popen(cmd, **kw)
        self.live.append(p)
        return p

    def reap(self, p, timeout=120):
        try:
            rc = p.wait(timeout=timeout)
        finally:
            if p.returncode is not None and p in self.live:
                self.live.remove(p)
        return rc

    def stop_live(self):
        """Ends what this bench started and has not reaped, each by its own pid."""
        for p in list(self.live):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            self.live.remove(p)

    def stop_broker(self):
        """Stops the node this bench started, by its pid: broker.sh stop, or, if its start
        failed before writing broker.env, the pid file the node wrote."""
        pid_file = os.path.join(BROKER_DIR, "rabbitmq.pid")
        if os.path.exists(os.path.join(BROKER_DIR, "broker.env")):
            subprocess.run([BROKER_SH, "stop", BROKER_DIR], stdout=subprocess.DEVNULL)
        elif os.path.exists(pid_file):
            text = open(pid_file).read().strip()
            pid = int(text) if text.isdigit() else 0
            try:
                if pid > 1:
                    os.kill(pid, signal.SIGTERM)
                    for _ in range(300):
                        os.kill(pid, 0)
                        time.sleep(0.1)
            except ProcessLookupError:
                pass
        self.log("broker stopped")

    def broker_cpu(self):
        return proc_cpu(self.broker_pid)

    def wait_broker_idle(self, timeout=30):
        """Waits until the node uses under 5% of a core over half a second (its own
        background work after a publish: index writes, GC)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            c0 = self.broker_cpu()
            time.sleep(0.5)
            if self.broker_cpu() - c0 < 0.025:
                return
        self.notes.append("the broker never went idle before a drain")

    def run_timed(self, cmd, stdin=None, input_bytes=None, what=""):
        """Runs cmd to its end: (wall s, its CPU s, broker CPU s, stdout)."""
        b0, c0 = self.broker_cpu(), children_cpu()
        t0 = time.perf_counter()
        p = self.popen(cmd, stdin=subprocess.PIPE if input_bytes is not None else stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = p.communicate(input=input_bytes, timeout=600)
        wall = time.perf_counter() - t0
        self.reap(p)
        if p.returncode != 0:
            raise BenchError(f"{what or cmd[0]} exited {p.returncode}: {err.decode().strip()[-2000:]}")
        return wall, children_cpu() - c0, self.broker_cpu() - b0, out.decode()

    # ---- broker-side housekeeping through pika (never timed) ----
    def channel_do(self, fn):
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            return fn(connection.channel())
        finally:
            connection.close()

    def fresh_queue(self, queue):
        """Deletes `queue` (and its dead-letter queue) and declares both as our programs do."""
        def go(ch):
            ch.queue_delete(queue)
            ch.queue_delete(queue + ".dead")
            ch.queue_declare(queue + ".dead", durable=True)
            ch.queue_declare(queue, durable=True, arguments={"x-dead-letter-exchange": "",
                                                             "x-dead-letter-routing-key": queue + ".dead"})
        self.channel_do(go)

    def drop_queue(self, queue):
        self.channel_do(lambda ch: (ch.queue_delete(queue), ch.queue_delete(queue + ".dead")))

    def message_count(self, queue):
        return self.channel_do(lambda ch: ch.queue_declare(queue, passive=True).method.message_count)

    def wait_for_count(self, queue, n, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            count = self.message_count(queue)
            if count == n or time.monotonic() > deadline:
                return count
            time.sleep(0.1)

    def row(self, number, what, ours, anchor, ratio, target, ok):
        result = "-" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((number, what, ours, anchor, ratio, target, result))

    def ceiling(self, mode, queue, n):
        """updates/s of bench/ceiling_probe (publish or drain), from process start to exit like ours."""
        port = self.url.rsplit(":", 1)[1].strip("/")
        wall, _, _, _ = self.run_timed([os.path.join(self.bin, "ceiling_probe"), mode, port, queue, str(n)],
                                       what=f"ceiling_probe {mode}")
        rate = n / wall
        self.log(f"{mode} ceiling: {rate:,.0f} updates/s")
        return rate

    # ---- 1. one update from the CLI ----
    def single_update(self):
        runs, queue = self.size["single_runs"], "bench_single"
        self.fresh_queue(queue)
        ours = lambda q: [self.publisher, "--url", self.url, "--queue", queue, "sku-0000001", str(q)]
        anchor = lambda q: ["amqp-publish", f"--url={self.url}", "-r", queue, "-p", "-b",
                            f'{{"product_id":"sku-0000001","quantity":{q}}}']
        self.run_timed(ours(0), what="inventory_publisher")  # warm-up: page cache, queue
        self.run_timed(anchor(0), what="amqp-publish")
        times = {"ours": [], "anchor": []}
        cpu = {"ours": 0.0, "anchor": 0.0}
        broker = {"ours": 0.0, "anchor": 0.0}
        for i in range(runs):
            order = ("ours", "anchor") if i % 2 == 0 else ("anchor", "ours")
            for side in order:
                cmd = ours(i + 1) if side == "ours" else anchor(i + 1)
                wall, c, b, _ = self.run_timed(cmd, what=side)
                times[side].append(wall)
                cpu[side] += c
                broker[side] += b
        count = self.wait_for_count(queue, 2 * runs + 2)
        if count != 2 * runs + 2:
            self.notes.append(f"row 1: queue holds {count} messages, expected {2 * runs + 2}")
        o, a = statistics.median(times["ours"]) * 1e3, statistics.median(times["anchor"]) * 1e3
        self.row(1, f"one update from the CLI, wall time (median of {runs}), ms; ours confirmed, anchor "
                    "`amqp-publish -p` unconfirmed",
                 f"{o:.1f}", f"{a:.1f}", f"{o / a:.2f}x", "<= 1.25x", o / a <= 1.25)
        self.cpu.append((f"1. one update (per run, of {runs})", f"{o:.1f} ms", f"{a:.1f} ms",
                         f"{cpu['ours'] / runs * 1e3:.1f} ms", f"{cpu['anchor'] / runs * 1e3:.1f} ms",
                         f"{broker['ours'] / runs * 1e3:.1f} ms", f"{broker['anchor'] / runs * 1e3:.1f} ms"))
        self.drop_queue(queue)

    # ---- 2. a file of updates ----
    def write_updates(self, path, n):
        """JSON Lines, 10k products, versions rising: what both publishers send as is."""
        with open(path, "w") as f:
            for i in range(n):
                f.write(f'{{"product_id":"sku-{i % 10000:07d}","quantity":{i % 1000},"version":{i + 1}}}\n')

    def bulk_file(self):
        n, rounds = self.size["bulk_lines"], self.size["bulk_rounds"]
        path = os.path.join(WORK, f"updates-{n}.jsonl")
        self.write_updates(path, n)
        rates = {"ours": [], "anchor": []}
        cpu = {"ours": [], "anchor": []}
        broker = {"ours": [], "anchor": []}
        walls = {"ours": [], "anchor": []}
        ceiling = []
        for r in range(rounds):
            queue = f"bench_bulk_ceiling_{r}"
            self.fresh_queue(queue)
            ceiling.append(self.ceiling("publish", queue, n))
            self.drop_queue(queue)
            order = ("ours", "anchor") if r % 2 == 0 else ("anchor", "ours")
            for side in order:
                queue = f"bench_bulk_{side}_{r}"
                self.fresh_queue(queue)
                if side == "ours":
                    cmd = [self.publisher, "--url", self.url, "--queue", queue, "--file", path]
                else:
                    cmd = ["amqp-publish", f"--url={self.url}", "-r", queue, "-l", "-p"]
                with open(path, "rb") as f:  # the anchor reads the file on stdin, ours by name
                    wall, c, b, out = self.run_timed(cmd, stdin=f if side == "anchor" else subprocess.DEVNULL,
                                                     what=side)
                count = self.wait_for_count(queue, n)
                if count != n:
                    raise BenchError(f"row 2: {side} left {count} of {n} messages in {queue}")
                rates[side].append(n / wall)
                walls[side].append(wall)
                cpu[side].append(c)
                broker[side].append(b)
                self.log(f"bulk {side} round {r + 1}: {n / wall:,.0f} updates/s")
                self.drop_queue(queue)
        o, a = statistics.median(rates["ours"]), statistics.median(rates["anchor"])
        self.row(2, f"{n:,}-update JSON Lines file, updates/s (median of {rounds}); ours `--file` confirmed, "
                    "anchor `amqp-publish -l -p` unconfirmed",
                 f"{o:,.0f}", f"{a:,.0f}", f"{o / a:.2f}x", ">= 0.8x", o / a >= 0.8)
        c = statistics.median(ceiling)
        self.row("2c", "row 2's protocol work alone: a bare rabbitmq-c client publishing the same messages "
                       "persistent, mandatory, confirmed, with our properties, 4096 in flight "
                       "(`bench/ceiling_probe`); ours against it",
                 f"{o:,.0f}", f"{c:,.0f}", f"{o / c:.2f}x", "-", None)
        med = lambda xs: statistics.median(xs)
        self.cpu.append((f"2. bulk file ({n:,} lines)", f"{med(walls['ours']):.2f} s", f"{med(walls['anchor']):.2f} s",
                         f"{med(cpu['ours']):.2f} s", f"{med(cpu['anchor']):.2f} s",
                         f"{med(broker['ours']):.2f} s", f"{med(broker['anchor']):.2f} s"))
        return path

    # ---- 3. draining a backlog ----
    def publish_backlog(self, queue, n):
        path = os.path.join(WORK, f"updates-{n}.jsonl")
        if not os.path.exists(path):
            self.write_updates(path, n)
        self.fresh_queue(queue)
        with open(path, "rb") as f:
            self.run_timed([self.publisher, "--url", self.url, "--queue", queue, "--file", "-"], stdin=f,
                           what="backlog publish")
        count = self.wait_for_count(queue, n)
        if count != n:
            raise BenchError(f"row 3: backlog in {queue} is {count}, not {n}")
        self.wait_broker_idle()  # every drain starts from a quiet broker, not one still writing the backlog

    def drain_ours(self, queue, n, state_root):
        """From process start to applied+stale == n, polling `status` every ~20 ms."""
        shutil.rmtree(state_root, ignore_errors=True)
        b0 = self.broker_cpu()
        t0 = time.perf_counter()
        with open(os.path.join(WORK, f"{queue}.log"), "w") as log:
            p = self.popen([self.store, "--url", self.url, "--queue", queue, "--state-dir", state_root],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, bufsize=0)
        out = LineReader(p.stdout.fileno())
        pattern = re.compile(r"updates:\s+applied (\d+), stale (\d+), rejected (\d+)")
        done = rejected = 0
        while done < n:
            os.write(p.stdin.fileno(), b"status\n")
            while True:
                line = out.readline(timeout=120)
                m = pattern.search(line)
                if m:
                    done = int(m.group(1)) + int(m.group(2))
                    rejected = int(m.group(3))
                if line.startswith("state:"):
                    break
            if rejected:
                raise BenchError(f"row 3: the store rejected {rejected} updates")
            if done < n:
                time.sleep(0.02)
            if time.perf_counter() - t0 > 600:
                raise BenchError(f"row 3: the store applied {done} of {n} in 600 s")
        wall = time.perf_counter() - t0
        cpu, broker = proc_cpu(p.pid), self.broker_cpu() - b0
        p.stdin.close()
        if self.reap(p) != 0:
            raise BenchError(f"row 3: store_service exited {p.returncode} (see {log.name})")
        left = self.message_count(queue)
        if left != 0:
            self.notes.append(f"row 3: {left} messages left in {queue} after our store stopped")
        return wall, cpu, broker

    def drain_anchor(self, queue, n):
        b0, c0 = self.broker_cpu(), children_cpu()
        t0 = time.perf_counter()
        p = self.popen(["/usr/bin/python3", os.path.join(ROOT, "bench", "original_store.py"), "--url", self.url,
                        "--queue", queue, "--count", str(n)], stdout=subprocess.PIPE, bufsize=0)
        line = LineReader(p.stdout.fileno()).readline(timeout=600)
        wall = time.perf_counter() - t0
        broker = self.broker_cpu() - b0
        if self.reap(p) != 0 or not line.startswith(f"consumed {n} "):
            raise BenchError(f"row 3: original_store.py exited {p.returncode} after '{line}'")
        return wall, children_cpu() - c0, broker

    def drain_backlog(self):
        n, rounds = self.size["backlog"], self.size["drain_rounds"]
        result = {"ours": [], "anchor": []}
        ceiling = []
        for r in range(rounds):
            queue = f"bench_drain_ceiling_{r}"
            self.publish_backlog(queue, n)
            ceiling.append(self.ceiling("drain", queue, n))
            self.drop_queue(queue)
            order = ("ours", "anchor") if r % 2 == 0 else ("anchor", "ours")
            for side in order:
                queue = f"bench_drain_{side}_{r}"
                self.publish_backlog(queue, n)
                if side == "ours":
                    wall, cpu, broker = self.drain_ours(queue, n, os.path.join(WORK, f"drain-state-{r}"))
                else:
                    wall, cpu, broker = self.drain_anchor(queue, n)
                self.log(f"drain {side} round {r + 1}: {n / wall:,.0f} updates/s")
                result[side].append((n / wall, wall, cpu, broker))
                self.drop_queue(queue)
        med = lambda side, k: statistics.median(x[k] for x in result[side])
        o, a = med("ours", 0), med("anchor", 0)
        self.row(3, f"store draining a {n:,} persistent backlog, updates/s (median of {rounds}); ours manual acks "
                    "+ journal fsync, anchor the original's pika consumer (auto-ack, dict)",
                 f"{o:,.0f}", f"{a:,.0f}", f"{o / a:.2f}x", ">= 1.5x", o / a >= 1.5)
        c = statistics.median(ceiling)
        self.row("3c", "row 3's protocol work alone: a bare rabbitmq-c consumer with the same manual acks and "
                       "prefetch, no parsing, no map, no journal (`bench/ceiling_probe`); ours against it",
                 f"{o:,.0f}", f"{c:,.0f}", f"{o / c:.2f}x", "-", None)
        self.cpu.append((f"3. drain backlog ({n:,})", f"{med('ours', 1):.2f} s", f"{med('anchor', 1):.2f} s",
                         f"{med('ours', 2):.2f} s", f"{med('anchor', 2):.2f} s",
                         f"{med('ours', 3):.2f} s", f"{med('anchor', 3):.2f} s"))

    # ---- 4. piped check queries ----
    def make_state(self, root, queue, products):
        shutil.rmtree(root, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([os.path.join(self.bin, "make_state"), root, queue, str(products)], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    def piped_checks(self):
        n, products, queue = self.size["checks"], self.size["check_products"], "bench_check"
        root = os.path.join(WORK, "check-state")
        self.make_state(root, queue, products)
        lines = "".join(f"check sku-{i % products:07d} {i % 1500 + 1}\n" for i in range(n)).encode()
        wall, cpu, _, out = self.run_timed(
            [self.store, "--quiet", "--url", UNREACHABLE, "--queue", queue, "--state-dir", root],
            input_bytes=lines, what="store_service (checks)")
        answers = out.splitlines()
        hits = sum(1 for a in answers if a.startswith(("AVAILABLE ", "INSUFFICIENT_QUANTITY ")))
        if len(answers) != n or hits != n:
            raise BenchError(f"row 4: {len(answers)} answers, {hits} hits, for {n} checks")
        rate = n / wall
        self.row(4, f"{n:,} piped `check` queries ({products:,} products, state on disk, broker unreachable), "
                    "queries/s over the whole run", f"{rate:,.0f}", "-", "-", ">= 200,000/s", rate >= 200_000)
        self.cpu.append((f"4. piped checks ({n:,})", f"{wall:.2f} s", "-", f"{cpu:.2f} s", "-", "-", "-"))

    # ---- 5. publish-to-visible latency ----
    def latency(self):
        seconds, rate, queue = self.size["latency_seconds"], self.size["latency_rate"], "bench_latency"
        self.fresh_queue(queue)
        root = os.path.join(WORK, "latency-state")
        shutil.rmtree(root, ignore_errors=True)
        cmd = [os.path.join(self.bin, "latency_probe"), "--url", self.url, "--queue", queue, "--seconds",
               str(seconds), "--rate", str(rate), "--",
               self.store, "--url", self.url, "--queue", queue, "--state-dir", root]
        wall, cpu, broker, out = self.run_timed(cmd, what="latency_probe")
        m = re.search(r"sent=(\d+) seen=(\d+) refused=(\d+) rate_hz=([\d.]+) polls=(\d+) store_exit=(-?\d+) "
                      r"p50_ms=([\d.]+) p99_ms=([\d.]+) max_ms=([\d.]+)", out)
        if not m:
            raise BenchError(f"row 5: cannot read the probe's output: {out!r}")
        sent, seen, _, achieved, polls, _, p50, p99, worst = m.groups()
        self.row(5, f"publish-to-visible latency at a steady {rate:,} updates/s for {seconds} s "
                    f"({sent} updates, `get` polled every ~0.2 ms, state on disk), p50 / p99 (max), ms",
                 f"{float(p50):.2f} / {float(p99):.2f} ({float(worst):.1f})", "-", "-", "-", None)
        self.notes.append(f"row 5: publish rate achieved {float(achieved):,.0f}/s, {seen} of {sent} seen, "
                          f"{int(polls):,} `get` round trips")
        self.cpu.append((f"5. latency ({seconds} s at {rate}/s)", f"{wall:.2f} s", "-",
                         f"{cpu:.2f} s (probe + store)", "-", f"{broker:.2f} s", "-"))
        self.drop_queue(queue)

    # ---- 6. resident memory ----
    def loaded_store(self, args, products):
        """Starts a store on a stdin pipe, waits until `status` shows `products` loaded: (process, seconds)."""
        t0 = time.perf_counter()
        p = self.popen([self.store, "--quiet", "--url", UNREACHABLE] + args,
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        out = LineReader(p.stdout.fileno())
        # The store loads its state before its prompt answers anything: the first
        # `status` already shows everything it will ever load.
        os.write(p.stdin.fileno(), b"status\n")
        loaded = None
        while True:
            line = out.readline(timeout=300)
            if line.startswith("products:"):
                loaded = int(line.split()[1])
            if line.startswith("state:"):
                break
        if loaded != products:
            raise BenchError(f"the store loaded {loaded} products, not {products}")
        return p, time.perf_counter() - t0

    def stop_store(self, p):
        p.stdin.close()
        if self.reap(p, timeout=300) != 0:
            raise BenchError(f"row 6: store_service exited {p.returncode}")

    def memory(self):
        products, queue = self.size["memory_products"], "bench_memory"
        root = os.path.join(WORK, "memory-state")
        build_s = self.make_state(root, queue, products)
        snapshot_mib = os.path.getsize(os.path.join(root, queue, "snapshot")) / 2**20
        empty, _ = self.loaded_store(["--no-state"], 0)
        base = vm_kib(empty.pid, "VmRSS")
        self.stop_store(empty)
        p, load_s = self.loaded_store(["--queue", queue, "--state-dir", root], products)
        rss, hwm = vm_kib(p.pid, "VmRSS"), vm_kib(p.pid, "VmHWM")
        self.stop_store(p)
        per_product = (rss - base) * 1024 / products
        self.row(6, f"resident memory with {products:,} products loaded (VmRSS; per product above an empty "
                    f"store's {base / 1024:.1f} MiB)",
                 f"{rss / 1024:.1f} MiB ({per_product:.0f} B/product)", "-", "-", "-", None)
        self.notes.append(f"row 6: VmHWM {hwm / 1024:.1f} MiB; start-up with {products:,} products took {load_s:.2f} s "
                          f"(snapshot {snapshot_mib:.1f} MiB, written by make_state in {build_s:.2f} s)")

    # ---- the report ----
    def header(self, command):
        def version(package):
            r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
            return r.stdout.strip() or "?"
        model = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        load = " ".join(open("/proc/loadavg").read().split()[:3])
        mode = "--quick: small sizes, a smoke run, not figures to quote" if self.quick else "full sizes"
        comm = open(f"/proc/{self.broker_pid}/comm").read().strip()
        return [
            f"# inventory bench ({mode})",
            "",
            f"- command: `{command}`",
            f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- machine: {os.cpu_count()} CPUs (nproc {os.sched_getaffinity(0).__len__()}), {model}, "
            f"load average at start {load}, Linux {os.uname().release}",
            f"- RabbitMQ {version('rabbitmq-server')} (Debian package), Erlang {version('erlang-base')}, "
            f"amqp-tools {version('amqp-tools')}, pika {pika.__version__}, Python {sys.version.split()[0]}",
            f"- build: {self.bin} (Release); broker: private node under {BROKER_DIR} at {self.url} "
            f"(pid {self.broker_pid}, {comm})",
            "",
        ]

    def table(self):
        lines = ["| # | what | ours | anchor | ratio | SPEC 8 target | result |",
                 "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in self.rows:
            lines.append("| " + " | ".join(str(x) for x in r) + " |")
        lines += ["", "Where the CPU went (user+system seconds; broker = the RabbitMQ node's beam.smp, "
                      "while that side ran):", "",
                  "| phase | wall ours | wall anchor | CPU ours | CPU anchor | broker CPU (ours) | broker CPU (anchor) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in self.cpu:
            lines.append("| " + " | ".join(r) + " |")
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        return lines

    def run(self, command):
        os.makedirs(OUT, exist_ok=True)
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        self.log("starting a private RabbitMQ node")
        failed = None
        # No signal may land between the node's start and the `try` that stops it:
        # they wait until we are inside it (then SystemExit runs the `finally`).
        signals = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            subprocess.run([BROKER_SH, "fresh", BROKER_DIR], check=True, stdout=subprocess.DEVNULL,
                           start_new_session=True,  # the node must not inherit the blocked signals:
                           preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK, signals))
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
            env = dict(line.strip().split("=", 1) for line in open(os.path.join(BROKER_DIR, "broker.env")) if "=" in line)
            self.url = env["AMQP_URL"]
            self.broker_pid = int(env["BROKER_PID"]) if env.get("BROKER_PID") else None
            if self.broker_pid is None:
                raise BenchError("the broker runs in Docker (no local pid): run with INVENTORY_BROKER=local")
            report = self.header(command)
            print("\n".join(report), flush=True)
            for name, phase in [("1. one update", self.single_update), ("2. bulk file", self.bulk_file),
                                ("3. drain backlog", self.drain_backlog), ("4. piped checks", self.piped_checks),
                                ("5. latency", self.latency), ("6. memory", self.memory)]:
                self.log(f"phase {name}")
                try:
                    phase()
                except BenchError as e:
                    failed = failed or str(e)
                    self.log(f"phase {name} failed: {e}")
                    self.notes.append(f"phase {name} FAILED: {e}")
                    self.stop_live()
            report += self.table()
            text = "\n".join(report) + "\n"
            print("\n".join(self.table()), flush=True)
            with open(os.path.join(OUT, "latest.md"), "w") as f:
                f.write(text)
            self.log(f"written to {os.path.relpath(os.path.join(OUT, 'latest.md'), ROOT)}")
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
            self.stop_live()
            self.stop_broker()
        return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description="SPEC 8 benchmarks, side by side (use bench/run.sh)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run in well under a minute")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    parser.add_argument("--command", default=" ".join(sys.argv), help="the command line to print at the top")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    return Bench(args).run(args.command)


if __name__ == "__main__":
    sys.exit(main())
