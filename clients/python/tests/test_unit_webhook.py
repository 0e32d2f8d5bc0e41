"""verify_webhook: the proxy's signature format (PushSignature.java), in constant time."""
import hashlib
import hmac
import time
import unittest
from email.message import Message as HeaderBlock
from unittest import mock

from mqproxy import sign_webhook, verify_webhook, webhook_messages

SECRET = "a-secret-of-16-chars-or-more"
BODY = b'{"consumer":"g","topic":"t","messages":[{"messageId":"m1","message":"hi","timestamp":1,"deliveryCount":1}]}'


class VerifyWebhookTest(unittest.TestCase):
    def header(self, t=None, secret=SECRET, body=BODY) -> str:
        return sign_webhook(secret, body, t)

    def test_signatureAsTheProxyMakesIt_isAccepted(self) -> None:
        t = int(time.time())
        # the proxy's format, computed here by hand: t=<s>,v1=hex(HMAC-SHA256(secret, "<t>." + body))
        header = "t=%d,v1=%s" % (t, hmac.new(SECRET.encode(), b"%d." % t + BODY, hashlib.sha256).hexdigest())
        self.assertEqual(header, self.header(t))
        self.assertTrue(verify_webhook(SECRET, {"X-MQProxy-Signature": header}, BODY))

    def test_headerName_inAnyCase_andHttpServerHeaders(self) -> None:
        self.assertTrue(verify_webhook(SECRET, {"x-mqproxy-signature": self.header()}, BODY))
        block = HeaderBlock()
        block["X-MQPROXY-SIGNATURE"] = self.header()
        self.assertTrue(verify_webhook(SECRET.encode(), block, BODY))

    def test_refused(self) -> None:
        now = int(time.time())
        cases = {
            "another secret": {"X-MQProxy-Signature": self.header(secret="another-secret-0123456")},
            "another body": {"X-MQProxy-Signature": self.header(body=BODY + b" ")},
            "too old (a replay)": {"X-MQProxy-Signature": self.header(now - 301)},
            "from the future": {"X-MQProxy-Signature": self.header(now + 301)},
            "no header": {},
            "no time": {"X-MQProxy-Signature": "v1=" + "00" * 32},
            "no mac": {"X-MQProxy-Signature": "t=%d" % now},
            "not hex": {"X-MQProxy-Signature": "t=%d,v1=zz" % now},
            "not a number": {"X-MQProxy-Signature": "t=abc,v1=00"},
        }
        for name, headers in cases.items():
            with self.subTest(name):
                self.assertFalse(verify_webhook(SECRET, headers, BODY))

    def test_parsedBody_isNotWhatIsSigned(self) -> None:
        self.assertFalse(verify_webhook(SECRET, {"X-MQProxy-Signature": self.header()}, BODY.decode()))  # type: ignore

    def test_comparesInConstantTime(self) -> None:
        with mock.patch("hmac.compare_digest", wraps=hmac.compare_digest) as compare:
            verify_webhook(SECRET, {"X-MQProxy-Signature": self.header()}, BODY)
        compare.assert_called_once()

    def test_messagesOfThePush(self) -> None:
        [m] = webhook_messages(BODY)
        self.assertEqual(("m1", "hi", 1), (m.message_id, m.body, m.delivery_count))


if __name__ == "__main__":
    unittest.main()
