package io.mqproxy.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports free right now, picked below the OS's ephemeral range (where outgoing connections would
 * take them between the check and the bind). A broker port also needs port-2 and port+1 free.
 */
public final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    /**
     * Ports handed out lately: a proxy's ports are picked one after the other and bound only later, so a
     * port still free when picked again would be given to two listeners of the same proxy (seen once:
     * "admin.port ... is already used by http.consumePort"). Bounded: old ones are long bound or let go.
     */
    private static final int RECENT = 256;
    private static final Set<Integer> recent = new LinkedHashSet<>();

    private FreePorts() {
    }

    public static int any() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (free(port) && handOut(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + LOW + ".." + HIGH);
    }

    public static int forBroker() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = any();
            if (free(port - 2) && free(port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port triple for a broker");
    }

    private static synchronized boolean handOut(int port) {
        if (!recent.add(port)) {
            return false;
        }
        if (recent.size() > RECENT) {
            Iterator<Integer> oldest = recent.iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
