package io.mqproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection that speaks HTTP/1.1 byte by byte, for what a well-behaved client library will not
 * send: broken escapes, bad chunking, announced bodies that never come, headers one byte at a time.
 */
public final class RawHttp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Socket socket;
    private final InputStream in;
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    public static RawHttp connect(int port) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setTcpNoDelay(true);
            return new RawHttp(s);
        } catch (IOException e) {
            throw new IllegalStateException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    /** A response as it came: status line, headers (names lower case) and body bytes. */
    public record Response(int httpStatus, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The envelope, or null when the body is not JSON. */
        public JsonNode json() {
            try {
                return body.length == 0 ? null : JSON.readTree(body);
            } catch (IOException notJson) {
                return null;
            }
        }

        /** The envelope's status, -1 when there is none. */
        public int status() {
            JsonNode json = json();
            return json == null ? -1 : json.path("status").asInt(-1);
        }

        public String message() {
            JsonNode json = json();
            return json == null ? null : json.path("message").asText(null);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public RawHttp send(String ascii) {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes; a connection the server already closed is not an error here (the reading side tells). */
    public RawHttp send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException closedByServer) {
            // the caller reads the answer (or the close) next
        }
        return this;
    }

    /** Tells the server this client will send nothing more (TCP half-close). */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * The next response, or null when the connection closed (or was reset) before a whole one came.
     * Fails when nothing conclusive happens within {@code timeout}.
     */
    public Response read(Duration timeout) {
        return read(timeout, true);
    }

    /** HEAD answers carry a Content-Length but no body: reads only the head. */
    public Response readHead(Duration timeout) {
        return read(timeout, false);
    }

    private Response read(Duration timeout, boolean withBody) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int headEnd;
        while ((headEnd = indexOf(pending.toByteArray(), HEAD_END)) < 0) {
            if (!fillOrFail(deadline)) {
                return null;
            }
        }
        byte[] all = pending.toByteArray();
        String[] lines = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
            }
        }
        int length = withBody && headers.containsKey("content-length")
            ? Integer.parseInt(headers.get("content-length")) : 0;
        int bodyStart = headEnd + HEAD_END.length;
        while (pending.size() - bodyStart < length) {
            if (!fillOrFail(deadline)) {
                return null;
            }
        }
        all = pending.toByteArray();
        byte[] body = Arrays.copyOfRange(all, bodyStart, bodyStart + length);
        pending.reset();
        pending.write(all, bodyStart + length, all.length - bodyStart - length);
        return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    /** True when the server closes the connection within {@code timeout}; whatever it sends first is dropped. */
    public boolean closedWithin(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Fill f = fill(deadline);
            if (f == Fill.CLOSED) {
                return true;
            }
            if (f == Fill.TIMED_OUT) {
                return false;
            }
        }
    }

    /** Bytes that come within {@code wait} after the last response read (e.g. a body where none may be). */
    public int unreadBytes(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (fill(deadline) == Fill.DATA) {
            // keep reading until closed or the wait is over
        }
        return pending.size();
    }

    private enum Fill { DATA, CLOSED, TIMED_OUT }

    private boolean fillOrFail(long deadline) {
        Fill f = fill(deadline);
        if (f == Fill.TIMED_OUT) {
            throw new AssertionError("no answer and no close in time; received so far: "
                + new String(pending.toByteArray(), StandardCharsets.ISO_8859_1));
        }
        return f == Fill.DATA;
    }

    private Fill fill(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return Fill.TIMED_OUT;
        }
        byte[] buffer = new byte[8192];
        int n;
        try {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
            n = in.read(buffer);
        } catch (SocketTimeoutException e) {
            return Fill.TIMED_OUT;
        } catch (IOException reset) {
            return Fill.CLOSED;
        }
        if (n < 0) {
            return Fill.CLOSED;
        }
        pending.write(buffer, 0, n);
        return Fill.DATA;
    }

    private static int indexOf(byte[] data, byte[] target) {
        outer:
        for (int i = 0; i <= data.length - target.length; i++) {
            for (int j = 0; j < target.length; j++) {
                if (data[i + j] != target[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
