package io.mqproxy.http;

import io.mqproxy.config.ProxyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * TLS on a listener, from a PEM certificate chain and key ({@code http.tls}). The files are checked
 * before any port is bound, so a wrong file stops start-up naming its key instead of failing each
 * handshake later.
 */
final class ListenerTls {
    static final ListenerTls OFF = new ListenerTls(new ProxyConfig.ListenerTls(false, "", ""));

    private final ProxyConfig.ListenerTls config;

    ListenerTls(ProxyConfig.ListenerTls config) {
        this.config = config;
    }

    boolean enabled() {
        return config.enabled();
    }

    /** Reads and parses both files (blocking: call at start-up, not on an event loop). */
    void check(Vertx vertx) {
        if (!config.enabled()) {
            return;
        }
        expectPem("http.tls.certFile", config.certFile(), "CERTIFICATE-----");
        expectPem("http.tls.keyFile", config.keyFile(), "PRIVATE KEY-----");
        String problem;
        try {
            problem = keyMatchesCertificate(keyCert().getKeyManagerFactory(vertx));
        } catch (Exception e) {
            problem = "not a usable certificate and key: " + e.getMessage();
        }
        if (problem != null) {
            throw new IllegalStateException("http.tls.certFile / http.tls.keyFile (" + config.certFile() + ", "
                + config.keyFile() + "): " + problem);
        }
    }

    /**
     * Vert.x takes a key that belongs to another certificate and every handshake fails later: sign with
     * the key, verify with the certificate's public key.
     */
    private static String keyMatchesCertificate(KeyManagerFactory factory) throws Exception {
        for (KeyManager manager : factory.getKeyManagers()) {
            if (!(manager instanceof X509KeyManager x509)) {
                continue;
            }
            for (String type : new String[] {"RSA", "EC", "RSASSA-PSS"}) {
                String[] aliases = x509.getServerAliases(type, null);
                if (aliases == null) {
                    continue;
                }
                for (String alias : aliases) {
                    PrivateKey key = x509.getPrivateKey(alias);
                    X509Certificate[] chain = x509.getCertificateChain(alias);
                    if (key == null || chain == null || chain.length == 0) {
                        continue;
                    }
                    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
                    byte[] probe = "mq-proxy key check".getBytes(StandardCharsets.US_ASCII);
                    Signature signer = Signature.getInstance(algorithm);
                    signer.initSign(key);
                    signer.update(probe);
                    byte[] signed = signer.sign();
                    Signature verifier = Signature.getInstance(algorithm);
                    verifier.initVerify(chain[0].getPublicKey());
                    verifier.update(probe);
                    return verifier.verify(signed) ? null : "the key does not belong to the certificate";
                }
            }
        }
        return "no RSA or EC key and certificate found";
    }

    HttpServerOptions applyTo(HttpServerOptions options) {
        if (!config.enabled()) {
            return options;
        }
        // HTTP/1.x only, as without TLS: no ALPN offer of h2.
        return options.setSsl(true).setKeyCertOptions(keyCert()).setUseAlpn(false);
    }

    private PemKeyCertOptions keyCert() {
        return new PemKeyCertOptions().setCertPath(config.certFile()).setKeyPath(config.keyFile());
    }

    private static void expectPem(String key, String file, String marker) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(key + ": " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (!text.contains(marker)) {
            throw new IllegalStateException(key + ": " + file + " is not PEM with a -----BEGIN ..." + marker
                + " block");
        }
    }
}
