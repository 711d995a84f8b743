package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module arrows, checked over the import lines of every module's sources (main and test), so
 * an arrow running the wrong way fails the build. It lives in bench because bench is the last
 * module of the reactor; it reads the other modules' files relative to the project root and needs
 * none of their classes. The allowed arrows:
 *
 * <pre>
 *  server → replication → storage        storage:       no io.sluice.metadata / .server / .replication,
 *  server → raft-metadata                               no org.apache.kafka, io.netty, org.apache.ratis
 *  server → storage                      raft-metadata: no io.sluice.storage / .server / .replication,
 *  replication → raft-metadata                          no org.apache.kafka
 *  chaos-tests, bench → no Sluice module (they judge the broker from outside), except bench's
 *  micro-benchmarks: io.sluice.bench.storage → storage, io.sluice.bench.metadata → raft-metadata
 * </pre>
 *
 * Only imports are read: a fully qualified name inline would slip past, which is one reason the
 * house writes imports. Most wrong arrows would not compile anyway (a module's pom does not offer
 * the classes); this catches the ones a pom allows (bench's harness reaching into storage, a
 * dependency added to a pom) and says which rule broke. Stateless; JUnit runs it.
 */
class LayeringTest {
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(?:\\.\\*)?\\s*;");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    /** What the sources of one module (or one package of it) may import. */
    private record Rule(Set<String> sluiceModules, List<String> forbiddenPrefixes) {
    }

    private static final List<String> THIRD_PARTY_FOR_STORAGE = List.of("org.apache.kafka.", "io.netty.", "org.apache.ratis.");
    private static final List<String> THIRD_PARTY_FOR_METADATA = List.of("org.apache.kafka.");

    /** By module directory; the Sluice part is the package segment after {@code io.sluice.}. */
    private static final Map<String, Rule> MODULE_RULES = Map.of(
        "storage", new Rule(Set.of("storage"), THIRD_PARTY_FOR_STORAGE),
        "raft-metadata", new Rule(Set.of("metadata"), THIRD_PARTY_FOR_METADATA),
        "replication", new Rule(Set.of("replication", "storage", "metadata"), List.of()),
        "server", new Rule(Set.of("server", "replication", "storage", "metadata"), List.of()),
        "chaos-tests", new Rule(Set.of("chaos"), List.of()),
        "bench", new Rule(Set.of("bench"), List.of()));

    /** Packages of a module that may go further than the module's rule. */
    private static final Map<String, Rule> PACKAGE_RULES = Map.of(
        "io.sluice.bench.storage", new Rule(Set.of("bench", "storage"), List.of()),
        "io.sluice.bench.metadata", new Rule(Set.of("bench", "metadata"), List.of()));

    @Test
    void everyImportFollowsTheArrows() throws IOException {
        Path root = projectRoot();
        List<String> modules = modules(root);
        assertThat(MODULE_RULES.keySet()).as("every module of the reactor has a rule").containsAll(modules);

        List<String> violations = new ArrayList<>();
        Map<String, Integer> filesPerModule = new TreeMap<>();
        for (String module : modules) {
            for (String tree : List.of("src/main/java", "src/test/java")) {
                Path dir = root.resolve(module).resolve(tree);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                        filesPerModule.merge(module, 1, Integer::sum);
                        check(root, module, file, violations);
                    }
                }
            }
        }
        // A scan that found nothing would pass by luck: the modules with code must have been read.
        assertThat(filesPerModule).containsKeys("storage", "raft-metadata", "replication", "server", "chaos-tests", "bench");
        assertThat(violations).as("imports against the module arrows (see LayeringTest's Javadoc)").isEmpty();
    }

    private static void check(Path root, String module, Path file, List<String> violations) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String pkg = lines.stream().map(String::trim).filter(l -> l.startsWith("package "))
            .map(l -> l.substring("package ".length(), l.indexOf(';'))).findFirst().orElse("");
        Rule rule = ruleFor(module, pkg);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = IMPORT.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            String imported = m.group(1) + ".";
            String where = root.relativize(file) + ":" + (i + 1) + " (" + pkg + ") imports " + m.group(1);
            sluiceModule(imported).filter(target -> !rule.sluiceModules().contains(target))
                .ifPresent(target -> violations.add(where + ": may import io.sluice." + rule.sluiceModules()
                    + " only"));
            rule.forbiddenPrefixes().stream().filter(imported::startsWith).findFirst()
                .ifPresent(prefix -> violations.add(where + ": " + module + " must not import " + prefix + "*"));
        }
    }

    private static Rule ruleFor(String module, String pkg) {
        Rule byPackage = null;
        String longest = "";
        for (Map.Entry<String, Rule> e : PACKAGE_RULES.entrySet()) {
            String p = e.getKey();
            if ((pkg.equals(p) || pkg.startsWith(p + ".")) && p.length() > longest.length()) {
                longest = p;
                byPackage = e.getValue();
            }
        }
        return byPackage != null ? byPackage : MODULE_RULES.get(module);
    }

    /** {@code io.sluice.storage.log.X.} → storage; anything not under io.sluice → empty. */
    private static Optional<String> sluiceModule(String imported) {
        if (!imported.startsWith("io.sluice.")) {
            return Optional.empty();
        }
        String rest = imported.substring("io.sluice.".length());
        return Optional.of(rest.substring(0, rest.indexOf('.')));
    }

    private static List<String> modules(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }

    /** Surefire runs in the module's directory ({@code basedir}); the reactor's root is its parent. */
    private static Path projectRoot() throws IOException {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path root = module.getParent();
        assertThat(root.resolve("pom.xml")).as("the reactor's pom above %s", module).exists();
        assertThat(Files.readString(root.resolve("pom.xml"))).contains("<module>bench</module>");
        return root;
    }
}
