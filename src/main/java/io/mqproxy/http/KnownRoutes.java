package io.mqproxy.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The paths a router serves and the methods each takes, read from the router once its routes are
 * mounted: what a 405 lists in {@code Allow}, and the fixed set of route tags for metrics (a raw path
 * would let any client mint new meters). A path with parameters ({@code /admin/groups/:group}) matches
 * every request path of its shape, and its pattern is the tag.
 */
final class KnownRoutes {
    static final String UNMATCHED = "unmatched";

    /** A served path (or pattern) and the methods it takes. */
    private record Served(String path, Pattern shape, Set<String> methods) {
    }

    private final List<Served> served;

    private KnownRoutes(List<Served> served) {
        this.served = served;
    }

    static KnownRoutes of(Router router) {
        Map<String, Set<String>> methods = new TreeMap<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
                methods.computeIfAbsent(route.getPath(), p -> new TreeSet<>())
                    .addAll(route.methods().stream().map(HttpMethod::name).toList());
            }
        }
        List<Served> served = new ArrayList<>();
        methods.forEach((path, names) -> served.add(new Served(path, shape(path), Set.copyOf(names))));
        return new KnownRoutes(List.copyOf(served));
    }

    /** A path's shape: each {@code :name} segment stands for one non-empty segment, the rest is literal. */
    private static Pattern shape(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/", -1)) {
            segments.add(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
        }
        return Pattern.compile(String.join("/", segments));
    }

    /** The metrics tag of a request's path: the served path or pattern it matches, else "unmatched". */
    String tag(String path) {
        if (path != null) {
            for (Served s : served) {
                if (s.path().equals(path)) {
                    return s.path();
                }
            }
            for (Served s : served) {
                if (s.shape().matcher(path).matches()) {
                    return s.path();
                }
            }
        }
        return UNMATCHED;
    }

    /**
     * The methods a served path takes, for {@code Allow}: "GET, POST". A request path that matches several
     * served shapes takes the methods of all (the router serves whichever matches the method).
     */
    String allowed(String path) {
        Set<String> methods = new TreeSet<>();
        if (path != null) {
            for (Served s : served) {
                if (s.path().equals(path) || s.shape().matcher(path).matches()) {
                    methods.addAll(s.methods());
                }
            }
        }
        return String.join(", ", methods);
    }
}
