package io.mqproxy.broker.embedded;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.rocketmq.auth.authentication.exception.AuthenticationException;
import org.apache.rocketmq.auth.authentication.model.User;
import org.apache.rocketmq.auth.config.AuthConfig;

/**
 * The embedded broker's users (ACL 2.0), kept in memory: at each start RocketMQ creates the proxy's own
 * user in it from {@code AuthConfig.initAuthenticationUser}, the keys the proxy keeps in its owner-only file.
 *
 * <p>RocketMQ's {@code LocalAuthenticationMetadataProvider} would keep users in a RocksDB under the store,
 * the secret in clear in files the process's umask makes readable by others, a second copy beside the
 * owner-only key file; it would also open a RocksDB at every start. Users an operator adds with
 * {@code mqadmin} last until the broker stops: the embedded broker is the proxy's own, its one user the proxy.
 */
public final class MemoryAuthenticationMetadataProvider
    implements org.apache.rocketmq.auth.authentication.provider.AuthenticationMetadataProvider {
    private final Map<String, User> users = new ConcurrentHashMap<>();

    /** Public and without arguments: RocketMQ instantiates it by name. */
    public MemoryAuthenticationMetadataProvider() {
    }

    @Override
    public void initialize(AuthConfig authConfig, Supplier<?> metadataService) {
        // nothing to open
    }

    @Override
    public void shutdown() {
        users.clear();
    }

    @Override
    public CompletableFuture<Void> createUser(User user) {
        if (users.putIfAbsent(user.getUsername(), user) != null) {
            return CompletableFuture.failedFuture(new AuthenticationException("The user is existed"));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deleteUser(String username) {
        users.remove(username);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> updateUser(User user) {
        users.put(user.getUsername(), user);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<User> getUser(String username) {
        return CompletableFuture.completedFuture(users.get(username));
    }

    @Override
    public CompletableFuture<List<User>> listUser(String filter) {
        return CompletableFuture.completedFuture(users.values().stream()
            .filter(u -> filter == null || filter.isBlank() || u.getUsername().contains(filter))
            .toList());
    }
}
