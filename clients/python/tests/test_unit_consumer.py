"""Consumer loop against a scripted fake proxy: acks through the next poll, nacks, pauses, stop."""
import threading
import time
import unittest

from fake_proxy import ACK_OK, FakeProxy, batch, empty
from mqproxy import BroadcastConsumer, Consumer, ProxyError


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class ConsumerLoopTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeProxy()
        self.addCleanup(self.fake.close)
        for path in ("/mq/ack", "/mq/nack", "/mq/unlock"):
            self.fake.route(path, ACK_OK)

    def consumer(self, handler=None, **options) -> Consumer:
        options.setdefault("pull_timeout", 1)
        c = Consumer(self.fake.url, "t", "g", handler, **options)
        self.addCleanup(c.stop, 1)
        return c

    def test_nextPoll_acksTheBatchItsHandlerFinished(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a", "b"), batch("r2", "c"), empty(delay=0.2)])
        seen = []
        c = self.consumer(seen.append).start()
        wait_for(lambda: len(self.fake.calls("/mq/message")) >= 3)
        c.stop()
        polls = [r.params for r in self.fake.calls("/mq/message")]
        self.assertEqual(["", "r1", "r2"], [p["requestId"] for p in polls[:3]])
        self.assertEqual({"topic": "t", "consumer": "g", "pullTimeout": "1"},
                         {k: polls[0][k] for k in ("topic", "consumer", "pullTimeout")})
        self.assertEqual(["a", "b", "c"], [m.body for m in seen])

    def test_failingHandler_nacksItsBatch_withTheDelay_andItIsNotAcked(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "bad", "later"), empty(delay=0.2)])
        handled = []

        def handler(message):
            handled.append(message.body)
            raise ValueError("no")
        errors = []
        c = self.consumer(handler, nack_delay=7, on_error=lambda e, b: errors.append(e)).start()
        wait_for(lambda: self.fake.calls("/mq/nack"))
        c.stop()
        nack = self.fake.calls("/mq/nack")[0].params
        self.assertEqual(("r1", "7"), (nack["requestId"], nack["delay"]))
        self.assertEqual(["bad"], handled, "the rest of a failed batch waits for its redelivery")
        self.assertNotIn("r1", [r.params.get("requestId") for r in self.fake.calls("/mq/message")])
        self.assertEqual([], [r for r in self.fake.calls("/mq/ack")])
        self.assertIsInstance(errors[0], ValueError)

    def test_batchHandler_getsTheWholeBatch(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a"), batch("r2", "b", retry=True), empty(delay=0.2)])
        batches = []
        c = self.consumer(batch_handler=batches.append).start()
        wait_for(lambda: len(batches) == 2)
        c.stop()
        self.assertEqual(["r1", "r2"], [b.request_id for b in batches])
        self.assertTrue(batches[1].messages[0].redelivered)

    def test_paused_and_rateLimited_wait_withoutSpinning(self) -> None:
        for status in ("PAUSED", "RATE_LIMITED"):
            with self.subTest(status):
                self.fake.requests.clear()
                self.fake.route("/mq/message", empty(status))
                c = self.consumer(lambda m: None, pollers=2).start()
                time.sleep(1.5)
                c.stop()
                # back-off from 0.5 s doubling: a few polls per poller, not hundreds
                self.assertLessEqual(len(self.fake.calls("/mq/message")), 2 * 4)

    def test_overload_isRetried_withTheSameRequestId(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a"), {"status": 503, "message": "polls at the bound"},
                                        empty(delay=0.2)])
        c = self.consumer(lambda m: None, on_error=lambda e, b: None).start()
        wait_for(lambda: len(self.fake.calls("/mq/message")) >= 3)
        c.stop()
        self.assertEqual(["", "r1", "r1"], [r.params["requestId"] for r in self.fake.calls("/mq/message")[:3]])

    def test_badRequest_stopsTheConsumer_andWaitRaisesIt(self) -> None:
        self.fake.route("/mq/message", {"status": 400, "message": "consumer: no such group"})
        c = self.consumer(lambda m: None, on_error=lambda e, b: None).start()
        with self.assertRaises(ProxyError) as caught:
            c.wait(5)
        self.assertEqual((400, "consumer: no such group"), (caught.exception.status, caught.exception.message))

    def test_stop_cutsAWaitingPoll_andAcksTheBatchItCarried(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a"), empty(delay=30)])
        c = self.consumer(lambda m: None, pull_timeout=30).start()
        wait_for(lambda: len(self.fake.calls("/mq/message")) == 2)
        started = time.monotonic()
        c.stop()
        self.assertLess(time.monotonic() - started, 2.0)
        # the cut poll carried r1: acknowledged again to be sure (a repeated ack is harmless)
        self.assertEqual(["r1"], [r.params["requestId"] for r in self.fake.calls("/mq/ack")])

    def test_stop_letsTheHandlerFinish_thenAcks(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a"), empty(delay=0.2)])
        release = threading.Event()
        c = self.consumer(lambda m: release.wait(0.5), stop_timeout=5).start()
        wait_for(lambda: self.fake.calls("/mq/message"))
        time.sleep(0.1)
        c.stop()
        self.assertEqual(["r1"], [r.params["requestId"] for r in self.fake.calls("/mq/ack")])
        self.assertEqual([], self.fake.calls("/mq/unlock"))
        self.assertEqual(1, c.handled)

    def test_stop_givesBack_whatTheHandlerDidNotFinishInTime(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a", "b"), empty(delay=0.2)])
        release = threading.Event()
        self.addCleanup(release.set)
        c = self.consumer(lambda m: release.wait(10), stop_timeout=0.3).start()
        wait_for(lambda: self.fake.calls("/mq/message"))
        time.sleep(0.1)
        c.stop()
        self.assertEqual(["r1"], [r.params["requestId"] for r in self.fake.calls("/mq/unlock")])
        release.set()
        time.sleep(0.2)
        self.assertEqual([], self.fake.calls("/mq/ack"), "a batch given back is never acked")
        self.assertEqual(2, c.given_back)

    def test_batchArrivingAtStop_isGivenBack(self) -> None:
        gate = threading.Event()

        def slow_batch(request, h):
            gate.wait(5)
            return batch("r9", "late")
        self.fake.route("/mq/message", slow_batch)
        c = self.consumer(lambda m: self.fail("handled after stop"))
        c.start()
        wait_for(lambda: self.fake.calls("/mq/message"))
        c._stopping.set()  # stopping, but the poll is not cut: its answer comes
        gate.set()
        wait_for(lambda: self.fake.calls("/mq/unlock"))
        self.assertEqual("r9", self.fake.calls("/mq/unlock")[0].params["requestId"])

    def test_brokenBatch_isParked_andAckedLater(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a")] + [{"status": 500, "message": "broker down"}] * 3
                        + [empty(delay=0.2)])
        c = self.consumer(lambda m: None, on_error=lambda e, b: None).start()
        wait_for(lambda: len(self.fake.calls("/mq/message")) >= 5, 10)
        c.stop()
        ids = [r.params["requestId"] for r in self.fake.calls("/mq/message")]
        self.assertEqual(["", "r1", "r1", "r1", ""], ids[:5])
        self.assertIn("r1", [r.params["requestId"] for r in self.fake.calls("/mq/ack")])

    def test_broadcast_sendsItsClientId_onEveryCall(self) -> None:
        self.fake.route("/mq/message", [batch("r1", "a"), empty(delay=0.2)])
        c = BroadcastConsumer(self.fake.url, "t", "g", "host-1", lambda m: None, pull_timeout=1).start()
        wait_for(lambda: len(self.fake.calls("/mq/message")) >= 2)
        c.stop()
        self.assertEqual({"host-1"}, {r.params["clientId"] for r in self.fake.requests})


if __name__ == "__main__":
    unittest.main()
