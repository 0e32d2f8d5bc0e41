package io.mqproxy.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports free right now, picked below the OS's ephemeral range (where outgoing connections would
 * take them between the check and the bind). A broker port also needs port-2 and port+1 free.
 */
public final class FreePorts {
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;

    private FreePorts() {
    }

    public static int any() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (free(port)) {
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

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
