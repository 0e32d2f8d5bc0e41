package io.mqproxy.testing;

import java.io.IOException;
import java.net.ServerSocket;

/** Ports free right now; a broker port also needs port-2 and port+1 free. */
public final class FreePorts {
    private FreePorts() {
    }

    public static int any() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int forBroker() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = any();
            if (port > 1026 && port < 65534 && free(port - 2) && free(port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port triple for a broker");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
