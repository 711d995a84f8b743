package io.sluice.storage;

import io.sluice.storage.segment.FallocateSpaceReserver;
import io.sluice.storage.segment.MappedRegion;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Fails a test that leaks a segment mapping, an open file descriptor (counted in /proc/self/fd) or a
 * thread. Chronicle's test-base idea: every storage test runs under it ({@code @ExtendWith}).
 */
public final class ResourceLeakExtension implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ResourceLeakExtension.class);
    private static final long SETTLE_MS = 5_000;

    static {
        // One-time lazy loads (the native fallocate library, jars) open descriptors for good; do them first.
        FallocateSpaceReserver.isAvailable();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NS);
        store.put("mappings", MappedRegion.openMappings());
        store.put("fds", openFds());
        store.put("threads", liveThreads());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        ExtensionContext.Store store = context.getStore(NS);
        long mappingsBefore = store.get("mappings", Long.class);
        @SuppressWarnings("unchecked")
        Set<String> fdsBefore = store.get("fds", Set.class);
        @SuppressWarnings("unchecked")
        Set<Thread> threadsBefore = store.get("threads", Set.class);
        long deadline = System.currentTimeMillis() + SETTLE_MS;
        String problem;
        do {
            problem = check(mappingsBefore, fdsBefore, threadsBefore);
            if (problem == null) {
                return;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("resource leak in " + context.getDisplayName() + ": " + problem);
    }

    private static String check(long mappingsBefore, Set<String> fdsBefore, Set<Thread> threadsBefore) {
        long mappings = MappedRegion.openMappings();
        if (mappings != mappingsBefore) {
            return "open mappings " + mappingsBefore + " -> " + mappings;
        }
        Set<String> opened = openFds();
        opened.removeAll(fdsBefore);
        if (!opened.isEmpty()) {
            return "file descriptors left open: " + opened;
        }
        Set<Thread> extra = liveThreads();
        extra.removeAll(threadsBefore);
        extra.removeIf(t -> !t.isAlive() || isJvmThread(t));
        if (!extra.isEmpty()) {
            return "threads left running: " + extra.stream().map(Thread::getName).collect(Collectors.joining(", "));
        }
        return null;
    }

    private static boolean isJvmThread(Thread t) {
        String n = t.getName();
        return n.startsWith("Attach Listener") || n.startsWith("process reaper") || n.startsWith("Common-Cleaner")
                || n.startsWith("ForkJoinPool.commonPool") || n.startsWith("junit-jupiter-timeout-watcher");
    }

    /**
     * Open descriptors as "fd -> target". Compared as a set, not a count: a descriptor some other
     * owner closes meanwhile must not hide one the test leaked. Jars are left out: the class loader
     * opens them lazily and keeps them, which is not the test's doing.
     */
    static Set<String> openFds() {
        Set<String> out = new HashSet<>();
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return out;
        }
        for (File fd : fds) {
            try {
                String target = Files.readSymbolicLink(fd.toPath()).toString();
                if (!target.endsWith(".jar")) {
                    out.add(fd.getName() + " -> " + target);
                }
            } catch (IOException closedMeanwhile) {
                // the descriptor went away between listing and reading it: not open any more
            }
        }
        return out;
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }
}
