package io.sluice.server.handler;

import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.TopicImage;
import io.sluice.server.network.RequestDispatcher.ClientInfo;
import io.sluice.server.protocol.KafkaRequest;
import io.sluice.server.protocol.KafkaResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;

/**
 * DescribeConfigs (v1-4) for TOPIC, BROKER and GROUP resources, with Kafka's config sources, synonyms
 * when asked for (every source of a value, the one in force first) and (v3+) types. The values are
 * those in force: dynamic broker configs are only stored when Sluice applies them. Other resource
 * types answer INVALID_REQUEST. Thread-safe.
 */
final class DescribeConfigsHandler implements ApiHandler {

    static final byte TOPIC = 2;
    static final byte BROKER = 4;

    private final HandlerContext ctx;

    DescribeConfigsHandler(HandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public CompletionStage<KafkaResponse> handle(KafkaRequest request, ClientInfo client) {
        DescribeConfigsRequestData req = request.bodyAs(DescribeConfigsRequestData.class);
        short v = request.apiVersion();
        MetadataImage image = ctx.metadata().image();
        Map<String, String> dynamicDefaults = image.brokerConfigs().getOrDefault("", Map.of());
        Map<String, String> dynamicForThisBroker = image.brokerConfigs().getOrDefault(Integer.toString(ctx.nodeId()), Map.of());
        DescribeConfigsResponseData resp = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource r : req.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(r.resourceType())
                    .setResourceName(r.resourceName()).setErrorCode(Errors.NONE);
            List<TopicConfigs.Entry> entries = null;
            if (r.resourceType() == TOPIC) {
                TopicImage t = image.topic(r.resourceName());
                if (t == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION).setErrorMessage("Topic " + r.resourceName() + " does not exist");
                } else {
                    entries = ctx.topicConfigs().describeTopic(t.configs(), dynamicForThisBroker, dynamicDefaults);
                }
            } else if (r.resourceType() == BROKER) {
                if (r.resourceName().isEmpty() || r.resourceName().equals(Integer.toString(ctx.nodeId()))) {
                    Map<String, String> own = r.resourceName().isEmpty() ? Map.of()
                            : image.brokerConfigs().getOrDefault(r.resourceName(), Map.of());
                    entries = ctx.topicConfigs().describeBroker(own, dynamicDefaults);
                } else {
                    result.setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Unexpected broker id " + r.resourceName());
                }
            } else if (r.resourceType() == GroupConfigSupport.GROUP) {
                if (r.resourceName().isEmpty()) {
                    result.setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Group name must not be empty");
                } else {
                    entries = GroupConfigSupport.describe(image.groupConfigs().getOrDefault(r.resourceName(), Map.of()),
                            ctx.config());
                }
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST).setErrorMessage("Unsupported resource type " + r.resourceType());
            }
            if (entries != null) {
                Set<String> keys = r.configurationKeys() == null ? null : new HashSet<>(r.configurationKeys());
                for (TopicConfigs.Entry e : entries) {
                    if (keys != null && !keys.contains(e.name())) {
                        continue;
                    }
                    DescribeConfigsResourceResult c = new DescribeConfigsResourceResult().setName(e.name())
                            .setValue(e.value()).setReadOnly(e.readOnly()).setConfigSource(e.source())
                            .setIsSensitive(false);
                    if (v >= 3) {
                        c.setConfigType(e.type());
                    }
                    if (req.includeSynonyms()) {
                        for (TopicConfigs.Synonym s : e.synonyms()) {
                            c.synonyms().add(new DescribeConfigsResponseData.DescribeConfigsSynonym()
                                    .setName(s.name()).setValue(s.value()).setSource(s.source()));
                        }
                    }
                    result.configs().add(c);
                }
            }
            resp.results().add(result);
        }
        return CompletableFuture.completedFuture(KafkaResponse.of(resp));
    }
}
