"""Producer against a scripted fake proxy: what is retried, how often, and what is sent."""
import time
import unittest

from fake_proxy import FakeProxy, write_json
from mqproxy import Producer, ProxyError

RECEIPT = {"status": 200, "result": {"sendStatus": "SEND_OK", "msgId": "ID1", "queueOffset": 7,
                                     "messageQueue": {"topic": "t", "brokerName": "b", "queueId": 3}}}


class ProducerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeProxy()
        self.addCleanup(self.fake.close)

    def producer(self, **options) -> Producer:
        options.setdefault("backoff", 0.01)
        producer = Producer(self.fake.url, "p", **options)
        self.addCleanup(producer.close)
        return producer

    def test_send_returnsTheReceipt_andSendsOnlyWhatIsGiven(self) -> None:
        self.fake.route("/mq/produce", RECEIPT)
        result = self.producer().send({"id": 1}, keys=["k1", "k2"], tags="paid", order_id="o-1")
        self.assertEqual(("ID1", "SEND_OK", 3, 7, 1), (result.msg_id, result.send_status, result.queue_id,
                                                     result.queue_offset, result.attempts))
        sent = self.fake.calls("/mq/produce")[0].json()
        self.assertEqual({"producer": "p", "message": '{"id":1}', "keys": "k1 k2", "tags": "paid",
                          "orderId": "o-1"}, sent)

    def test_send_properties_delayAndTime_asTheContractNamesThem(self) -> None:
        self.fake.route("/mq/produce", RECEIPT)
        self.producer().send("x", properties={"region": "eu"}, delay_level=3, deliver_at=1_700_000_000.5,
                             round_robin=True)
        sent = self.fake.calls("/mq/produce")[0].json()
        self.assertEqual({"region": "eu"}, sent["properties"])
        self.assertEqual((3, 1_700_000_000_500, True), (sent["delayLevel"], sent["deliveryTimestamp"],
                                                         sent["roundRobin"]))

    def test_unknownOutcome_isRetried_untilStored(self) -> None:
        self.fake.route("/mq/produce", [{"status": 300, "message": "broker time-out"}, RECEIPT])
        self.assertEqual(2, self.producer().send("x").attempts)

    def test_unknownOutcome_notRetried_whenAskedNotTo(self) -> None:
        self.fake.route("/mq/produce", [{"status": 300, "message": "broker time-out"}, RECEIPT])
        with self.assertRaises(ProxyError) as caught:
            self.producer(retry_unknown=False).send("x")
        self.assertEqual((300, "OUTCOME_UNKNOWN"), (caught.exception.status, caught.exception.code))
        self.assertEqual(1, len(self.fake.calls("/mq/produce")))

    def test_overload_isRetried_withinTheBound_thenRaised(self) -> None:
        self.fake.route("/mq/produce", {"status": 503, "message": "sends in flight at the bound"})
        with self.assertRaises(ProxyError) as caught:
            self.producer(max_attempts=3).send("x")
        self.assertEqual((503, "OVERLOADED"), (caught.exception.status, caught.exception.code))
        self.assertEqual(3, len(self.fake.calls("/mq/produce")))

    def test_retryAfter_isHonoured(self) -> None:
        self.fake.route("/mq/produce", [
            lambda r, h: write_json(h, {"status": 503, "message": "full"}, {"Retry-After": "0.3"}), RECEIPT])
        started = time.monotonic()
        self.producer().send("x")
        self.assertGreaterEqual(time.monotonic() - started, 0.3)

    def test_badParameter_isNotRetried(self) -> None:
        self.fake.route("/mq/produce", {"status": 400, "message": "delayLevel: must be 1..18"})
        with self.assertRaises(ProxyError) as caught:
            self.producer().send("x", delay_level=99)
        self.assertEqual("delayLevel: must be 1..18", caught.exception.message)
        self.assertEqual(1, len(self.fake.calls("/mq/produce")))

    def test_noAnswer_isRetried(self) -> None:
        def hang_up(request, h):
            h.close_connection = True
            h.connection.close()
        self.fake.route("/mq/produce", [hang_up, RECEIPT])
        self.assertEqual(2, self.producer().send("x").attempts)

    def test_timeout_isAnError_withNoAnswer(self) -> None:
        self.fake.route("/mq/produce", lambda r, h: time.sleep(1) or RECEIPT)
        with self.assertRaises(ProxyError) as caught:
            self.producer(timeout=0.2, max_attempts=1).send("x")
        self.assertEqual((0, "TIMEOUT"), (caught.exception.status, caught.exception.code))

    def test_batch_resendsOnlyTheFailedMessages(self) -> None:
        self.fake.route("/mq/produce/batch", [
            {"status": 500, "message": "some messages failed to send",
             "result": [{"status": 200}, {"status": 300, "message": "time-out"}, {"status": 200}]},
            {"status": 200}])
        results = self.producer().send_batch(["a", {"b": 1}, "c"], tags="t")
        self.assertTrue(all(r.ok for r in results))
        first, second = [r.json() for r in self.fake.calls("/mq/produce/batch")]
        self.assertEqual(["a", {"b": 1}, "c"], first["messages"])
        self.assertEqual([{"b": 1}], second["messages"])
        self.assertEqual("t", second["tags"])

    def test_batch_stillFailing_raisesWithEachResult(self) -> None:
        self.fake.route("/mq/produce/batch", {"status": 500, "message": "some messages failed to send",
                                              "result": [{"status": 200}, {"status": 500, "message": "down"}]})
        with self.assertRaises(ProxyError) as caught:
            self.producer(max_attempts=2).send_batch(["a", "b"])
        self.assertEqual([200, 500], [r.status for r in caught.exception.result])


if __name__ == "__main__":
    unittest.main()
