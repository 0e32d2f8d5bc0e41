package io.mqproxy.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets set at run time (data credentials, webhook secrets of push subscriptions) before they
 * are kept broker-side (where whoever reads the name servers' KV store, its file or the broker's log
 * could read them): AES-GCM with a key derived from the requestId secret,
 * which every instance already shares. After a rotation of that secret the previous key still opens
 * what it sealed.
 */
public final class SecretSeal {
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec current;
    private final List<SecretKeySpec> keys = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /** @param previous the requestId secret before a rotation, or null */
    public SecretSeal(byte[] requestIdSecret, byte[] previous) {
        current = derive(requestIdSecret);
        keys.add(current);
        if (previous != null && previous.length > 0) {
            keys.add(derive(previous));
        }
    }

    public String seal(String secret) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** @throws IllegalArgumentException when no key of this proxy sealed it (or it was altered) */
    public String open(String sealed) {
        byte[] all = Base64.getUrlDecoder().decode(sealed);
        if (all.length <= IV_BYTES) {
            throw new IllegalArgumentException("not a sealed secret");
        }
        byte[] iv = Arrays.copyOf(all, IV_BYTES);
        for (SecretKeySpec key : keys) {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
                return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
            } catch (GeneralSecurityException notThisKey) {
                // try the next key
            }
        }
        throw new IllegalArgumentException("sealed with a key this proxy does not have");
    }

    private static SecretKeySpec derive(byte[] secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("mq-proxy credential seal\n".getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(sha.digest(secret), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
