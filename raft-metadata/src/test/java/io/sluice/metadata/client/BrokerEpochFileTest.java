package io.sluice.metadata.client;

import io.sluice.metadata.command.RegisterBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BrokerEpochFileTest {
    @TempDir
    Path dir;

    @Test
    void theNextIncarnationReadsTheRecordedEpoch() {
        try (BrokerEpochFile first = BrokerEpochFile.open(dir)) {
            assertThat(first.previous()).isEqualTo(RegisterBroker.NO_PREVIOUS_EPOCH);
            first.record(41);
            first.record(1234);
        }
        try (BrokerEpochFile second = BrokerEpochFile.open(dir)) {
            assertThat(second.previous()).isEqualTo(1234);
        }
    }

    /** While one holder has the file, another learns nothing: it cannot claim to succeed a live broker. */
    @Test
    void aFileHeldByAnotherHolderYieldsNoEpoch() {
        try (BrokerEpochFile holder = BrokerEpochFile.open(dir)) {
            holder.record(7);
            try (BrokerEpochFile intruder = BrokerEpochFile.open(dir)) {
                assertThat(intruder.previous()).isEqualTo(RegisterBroker.NO_PREVIOUS_EPOCH);
                intruder.record(99); // ignored
            }
        }
        try (BrokerEpochFile next = BrokerEpochFile.open(dir)) {
            assertThat(next.previous()).isEqualTo(7);
        }
    }

    @Test
    void aGarbledFileYieldsNoEpochAndIsOverwritten() throws Exception {
        Files.writeString(dir.resolve(BrokerEpochFile.FILE_NAME), "not a number", StandardCharsets.US_ASCII);
        try (BrokerEpochFile f = BrokerEpochFile.open(dir)) {
            assertThat(f.previous()).isEqualTo(RegisterBroker.NO_PREVIOUS_EPOCH);
            f.record(5);
        }
        try (BrokerEpochFile f = BrokerEpochFile.open(dir)) {
            assertThat(f.previous()).isEqualTo(5);
        }
    }
}
