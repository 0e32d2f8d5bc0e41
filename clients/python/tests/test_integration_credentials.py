"""Credentials against the real jar with security.requireCredentials on: bearer and signed requests."""
import threading
import time
import unittest
from typing import List

from jar_proxy import JarProxy, jar_path
from mqproxy import BearerToken, Consumer, EventStream, Message, Producer, ProxyError, SignedCredentials

SECRET = "py-team-secret-0123456789"
CONFIG = """
security:
  requireCredentials: true
  credentials:
    - {id: py-team, secret: %s, producers: [py-cred, py-cred-stream], consumers: [py-cred-group, py-cred-stream-group]}
producers:
  - {name: py-cred, topic: py-cred-topic}
  - {name: py-other, topic: py-other-topic}
  - {name: py-cred-stream, topic: py-cred-stream-topic}
consumers:
  - {name: py-cred-group, topic: py-cred-topic, pop: true}
  - {name: py-other-group, topic: py-other-topic, pop: true}
  - {name: py-cred-stream-group, topic: py-cred-stream-topic, pop: true}
""" % SECRET

proxy: JarProxy


def setUpModule() -> None:
    global proxy
    if jar_path() is None:
        raise unittest.SkipTest("MQ_PROXY_JAR is not set: run ./run-tests.sh <jar>")
    proxy = JarProxy(CONFIG, "credentials").start()


def tearDownModule() -> None:
    proxy.stop()


def consume(credentials, count: int) -> List[str]:
    got: List[str] = []
    lock = threading.Lock()

    def handler(message: Message) -> None:
        with lock:
            got.append(message.body)
    c = Consumer(proxy.consume_url, "py-cred-topic", "py-cred-group", handler, credentials=credentials,
                 pull_timeout=5, pollers=2)
    c.start()
    try:
        deadline = time.monotonic() + 30
        while len(got) < count and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        c.stop()
    return sorted(got)


class CredentialsTest(unittest.TestCase):
    def test_bearer_producesAndConsumes(self) -> None:
        bearer = BearerToken(SECRET)
        with Producer(proxy.produce_url, "py-cred", credentials=bearer) as p:
            p.send("bearer-1")
            p.send_batch(["bearer-2"])
        self.assertEqual(["bearer-1", "bearer-2"], consume(bearer, 2))

    def test_signed_producesAndConsumes_manyRequestsInARow(self) -> None:
        signed = SignedCredentials("py-team", SECRET)
        with Producer(proxy.produce_url, "py-cred", credentials=signed) as p:
            for i in range(20):  # identical requests in one millisecond would be refused as replays
                p.send("same body")
        self.assertEqual(["same body"] * 20, consume(signed, 20))

    def test_signed_eventStream(self) -> None:
        signed = SignedCredentials("py-team", SECRET)
        with Producer(proxy.produce_url, "py-cred-stream", credentials=signed) as p:
            p.send("streamed")
        with EventStream(proxy.consume_url, "py-cred-stream-topic", "py-cred-stream-group", credentials=signed) as s:
            message = next(iter(s))
            self.assertEqual(("streamed", "OK"), (message.body, s.ack(message)))

    def test_noOrWrongCredential_is401(self) -> None:
        for name, credentials in (("none", None), ("wrong bearer", BearerToken("not-the-secret")),
                                  ("wrong signature", SignedCredentials("py-team", "not-the-secret"))):
            with self.subTest(name):
                with Producer(proxy.produce_url, "py-cred", credentials=credentials) as p:
                    with self.assertRaises(ProxyError) as caught:
                        p.send("refused")
                self.assertEqual((401, "UNAUTHENTICATED"), (caught.exception.status, caught.exception.code))

    def test_anotherGroup_is403_andStopsTheConsumer(self) -> None:
        c = Consumer(proxy.consume_url, "py-other-topic", "py-other-group", lambda m: None,
                     credentials=BearerToken(SECRET), on_error=lambda e, b: None)
        c.start()
        with self.assertRaises(ProxyError) as caught:
            c.wait(30)
        self.assertEqual((403, "FORBIDDEN"), (caught.exception.status, caught.exception.code))
        self.assertIn("py-other-group", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
