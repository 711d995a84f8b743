package io.sluice.server.metrics;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * The error codes a response carries, counted as Kafka's {@code AbstractResponse.errorCounts()}
 * counts them (one per partition or resource where the response has one per item). Produce and
 * Fetch, the hot path, are walked directly without allocating; every other response is wrapped in
 * kafka-clients' response class once and asked, so each API's rule stays Kafka's own. Stateless
 * apart from a cache of constructors; thread-safe.
 */
public final class ResponseErrors {

    /** Receives one error code of a response of API {@code apiKey} (NONE included). */
    interface Sink {
        void accept(short apiKey, short errorCode);
    }

    private static final Map<Class<?>, MethodHandle> WRAPPERS = new ConcurrentHashMap<>();

    private ResponseErrors() { }

    static void forEach(ApiMessage body, short version, Sink sink) {
        short apiKey = body.apiKey();
        if (body instanceof ProduceResponseData produce) {
            for (ProduceResponseData.TopicProduceResponse topic : produce.responses()) {
                for (ProduceResponseData.PartitionProduceResponse p : topic.partitionResponses()) {
                    sink.accept(apiKey, p.errorCode());
                }
            }
        } else if (body instanceof FetchResponseData fetch) {
            sink.accept(apiKey, fetch.errorCode());
            for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
                for (FetchResponseData.PartitionData p : topic.partitions()) {
                    sink.accept(apiKey, p.errorCode());
                }
            }
        } else if (body instanceof ShareFetchResponseData shareFetch) {
            // kafka-clients' ShareFetchResponse has no public constructor; Kafka counts the same codes.
            sink.accept(apiKey, shareFetch.errorCode());
            for (ShareFetchResponseData.ShareFetchableTopicResponse topic : shareFetch.responses()) {
                for (ShareFetchResponseData.PartitionData p : topic.partitions()) {
                    sink.accept(apiKey, p.errorCode());
                }
            }
        } else {
            for (Map.Entry<Errors, Integer> e : wrap(body, version).errorCounts().entrySet()) {
                for (int i = 0; i < e.getValue(); i++) {
                    sink.accept(apiKey, e.getKey().code());
                }
            }
        }
    }

    /** kafka-clients' response object around {@code body}: {@code XResponse(XResponseData[, short version])}. */
    public static AbstractResponse wrap(ApiMessage body, short version) {
        MethodHandle constructor = WRAPPERS.computeIfAbsent(body.getClass(), ResponseErrors::findConstructor);
        try {
            return (AbstractResponse) constructor.invoke(body, version);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot wrap " + body.getClass().getSimpleName() + " v" + version, e);
        }
    }

    private static MethodHandle findConstructor(Class<?> dataClass) {
        String simple = dataClass.getSimpleName();
        if (!simple.endsWith("ResponseData")) {
            throw new IllegalArgumentException(dataClass + " is not a response");
        }
        String name = simple.substring(0, simple.length() - "Data".length());
        // The one response whose class name differs from its message's (checked by ResponseErrorsTest).
        String responseClass = "org.apache.kafka.common.requests."
                + (name.equals("OffsetForLeaderEpochResponse") ? "OffsetsForLeaderEpochResponse" : name);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            Class<?> type = Class.forName(responseClass);
            try {
                // The plain constructor where there is one: some versioned ones validate the body
                // against the version (LeaveGroup v0 wants exactly one member), which is no concern here.
                MethodHandle plain = lookup.findConstructor(type, MethodType.methodType(void.class, dataClass));
                return MethodHandles.dropArguments(plain, 1, short.class)
                        .asType(MethodType.methodType(Object.class, ApiMessage.class, short.class));
            } catch (NoSuchMethodException e) {
                MethodHandle withVersion = lookup.findConstructor(type, MethodType.methodType(void.class, dataClass, short.class));
                return withVersion.asType(MethodType.methodType(Object.class, ApiMessage.class, short.class));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + responseClass + "(" + simple + ") in kafka-clients", e);
        }
    }
}
