package io.sluice.server.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.internals.Exit;

/**
 * Kafka's CLI tools (kafka-tools 4.4: {@code org.apache.kafka.tools.TopicCommand}, {@code ConfigCommand},
 * {@code FeatureCommand}, {@code ShareGroupCommand}) run in this JVM, as {@code bin/kafka-topics.sh} would run them: their
 * {@code main} with Kafka's exit procedure caught, stdout and stderr captured. Not thread-safe (it
 * swaps System.out/err).
 */
public final class KafkaCli {

    /** What a tool printed and the exit code it asked for (0 when it returned normally). */
    public record Result(int exitCode, String output) { }

    private static final class ExitCalled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ExitCalled(int code) {
            super("exit " + code, null, false, false);
        }
    }

    private KafkaCli() { }

    static Result topics(String bootstrap, String... args) throws Exception {
        return run("org.apache.kafka.tools.TopicCommand", bootstrap, args);
    }

    public static Result configs(String bootstrap, String... args) throws Exception {
        return run("org.apache.kafka.tools.ConfigCommand", bootstrap, args);
    }

    public static Result features(String bootstrap, String... args) throws Exception {
        return run("org.apache.kafka.tools.FeatureCommand", bootstrap, args);
    }

    /** kafka-share-groups.sh. */
    public static Result shareGroups(String bootstrap, String... args) throws Exception {
        return run("org.apache.kafka.tools.consumer.group.ShareGroupCommand", bootstrap, args);
    }

    private static Result run(String mainClass, String bootstrap, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = bootstrap;
        System.arraycopy(args, 0, all, 2, args.length);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        // The first exit a tool asks for is its result: the tool's own catch-all may report the
        // unwinding of that exit as an error and ask again.
        int[] firstExit = {-1};
        Exit.setExitProcedure((c, message) -> {
            if (firstExit[0] < 0) {
                firstExit[0] = c;
            }
            throw new ExitCalled(c);
        });
        try (PrintStream ps = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(ps);
            System.setErr(ps);
            try {
                Class.forName(mainClass).getMethod("main", String[].class).invoke(null, (Object) all);
            } catch (InvocationTargetException e) {
                if (!(e.getCause() instanceof ExitCalled)) {
                    throw e;
                }
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            Exit.resetExitProcedure();
        }
        return new Result(Math.max(firstExit[0], 0), captured.toString(StandardCharsets.UTF_8));
    }
}
