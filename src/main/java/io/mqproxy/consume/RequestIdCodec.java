package io.mqproxy.consume;

import io.mqproxy.broker.ReceiptHandle;
import io.mqproxy.error.Errors;
import io.mqproxy.error.ProxyError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes a {@link BatchReceipt} as a requestId: compact binary, signed with HMAC-SHA256 (a key all
 * proxy instances share), base64url without padding so it pastes into URLs as it is.
 *
 * <p>Handles from one pop of one queue differ only in their queue offset, so they are grouped by
 * the rest and each offset is stored as a varint delta: 128 messages fit in well under 1 KiB.
 */
public final class RequestIdCodec {
    /** Signed with the one key there was: verified against the current key, then the previous. */
    private static final byte VERSION_1 = 1;
    /** Carries the id of the key that signed it, so a key can be rotated. */
    private static final byte VERSION = 2;
    private static final int MAC_BYTES = 16;
    private static final int MAX_HANDLES = 1024;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Key current;
    private final Key previous;
    /** A signing key and its id: the first byte of its SHA-256, the same on every instance. */
    private static final class Key {
        final byte id;
        /**
         * One keyed Mac per thread: {@code Mac.getInstance} + {@code init} cost more than signing a
         * batch's requestId itself, and a Mac is not thread-safe. {@code doFinal} resets it for reuse.
         * The threads are the proxy's event loops and the broker client's callback pool: a bounded set.
         */
        final ThreadLocal<Mac> macs;

        Key(byte[] secret) {
            if (secret.length < 16) {
                throw new IllegalArgumentException("requestId secret must be at least 16 bytes");
            }
            SecretKeySpec spec = new SecretKeySpec(secret, "HmacSHA256");
            try {
                id = MessageDigest.getInstance("SHA-256").digest(secret)[0];
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 unavailable", e);
            }
            macs = ThreadLocal.withInitial(() -> newMac(spec));
            newMac(spec); // fails now, not on the first request, if HmacSHA256 is missing
        }

        /** The HMAC of {@code data[0..length)}. */
        byte[] mac(byte[] data, int length) {
            Mac mac = macs.get();
            mac.update(data, 0, length);
            return mac.doFinal();
        }
    }

    public RequestIdCodec(byte[] secret) {
        this(secret, null);
    }

    /**
     * @param previous the key before the last rotation, or null: requestIds it signed are still
     *                 accepted, so batches out during a rotation can still be acked
     */
    public RequestIdCodec(byte[] secret, byte[] previous) {
        this.current = new Key(secret);
        this.previous = previous == null || previous.length == 0 ? null : new Key(previous);
    }

    public String encode(BatchReceipt receipt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(VERSION);
        out.write(current.id);
        writeString(out, receipt.consumer());
        writeString(out, receipt.topic());
        writeString(out, receipt.clientId() == null ? "" : receipt.clientId());
        Map<ReceiptHandle, List<Long>> byPop = new LinkedHashMap<>();
        for (ReceiptHandle h : receipt.handles()) {
            byPop.computeIfAbsent(new ReceiptHandle(h.ckQueueOffset(), h.popTime(), h.invisibleTime(), h.reviveQid(),
                h.retry(), h.brokerName(), h.queueId(), 0), k -> new ArrayList<>()).add(h.queueOffset());
        }
        writeVarLong(out, byPop.size());
        byPop.forEach((h, offsets) -> {
            writeVarLong(out, h.ckQueueOffset());
            writeVarLong(out, h.popTime());
            writeVarLong(out, h.invisibleTime());
            writeVarLong(out, h.reviveQid());
            writeString(out, h.retry());
            writeString(out, h.brokerName());
            writeVarLong(out, h.queueId());
            writeVarLong(out, offsets.size());
            long previous = h.ckQueueOffset();
            for (long offset : offsets) {
                writeVarLong(out, zigzag(offset - previous));
                previous = offset;
            }
        });
        byte[] payload = out.toByteArray();
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(current.mac(payload, payload.length), 0, token, payload.length, MAC_BYTES);
        return B64.encodeToString(token);
    }

    /** @throws ProxyError 400 naming {@code requestId} when it is not one this proxy (or a peer) signed */
    public BatchReceipt decode(String requestId) {
        byte[] token;
        try {
            token = B64D.decode(requestId);
        } catch (IllegalArgumentException e) {
            throw invalid("not base64url text");
        }
        // The decoder ignores a last character's unused bits and accepts padding: only the exact text issued is valid.
        if (!B64.encodeToString(token).equals(requestId)) {
            throw invalid("not the text that was issued");
        }
        if (token.length <= MAC_BYTES + 1) {
            throw invalid("too short");
        }
        int payloadLength = token.length - MAC_BYTES;
        byte[] signature = Arrays.copyOfRange(token, payloadLength, token.length);
        if (!signedByAKeyOfOurs(token, payloadLength, signature)) {
            throw invalid("signature does not match: it was altered, truncated or not issued by this proxy");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(token, 0, payloadLength);
            byte version = in.get();
            if (version == VERSION) {
                in.get(); // the key id, already used to verify
            } else if (version != VERSION_1) {
                throw invalid("unknown version");
            }
            String consumer = readString(in);
            String topic = readString(in);
            String clientId = readString(in);
            long groups = readVarLong(in);
            List<ReceiptHandle> handles = new ArrayList<>();
            for (long g = 0; g < groups; g++) {
                long ck = readVarLong(in);
                long popTime = readVarLong(in);
                long invisible = readVarLong(in);
                int reviveQid = (int) readVarLong(in);
                String retry = readString(in);
                String broker = readString(in);
                int queueId = (int) readVarLong(in);
                long count = readVarLong(in);
                if (handles.size() + count > MAX_HANDLES) {
                    throw invalid("too many messages");
                }
                long offset = ck;
                for (long i = 0; i < count; i++) {
                    offset += unzigzag(readVarLong(in));
                    handles.add(new ReceiptHandle(ck, popTime, invisible, reviveQid, retry, broker, queueId, offset));
                }
            }
            if (in.hasRemaining()) {
                throw invalid("trailing bytes");
            }
            return new BatchReceipt(consumer, topic, clientId.isEmpty() ? null : clientId, List.copyOf(handles));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw invalid("malformed");
        }
    }

    private static ProxyError invalid(String why) {
        return Errors.badParam("requestId", "invalid (" + why + "); pass the requestId of the previous response "
            + "unchanged, or an empty one on the first poll");
    }

    /** Checks the signature with the key the token names (version 2), or with each key (version 1). */
    private boolean signedByAKeyOfOurs(byte[] token, int payloadLength, byte[] signature) {
        boolean named = token[0] == VERSION && token.length > MAC_BYTES + 2;
        for (Key key : previous == null ? new Key[] {current} : new Key[] {current, previous}) {
            if (named && token[1] != key.id) {
                continue;
            }
            if (MessageDigest.isEqual(Arrays.copyOf(key.mac(token, payloadLength), MAC_BYTES), signature)) {
                return true;
            }
        }
        return false;
    }

    private static Mac newMac(SecretKeySpec spec) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(spec);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static long zigzag(long n) {
        return (n << 1) ^ (n >> 63);
    }

    private static long unzigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }

    private static void writeVarLong(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readVarLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        writeVarLong(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static String readString(ByteBuffer in) {
        long length = readVarLong(in);
        if (length > in.remaining()) {
            throw new IllegalArgumentException("string past the end");
        }
        byte[] bytes = new byte[(int) length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
