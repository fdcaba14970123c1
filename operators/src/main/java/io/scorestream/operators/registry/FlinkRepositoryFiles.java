package io.scorestream.operators.registry;

import io.scorestream.model.RepositoryFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The files of a model repository read through Flink's {@link FileSystem}: {@code file://} out of
 * the box, and {@code s3://}, {@code gs://}, {@code hdfs://}, ... wherever the matching Flink
 * filesystem plugin is installed and configured, with the cluster's credentials.
 */
public final class FlinkRepositoryFiles implements RepositoryFiles {

    private final FileSystem fileSystem;
    private final Path root;

    /** The root URI as configured, without trailing slashes: messages name files under it. */
    private final String rootUri;

    private FlinkRepositoryFiles(FileSystem fileSystem, Path root, String rootUri) {
        this.fileSystem = fileSystem;
        this.root = root;
        this.rootUri = rootUri;
    }

    /**
     * The repository rooted at {@code root}.
     *
     * @throws org.apache.flink.core.fs.UnsupportedFileSystemSchemeException when no Flink
     *     filesystem serves the URI's scheme (its message says which plugin would)
     * @throws IOException when the filesystem cannot be created
     */
    public static FlinkRepositoryFiles at(URI root) throws IOException {
        Objects.requireNonNull(root, "root");
        Path rootPath = new Path(root);
        return new FlinkRepositoryFiles(
                rootPath.getFileSystem(), rootPath, root.toString().replaceAll("/+$", ""));
    }

    @Override
    public List<Entry> list(String path) throws IOException {
        FileStatus[] statuses;
        try {
            statuses = fileSystem.listStatus(resolve(path));
        } catch (FileNotFoundException e) {
            return List.of();
        }
        if (statuses == null) {
            return List.of(); // what Flink's local filesystem answers for a missing folder
        }
        List<Entry> entries = new ArrayList<>(statuses.length);
        for (FileStatus status : statuses) {
            entries.add(new Entry(status.getPath().getName(), status.isDir()));
        }
        return entries;
    }

    @Override
    public InputStream open(String path) throws IOException {
        return fileSystem.open(resolve(path));
    }

    @Override
    public boolean exists(String path) throws IOException {
        return fileSystem.exists(resolve(path));
    }

    @Override
    public String uri(String path) {
        return path.isEmpty() ? rootUri : rootUri + "/" + path;
    }

    private Path resolve(String path) {
        return path.isEmpty() ? root : new Path(root, path);
    }

    @Override
    public String toString() {
        return "FlinkRepositoryFiles[" + rootUri + "]";
    }
}
