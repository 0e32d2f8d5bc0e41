package io.mqproxy.config;

/** A configuration that cannot run; the message names the key and the rule. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
