"""EventStream against a scripted event stream: parsing, acks by the event's id, reconnects, errors."""
import threading
import time
import unittest

from fake_proxy import ACK_OK, FakeProxy
from mqproxy import EventStream, ProxyError


def sse(*chunks: str):
    """An event-stream answer writing ``chunks`` (then holding the connection until the client leaves)."""
    def answer(request, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for chunk in chunks:
                data = chunk.encode()
                h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                h.wfile.flush()
            time.sleep(5)
        except OSError:
            pass
        h.close_connection = True
    return answer


def event(token: str, body: str) -> str:
    return f'id: {token}\nevent: message\ndata: {{"messageId":"m-{token}","message":"{body}","timestamp":1,' \
           f'"deliveryCount":1}}\n\n'


class EventStreamTest(unittest.TestCase):
    def setUp(self) -> None:
        self.fake = FakeProxy()
        self.addCleanup(self.fake.close)
        self.fake.route("/mq/ack", ACK_OK)
        self.fake.route("/mq/nack", ACK_OK)

    def test_messages_comeWithTheirAckToken_andAckSendsIt(self) -> None:
        self.fake.route("/mq/stream", sse("retry: 2000\n: mq-proxy stream\n\n", event("tok1", "a"),
                                          ": heartbeat\n\n", 'event: paused\ndata: {"reason":"group"}\n\n',
                                          event("tok2", "b")))
        statuses = []
        got = []
        with EventStream(self.fake.url, "t", "g", max_unacked=4, on_event=lambda n, d: statuses.append((n, d))) as s:
            for message in s:
                got.append(message)
                self.assertEqual("OK", s.ack(message))
                if len(got) == 2:
                    break
        self.assertEqual([("tok1", "a"), ("tok2", "b")], [(m.ack_token, m.body) for m in got])
        self.assertEqual([("paused", {"reason": "group"})], statuses)
        self.assertEqual(["tok1", "tok2"], [r.params["requestId"] for r in self.fake.calls("/mq/ack")])
        opened = self.fake.calls("/mq/stream")[0].params
        self.assertEqual({"topic": "t", "consumer": "g", "ack": "client", "maxUnacked": "4"}, opened)

    def test_leavingALoop_keepsTheStreamOpen(self) -> None:
        # A generator would close (and the proxy give back what was not acked) when a loop breaks or an
        # iter() is dropped: the stream is its own iterator, closed only by close().
        self.fake.route("/mq/stream", sse(event("tok1", "a"), event("tok2", "b")))
        with EventStream(self.fake.url, "t", "g") as s:
            for message in s:
                break
            self.assertEqual("b", next(iter(s)).body)
        self.assertEqual(1, len(self.fake.calls("/mq/stream")))

    def test_nack_sendsTheDelay(self) -> None:
        self.fake.route("/mq/stream", sse(event("tok1", "a")))
        with EventStream(self.fake.url, "t", "g") as s:
            message = next(iter(s))
            s.nack(message, 30)
        self.assertEqual(("tok1", "30"), tuple(self.fake.calls("/mq/nack")[0].params[k] for k in ("requestId", "delay")))

    def test_droppedStream_reconnects_withLastEventId(self) -> None:
        def once_then_close(request, h):
            body = event("tok1", "a").encode()
            h.send_response(200)
            h.send_header("Content-Type", "text/event-stream")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        self.fake.route("/mq/stream", [once_then_close, sse("retry: 10\n\n", event("tok2", "b"))])
        with EventStream(self.fake.url, "t", "g") as s:
            s._retry_seconds = 0.01
            bodies = []
            for message in s:
                bodies.append(message.body)
                if len(bodies) == 2:
                    break
        self.assertEqual(["a", "b"], bodies)
        self.assertEqual("tok1", self.fake.calls("/mq/stream")[1].headers.get("Last-Event-ID"))

    def test_refusedBeforeOpening_raisesTheEnvelope(self) -> None:
        self.fake.route("/mq/stream", {"status": 400, "message": "consumer: paused"})
        with self.assertRaises(ProxyError) as caught:
            next(iter(EventStream(self.fake.url, "t", "g")))
        self.assertEqual((400, "consumer: paused"), (caught.exception.status, caught.exception.message))

    def test_errorEvent_endsTheIteration(self) -> None:
        self.fake.route("/mq/stream", sse('event: error\ndata: {"status":400,"message":"group removed"}\n\n'))
        with self.assertRaises(ProxyError) as caught:
            list(EventStream(self.fake.url, "t", "g"))
        self.assertEqual("group removed", caught.exception.message)

    def test_close_fromAnotherThread_endsTheIteration(self) -> None:
        self.fake.route("/mq/stream", sse(": nothing yet\n\n"))
        s = EventStream(self.fake.url, "t", "g")
        threading.Timer(0.3, s.close).start()
        started = time.monotonic()
        self.assertEqual([], list(s))
        self.assertLess(time.monotonic() - started, 3)


if __name__ == "__main__":
    unittest.main()
