package io.mqproxy.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqproxy.config.GroupRules;
import io.mqproxy.config.ProxyConfig;
import io.mqproxy.control.Actor;
import io.mqproxy.control.ControlService;
import io.mqproxy.control.DeadLetterSelection;
import io.mqproxy.control.OperatorCredentials;
import io.mqproxy.error.Errors;
import io.mqproxy.log.LogSafe;
import io.mqproxy.error.ProxyError;
import io.mqproxy.registry.ConsumerGroup;
import io.mqproxy.registry.GroupChange;
import io.mqproxy.registry.GroupOverrides;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The control plane, on the admin port only: every route under {@code /admin/} (and the original
 * MQ-Proxy's control routes under {@code /mq/}) needs an operator's bearer token. Answers are
 * envelopes whose HTTP code is the envelope's status, as operators' tools (curl -f, scripts) expect.
 */
final class AdminRoutes {
    private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
    static final String PREFIX = "/admin";
    private static final String ACTOR = "mqproxy.actor";
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Set<String> SETTINGS = Set.copyOf(GroupOverrides.SETTINGS);
    private static final Set<io.vertx.core.http.HttpMethod> READS = Set.of(io.vertx.core.http.HttpMethod.GET,
        io.vertx.core.http.HttpMethod.HEAD, io.vertx.core.http.HttpMethod.OPTIONS);

    private final ControlService control;
    private final OperatorCredentials operators;
    private final Responder responder;
    /** The operators' web console calls these routes with a session cookie instead of a token (issue 13). */
    private final ConsoleRoutes console;

    /** Failed logins per source address: too many within a window, and the address waits (429). */
    private final LoginThrottle logins;

    AdminRoutes(ControlService control, OperatorCredentials operators, Responder responder, ConsoleRoutes console,
                LoginThrottle logins) {
        this.control = control;
        this.operators = operators;
        this.responder = responder;
        this.console = console;
        this.logins = logins;
    }

    void mount(Router router) {
        router.route(PREFIX + "/*").handler(this::authenticate);
        router.get(PREFIX + "/groups").handler(ctx -> ok(ctx, control.groups().stream().map(this::summary).toList()));
        router.post(PREFIX + "/groups").handler(this::registerGroup);
        router.get(PREFIX + "/groups/:group").handler(ctx -> call(ctx, p -> done(control.group(group(ctx)))));
        router.patch(PREFIX + "/groups/:group").handler(this::changeGroup);
        router.delete(PREFIX + "/groups/:group").handler(ctx -> call(ctx, p -> control.unregisterGroup(actor(ctx),
            group(ctx)).thenApply(v -> Map.of("unregistered", group(ctx)))));
        router.post(PREFIX + "/groups/:group/pause").handler(ctx -> pause(ctx, true));
        router.post(PREFIX + "/groups/:group/resume").handler(ctx -> pause(ctx, false));
        router.post(PREFIX + "/groups/:group/reset").handler(this::reset);
        router.post(PREFIX + "/groups/:group/redeliver").handler(this::redeliver);
        router.get(PREFIX + "/groups/:group/queues").handler(ctx -> call(ctx, p -> control.queues(group(ctx),
            p.optional("clientId"))));
        router.get(PREFIX + "/groups/:group/clients").handler(ctx -> call(ctx, p -> control.clients(group(ctx))));
        router.get(PREFIX + "/groups/:group/dlq").handler(ctx -> call(ctx, p -> control.deadLetters(group(ctx),
            p.optional("clientId"), orDefault(p.integer("limit", 1, 1000), 100)).thenApply(AdminRoutes::letters)));
        router.post(PREFIX + "/groups/:group/dlq/redrive").handler(this::redrive);
        router.get(PREFIX + "/groups/:group/dlq/redrives/:id").handler(ctx -> call(ctx, p -> {
            known(p, Set.of());
            String id = ctx.pathParam("id");
            if (!REDRIVE_ID.matcher(id).matches()) {
                throw Errors.badParam("id", "must be the id a redrive answered (16 hex digits)");
            }
            return done(control.redriveProgress(group(ctx), id));
        }));
        router.post(PREFIX + "/groups/:group/release-held-queues").handler(this::releaseHeldQueues);
        router.get(PREFIX + "/producers").handler(ctx -> ok(ctx, control.producers()));
        router.post(PREFIX + "/producers").handler(ctx -> call(ctx, p -> {
            known(p, Set.of("name", "topic"));
            return control.registerProducer(actor(ctx), p.required("name"), p.required("topic"));
        }));
        router.put(PREFIX + "/producers/:producer/schema").handler(ctx -> call(ctx, p -> {
            known(p, Set.of("schema"));
            JsonNode schema = p.jsonValue("schema");
            if (schema == null || !schema.isObject()) {
                throw Errors.badParam("schema", "is required: a JSON Schema object (draft 2020-12); DELETE clears it");
            }
            return control.setProducerSchema(actor(ctx), ctx.pathParam("producer"), schema);
        }));
        router.delete(PREFIX + "/producers/:producer/schema").handler(ctx -> call(ctx, p ->
            control.setProducerSchema(actor(ctx), ctx.pathParam("producer"), null)));
        router.delete(PREFIX + "/producers/:producer").handler(ctx -> call(ctx, p -> control.unregisterProducer(
            actor(ctx), ctx.pathParam("producer")).thenApply(v -> Map.of("unregistered", ctx.pathParam("producer")))));
        router.post(PREFIX + "/topics").handler(ctx -> call(ctx, p -> {
            known(p, Set.of("name", "queues"));
            return control.createTopic(actor(ctx), p.required("name"), p.integer("queues", 1, 1024));
        }));
        router.get(PREFIX + "/instances").handler(ctx -> ok(ctx, control.instances()));
        router.get(PREFIX + "/messages").handler(this::messages);
        router.get(PREFIX + "/credentials").handler(ctx -> ok(ctx, control.credentials()));
        router.post(PREFIX + "/credentials").handler(ctx -> call(ctx, p -> {
            known(p, Set.of("id", "producers", "consumers", "expiresAt"));
            Long expiresAt = p.longValue("expiresAt", 0, MAX_EPOCH_MILLIS, "epoch milliseconds (0: never)");
            return control.issueCredential(actor(ctx), p.required("id"), names(p, "producers"), names(p, "consumers"),
                expiresAt == null ? 0 : expiresAt);
        }));
        router.delete(PREFIX + "/credentials/:id").handler(ctx -> call(ctx, p -> control.revokeCredential(actor(ctx),
            ctx.pathParam("id")).thenApply(v -> Map.of("revoked", ctx.pathParam("id")))));
        router.get(PREFIX + "/audit").handler(this::audit);
        new OriginalControlRoutes(control, this).mount(router);
        new AlertRoutes(control, this).mount(router);
        new PushRoutes(control, this).mount(router);
    }

    // ---- the door

    void authenticate(RoutingContext ctx) {
        String given = ctx.request().getHeader("X-Request-Id");
        String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ctx.response().putHeader("X-Request-Id", requestId);
        String address = ClientAddress.peer(ctx);
        long wait = logins.retryAfterSeconds(address);
        if (wait > 0) {
            tooManyFailures(ctx, responder, wait);
            return;
        }
        if (!operators.any()) {
            unauthorized(ctx, "no operator is configured, so the control plane is closed: add one with "
                + "admin.operators: [{name: <you>, tokenEnv: <VARIABLE_WITH_THE_TOKEN>}] and restart");
            return;
        }
        Optional<String> operator = operators.authenticate(ctx.request().getHeader("Authorization"));
        if (operator.isEmpty() && console != null) {
            ConsoleRoutes.Admission admission = console.admit(ctx);
            if (admission.refusal() != null) {
                // A session gone or a change without its CSRF token: no token was guessed, so it does not count
                // against the address (a page of another site must not lock the operator out); audited, bounded.
                logins.refused(address, ctx.request().method().name() + " " + bounded(ctx.request().path()) + ": "
                    + admission.refusal().getMessage());
                responder.fail(ctx, "admin", admission.refusal());
                return;
            }
            operator = Optional.ofNullable(admission.operator());
        }
        if (operator.isEmpty()) {
            try (var ignored = MDC.putCloseable("requestId", requestId)) {
                log.info("control call refused: no valid operator token ({} {})", ctx.request().method(),
                    LogSafe.of(ctx.request().path()));
            }
            String call = ctx.request().method().name() + " " + bounded(ctx.request().path());
            if (ctx.request().getHeader("Authorization") != null) {
                logins.failed(address, "not an operator's token (" + call + ")"); // a try: it counts
            } else {
                logins.refused(address, "no operator's token (" + call + ")");
            }
            unauthorized(ctx, "Authorization: an operator's token is required, as 'Authorization: Bearer <token>'");
            return;
        }
        Actor actor = new Actor(operator.get(), requestId);
        ctx.put(ACTOR, actor);
        if (!READS.contains(ctx.request().method())) {
            ctx.addEndHandler(ended -> auditIfRefused(ctx, actor, address));
        }
        ctx.next();
    }

    /** 429 with Retry-After: the address failed to log in too often within the throttle's window. */
    static void tooManyFailures(RoutingContext ctx, Responder responder, long retryAfterSeconds) {
        ctx.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
        responder.fail(ctx, "admin", new ProxyError(io.mqproxy.error.Status.RATE_LIMITED, "too many failed operator "
            + "logins from this address: retry after " + retryAfterSeconds + " s"));
    }

    /**
     * A change answered with a failure that the control service did not record itself (turned away by
     * validation, an unknown group, a malformed body): recorded here, with the reason, as the audit
     * promises for every change "whether it succeeded or not".
     */
    private void auditIfRefused(RoutingContext ctx, Actor actor, String address) {
        String failure = ctx.get(Responder.FAILURE);
        if (failure == null || actor.wasFailureAudited()) {
            return;
        }
        control.auditRefusal(actor, address, action(ctx), target(ctx), "refused: " + failure);
    }

    /** The audit's action of a call the edge records: its method and route, e.g. "POST /admin/producers". */
    private static String action(RoutingContext ctx) {
        String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? ctx.request().path()
            : ctx.currentRoute().getPath();
        return ctx.request().method().name() + " " + (route.length() > 200 ? route.substring(0, 200) : route);
    }

    /** The audit's target of a call the edge records: the path's group, producer or id, else the body's name. */
    private static String target(RoutingContext ctx) {
        for (String param : List.of("group", "producer", "id", "consumer")) {
            String value = ctx.pathParam(param);
            if (value != null) {
                return bounded(value);
            }
        }
        try {
            RequestParams p = RequestParams.of(ctx);
            for (String param : List.of("name", "consumer", "id")) {
                String value = p.optional(param);
                if (value != null) {
                    return bounded(value);
                }
            }
        } catch (RuntimeException unreadable) {
            // the body is what was refused: no target to name
        }
        return null;
    }

    private static String bounded(String value) {
        return value.length() > 200 ? value.substring(0, 200) + "..." : value;
    }

    private void unauthorized(RoutingContext ctx, String why) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"mq-proxy control plane\"");
        responder.fail(ctx, "admin", Errors.unauthenticated(why));
    }

    // ---- handlers

    /**
     * The audit log, a page at a time: {@code result} is the page's records (newest first) as before, and
     * {@code page} beside it says where the next page starts ({@code cursor}), how many messages this one
     * looked at, and how many records failed their MAC ({@code forged}; shown, flagged, with forged=true).
     */
    private void audit(RoutingContext ctx) {
        String route = ctx.currentRoute().getPath();
        CompletableFuture<io.mqproxy.control.AuditPage> work;
        try {
            RequestParams p = RequestParams.of(ctx);
            known(p, Set.of("target", "limit", "since", "until", "cursor", "forged"));
            long since = p.optional("since") == null ? 0 : range("since", p.optional("since"));
            long until = p.optional("until") == null ? Long.MAX_VALUE : range("until", p.optional("until"));
            if (until < since) {
                throw Errors.badParam("until", "must not be before since");
            }
            String cursor = p.optional("cursor");
            if (cursor != null && cursor.isBlank()) {
                throw Errors.badParam("cursor", "must not be empty: leave it out for the newest page");
            }
            work = control.audit(p.optional("target"), since, until, orDefault(p.integer("limit", 1, 1000), 100),
                cursor, p.bool("forged", false));
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        responder.answer(ctx, route, work, page -> {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("cursor", page.cursor());
            info.put("more", page.cursor() != null);
            info.put("scanned", page.scanned());
            info.put("forged", page.forged());
            info.put("unsigned", page.unsigned());
            return new Envelope(200, null, page.records(), info);
        });
    }

    private void registerGroup(RoutingContext ctx) {
        call(ctx, p -> {
            Set<String> allowed = new java.util.HashSet<>(SETTINGS);
            allowed.addAll(Set.of("name", "topic", "mode", "pop"));
            known(p, allowed);
            return control.registerGroup(actor(ctx), p.required("name"), p.required("topic"), mode(p), p.bool("pop"),
                groupChange(p));
        });
    }

    private void changeGroup(RoutingContext ctx) {
        call(ctx, p -> {
            for (String fixed : List.of("topic", "mode", "pop", "name")) {
                if (p.names().contains(fixed)) {
                    throw Errors.badParam(fixed, "is fixed when a group is registered: the broker cannot switch a "
                        + "group's mode while batches are out; register a new group instead");
                }
            }
            known(p, SETTINGS);
            return control.changeGroup(actor(ctx), group(ctx), groupChange(p)).thenApply(this::summary);
        });
    }

    private void pause(RoutingContext ctx, boolean paused) {
        call(ctx, p -> {
            known(p, Set.of());
            return control.changeGroup(actor(ctx), group(ctx), GroupChange.pause(paused)).thenApply(this::summary);
        });
    }

    private void reset(RoutingContext ctx) {
        call(ctx, p -> {
            known(p, Set.of("to", "clientId"));
            return control.reset(actor(ctx), group(ctx), p.optional("clientId"), timestamp("to", p.required("to")));
        });
    }

    private void redeliver(RoutingContext ctx) {
        call(ctx, p -> {
            known(p, Set.of("messageId", "clientId"));
            return control.redeliver(actor(ctx), group(ctx), p.optional("clientId"), p.required("messageId"))
                .thenApply(n -> Map.of("deliveredTo", n));
        });
    }

    /** A background redrive's id, as {@code RedriveJobs} makes them. */
    private static final Pattern REDRIVE_ID = Pattern.compile("[0-9a-f]{16}");
    /** The fastest a redrive may send (messages per second): beyond it, leave out the rate. */
    static final int MAX_REDRIVE_RATE = 100_000;
    /** Longest key or tag a selection names (RocketMQ keys and tags are short), and longest body text. */
    private static final int MAX_SELECTOR = 256;
    private static final int MAX_TEXT = 1_024;

    /**
     * Dead letters back into consumption: by id or all (at once, answered with the count), or by a
     * selection and/or at a rate (in the background: answered with the redrive's id and progress), or a
     * dry run of any of these (how many, and the first).
     */
    private void redrive(RoutingContext ctx) {
        call(ctx, p -> {
            known(p, Set.of("messageIds", "all", "clientId", "key", "tag", "since", "until", "text", "dryRun",
                "ratePerSecond"));
            boolean all = p.bool("all", false);
            List<String> ids = p.list("messageIds");
            if (ids != null && (ids.isEmpty() || ids.stream().anyMatch(String::isBlank))) {
                throw Errors.badParam("messageIds", "must name at least one message id, none blank");
            }
            String key = selector(p, "key", MAX_SELECTOR);
            String tag = selector(p, "tag", MAX_SELECTOR);
            String text = selector(p, "text", MAX_TEXT);
            Long since = p.optional("since") == null ? null : range("since", p.optional("since"));
            Long until = p.optional("until") == null ? null : range("until", p.optional("until"));
            if (since != null && until != null && until <= since) {
                throw Errors.badParam("until", "must be after since (" + since + "), got " + until);
            }
            DeadLetterSelection selection = new DeadLetterSelection(ids == null ? null : Set.copyOf(ids), key, tag,
                since, until, text);
            if ((all ? 1 : 0) + (ids != null ? 1 : 0) + (selection.byContent() ? 1 : 0) != 1) {
                throw Errors.badParam("messageIds", "give exactly one of: messageIds (a JSON array of ids), "
                    + "all=true, or a selection (key, tag, since, until, text: all given must match)");
            }
            Integer rate = p.integer("ratePerSecond", 1, MAX_REDRIVE_RATE);
            boolean dryRun = p.bool("dryRun", false);
            String clientId = p.optional("clientId");
            if (dryRun) {
                return control.previewRedrive(group(ctx), clientId, selection).thenApply(AdminRoutes::preview);
            }
            if (selection.byContent() || rate != null) {
                return control.startRedrive(actor(ctx), group(ctx), clientId, selection, rate);
            }
            return control.redrive(actor(ctx), group(ctx), clientId, ids)
                .thenApply(n -> Map.of("redriven", n));
        });
    }

    /** A key, tag or body text to select by: at most {@code max} characters, no control characters. */
    private static String selector(RequestParams p, String name, int max) {
        String value = p.optional(name);
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            throw Errors.badParam(name, "must be at most " + max + " characters, got " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw Errors.badParam(name, "must not contain control characters");
        }
        return value;
    }

    private static Map<String, Object> preview(ControlService.RedrivePreview preview) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", true);
        m.put("selected", preview.selected());
        m.put("scanned", preview.scanned());
        m.put("complete", preview.complete());
        m.put("first", letters(preview.first()));
        return m;
    }

    private void releaseHeldQueues(RoutingContext ctx) {
        call(ctx, p -> {
            known(p, Set.of("clientId", "broker", "queueId"));
            return control.releaseHeldQueues(actor(ctx), group(ctx), p.optional("clientId"), p.optional("broker"),
                p.integer("queueId", 0, 65_535)).thenApply(released -> Map.of("released", released));
        });
    }

    /** By {@code id}, by {@code key}, or by time ({@code since}, {@code until}, {@code tag}), in one route. */
    private void messages(RoutingContext ctx) {
        call(ctx, p -> {
            known(p, Set.of("topic", "id", "key", "since", "until", "tag", "pageSize", "cursor", "limit", "states",
                "clientId", "full"));
            boolean full = p.bool("full", false);
            String topic = p.optional("topic");
            String id = p.optional("id");
            if (id != null) {
                return control.message(topic, id, p.bool("states", false), p.optional("clientId"), full);
            }
            if (topic == null) {
                throw Errors.missing("topic");
            }
            long until = p.optional("until") == null ? System.currentTimeMillis() + 1_000
                : range("until", p.optional("until"));
            String key = p.optional("key");
            if (key != null) {
                long since = p.optional("since") == null ? 0 : range("since", p.optional("since"));
                return control.messagesByKey(topic, key, since, until, orDefault(p.integer("limit", 1, 1_000), 32),
                    full);
            }
            if (p.optional("since") == null) {
                throw Errors.badParam("since", "is required without id or key: messages stored since when "
                    + "(epoch ms or ISO-8601)");
            }
            return control.messagesByTime(topic, range("since", p.optional("since")), until, p.optional("tag"),
                orDefault(p.integer("pageSize", 1, 1_000), 20), p.optional("cursor"), full);
        });
    }

    /** A point in time for a range: epoch milliseconds or ISO-8601 (earliest and latest make no range). */
    private static long range(String param, String value) {
        long t = timestamp(param, value);
        if (t <= 0 && !value.trim().equals("0")) {
            throw Errors.badParam(param, "must be epoch milliseconds or an ISO-8601 time, got '" + value + "'");
        }
        return t;
    }

    // ---- shapes

    Map<String, Object> summary(ConsumerGroup g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("topic", g.topic());
        m.put("mode", g.mode().name().toLowerCase());
        m.put("pop", g.pop());
        m.put("paused", g.paused());
        m.put("rateLimit", g.rateLimit());
        m.put("maxPullSize", g.maxPullSize());
        m.put("consumeTimeoutSeconds", g.consumeTimeoutSeconds());
        m.put("minConsumeTimeoutSeconds", g.minConsumeTimeoutSeconds());
        m.put("maxConsumeTimeoutSeconds", g.maxConsumeTimeoutSeconds());
        m.put("consumeTimeoutCap", g.consumeTimeoutCap());
        m.put("pullTimeoutSeconds", g.pullTimeoutSeconds());
        m.put("maxRetries", g.maxRetries());
        if (g.broadcast()) {
            m.put("broadcastStart", g.broadcastStart().name().toLowerCase());
            m.put("clientTtlSeconds", g.clientTtlSeconds());
            m.put("maxClientIds", g.maxClientIds());
        }
        if (g.push() != null) {
            m.put("push", g.push()); // its secret is never serialized
        }
        m.put("filter", g.filter());
        m.put("registeredBy", g.runtime() ? "runtime" : "config");
        return m;
    }

    private static List<Map<String, Object>> letters(List<ControlService.DeadLetter> letters) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var letter : letters) {
            var m = letter.message();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("messageId", m.messageId());
            l.put("keys", m.keys());
            l.put("tags", m.tags());
            l.put("deliveryCount", m.reconsumeTimes() + 1);
            l.put("storeTimestamp", m.storeTimestamp());
            l.put("queueOffset", m.queueOffset());
            l.put("preview", m.preview(256));
            // Earlier rounds: redriven this often before, and dead-lettered once more than that.
            l.put("redrives", letter.history().redrives());
            if (letter.history().redriven()) {
                l.put("lastRedrive", Map.of("operator", String.valueOf(letter.history().lastBy()), "at",
                    letter.history().lastAt()));
            }
            // This dead letter itself, redriven since it was dead-lettered (from the audit): null when not.
            l.put("redriven", letter.redriven());
            out.add(l);
        }
        return out;
    }

    // ---- parameters

    static GroupChange groupChange(RequestParams p) {
        String start = p.optional("broadcastStart");
        ProxyConfig.StartPosition position = null;
        if (start != null) {
            try {
                position = ProxyConfig.StartPosition.valueOf(start.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw Errors.badParam("broadcastStart", "must be earliest or latest, got '" + start + "'");
            }
        }
        return GroupChange.NOTHING
            .and(p.integer("maxPullSize", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxPullSize)
            .and(p.integer("consumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::consumeTimeoutSeconds)
            .and(p.integer("minConsumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::minConsumeTimeoutSeconds)
            .and(p.integer("maxConsumeTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE),
                GroupChange::maxConsumeTimeoutSeconds)
            .and(p.integer("pullTimeoutSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::pullTimeoutSeconds)
            .and(p.integer("maxRetries", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxRetries)
            .and(position, GroupChange::broadcastStart)
            .and(p.integer("clientTtlSeconds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::clientTtlSeconds)
            .and(p.integer("maxClientIds", Integer.MIN_VALUE, Integer.MAX_VALUE), GroupChange::maxClientIds)
            .and(p.bool("paused"), GroupChange::pause)
            .and(p.integer("rateLimit", 0, GroupRules.MAX_RATE_LIMIT), GroupChange::rateLimit)
            .and(FilterParam.change(p));
    }

    private static ProxyConfig.ConsumeMode mode(RequestParams p) {
        String mode = p.optional("mode");
        if (mode == null) {
            return null;
        }
        try {
            return ProxyConfig.ConsumeMode.valueOf(mode.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw Errors.badParam("mode", "must be clustering or broadcast, got '" + mode + "'");
        }
    }

    /**
     * The latest time a parameter may name: the end of year 9999. Instants go far beyond what epoch milliseconds
     * hold ({@code +999999999-12-31T23:59:59Z} overflowed into a 500), and no message is stored that late.
     */
    static final long MAX_EPOCH_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    /** "earliest", "latest", epoch milliseconds, or an ISO-8601 instant, from 1970 to the end of year 9999. */
    static long timestamp(String param, String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("earliest")) {
            return 0;
        }
        if (v.equalsIgnoreCase("latest")) {
            return -1;
        }
        String shown = "'" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'";
        long ms;
        try {
            ms = Long.parseLong(v);
        } catch (NumberFormatException notNumber) {
            Instant instant;
            try {
                instant = Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw Errors.badParam(param, "must be earliest, latest, epoch milliseconds or an ISO-8601 time "
                    + "(2026-12-01T10:00:00Z), got " + shown);
            }
            ms = instant.isBefore(Instant.EPOCH) ? -1 : instant.isAfter(Instant.ofEpochMilli(MAX_EPOCH_MILLIS))
                ? MAX_EPOCH_MILLIS + 1 : instant.toEpochMilli();
        }
        if (ms < 0 || ms > MAX_EPOCH_MILLIS) {
            throw Errors.badParam(param, "must be earliest, latest, or a time from 1970-01-01T00:00:00Z to "
                + "9999-12-31T23:59:59.999Z (epoch milliseconds 0.." + MAX_EPOCH_MILLIS + " or ISO-8601), got " + shown);
        }
        return ms;
    }

    /** A list of names: a JSON array of strings, or (form, query) names separated by commas. */
    private static List<String> names(RequestParams p, String param) {
        List<String> names = p.list(param);
        return names == null ? List.of() : names;
    }

    /** Refuses a parameter the route does not know: a typo must not pass as "unchanged". */
    static void known(RequestParams p, Set<String> allowed) {
        for (String name : p.names()) {
            if (!allowed.contains(name)) {
                throw Errors.badParam(name, "unknown field; known: " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    static Actor actor(RoutingContext ctx) {
        return ctx.get(ACTOR);
    }

    private static String group(RoutingContext ctx) {
        return ctx.pathParam("group");
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** Parses the request, runs the call, answers its result (or the error) as an envelope. */
    void call(RoutingContext ctx, Function<RequestParams, ? extends CompletionStage<?>> call) {
        String route = ctx.currentRoute().getPath() == null ? "admin" : ctx.currentRoute().getPath();
        CompletionStage<?> work;
        try {
            work = call.apply(RequestParams.admin(ctx));
        } catch (ProxyError e) {
            responder.fail(ctx, route, e);
            return;
        }
        responder.answer(ctx, route, work.thenApply(result -> (Object) result), Envelope::ok);
    }

    void ok(RoutingContext ctx, Object result) {
        responder.write(ctx, ctx.currentRoute().getPath(), Envelope.ok(result), 200);
    }
}
