package io.mqproxy.console;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The console's static files, read once from the jar ({@code /console/} on the class path). Nothing
 * is built or fetched at run time and nothing comes from another host: the page loads only these.
 * Each file carries a strong ETag (a digest of its bytes), so browsers revalidate cheaply and a new
 * jar's files are never served stale.
 */
public final class ConsoleAssets {
    /** The login page needs these before there is a session; everything else needs one. */
    private static final Set<String> OPEN = Set.of("login.html", "login.js", "console.css", "favicon.svg");
    private static final Map<String, String> TYPES = Map.of(
        "html", "text/html; charset=utf-8",
        "js", "text/javascript; charset=utf-8",
        "css", "text/css; charset=utf-8",
        "svg", "image/svg+xml");
    private static final String[] FILES = {"index.html", "login.html", "console.css", "api.js", "app.js",
        "chart.js", "pages.js", "messages.js", "ui.js", "login.js", "favicon.svg"};

    /** One file: its bytes, content type, ETag, and whether it is served without a session. */
    public record Asset(String name, byte[] bytes, String contentType, String etag, boolean open) {
        public boolean html() {
            return name.endsWith(".html");
        }
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    private ConsoleAssets() {
    }

    /** Reads every file; a missing one is a broken build, said at start-up rather than as a 404 later. */
    public static ConsoleAssets load() {
        ConsoleAssets loaded = new ConsoleAssets();
        for (String name : FILES) {
            try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("console/" + name + " missing from the jar");
                }
                byte[] bytes = in.readAllBytes();
                String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
                loaded.assets.put(name, new Asset(name, bytes, type, etag(bytes), OPEN.contains(name)));
            } catch (IOException e) {
                throw new IllegalStateException("console/" + name + " unreadable", e);
            }
        }
        return loaded;
    }

    public Optional<Asset> get(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
