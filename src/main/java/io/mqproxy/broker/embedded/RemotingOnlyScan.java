package io.mqproxy.broker.embedded;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;
import org.reflections.vfs.Vfs;

/**
 * RocketMQ's broker, while it initializes, finds its request header classes by scanning with Reflections
 * every class in the classpath root that holds their package ({@code RequestHeaderRegistry.initialize}).
 * From RocketMQ's own jars that root is {@code rocketmq-remoting} (365 classes); from the proxy's single
 * jar it is the whole jar (about 35,000 classes, parsed one by one): 2-3 s of a quiet start, 20 s of a
 * loaded one. During {@link #during} a scan sees only what {@code rocketmq-remoting} holds, so the broker
 * finds the same headers as from RocketMQ's jars.
 */
final class RemotingOnlyScan implements Vfs.UrlType {
    /** What the {@code rocketmq-remoting} jar holds. */
    private static final String SCANNED = "org/apache/rocketmq/remoting/";
    /** Reflections' URL types are JVM-wide: one broker initialization at a time changes them. */
    private static final Object TYPES = new Object();

    private final List<Vfs.UrlType> usual;

    private RemotingOnlyScan(List<Vfs.UrlType> usual) {
        this.usual = usual;
    }

    static <T> T during(Callable<T> step) throws Exception {
        synchronized (TYPES) {
            List<Vfs.UrlType> usual = new ArrayList<>(Vfs.getDefaultUrlTypes());
            List<Vfs.UrlType> narrowed = new ArrayList<>(usual);
            narrowed.add(0, new RemotingOnlyScan(usual));
            Vfs.setDefaultURLTypes(narrowed);
            try {
                return step.call();
            } finally {
                Vfs.setDefaultURLTypes(usual);
            }
        }
    }

    @Override
    public boolean matches(URL url) {
        return true;
    }

    @Override
    public Vfs.Dir createDir(URL url) {
        Vfs.Dir all = Vfs.fromURL(url, usual);
        return new Vfs.Dir() {
            @Override
            public String getPath() {
                return all.getPath();
            }

            @Override
            public Iterable<Vfs.File> getFiles() {
                return () -> StreamSupport.stream(all.getFiles().spliterator(), false)
                    .filter(f -> f.getRelativePath().startsWith(SCANNED)).iterator();
            }

            @Override
            public void close() {
                all.close();
            }
        };
    }
}
