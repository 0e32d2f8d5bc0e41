package io.mqproxy.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** A file that holds a secret: readable and writable by the proxy's own user only, from its creation on. */
final class SecretFile {
    private SecretFile() {
    }

    static void write(Path file, String secret) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            // Created with owner-only permissions, so there is no moment when others could read it.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
