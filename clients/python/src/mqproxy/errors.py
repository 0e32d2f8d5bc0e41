"""What the proxy answered when it did not answer success."""
from typing import Any, Optional

#: Names of the envelope's statuses (README, "API summary"), so code can test ``error.code`` by name.
CODES = {
    300: "OUTCOME_UNKNOWN",
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    413: "TOO_LARGE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    503: "OVERLOADED",
}

#: ``status`` of a failure with no answer from the proxy (refused, reset, timed out).
NO_ANSWER = 0


class ProxyError(Exception):
    """The proxy answered ``status`` (the envelope's, read from the body) with ``message``.

    ``code`` names the status (``"OUTCOME_UNKNOWN"``, ``"OVERLOADED"``, ...); for a request that got no
    answer, ``status`` is 0 and ``code`` is ``"CONNECTION"`` (not sent, or sent and no answer: the outcome
    is unknown) or ``"TIMEOUT"``. ``result`` is the envelope's result when it had one (a batch's per-message
    statuses); ``retry_after`` the seconds of a ``Retry-After`` header; ``http_status`` the HTTP code.
    """

    def __init__(self, status: int, message: str, *, code: Optional[str] = None, result: Any = None,
                 http_status: Optional[int] = None, retry_after: Optional[float] = None) -> None:
        super().__init__(f"{status} {message}" if status else message)
        self.status = status
        self.code = code or CODES.get(status, "STATUS_%d" % status)
        self.message = message
        self.result = result
        self.http_status = http_status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed later: an unknown outcome, an overload, a broker error, no
        answer. Bad input and refused credentials are not."""
        return self.status in (NO_ANSWER, 300, 408, 500, 503)

    def __repr__(self) -> str:
        return f"ProxyError(status={self.status!r}, code={self.code!r}, message={self.message!r})"
