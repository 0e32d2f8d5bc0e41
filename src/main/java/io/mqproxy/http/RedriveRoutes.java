package io.mqproxy.http;

import static io.mqproxy.http.AdminCalls.PREFIX;
import static io.mqproxy.http.AdminCalls.actor;
import static io.mqproxy.http.AdminCalls.done;
import static io.mqproxy.http.AdminCalls.group;
import static io.mqproxy.http.AdminCalls.known;
import static io.mqproxy.http.AdminCalls.orDefault;
import static io.mqproxy.http.AdminCalls.range;

import io.mqproxy.control.DeadLetterSelection;
import io.mqproxy.control.RedriveCommands;
import io.mqproxy.error.Errors;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A group's dead letters on the admin port ({@link RedriveCommands}): listed, redriven, and a redrive's progress. */
final class RedriveRoutes {
    private final RedriveCommands control;
    private final AdminCalls calls;

    RedriveRoutes(RedriveCommands control, AdminCalls calls) {
        this.control = control;
        this.calls = calls;
    }

    void mount(Router router) {
        router.get(PREFIX + "/groups/:group/dlq").handler(ctx -> calls.call(ctx, p -> control.deadLetters(group(ctx),
            p.optional("clientId"), orDefault(p.integer("limit", 1, 1000), 100)).thenApply(RedriveRoutes::letters)));
        router.post(PREFIX + "/groups/:group/dlq/redrive").handler(this::redrive);
        router.get(PREFIX + "/groups/:group/dlq/redrives/:id").handler(ctx -> calls.call(ctx, p -> {
            known(p, Set.of());
            String id = ctx.pathParam("id");
            if (!REDRIVE_ID.matcher(id).matches()) {
                throw Errors.badParam("id", "must be the id a redrive answered (16 hex digits)");
            }
            return done(control.redriveProgress(group(ctx), id));
        }));
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
        calls.call(ctx, p -> {
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
                return control.previewRedrive(group(ctx), clientId, selection).thenApply(RedriveRoutes::preview);
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

    private static Map<String, Object> preview(RedriveCommands.RedrivePreview preview) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", true);
        m.put("selected", preview.selected());
        m.put("scanned", preview.scanned());
        m.put("complete", preview.complete());
        m.put("first", letters(preview.first()));
        return m;
    }

    private static List<Map<String, Object>> letters(List<RedriveCommands.DeadLetter> letters) {
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
}
