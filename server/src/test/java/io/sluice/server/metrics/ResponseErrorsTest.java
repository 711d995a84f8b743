package io.sluice.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.server.protocol.ApiVersionsTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ResponseErrorsTest {

    @Test
    void everyServedApiAndVersionHasItsErrorsCounted() {
        for (ApiVersionsTable.Range range : ApiVersionsTable.sluice().all()) {
            for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                ApiMessage empty = ApiMessageType.fromApiKey(range.apiKey()).newResponse();
                List<Short> codes = new ArrayList<>();
                ResponseErrors.forEach(empty, v, (api, code) -> codes.add(code));
                assertThat(codes).as("%s v%d", range.name(), v).allMatch(c -> Errors.forCode(c) != Errors.UNKNOWN_SERVER_ERROR);
            }
        }
    }

    @Test
    void produceCountsOneCodePerPartition() {
        ProduceResponseData data = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("t");
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0));
        topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(1)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()));
        data.responses().add(topic);
        List<Short> codes = new ArrayList<>();
        ResponseErrors.forEach(data, (short) 11, (api, code) -> codes.add(code));
        assertThat(codes).containsExactly(Errors.NONE.code(), Errors.NOT_LEADER_OR_FOLLOWER.code());
    }
}
