package io.mqproxy.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The paths a router serves and the methods each takes, read from the router once its routes are
 * mounted: what a 405 lists in {@code Allow}, and the fixed set of route tags for metrics (a raw path
 * would let any client mint new meters).
 */
final class KnownRoutes {
    static final String UNMATCHED = "unmatched";
    private final Map<String, String> allowedByPath;

    private KnownRoutes(Map<String, String> allowedByPath) {
        this.allowedByPath = allowedByPath;
    }

    static KnownRoutes of(Router router) {
        Map<String, Set<String>> methods = new TreeMap<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
                methods.computeIfAbsent(route.getPath(), p -> new TreeSet<>())
                    .addAll(route.methods().stream().map(HttpMethod::name).toList());
            }
        }
        Map<String, String> allowed = new TreeMap<>();
        methods.forEach((path, names) -> allowed.put(path, String.join(", ", names)));
        return new KnownRoutes(Map.copyOf(allowed));
    }

    /** The metrics tag of a request's path: the path if served here, else "unmatched". */
    String tag(String path) {
        return path != null && allowedByPath.containsKey(path) ? path : UNMATCHED;
    }

    /** The methods a served path takes, for {@code Allow}: "GET, POST". */
    String allowed(String path) {
        return allowedByPath.getOrDefault(path, "");
    }
}
