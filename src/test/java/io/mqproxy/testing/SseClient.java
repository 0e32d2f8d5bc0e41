package io.mqproxy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent events client on a plain socket, as an EventSource is: it reads the response head, then
 * parses events (id, event, data) and comment lines as they arrive, on a thread of its own. Closing it
 * drops the connection at once, as a network failure or a closed tab would.
 */
public final class SseClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event; {@code name} "message" unless the stream said otherwise. */
    public record Event(String id, String name, String data) {
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Socket socket;
    private final BufferedReader in;
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<String> comments = java.util.Collections.synchronizedList(new ArrayList<>());
    private final String firstBody;

    private SseClient(int port, String pathAndQuery, Map<String, String> requestHeaders) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        StringBuilder head = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
            + "\r\nAccept: text/event-stream\r\n");
        requestHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        OutputStream out = socket.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String statusLine = in.readLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        if (!headers.getOrDefault("content-type", "").startsWith("text/event-stream")) {
            firstBody = readRest();
            return;
        }
        firstBody = null;
        socket.setSoTimeout(0);
        Thread reader = new Thread(this::readEvents, "sse-client-" + port);
        reader.setDaemon(true);
        reader.start();
    }

    public static SseClient open(int port, String pathAndQuery) {
        return open(port, pathAndQuery, Map.of());
    }

    public static SseClient open(int port, String pathAndQuery, Map<String, String> headers) {
        try {
            return new SseClient(port, pathAndQuery, headers);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return status;
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body of an answer that is not a stream (an error envelope), or null. */
    public JsonNode errorBody() {
        try {
            return firstBody == null ? null : JSON.readTree(firstBody);
        } catch (IOException e) {
            return null;
        }
    }

    /** The next event within {@code wait}, or null. */
    public Event next(Duration wait) {
        try {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next {@code n} message events, each within {@code wait}; fewer if they do not come. */
    public List<Event> messages(int n, Duration wait) {
        List<Event> got = new ArrayList<>();
        while (got.size() < n) {
            Event e = next(wait);
            if (e == null) {
                break;
            }
            if (e.name().equals("message")) {
                got.add(e);
            }
        }
        return got;
    }

    public List<String> comments() {
        synchronized (comments) {
            return List.copyOf(comments);
        }
    }

    private void readEvents() {
        try {
            String id = null;
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.matches("[0-9a-fA-F]+")) {
                    continue; // chunk size line of the chunked encoding
                }
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        events.add(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).trim());
                }
            }
        } catch (IOException closed) {
            // the connection was dropped: by close(), or by the proxy
        }
    }

    private String readRest() throws IOException {
        int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
        if (length >= 0) {
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new String(body, 0, read);
        }
        StringBuilder body = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            body.append(line);
        }
        return body.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
