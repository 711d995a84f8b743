package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The broker-log check the process tests use: errors and stack traces count, a WARN naming an exception does not. */
@Timeout(10)
class BrokerLogCheckTest {

    private static final String CLEAN = """
            2026-11-25 17:01:02.003 INFO  [main] io.sluice.server.Broker - Sluice broker 1 started
            2026-11-25 17:01:09.120 WARN  [grpc-default-executor-1] o.a.r.g.s.GrpcClientProtocolService - 1: onError: \
            org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException: CANCELLED: client cancelled
            2026-11-25 17:01:09.500 INFO  [shutdown] io.sluice.server.Broker - Sluice broker 1 stopped in 380 ms
            """;

    @Test
    void aWarnNamingAnExceptionIsNotAnError() {
        assertThat(BrokerProcess.errorsAndStackTraces(CLEAN)).isEmpty();
    }

    @Test
    void errorLinesAndStackTracesAreFound() {
        String log = CLEAN
                + "2026-11-25 17:01:09.200 ERROR [shutdown] io.sluice.server.Broker - closing the log manager failed\n"
                + "java.lang.IllegalStateException: boom\n"
                + "\tat io.sluice.server.Broker.close(Broker.java:10)\n"
                + "Caused by: java.io.IOException: disk\n";
        assertThat(BrokerProcess.errorsAndStackTraces(log)).hasSize(3)
                .anySatisfy(l -> assertThat(l).contains(" ERROR [shutdown]"))
                .anySatisfy(l -> assertThat(l).startsWith("\tat "))
                .anySatisfy(l -> assertThat(l).startsWith("Caused by: "));
    }
}
