package io.scorestream.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scorestream.jobs.local.JobCheckpoints.Kind;
import io.scorestream.jobs.local.JobCheckpoints.RestorePoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which state a run resumes from, and what it keeps, in a job's checkpoint folder. */
class JobCheckpointsTest {

    private static final String RUN_A = "0123456789abcdef0123456789abcdef";
    private static final String RUN_B = "fedcba9876543210fedcba9876543210";
    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @TempDir Path root;

    @Test
    void aJobWithoutCompletedStateHasNothingToResume() throws IOException {
        JobCheckpoints job = JobCheckpoints.of(root, "scorestream");
        assertThat(job.newest()).isEmpty();

        // A checkpoint whose metadata was never written did not complete.
        Files.createDirectories(job.folder().resolve(RUN_A).resolve("chk-3"));
        assertThat(job.newest()).isEmpty();
    }

    @Test
    void theNewestCompletedCheckpointOrSavepointOfAnyRunIsWhereTheNextResumes() throws IOException {
        JobCheckpoints job = JobCheckpoints.of(root, "scorestream");
        completed(job.folder().resolve(RUN_A).resolve("chk-40"), T0);
        completed(
                job.folder().resolve("savepoints").resolve("savepoint-012345-aa"),
                T0.plusSeconds(5));
        completed(job.folder().resolve(RUN_B).resolve("chk-7"), T0.plusSeconds(9));

        RestorePoint newest = job.newest().orElseThrow();
        assertThat(newest.kind()).isEqualTo(Kind.CHECKPOINT);
        assertThat(newest.path()).isEqualTo(job.folder().resolve(RUN_B).resolve("chk-7"));
        assertThat(newest.describe()).startsWith("checkpoint 7 ").endsWith("2026-06-01T10:00:09Z");

        completed(
                job.folder().resolve("savepoints").resolve("savepoint-fedcba-bb"),
                T0.plusSeconds(20));
        assertThat(job.newest().orElseThrow().kind()).isEqualTo(Kind.SAVEPOINT);
    }

    @Test
    void jobsAreKeptApartByName() throws IOException {
        completed(JobCheckpoints.of(root, "other").folder().resolve(RUN_A).resolve("chk-1"), T0);

        assertThat(JobCheckpoints.of(root, "scorestream").newest()).isEmpty();
        assertThat(JobCheckpoints.of(root, "a/b c").folder().getFileName().toString())
                .isEqualTo("a_b_c");
    }

    @Test
    void checkpointsOfRunsWithoutAJobFolderAreFoundButNotTheJobs() throws IOException {
        completed(root.resolve(RUN_A).resolve("chk-12"), T0);

        assertThat(JobCheckpoints.of(root, "scorestream").newest()).isEmpty();
        assertThat(JobCheckpoints.newestOutsideJobFolders(root).orElseThrow().path())
                .isEqualTo(root.resolve(RUN_A).resolve("chk-12"));
    }

    @Test
    void settingAsideLeavesNothingToResumeAndKeepsTheState() throws IOException {
        JobCheckpoints job = JobCheckpoints.of(root, "scorestream");
        completed(job.folder().resolve(RUN_A).resolve("chk-40"), T0);

        Path aside = job.setAside(T0);

        assertThat(job.newest()).isEmpty();
        assertThat(aside.getFileName().toString())
                .isEqualTo("scorestream.replaced-20260601-100000");
        assertThat(aside.resolve(RUN_A).resolve("chk-40").resolve("_metadata")).exists();
    }

    @Test
    void pruningDropsEmptyRunsAndAllButTheNewestSavepoints() throws IOException {
        JobCheckpoints job = JobCheckpoints.of(root, "scorestream");
        Path emptyRun = Files.createDirectories(job.folder().resolve(RUN_A).resolve("shared"));
        completed(job.folder().resolve(RUN_B).resolve("chk-2"), T0);
        Path savepoints = job.folder().resolve("savepoints");
        for (int i = 0; i < 5; i++) {
            completed(savepoints.resolve("savepoint-" + i), T0.plusSeconds(i));
        }
        Path oldestButChosen = savepoints.resolve("savepoint-0");

        job.prune(Optional.of(oldestButChosen));

        assertThat(emptyRun.getParent()).doesNotExist();
        assertThat(job.folder().resolve(RUN_B).resolve("chk-2")).exists();
        assertThat(savepoints.resolve("savepoint-1")).doesNotExist();
        assertThat(oldestButChosen).exists();
        assertThat(savepoints.resolve("savepoint-2")).exists();
        assertThat(savepoints.resolve("savepoint-4")).exists();
    }

    @Test
    void onlyALocalFolderHoldsARunsCheckpoints() {
        assertThat(JobCheckpoints.localFolder("file:///tmp/ckpt")).isEqualTo(Path.of("/tmp/ckpt"));
        assertThat(JobCheckpoints.localFolder("/tmp/ckpt")).isEqualTo(Path.of("/tmp/ckpt"));
        assertThatThrownBy(() -> JobCheckpoints.localFolder("s3://bucket/ckpt"))
                .hasMessageContaining("local folder");
    }

    private static void completed(Path folder, Instant at) throws IOException {
        Path metadata = Files.createDirectories(folder).resolve("_metadata");
        Files.write(metadata, new byte[] {1});
        Files.setLastModifiedTime(metadata, FileTime.from(at));
    }
}
