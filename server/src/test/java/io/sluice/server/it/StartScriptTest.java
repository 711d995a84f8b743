package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/sluice start}'s build step, run against a stand-in {@code mvn} that writes what Maven
 * 3.8.7 writes in batch mode (colour resets despite {@code -Dstyle.color=never}) and then fails, so
 * the script stops before it would start a JVM.
 */
@Timeout(60)
class StartScriptTest {

    private static final Path SCRIPT = Path.of(System.getProperty("user.dir")).resolveSibling("bin").resolve("sluice");

    @Test
    void buildOutputReachesTheLogWithoutColourEscapesAndAFailedBuildStopsTheStart(@TempDir Path root) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(SCRIPT, bin.resolve("sluice"));
        Path config = Files.createDirectories(root.resolve("config"));
        Files.writeString(config.resolve("server.properties"), "node.id=1\n");
        Files.writeString(config.resolve("jvm-flags.properties"), "sluice.jvm.flags=\n");
        Path fakeBin = Files.createDirectories(root.resolve("fake-bin"));
        Path mvn = fakeBin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\nprintf '\\033[0m\\033[0m[ERROR] compile failed\\033[0m\\n' >&2\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder pb = new ProcessBuilder("bash", bin.resolve("sluice").toString(), "start").redirectErrorStream(true);
        pb.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(out).contains("[ERROR] compile failed").doesNotContain("\u001b");
        assertThat(p.exitValue()).as("Maven's failure is the script's, through the filter").isEqualTo(1);
    }
}
