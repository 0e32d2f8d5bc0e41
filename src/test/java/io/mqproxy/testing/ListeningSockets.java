package io.mqproxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets this process listens on, as the kernel lists them: {@code /proc/self/net/tcp} and
 * {@code tcp6} (state 0A, LISTEN) hold every listener of the network namespace, and those whose inode is
 * one of this process's file descriptors ({@code /proc/self/fd/* -> socket:[inode]}) are this process's.
 * Linux only.
 */
public final class ListeningSockets {
    private static final String LISTEN = "0A";

    /** A listening socket: the address it is bound to (0.0.0.0 or :: for every interface) and its port. */
    public record Listener(InetAddress address, int port) {
        public boolean anyInterface() {
            return address.isAnyLocalAddress();
        }

        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
        }
    }

    private ListeningSockets() {
    }

    public static Set<Listener> ofThisProcess() {
        try {
            Set<String> inodes = socketInodes();
            Set<Listener> listeners = new LinkedHashSet<>();
            listeners.addAll(parse(Path.of("/proc/self/net/tcp"), inodes));
            listeners.addAll(parse(Path.of("/proc/self/net/tcp6"), inodes));
            return listeners;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's sockets from /proc: " + e.getMessage(), e);
        }
    }

    private static Set<String> socketInodes() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while listing: not a listener of ours any more
                }
            }
        }
        return inodes;
    }

    /** Lines: {@code sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...}. */
    private static List<Listener> parse(Path table, Set<String> inodes) throws IOException {
        if (!Files.exists(table)) {
            return List.of();
        }
        return Files.readAllLines(table).stream().skip(1)
            .map(line -> line.trim().split("\\s+"))
            .filter(f -> f.length > 9 && LISTEN.equals(f[3]) && inodes.contains(f[9]))
            .map(f -> listener(f[1]))
            .toList();
    }

    /** {@code 0100007F:2F59}: the address as the kernel's 32-bit words in host (little-endian) order. */
    private static Listener listener(String local) {
        String[] parts = local.split(":");
        String hex = parts[0];
        byte[] address = new byte[hex.length() / 2];
        for (int word = 0; word < address.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = (word * 4 + (3 - b)) * 2;
                address[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return new Listener(InetAddress.getByAddress(address), Integer.parseInt(parts[1], 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad address in /proc/net/tcp: " + local, e);
        }
    }
}
