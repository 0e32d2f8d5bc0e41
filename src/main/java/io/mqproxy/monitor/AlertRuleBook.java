package io.mqproxy.monitor;

import io.mqproxy.config.ProxyConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The alert thresholds of every group, in four layers, the more specific over the more general and,
 * at the same level, the operator's run-time entry over the file: the file's {@code monitor.rules},
 * the run-time defaults, the file's {@code monitor.groupRules} entry, the run-time group entry. So an
 * operator who changes the defaults at run time does not undo a group the file singles out, and a
 * group changed at run time keeps its change whatever the defaults become. Reads are lock-free (one
 * immutable view, swapped whole).
 */
public final class AlertRuleBook {
    private final AlertThresholds fileDefaults;
    private final Map<String, AlertOverrides> fileGroups = new LinkedHashMap<>();
    private volatile Runtime runtime = new Runtime(AlertOverrides.NONE, Map.of());

    /** The operators' entries, as read from the broker side. */
    private record Runtime(AlertOverrides defaults, Map<String, AlertOverrides> groups) {
    }

    /**
     * A group's thresholds and, for each, the layer it comes from: {@code config}, {@code runtime}
     * (the defaults), {@code group config}, {@code group runtime}.
     */
    public record View(AlertThresholds rules, Map<String, String> sources) {
    }

    public AlertRuleBook(ProxyConfig.Monitor config) {
        this.fileDefaults = AlertThresholds.of(config.rules());
        config.groupRules().forEach(g -> fileGroups.put(g.group(), AlertOverrides.of(g)));
    }

    /** Applies the run-time entries in force now (all of them, not a delta). */
    public void applyRuntime(AlertOverrides defaults, Map<String, AlertOverrides> groups) {
        runtime = new Runtime(defaults == null ? AlertOverrides.NONE : defaults, Map.copyOf(groups));
    }

    public AlertThresholds forGroup(String group) {
        return view(group).rules();
    }

    /** The defaults every group starts from (file, then run-time), with their sources. */
    public View defaults() {
        return layered(List.of(new Layer("runtime", runtime.defaults())));
    }

    public View view(String group) {
        Runtime r = runtime;
        return layered(List.of(new Layer("runtime", r.defaults()),
            new Layer("group config", fileGroups.getOrDefault(group, AlertOverrides.NONE)),
            new Layer("group runtime", r.groups().getOrDefault(group, AlertOverrides.NONE))));
    }

    /** The operator's run-time entry for the group (or the defaults, for null), as set. */
    public AlertOverrides runtimeEntry(String group) {
        Runtime r = runtime;
        return group == null ? r.defaults() : r.groups().getOrDefault(group, AlertOverrides.NONE);
    }

    /** Groups that have an entry of their own, in the file or at run time, by name. */
    public Map<String, String> singledOut() {
        Map<String, String> out = new TreeMap<>();
        fileGroups.keySet().forEach(g -> out.put(g, "config"));
        runtime.groups().forEach((g, o) -> out.merge(g, "runtime", (a, b) -> "config, runtime"));
        return out;
    }

    private record Layer(String source, AlertOverrides overrides) {
    }

    private View layered(List<Layer> layers) {
        AlertThresholds t = fileDefaults;
        Map<String, String> sources = new LinkedHashMap<>();
        AlertOverrides.FIELDS.forEach(f -> sources.put(f, "config"));
        for (Layer layer : layers) {
            t = layer.overrides().applyTo(t);
            layer.overrides().asMap().keySet().forEach(f -> sources.put(f, layer.source()));
        }
        return new View(t, sources);
    }
}
