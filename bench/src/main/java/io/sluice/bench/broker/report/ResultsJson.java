package io.sluice.bench.broker.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** results.json: {@link RunResults} as indented JSON, and back. Thread-safe (the mapper is). */
public final class ResultsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ResultsJson() {
    }

    public static void write(RunResults run, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), run);
    }

    public static RunResults read(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), RunResults.class);
    }

    /** Writes results.json, report.md and the PNGs into {@code dir}. */
    public static void writeReport(RunResults run, Path dir) throws IOException {
        write(run, dir.resolve("results.json"));
        Summaries summaries = new Summaries(run);
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(run, summaries));
        Charts.writeAll(run, summaries, dir);
    }
}
