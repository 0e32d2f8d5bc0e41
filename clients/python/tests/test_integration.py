"""The library against the real proxy jar and its embedded broker (MQ_PROXY_JAR; run-tests.sh sets it)."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
from typing import Dict, List

from jar_proxy import JarProxy, free_port, jar_path
from mqproxy import (BroadcastConsumer, Consumer, EventStream, Message, Producer, ProxyError, sign_webhook)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples"))

GROUPS = ["produce", "redeliver", "nack", "stop", "stopwait", "broadcast", "stream", "hook", "pause"]
CONFIG = """
consume:
  defaults:
    minConsumeTimeoutSeconds: 1
producers:
  - {name: mqcloud-json-test-topic-producer, topic: mqcloud-json-test-topic}
%s
consumers:
  - {name: http-clustering-consumer, topic: mqcloud-json-test-topic}
%s
""" % ("\n".join(f"  - {{name: py-{g}, topic: py-{g}-topic}}" for g in GROUPS),
       "\n".join(f"  - {{name: py-{g}-group, topic: py-{g}-topic, "
                 f"{'mode: broadcast' if g == 'broadcast' else 'pop: true'}}}" for g in GROUPS))

proxy: JarProxy


def setUpModule() -> None:
    global proxy
    if jar_path() is None:
        raise unittest.SkipTest("MQ_PROXY_JAR is not set: run ./run-tests.sh <jar>")
    proxy = JarProxy(CONFIG, "it").start()


def tearDownModule() -> None:
    proxy.stop()


def wait_for(condition, seconds: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met within {seconds} s")
        time.sleep(0.05)


class Collector:
    """A handler that keeps what it got, by thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: List[Message] = []

    def __call__(self, message: Message) -> None:
        with self.lock:
            self.messages.append(message)

    def bodies(self) -> List[str]:
        with self.lock:
            return sorted(m.body for m in self.messages)


class IntegrationTest(unittest.TestCase):
    def producer(self, group: str) -> Producer:
        p = Producer(proxy.produce_url, f"py-{group}")
        self.addCleanup(p.close)
        return p

    def consumer(self, group: str, handler=None, **options) -> Consumer:
        options.setdefault("pull_timeout", 5)
        c = Consumer(proxy.consume_url, f"py-{group}-topic", f"py-{group}-group", handler, **options)
        self.addCleanup(c.stop, 5)
        return c

    def test_produce_singleAndBatch_withKeysTagsOrderAndDelay_thenConsume(self) -> None:
        p = self.producer("produce")
        receipt = p.send({"n": 1}, keys=["k-1", "k-one"], tags="paid")
        self.assertEqual("SEND_OK", receipt.send_status)
        self.assertTrue(receipt.msg_id)
        p.send("ordered-1", order_id="order-7")
        p.send("ordered-2", order_id="order-7")
        sent_delayed = time.time()
        p.send("delayed", delay_level=1)  # 1 s
        p.send("timed", deliver_at=time.time() + 2, properties={"region": "eu"})
        self.assertTrue(all(r.ok for r in p.send_batch(["b1", {"b": 2}], properties=[{"n": "b1"}, None])))
        got = Collector()
        self.consumer("produce", got, pollers=2).start()
        wait_for(lambda: len(got.messages) >= 7, what="7 messages consumed")
        self.assertEqual(sorted(['{"n":1}', "ordered-1", "ordered-2", "delayed", "timed", "b1", '{"b":2}']),
                         got.bodies())
        first = next(m for m in got.messages if m.body == '{"n":1}')
        self.assertEqual(("k-1 k-one", "paid", {"n": 1}), (first.keys, first.tags, first.json()))
        self.assertEqual("eu", next(m for m in got.messages if m.body == "timed").properties.get("region"))
        self.assertEqual("b1", next(m for m in got.messages if m.body == "b1").properties.get("n"))
        self.assertNotIn("n", next(m for m in got.messages if m.body == '{"b":2}').properties)
        delayed = next(m for m in got.messages if m.body == "delayed")
        self.assertGreaterEqual(delayed.timestamp / 1000 + 0.5, sent_delayed)  # stored at once, delivered later

    def test_badProducer_raisesTheProxysAnswer(self) -> None:
        with Producer(proxy.produce_url, "no-such-producer") as p:
            with self.assertRaises(ProxyError) as caught:
                p.send("x")
        self.assertEqual(400, caught.exception.status)
        self.assertIn("producer", caught.exception.message)

    def test_notAcknowledged_comesBackAfterItsConsumeTimeout(self) -> None:
        self.producer("redeliver").send("again")
        c = Consumer(proxy.consume_url, "py-redeliver-topic", "py-redeliver-group", lambda m: None,
                     consume_timeout=2, pull_timeout=5)
        self.addCleanup(c.stop)  # closes its connections (never started: nothing else to stop)
        first = c.poll()  # taken, never acknowledged
        self.assertEqual(["again"], [m.body for m in first])
        started = time.monotonic()
        again = c.poll()
        while not again.messages and time.monotonic() - started < 30:
            again = c.poll()
        self.assertEqual(["again"], [m.body for m in again])
        self.assertTrue(again.messages[0].redelivered)
        self.assertEqual(2, again.messages[0].delivery_count)
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual("OK", c.ack(again.request_id))

    def test_failingHandler_isNacked_andTheMessageComesAgainAfterTheDelay(self) -> None:
        self.producer("nack").send("flaky")
        deliveries: List[Message] = []
        times: List[float] = []

        def handler(message: Message) -> None:
            deliveries.append(message)
            times.append(time.monotonic())
            if message.delivery_count == 1:
                raise RuntimeError("first try fails")
        self.consumer("nack", handler, nack_delay=1, consume_timeout=60, on_error=lambda e, b: None).start()
        wait_for(lambda: len(deliveries) >= 2, what="redelivery after the nack")
        self.assertEqual([1, 2], [m.delivery_count for m in deliveries[:2]])
        # given back by the nack, after its 1 s delay: far sooner than the 60 s consume timeout
        self.assertGreaterEqual(times[1] - times[0], 0.5)
        self.assertLess(times[1] - times[0], 30)

    def test_stop_givesBackWhatWasNotHandled_soAnotherConsumerGetsItAtOnce(self) -> None:
        p = self.producer("stop")
        for i in range(3):
            p.send(f"s{i}")
        release = threading.Event()
        self.addCleanup(release.set)
        taken: List[int] = []
        stuck = self.consumer("stop", batch_handler=lambda b: (taken.append(len(b)), release.wait(30)),
                              consume_timeout=120, max_messages=8)
        stuck.start()
        wait_for(lambda: sum(taken) == 3, what="the batch taken")
        stuck.stop(timeout=0.5)
        self.assertEqual(3, stuck.given_back)
        got = Collector()
        started = time.monotonic()
        self.consumer("stop", got).start()
        wait_for(lambda: len(got.messages) == 3, what="given-back messages delivered again")
        self.assertLess(time.monotonic() - started, 30, "well before the 120 s consume timeout")
        self.assertEqual(["s0", "s1", "s2"], got.bodies())
        self.assertTrue(all(m.delivery_count == 2 for m in got.messages))

    def test_stop_cutsWaitingPolls_atOnce(self) -> None:
        c = self.consumer("stopwait", lambda m: None, pollers=3, pull_timeout=30).start()
        time.sleep(1.0)  # the polls are waiting at the proxy
        started = time.monotonic()
        c.stop()
        self.assertLess(time.monotonic() - started, 3.0)
        self.assertTrue(c.wait(1))

    def test_broadcast_everyClientIdGetsEveryMessage(self) -> None:
        p = self.producer("broadcast")
        for i in range(3):
            p.send(f"b{i}")
        got: Dict[str, Collector] = {"host-a": Collector(), "host-b": Collector()}
        for client_id, collector in got.items():
            c = BroadcastConsumer(proxy.consume_url, "py-broadcast-topic", "py-broadcast-group", client_id,
                                  collector, pull_timeout=5)
            self.addCleanup(c.stop, 5)
            c.start()
        wait_for(lambda: all(len(c.messages) >= 3 for c in got.values()), what="each clientId gets all")
        self.assertEqual([["b0", "b1", "b2"]] * 2, [c.bodies() for c in got.values()])

    def test_eventStream_clientAcks_andWhatIsNotAckedComesAgain(self) -> None:
        p = self.producer("stream")
        for i in range(3):
            p.send(f"e{i}")
        seen: List[Message] = []
        with EventStream(proxy.consume_url, "py-stream-topic", "py-stream-group", consume_timeout=60) as s:
            for message in s:
                seen.append(message)
                if message.body != "e1":
                    self.assertEqual("OK", s.ack(message))
                if len(seen) == 3:
                    break
        self.assertEqual(["e0", "e1", "e2"], sorted(m.body for m in seen))
        # closing the stream gave back e1 (not acked): a new stream gets it again, at once
        with EventStream(proxy.consume_url, "py-stream-topic", "py-stream-group") as s:
            again = next(iter(s))
            self.assertEqual(("e1", 2), (again.body, again.delivery_count))
            s.ack(again)

    def test_webhook_pushesAreVerified_byTheExampleReceiver(self) -> None:
        import webhook_receiver as webhook_server  # examples/webhook_receiver.py
        secret = "py-hook-secret-0123456789"
        got = Collector()
        server = webhook_server.serve(free_port(), secret, got)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = "http://127.0.0.1:%d/hook" % server.server_address[1]
        # a push with a wrong signature is refused (and would not be acknowledged)
        body = b'{"consumer":"py-hook-group","topic":"t","messages":[{"messageId":"forged","message":"x"}]}'
        for header in (sign_webhook("another-secret-0123456", body), sign_webhook(secret, body, 1)):
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"X-MQProxy-Signature": header})
            with self.assertRaises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=5)
            self.assertEqual(401, refused.exception.code)
        answer = proxy.admin("PUT", "/admin/groups/py-hook-group/push", {"url": url, "secret": secret})
        self.assertEqual(200, answer["status"], answer)
        self.addCleanup(proxy.admin, "DELETE", "/admin/groups/py-hook-group/push")
        self.producer("hook").send("pushed", keys="h1")
        wait_for(lambda: got.messages, what="the push verified and handled")
        self.assertEqual(("pushed", "h1"), (got.messages[0].body, got.messages[0].keys))

    def test_pausedGroup_isWaitedOut_withoutSpinning(self) -> None:
        polls = []

        class Counting(Consumer):
            def poll(self, request_id: str = "", **kw):  # type: ignore[override]
                polls.append(time.monotonic())
                return super().poll(request_id, **kw)
        proxy.admin("POST", "/admin/groups/py-pause-group/pause")
        got = Collector()
        c = Counting(proxy.consume_url, "py-pause-topic", "py-pause-group", got, pull_timeout=5)
        self.addCleanup(c.stop, 5)
        self.producer("pause").send("after-resume")
        c.start()
        time.sleep(3)
        self.assertEqual([], got.messages)
        self.assertLessEqual(len(polls), 5, "PAUSED answers at once: the consumer backs off")
        proxy.admin("POST", "/admin/groups/py-pause-group/resume")
        wait_for(lambda: got.messages, what="consumption after resume")
        self.assertEqual(["after-resume"], got.bodies())


class ReadmeSnippetsTest(unittest.TestCase):
    """The ten-line producer and consumer of the READMEs are these, run as they are written."""

    @staticmethod
    def snippets() -> Dict[str, str]:
        with open(os.path.join(HERE, "..", "README.md"), encoding="utf-8") as f:
            text = f.read()
        found = dict(re.findall(r"<!-- snippet: (\w+) -->\s*```python\n(.*?)```", text, re.S))
        assert set(found) == {"producer", "consumer"}, found.keys()
        return found

    def test_rootReadme_showsTheSameSnippets(self) -> None:
        with open(os.path.join(HERE, "..", "..", "..", "README.md"), encoding="utf-8") as f:
            root = f.read()
        for name, code in self.snippets().items():
            self.assertTrue(code in root, f"README.md's Python {name} differs from clients/python/README.md's")

    def test_producerThenConsumer_asWritten(self) -> None:
        snippets = {name: code.replace("http://127.0.0.1:8082", proxy.produce_url)
                    .replace("http://127.0.0.1:8081", proxy.consume_url) for name, code in self.snippets().items()}
        self.assertLessEqual(max(len(code.strip().splitlines()) for code in snippets.values()), 12)
        printed: List[str] = []
        printer = lambda *args, **kw: printed.append(" ".join(str(a) for a in args))  # noqa: E731
        exec(compile(snippets["producer"], "producer-snippet", "exec"), {"print": printer})
        self.assertEqual(3, sum(1 for line in printed if line.startswith("stored")))
        namespace: Dict[str, object] = {"print": printer}
        runner = threading.Thread(target=exec, args=(compile(snippets["consumer"], "consumer-snippet", "exec"),
                                                     namespace), daemon=True)
        runner.start()
        wait_for(lambda: sum(1 for line in printed if "delivery" in line) >= 5, what="the snippet consumed all")
        namespace["consumer"].stop()  # type: ignore[attr-defined]
        runner.join(10)
        self.assertFalse(runner.is_alive(), "run() returned after stop()")
        bodies = [json.loads(line.split(" ", 1)[1].rsplit(" delivery", 1)[0].replace("'", '"'))
                  for line in printed if "delivery" in line]
        self.assertEqual([0, 1, 2, 3, 4], sorted(b["id"] for b in bodies))


class ExamplesTest(unittest.TestCase):
    """examples/produce.py and examples/consume.py, run as scripts against the jar."""

    def script(self, name: str) -> str:
        with open(os.path.join(HERE, "..", "..", "..", "examples", name), encoding="utf-8") as f:
            code = f.read().replace("http://127.0.0.1:8082", proxy.produce_url)
        folder = tempfile.mkdtemp(prefix="mqproxy-py-example-")
        self.addCleanup(shutil.rmtree, folder, True)
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(code.replace("http://127.0.0.1:8081", proxy.consume_url))
        return path

    def test_produceThenConsume_thenCtrlC(self) -> None:
        env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "src"))
        produced = subprocess.run([sys.executable, self.script("produce.py")], env=env, capture_output=True,
                                  text=True, timeout=60)
        self.assertEqual(0, produced.returncode, produced.stderr)
        self.assertEqual(3, produced.stdout.count("SEND_OK"))
        consumer = subprocess.Popen([sys.executable, "-u", self.script("consume.py")], env=env,
                                    stdout=subprocess.PIPE, text=True)
        lines: List[str] = []
        threading.Thread(target=lambda: lines.extend(consumer.stdout), daemon=True).start()  # type: ignore
        try:
            wait_for(lambda: sum('"id": ' in line or '"id":' in line for line in lines) >= 3,
                     what="the example consumed what the example produced")
        finally:
            consumer.send_signal(signal.SIGINT)  # Ctrl-C: stops, handlers finish, exits
            self.assertEqual(0, consumer.wait(30))
            consumer.stdout.close()  # type: ignore[union-attr]


if __name__ == "__main__":
    unittest.main()
