package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** kcat and Kafka's CLI tools (a child JVM on the test classpath) as a user runs them. */
public final class Tools {
    private Tools() { }

    /** What a finished command printed (stdout and stderr) and its exit code. */
    record Result(int exitCode, String output) { }

    static boolean kcatAvailable() {
        try {
            return new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs kcat against {@code bootstrap}; {@code stdin} may be null. */
    static Result kcat(String bootstrap, String stdin, String... args) throws Exception {
        return kcat(Map.of(), bootstrap, stdin, args);
    }

    /** Runs kcat with extra environment (e.g. LD_LIBRARY_PATH for another librdkafka build). */
    static Result kcat(Map<String, String> env, String bootstrap, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        cmd.addAll(List.of(args));
        return run(cmd, env, stdin);
    }

    /** Runs a Kafka tool's main class (e.g. org.apache.kafka.tools.FeatureCommand) in a child JVM. */
    static Result kafkaTool(String mainClass, String... args) throws Exception {
        return run(javaCommand(mainClass, args), Map.of(), null);
    }

    /** The command line of a small child JVM running {@code mainClass} on the test classpath. */
    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Output goes to a file, so a command that hangs fails the wait instead of blocking a read. */
    private static Result run(List<String> cmd, Map<String, String> env, String stdin) throws Exception {
        Path out = Files.createTempFile("sluice-tool-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            boolean finished = p.waitFor(90, TimeUnit.SECONDS);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(finished).as("%s finished; output so far: %s", cmd, output).isTrue();
            return new Result(p.exitValue(), output);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
