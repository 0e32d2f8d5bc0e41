package io.mqproxy.console;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mqproxy.control.OperatorCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The operators' console sessions: an operator logs in once with the control plane's token and gets a
 * random session id (kept in an HTTP-only cookie by the page) and a CSRF token (kept by the page's
 * script, sent in a header with every change). Sessions live in this instance's memory, bounded in
 * number and expiring when idle and at a fixed age; a restart or a logout ends them.
 *
 * <p>Why server-side and not a signed cookie: a logout must end the session for good, and the admin
 * port is one instance's (localhost by default), so there is nothing to share. Ids are kept only as
 * digests, so a heap dump does not hand out sessions.
 */
public final class ConsoleSessions {
    /** The cookie that carries the session id. */
    public static final String COOKIE = "mqproxy_console";
    /** The header that carries the session's CSRF token on every change. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(12);
    /** More sessions than operators will ever open; past it the least recently used goes first. */
    static final int MAX_SESSIONS = 1_000;
    private static final int ID_BYTES = 32;

    /** A live session: who, the CSRF token its page must send, and when it ends at the latest. */
    public record Session(String operator, String csrfToken, long createdAt, long expiresAt) {
        /** Whether {@code presented} (a header, maybe null) is this session's CSRF token; constant time. */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                csrfToken.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A new session and the id its cookie carries (shown once, never kept). */
    public record Login(String sessionId, Session session) {
    }

    private final OperatorCredentials operators;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, Session> sessions;

    public ConsoleSessions(OperatorCredentials operators) {
        this(operators, System::currentTimeMillis);
    }

    /** @param clock the proxy's clock: a session's lifetime is held to it */
    public ConsoleSessions(OperatorCredentials operators, Clock clock) {
        this(operators, clock::millis);
    }

    ConsoleSessions(OperatorCredentials operators, LongSupplier clock) {
        this.operators = operators;
        this.clock = clock;
        this.sessions = Caffeine.newBuilder()
            .maximumSize(MAX_SESSIONS)
            .expireAfterAccess(IDLE)
            // Eviction work runs on the calling thread: no pool of Caffeine's own behind the proxy's back.
            .executor(Runnable::run)
            .build();
    }

    /** Opens a session for the operator whose control-plane token this is; empty when it is nobody's. */
    public Optional<Login> login(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return operators.authenticate("Bearer " + token.trim()).map(operator -> {
            String id = randomToken();
            long now = clock.getAsLong();
            Session session = new Session(operator, randomToken(), now, now + LIFETIME.toMillis());
            sessions.put(digest(id), session);
            return new Login(id, session);
        });
    }

    /** The live session with this id; empty when unknown, idle too long or past its lifetime. */
    public Optional<Session> session(String sessionId) {
        if (sessionId == null || sessionId.isEmpty() || sessionId.length() > 128) {
            return Optional.empty();
        }
        String key = digest(sessionId);
        Session s = sessions.getIfPresent(key);
        if (s != null && clock.getAsLong() >= s.expiresAt()) {
            sessions.invalidate(key);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    /** Ends the session with this id, if any. */
    public void logout(String sessionId) {
        if (sessionId != null && !sessionId.isEmpty() && sessionId.length() <= 128) {
            sessions.invalidate(digest(sessionId));
        }
    }

    /** Whether anyone can log in at all. */
    public boolean anyOperator() {
        return operators.any();
    }

    public static long idleSeconds() {
        return IDLE.toSeconds();
    }

    private String randomToken() {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String digest(String id) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
