"""Consumption: the long-poll loop the contract asks for, run by N pollers."""
import logging
import ssl
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from ._http import Backoff, Connection, Credentials, Endpoint
from .errors import ProxyError
from .messages import Batch, Message

log = logging.getLogger("mqproxy")

Handler = Callable[[Message], Any]
BatchHandler = Callable[[Batch], Any]
NackDelay = Union[float, Callable[[Batch, BaseException], float]]
ErrorCallback = Callable[[BaseException, Optional[Batch]], Any]

_MAX_CONSUME_TIMEOUT = 129_600
# A poll that failed this many times in a row with the same requestId parks it (acked later with /mq/ack) and
# polls on with none, as docs/load-balancers.md advises: the batch's broker may be down.
_PARK_AFTER_FAILURES = 3
_PARKED_RETRY_SECONDS = 5.0


class Consumer:
    """Consumes a topic as a consumer group, calling ``handler`` for each message (or ``batch_handler`` for
    each batch) on ``pollers`` threads, each running the contract's loop:

    - each poll waits up to ``pull_timeout`` seconds for messages (long polling) and acknowledges the batch
      before it by passing its requestId: a batch is acknowledged only once its handler returned;
    - a handler that raises gives its whole batch back with ``/mq/nack``, delivered again after ``nack_delay``
      seconds (a float, or a function of the batch and the error); with a per-message handler the rest of
      that batch is not handled now (it comes again with the batch: handlers must be idempotent, delivery is
      at-least-once; ``max_messages=1`` redelivers one message at a time);
    - ``PAUSED`` and ``RATE_LIMITED`` answers, overloads (503), broker errors (500) and lost connections wait
      with a growing back-off: never a loop of requests;
    - :meth:`stop` stops polling (waiting polls are cut: the proxy gives back what they took), lets handlers
      finish their batch up to ``stop_timeout`` seconds and acknowledges it, and gives back (``/mq/unlock``)
      what was not handled by then, so it is delivered again at once rather than after its consume timeout.

    Bad requests (unknown group, wrong mode), refused credentials: the consumer stops, and :meth:`run` or
    :meth:`wait` raise the :class:`ProxyError`.
    """

    def __init__(self, url: str, topic: str, consumer: str, handler: Optional[Handler] = None, *,
                 batch_handler: Optional[BatchHandler] = None, client_id: Optional[str] = None,
                 credentials: Optional[Credentials] = None, pollers: int = 1, max_messages: Optional[int] = None,
                 consume_timeout: Optional[int] = None, pull_timeout: int = 20, nack_delay: NackDelay = 5.0,
                 stop_timeout: float = 30.0, pop: Optional[bool] = None, on_error: Optional[ErrorCallback] = None,
                 timeout: float = 30.0, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give either handler (one message at a time) or batch_handler (a batch at a time)")
        if pollers < 1:
            raise ValueError("pollers: at least 1")
        if max_messages is not None and not 1 <= max_messages <= 128:
            raise ValueError("max_messages: 1..128")
        if not 0 <= pull_timeout <= 60:
            raise ValueError("pull_timeout: 0..60 seconds")
        self.topic = topic
        self.consumer = consumer
        self.client_id = client_id
        self.handler = handler
        self.batch_handler = batch_handler
        self.pollers = pollers
        self.max_messages = max_messages
        self.consume_timeout = consume_timeout
        self.pull_timeout = pull_timeout
        self.nack_delay = nack_delay
        self.stop_timeout = stop_timeout
        self.pop = pop
        self.on_error = on_error
        self._endpoint = Endpoint(url, credentials=credentials, timeout=timeout, ssl_context=ssl_context)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: List[threading.Thread] = []
        self._pollers: List[_Poller] = []
        self._parked: List[Tuple[str, float]] = []
        self._parked_tried = 0.0
        self._error: Optional[ProxyError] = None
        self.handled = 0
        self.failed = 0
        self.given_back = 0

    # -------------------------------------------------------------- life cycle

    def start(self) -> "Consumer":
        """Starts the pollers (daemon threads) and returns."""
        if self._threads:
            raise RuntimeError("already started")
        for i in range(self.pollers):
            poller = _Poller(self, self._endpoint.connection())
            thread = threading.Thread(target=poller.run, name=f"mqproxy-{self.consumer}-{i}", daemon=True)
            self._pollers.append(poller)
            self._threads.append(thread)
        for thread in self._threads:
            thread.start()
        return self

    def run(self) -> None:
        """Starts, then blocks until stopped (Ctrl-C stops); raises what stopped it, if it was an error."""
        self.start()
        try:
            while not self.wait(0.5):
                pass
        except KeyboardInterrupt:
            self.stop()
        except ProxyError:
            self.stop()  # the pollers have ended: this closes the connections
            raise
        self._raise_error()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Waits until every poller has ended; False if ``timeout`` passed first. Raises a fatal error."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False
        self._raise_error()
        return True

    def stop(self, timeout: Optional[float] = None) -> None:
        """Stops polling, lets handlers finish up to ``timeout`` (default ``stop_timeout``) seconds, gives back
        what they did not finish. Returns once that is done; handlers still running are left to end alone
        (their outcome is ignored: their batch was given back)."""
        deadline = time.monotonic() + (self.stop_timeout if timeout is None else timeout)
        self._begin_stop()
        for poller, thread in zip(self._pollers, self._threads):
            while thread.is_alive() and time.monotonic() < deadline:
                poller.abort_poll()  # again: a poll may have been connecting when the first abort came
                thread.join(min(0.1, max(0.0, deadline - time.monotonic())))
        for poller, thread in zip(self._pollers, self._threads):
            if thread.is_alive():
                batch = poller.take_back()
                if batch is not None:
                    self._give_back(None, batch, "handler still running at stop")
        self._ack_parked(None, force=True)
        self._endpoint.close()

    def __enter__(self) -> "Consumer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # -------------------------------------------------------------- the contract's calls, for custom loops

    def poll(self, request_id: str = "", *, connection: Optional[Connection] = None) -> Batch:
        """One ``/mq/message``: acknowledges ``request_id``'s batch and returns the next (maybe empty)."""
        params = self._params(requestId=request_id, maxPullSize=self.max_messages, pullTimeout=self.pull_timeout,
                              consumeTimeout=self.consume_timeout, pop=self.pop)
        body = self._call(connection, "/mq/message", params, timeout=self.pull_timeout + self._endpoint.timeout)
        result = body.get("result") or {}
        if result.get("previousAck") == "EXPIRED":
            self._report(ProxyError(200, "a batch was acknowledged after its consume timeout: it was (or is being) "
                                    "delivered again; raise consume_timeout or handle faster", code="EXPIRED"), None)
        return Batch.from_result(result)

    def ack(self, request_id: str, *, connection: Optional[Connection] = None) -> str:
        """``/mq/ack``: acknowledges the batch; returns ``OK``, ``EXPIRED``, ``ALREADY_ACKED``, ..."""
        return self._settle(connection, "/mq/ack", request_id, None)

    def nack(self, request_id: str, delay: float = 0, *, connection: Optional[Connection] = None) -> str:
        """``/mq/nack``: gives the batch back, delivered again after ``delay`` seconds."""
        return self._settle(connection, "/mq/nack", request_id, max(0, min(_MAX_CONSUME_TIMEOUT, round(delay))))

    def unlock(self, request_id: str, *, connection: Optional[Connection] = None) -> str:
        """``/mq/unlock``: gives the batch back, delivered again at once."""
        return self._settle(connection, "/mq/unlock", request_id, None)

    # -------------------------------------------------------------- inside

    def _params(self, **extra: Any) -> Dict[str, Any]:
        params: Dict[str, Any] = {"topic": self.topic, "consumer": self.consumer}
        if self.client_id is not None:
            params["clientId"] = self.client_id
        params.update({k: v for k, v in extra.items() if v is not None})
        return params

    def _call(self, connection: Optional[Connection], path: str, params: Dict[str, Any],
              timeout: Optional[float] = None) -> Dict[str, Any]:
        if connection is not None:
            return connection.call("GET", path, params, timeout=timeout)
        return self._endpoint.call("GET", path, params, timeout=timeout)

    def _settle(self, connection: Optional[Connection], path: str, request_id: str, delay: Optional[int]) -> str:
        body = self._call(connection, path, self._params(requestId=request_id, delay=delay))
        return str((body.get("result") or {}).get("status", ""))

    def _begin_stop(self) -> None:
        self._stopping.set()
        for poller in self._pollers:
            poller.abort_poll()

    def _fatal(self, error: ProxyError) -> None:
        with self._lock:
            if self._error is None:
                self._error = error
        self._report(error, None)
        self._begin_stop()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _report(self, error: BaseException, batch: Optional[Batch]) -> None:
        if self.on_error is not None:
            try:
                self.on_error(error, batch)
            except Exception:  # noqa: BLE001 - a failing callback must not stop consumption
                log.exception("mqproxy: on_error raised")
        elif isinstance(error, ProxyError):
            log.warning("mqproxy %s: %s", self.consumer, error)
        else:
            log.warning("mqproxy %s: handler failed on a batch of %d: %r", self.consumer,
                        len(batch) if batch else 0, error)

    def _nack_after_failure(self, connection: Connection, batch: Batch, error: BaseException) -> None:
        delay = self.nack_delay(batch, error) if callable(self.nack_delay) else self.nack_delay
        try:
            self.nack(batch.request_id, delay, connection=connection)
        except ProxyError as e:  # it comes back anyway after its consume timeout
            self._report(e, batch)

    def _give_back(self, connection: Optional[Connection], batch: Batch, why: str) -> None:
        try:
            status = self.unlock(batch.request_id, connection=connection)
            if status == "OK":
                with self._lock:
                    self.given_back += len(batch)
            else:  # EXPIRED: it is being delivered again anyway
                self._report(ProxyError(200, f"giving back a batch ({why}): {status}", code=status), batch)
        except ProxyError as e:  # it comes back anyway after its consume timeout
            self._report(ProxyError(e.status, f"giving back a batch ({why}): {e.message}", code=e.code), batch)

    def _ack_quietly(self, connection: Optional[Connection], request_id: str) -> None:
        try:
            self.ack(request_id, connection=connection)
        except ProxyError as e:
            if e.retryable:
                self._park(request_id)
            else:
                self._report(e, None)

    def _park(self, request_id: str) -> None:
        lifetime = self.consume_timeout or 300
        with self._lock:
            self._parked.append((request_id, time.monotonic() + lifetime))

    def _ack_parked(self, connection: Optional[Connection], force: bool = False) -> None:
        """Acks parked requestIds now and then, until they are acked or past their consume timeout."""
        now = time.monotonic()
        with self._lock:
            if not self._parked or (not force and now - self._parked_tried < _PARKED_RETRY_SECONDS):
                return
            self._parked_tried = now
            parked, self._parked = self._parked, []
        keep = []
        for request_id, expires in parked:
            if expires < now:
                continue
            try:
                self.ack(request_id, connection=connection)
            except ProxyError as e:
                if e.retryable:
                    keep.append((request_id, expires))
        with self._lock:
            self._parked.extend(keep)


class _Poller:
    """One thread's loop: its own connection, its own chain of requestIds."""

    def __init__(self, consumer: Consumer, connection: Connection) -> None:
        self.c = consumer
        self.conn = connection
        self._lock = threading.Lock()
        self._polling = False
        self._batch: Optional[Batch] = None
        self._given_back = False
        self.request_id = ""  # the handled batch the next poll acknowledges

    def abort_poll(self) -> None:
        with self._lock:
            if self._polling:
                self.conn.abort()

    def take_back(self) -> Optional[Batch]:
        """The batch being handled, now the stopper's to give back (its handler's outcome is then ignored)."""
        with self._lock:
            batch, self._batch = self._batch, None
            self._given_back = batch is not None
            return batch

    def run(self) -> None:
        c = self.c
        errors = Backoff(0.2, 10.0)
        refused = Backoff(0.5, 10.0)   # PAUSED, RATE_LIMITED
        idle = Backoff(0.1, 2.0)       # empty answers that came at once (pull_timeout 0)
        failures = 0
        try:
            while not c.stopping:
                c._ack_parked(self.conn)
                with self._lock:
                    if c.stopping:
                        break
                    self._polling = True
                started = time.monotonic()
                try:
                    batch = c.poll(self.request_id, connection=self.conn)
                except ProxyError as e:
                    with self._lock:
                        self._polling = False
                    if c.stopping:
                        break
                    if not e.retryable:
                        c._fatal(e)
                        return
                    c._report(e, None)
                    failures += 1
                    if self.request_id and failures >= _PARK_AFTER_FAILURES:
                        c._park(self.request_id)
                        self.request_id = ""
                        failures = 0
                    c._stopping.wait(errors.next(e.retry_after))
                    continue
                with self._lock:
                    self._polling = False
                errors.reset()
                failures = 0
                self.request_id = ""  # acknowledged by this poll
                if batch.status in ("PAUSED", "RATE_LIMITED"):
                    c._stopping.wait(refused.next())
                    continue
                refused.reset()
                if not batch.messages:
                    if time.monotonic() - started < 0.05:
                        c._stopping.wait(idle.next())
                    else:
                        idle.reset()
                    continue
                idle.reset()
                if c.stopping:  # came as the consumer stopped: not handled, so given back
                    c._give_back(self.conn, batch, "arrived at stop")
                    break
                self._handle(batch)
        finally:
            with self._lock:
                self._polling = False
            if self.request_id:  # the last handled batch: no next poll will acknowledge it
                c._ack_quietly(self.conn, self.request_id)
                self.request_id = ""
            self.conn.close()

    def _handle(self, batch: Batch) -> None:
        c = self.c
        with self._lock:
            self._batch = batch
            self._given_back = False
        error: Optional[BaseException] = None
        try:
            if c.batch_handler is not None:
                c.batch_handler(batch)
            else:
                assert c.handler is not None
                for message in batch.messages:
                    if self._given_back:
                        break
                    c.handler(message)
        except Exception as e:  # noqa: BLE001 - any failure of the handler gives the batch back
            error = e
        with self._lock:
            given_back = self._given_back
            self._batch = None
        if given_back:
            return
        if error is not None:
            with c._lock:
                c.failed += len(batch)
            c._report(error, batch)
            c._nack_after_failure(self.conn, batch, error)
            return
        with c._lock:
            c.handled += len(batch)
        self.request_id = batch.request_id


class BroadcastConsumer(Consumer):
    """A consumer of a broadcast group: every distinct ``client_id`` receives every message, with its own
    progress (kept by the proxy's broker). Use a stable id per instance of your application (a host name)."""

    def __init__(self, url: str, topic: str, consumer: str, client_id: str, handler: Optional[Handler] = None,
                 **options: Any) -> None:
        if not client_id:
            raise ValueError("client_id: required for a broadcast group")
        super().__init__(url, topic, consumer, handler, client_id=client_id, **options)


__all__ = ["Consumer", "BroadcastConsumer", "Handler", "BatchHandler"]
