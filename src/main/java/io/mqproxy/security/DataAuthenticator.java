package io.mqproxy.security;

import io.mqproxy.error.Errors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Who is calling the data plane, when credentials are required: a bearer token
 * ({@code Authorization: Bearer <secret>}), or a request signed with an access key
 * ({@link RequestSignature}) within a time window and never twice. Then what the caller may do: a
 * credential names the producers it may produce with and the groups it may consume from. Secrets are
 * never logged or echoed.
 */
public final class DataAuthenticator {
    private static final String BEARER = "bearer ";

    /** Who called. */
    public record Principal(Credential credential) {
    }

    private record Book(Collection<Credential> source, Map<String, Credential> byId, Map<String, Credential> byToken) {
    }

    private final boolean required;
    private final Supplier<Collection<Credential>> credentials;
    private final long windowMillis;
    /** Signatures accepted within the window: a replayed request is refused; a full memory refuses new ones. */
    private final SignatureMemory seen;
    /** What a signature's timestamp and a credential's expiry are held to. */
    private final Clock clock;
    private volatile Book book;

    /**
     * @param required    off: every request is served as before, credentials or not (the contract's clients)
     * @param credentials the credentials in force now (configuration and run time); read on each request,
     *                    indexed again only when the collection returned changes
     * @param maxRememberedSignatures signatures whose timestamp is inside the window, at most: past that,
     *                    signed requests are refused (503) until the oldest leave the window
     */
    public DataAuthenticator(boolean required, Supplier<Collection<Credential>> credentials, Duration window,
                             int maxRememberedSignatures) {
        this(required, credentials, window, maxRememberedSignatures, Clock.systemUTC());
    }

    /** @param clock the proxy's clock: a request's time ({@link #nowMillis()}) and the memory's size are read from it */
    public DataAuthenticator(boolean required, Supplier<Collection<Credential>> credentials, Duration window,
                             int maxRememberedSignatures, Clock clock) {
        this.clock = clock;
        this.required = required;
        this.credentials = credentials;
        this.windowMillis = window.toMillis();
        this.seen = new SignatureMemory(maxRememberedSignatures, windowMillis);
    }

    public boolean required() {
        return required;
    }

    /** The proxy's time now, in epoch milliseconds: what a request is authenticated at. */
    public long nowMillis() {
        return clock.millis();
    }

    /**
     * @param header a request header by name
     * @return who called, or null when credentials are not required
     * @throws io.mqproxy.error.ProxyError 401 when a credential is required and none valid was given; 503
     *         when a signed request cannot be remembered (the memory of signatures is full): retry later
     */
    public Principal authenticate(String method, String path, String rawQuery, byte[] body,
                                  Function<String, String> header, long nowMillis) {
        if (!required) {
            return null;
        }
        Book b = book();
        String key = header.apply(RequestSignature.KEY_HEADER);
        Credential c;
        if (key != null) {
            c = signed(b, key, method, path, rawQuery, body, header, nowMillis);
        } else {
            String authorization = header.apply("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw Errors.unauthenticated("Authorization: a credential is required: 'Authorization: Bearer "
                    + "<token>', or a request signed with " + RequestSignature.KEY_HEADER + ", "
                    + RequestSignature.TIMESTAMP_HEADER + " and " + RequestSignature.SIGNATURE_HEADER);
            }
            c = b.byToken.get(digest(authorization.substring(BEARER.length()).trim()));
            if (c == null) {
                throw Errors.unauthenticated("Authorization: the token is not valid (unknown, or revoked)");
            }
        }
        if (c.expired(nowMillis)) {
            throw Errors.unauthenticated("Authorization: credential '" + c.id() + "' has expired");
        }
        return new Principal(c);
    }

    private Credential signed(Book b, String key, String method, String path, String rawQuery, byte[] body,
                              Function<String, String> header, long nowMillis) {
        Credential c = b.byId.get(key);
        if (c == null) {
            throw Errors.unauthenticated(RequestSignature.KEY_HEADER + ": unknown access key (or revoked)");
        }
        String timestamp = header.apply(RequestSignature.TIMESTAMP_HEADER);
        long at;
        try {
            at = Long.parseLong(timestamp == null ? "" : timestamp.trim());
        } catch (NumberFormatException e) {
            throw Errors.unauthenticated(RequestSignature.TIMESTAMP_HEADER + ": must be epoch milliseconds");
        }
        if (Math.abs(nowMillis - at) > windowMillis) {
            throw Errors.unauthenticated(RequestSignature.TIMESTAMP_HEADER + ": more than " + windowMillis / 1000
                + " s from the proxy's clock; sign each request when it is sent");
        }
        String given = header.apply(RequestSignature.SIGNATURE_HEADER);
        String expected = RequestSignature.sign(c.secret(),
            RequestSignature.stringToSign(method, path, rawQuery, body, timestamp.trim()));
        if (!RequestSignature.matches(expected, given)) {
            throw Errors.unauthenticated(RequestSignature.SIGNATURE_HEADER + ": does not match the request");
        }
        switch (seen.remember(c.id() + ":" + expected, at, nowMillis)) {
            case REPLAYED -> throw Errors.unauthenticated(RequestSignature.SIGNATURE_HEADER
                + ": already used; sign each request anew");
            case FULL -> throw Errors.signatureMemoryFull(seen.retryAfterSeconds(nowMillis));
            case REMEMBERED -> {
            }
        }
        return c;
    }

    /** Seconds until the memory of signatures has room again (Retry-After of its 503), at least 1. */
    public long retryAfterSeconds(long nowMillis) {
        return seen.retryAfterSeconds(nowMillis);
    }

    /** Signatures remembered now. */
    public int rememberedSignatures() {
        return seen.size(clock.millis());
    }

    /** Signed requests refused since start because the memory of signatures was full. */
    public long refusedForFullMemory() {
        return seen.refusedFull();
    }

    /** @throws io.mqproxy.error.ProxyError 403 when the caller may not produce with this producer */
    public void requireProducer(Principal p, String producer) {
        if (p != null && !p.credential().producers().contains(producer)) {
            throw Errors.forbidden("producer: credential '" + p.credential().id() + "' may not produce with '"
                + producer + "'");
        }
    }

    /** @throws io.mqproxy.error.ProxyError 403 when the caller may not consume from this group */
    public void requireConsumer(Principal p, String consumer) {
        if (p != null && !p.credential().consumers().contains(consumer)) {
            throw Errors.forbidden("consumer: credential '" + p.credential().id() + "' may not consume from '"
                + consumer + "'");
        }
    }

    private Book book() {
        Collection<Credential> now = credentials.get();
        Book b = book;
        if (b != null && b.source == now) {
            return b;
        }
        Map<String, Credential> byId = new HashMap<>();
        Map<String, Credential> byToken = new HashMap<>();
        for (Credential c : now) {
            byId.put(c.id(), c);
            byToken.put(digest(c.secret()), c);
        }
        b = new Book(now, Map.copyOf(byId), Map.copyOf(byToken));
        book = b;
        return b;
    }

    /** Tokens are looked up by digest, so no comparison runs over a secret. */
    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
