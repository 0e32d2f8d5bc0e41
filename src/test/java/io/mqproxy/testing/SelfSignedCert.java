package io.mqproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for localhost and 127.0.0.1 (RSA 2048, PEM, key unencrypted PKCS#8), made
 * by the machine's openssl, as an operator would make one. A test that needs it fails, naming the tool,
 * when openssl is missing.
 */
public record SelfSignedCert(Path certFile, Path keyFile) {

    public static SelfSignedCert create(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            Path cert = dir.resolve(name + "-cert.pem");
            Path key = dir.resolve(name + "-key.pem");
            Process p;
            try {
                p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve(name + "-openssl.out").toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("openssl is needed to make the test certificate and could not be run"
                    + " (apt-get install openssl): " + e.getMessage(), e);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + Files.readString(dir.resolve(name + "-openssl.out")));
            }
            return new SelfSignedCert(cert, key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts this certificate and nothing else. */
    public SSLContext trustingIt() {
        try (InputStream in = Files.newInputStream(certFile)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("proxy", c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust " + certFile + ": " + e.getMessage(), e);
        }
    }
}
