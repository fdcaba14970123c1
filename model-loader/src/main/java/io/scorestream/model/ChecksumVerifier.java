package io.scorestream.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Checks every file a manifest lists against its SHA-256, streaming each file, so that nothing
 * unverified is ever handed to an engine.
 */
public final class ChecksumVerifier {

    private static final int BUFFER_BYTES = 64 * 1024;

    private ChecksumVerifier() {}

    /**
     * Verifies all files of {@code location}'s manifest.
     *
     * @throws ModelIntegrityException on the first missing file or checksum mismatch
     */
    public static void verify(ModelLocation location) {
        ModelManifest manifest = location.manifest();
        for (Map.Entry<String, String> entry : manifest.files().entrySet()) {
            Path file = location.directory().resolve(entry.getKey());
            String expected = entry.getValue();
            if (!Files.isRegularFile(file)) {
                throw new ModelIntegrityException(
                        "model "
                                + manifest.displayName()
                                + ": missing file "
                                + file
                                + " listed in its manifest");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(expected)) {
                throw new ModelIntegrityException(
                        "model "
                                + manifest.displayName()
                                + ": checksum mismatch for "
                                + file
                                + ": expected sha256 "
                                + expected
                                + ", actual "
                                + actual);
            }
        }
    }

    /** Lower-case hex SHA-256 of a file's content, read in chunks. */
    static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelIntegrityException("cannot read " + file + " to checksum it: " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
