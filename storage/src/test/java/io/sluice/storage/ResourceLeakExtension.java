package io.sluice.storage;

import io.sluice.storage.segment.FallocateSpaceReserver;
import io.sluice.storage.segment.MappedRegion;
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
        int fdsBefore = store.get("fds", Integer.class);
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

    private static String check(long mappingsBefore, int fdsBefore, Set<Thread> threadsBefore) {
        long mappings = MappedRegion.openMappings();
        if (mappings != mappingsBefore) {
            return "open mappings " + mappingsBefore + " -> " + mappings;
        }
        int fds = openFds();
        if (fds > fdsBefore) {
            return "open file descriptors " + fdsBefore + " -> " + fds;
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

    static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? 0 : fds.length;
    }

    private static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }
}
