#!/usr/bin/env python3
"""Drains a backlog through the library's Consumer, for ConsumeBenchmark's drain phase
(-Dbench.drain.command="python3 clients/python/bench/drain.py"): the benchmark runs it against its own proxy,
on a fresh group of the same topic, next to its own HTTP client, and reads the last line.

Arguments: url topic group messages pollers maxPullSize pop pullTimeout
Prints:    result <messages> <seconds until the target> <polls> <errors> <cpu seconds of this process>
"""
import os
import resource
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
from mqproxy import Consumer, Message  # noqa: E402


def main(url: str, topic: str, group: str, target: int, pollers: int, max_pull: int, pop: bool,
         pull_timeout: int) -> None:
    lock = threading.Lock()
    count = [0]
    reached = threading.Event()
    reached_at = [0.0]
    errors = [0]
    polls = [0]

    def handle(message: Message) -> None:
        with lock:
            count[0] += 1
            if count[0] == target:
                reached_at[0] = time.monotonic()
                reached.set()

    def on_error(error: BaseException, batch: object) -> None:
        with lock:
            errors[0] += 1

    class Counting(Consumer):
        def poll(self, request_id: str = "", **kw):  # type: ignore[override]
            with lock:
                polls[0] += 1
            return super().poll(request_id, **kw)

    consumer = Counting(url, topic, group, handle, pollers=pollers, max_messages=max_pull, pop=pop,
                        pull_timeout=pull_timeout, on_error=on_error)
    started = time.monotonic()
    consumer.start()
    reached.wait(600)
    consumer.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    seconds = (reached_at[0] or time.monotonic()) - started
    print("result %d %.3f %d %d %.2f" % (count[0], seconds, polls[0], errors[0], usage.ru_utime + usage.ru_stime),
          flush=True)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], a[1], a[2], int(a[3]), int(a[4]), int(a[5]), a[6] == "true", int(a[7]))
