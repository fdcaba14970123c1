package io.scorestream.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Read access to the files of a model repository wherever it is stored (a Flink filesystem, an
 * object store, a test double), so that {@link CachingModelRepository} needs nothing but these
 * three calls. Paths are relative to the repository root, {@code /}-separated, {@code ""} for the
 * root itself.
 */
public interface RepositoryFiles {

    /** One entry of a folder listing. */
    record Entry(String name, boolean directory) {}

    /**
     * The entries directly inside the folder at {@code path}; empty when there is no such folder.
     *
     * @throws IOException when the store cannot be read
     */
    List<Entry> list(String path) throws IOException;

    /**
     * Opens the file at {@code path} for reading.
     *
     * @throws java.io.FileNotFoundException or {@link java.nio.file.NoSuchFileException} when it
     *     does not exist
     * @throws IOException when the store cannot be read
     */
    InputStream open(String path) throws IOException;

    /**
     * Whether a file or folder exists at {@code path}.
     *
     * @throws IOException when the store cannot be read
     */
    boolean exists(String path) throws IOException;

    /** The full URI of {@code path}, for messages and logs. */
    String uri(String path);
}
