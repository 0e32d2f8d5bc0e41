"""Credentials: the headers the proxy's DataAuthenticator reads, over exactly what is sent."""
import hashlib
import hmac
import unittest

from fake_proxy import FakeProxy
from mqproxy import BearerToken, Producer, SignedCredentials

RECEIPT = {"status": 200, "result": {"sendStatus": "SEND_OK", "msgId": "ID"}}


class CredentialsTest(unittest.TestCase):
    def test_canonicalString_asRequestSignatureJava(self) -> None:
        h = SignedCredentials("team-a", "s3cret").headers("GET", "/mq/message", "topic=t&consumer=g", b"")
        expected = hmac.new(b"s3cret", ("GET\n/mq/message\ntopic=t&consumer=g\n" + hashlib.sha256(b"").hexdigest()
                                        + "\n" + h["X-MQProxy-Timestamp"]).encode(), hashlib.sha256).hexdigest()
        self.assertEqual({"X-MQProxy-Key": "team-a", "X-MQProxy-Signature": expected},
                         {k: h[k] for k in ("X-MQProxy-Key", "X-MQProxy-Signature")})

    def test_timestamps_neverRepeat(self) -> None:
        c = SignedCredentials("k", "s")
        stamps = [int(c.headers("GET", "/", "", b"")["X-MQProxy-Timestamp"]) for _ in range(200)]
        self.assertEqual(sorted(set(stamps)), stamps)

    def test_signature_coversTheBodyAndQueryAsSent(self) -> None:
        fake = FakeProxy()
        self.addCleanup(fake.close)
        fake.route("/mq/produce", RECEIPT)
        with Producer(fake.url, "p", credentials=SignedCredentials("k", "s")) as p:
            p.send("héllo")
        r = fake.calls("/mq/produce")[0]
        signed = "\n".join(["POST", r.path, r.raw_query, hashlib.sha256(r.body).hexdigest(),
                            r.headers["X-MQProxy-Timestamp"]])
        self.assertEqual(hmac.new(b"s", signed.encode(), hashlib.sha256).hexdigest(), r.headers["X-MQProxy-Signature"])

    def test_bearer(self) -> None:
        self.assertEqual({"Authorization": "Bearer tok"}, BearerToken("tok").headers("GET", "/", "", b""))
        self.assertNotIn("tok", repr(BearerToken("tok")))
        self.assertNotIn("s3cret", repr(SignedCredentials("k", "s3cret")))


if __name__ == "__main__":
    unittest.main()
