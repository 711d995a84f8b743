package io.sluice.metadata.codec;

import io.sluice.metadata.command.ErrorCodes;
import io.sluice.metadata.image.BrokerRegistration;
import io.sluice.metadata.image.Endpoint;
import io.sluice.metadata.image.ImageBuilder;
import io.sluice.metadata.image.MetadataImage;
import io.sluice.metadata.image.PartitionImage;
import io.sluice.metadata.image.TopicImage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes a metadata snapshot: a whole {@link MetadataImage} in one checksummed record,
 * the format of snapshot files and of the image a following broker fetches. (A codec, not a
 * "descriptor": it writes and verifies the whole record, not only its layout.)
 *
 * <pre>
 *  0         4        5         13        21        25        29
 *  +---------+--------+---------+---------+---------+---------+------------------------+
 *  | magic   | version| term    | offset  | body    | CRC32C  | body ...               |
 *  | "SLMS"  | (=3)   | i64     | i64     | length  | (*)     |                        |
 *  +---------+--------+---------+---------+---------+---------+------------------------+
 *  body: string clusterId, i64 leaderTimeMs, i64 nextProducerId,
 *        list&lt;(string name, i16 level)&gt; features,
 *        list&lt;broker: i32 id, uuid incarnation, i64 epoch, list&lt;endpoint&gt;, string rack, bool fenced,
 *                i64 lastHeartbeatMs&gt;,
 *        list&lt;(string resource, map configs)&gt; brokerConfigs,
 *        list&lt;topic: string name, uuid id, map configs, list&lt;partition: i32 id, list&lt;i32&gt; replicas,
 *               list&lt;i32&gt; isr, i32 leader, i32 leaderEpoch, i32 partitionEpoch&gt;&gt;,
 *        (version 2) list&lt;(entity, list&lt;(string key, f64 value)&gt;)&gt; clientQuotas,
 *        (version 3) list&lt;(string groupId, map configs)&gt; groupConfigs
 *        (entity and f64 as in {@link CommandCodec}; older versions decode with none of what they lack)
 * </pre>
 * (*) CRC32C over version, term, offset, length and the body.
 * Collections are written sorted (by id or name), so equal images give equal bytes. Stateless,
 * thread-safe.
 */
public final class SnapshotCodec {
    public static final int MAGIC = 0x534C4D53; // "SLMS"
    public static final byte VERSION = 3;
    /** The oldest version this build still reads: snapshots written before client quotas or group configs existed. */
    public static final byte VERSION_MIN = 1;
    // Each field starts where the previous one ends, so a field can change size without a stale offset.
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    public static final int TERM_OFFSET = VERSION_OFFSET + Byte.BYTES;
    public static final int OFFSET_OFFSET = TERM_OFFSET + Long.BYTES;
    public static final int LENGTH_OFFSET = OFFSET_OFFSET + Long.BYTES;
    public static final int CRC_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = CRC_OFFSET + Integer.BYTES;

    private static final int COUNT_MAX = 50_000_000;

    private SnapshotCodec() {
    }

    public static byte[] encode(MetadataImage image) {
        BufferWriter w = new BufferWriter(HEADER_LENGTH + 64 + image.partitionCount() * 40);
        w.i32(MAGIC).i8(VERSION).i64(image.term()).i64(image.offset()).i32(0).i32(0);
        w.string(image.clusterId()).i64(image.leaderTimeMs()).i64(image.nextProducerId());
        w.i32(image.finalizedFeatures().size());
        new TreeMap<>(image.finalizedFeatures()).forEach((k, v) -> w.string(k).i16(v));
        List<BrokerRegistration> brokers = new ArrayList<>(image.brokers().values());
        brokers.sort(Comparator.comparingInt(BrokerRegistration::brokerId));
        w.i32(brokers.size());
        for (BrokerRegistration b : brokers) {
            w.i32(b.brokerId()).uuid(b.incarnationId()).i64(b.brokerEpoch()).i32(b.endpoints().size());
            for (Endpoint e : b.endpoints()) {
                w.string(e.listenerName()).string(e.host()).i32(e.port()).i16(e.securityProtocol());
            }
            w.string(b.rack().orElse(null)).bool(b.fenced()).i64(b.lastHeartbeatMs());
        }
        w.i32(image.brokerConfigs().size());
        new TreeMap<>(image.brokerConfigs()).forEach((k, v) -> w.string(k).stringMap(v));
        List<TopicImage> topics = new ArrayList<>(image.topics());
        topics.sort(Comparator.comparing(TopicImage::name));
        w.i32(topics.size());
        for (TopicImage t : topics) {
            w.string(t.name()).uuid(t.topicId()).stringMap(t.configs()).i32(t.partitionCount());
            for (int p = 0; p < t.partitionCount(); p++) {
                w.partition(t.partition(p));
            }
        }
        w.i32(image.clientQuotas().size());
        new TreeMap<>(image.clientQuotas()).forEach((entity, quotas) -> {
            CommandCodec.writeEntity(w, entity);
            w.i32(quotas.size());
            new TreeMap<>(quotas).forEach((k, v) -> w.string(k).i64(Double.doubleToLongBits(v)));
        });
        w.i32(image.groupConfigs().size());
        new TreeMap<>(image.groupConfigs()).forEach((k, v) -> w.string(k).stringMap(v));
        int bodyLength = w.position() - HEADER_LENGTH;
        w.putI32At(LENGTH_OFFSET, bodyLength);
        CRC32C crc = new CRC32C();
        crc.update(w.array(), VERSION_OFFSET, CRC_OFFSET - VERSION_OFFSET);
        crc.update(w.array(), HEADER_LENGTH, bodyLength);
        w.putI32At(CRC_OFFSET, (int) crc.getValue());
        return w.toByteArray();
    }

    /** Decodes and verifies a snapshot; throws {@link MalformedRecordException} on any damage. */
    public static MetadataImage decode(byte[] bytes) {
        BufferReader r = new BufferReader(bytes);
        if (bytes.length < HEADER_LENGTH) {
            throw corrupt("snapshot shorter than its header: " + bytes.length + " bytes");
        }
        int magic = r.i32();
        if (magic != MAGIC) {
            throw corrupt("bad snapshot magic 0x" + Integer.toHexString(magic));
        }
        byte version = r.i8();
        if (version < VERSION_MIN || version > VERSION) {
            throw new MalformedRecordException(ErrorCodes.UNSUPPORTED_VERSION, "snapshot version " + version);
        }
        long term = r.i64();
        long offset = r.i64();
        int length = r.i32();
        int expectedCrc = r.i32();
        if (length != bytes.length - HEADER_LENGTH) {
            throw corrupt("snapshot body length " + length + " but " + (bytes.length - HEADER_LENGTH) + " bytes follow");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, VERSION_OFFSET, CRC_OFFSET - VERSION_OFFSET);
        crc.update(bytes, HEADER_LENGTH, length);
        if ((int) crc.getValue() != expectedCrc) {
            throw corrupt("snapshot checksum mismatch: stored 0x" + Integer.toHexString(expectedCrc) + ", computed 0x"
                + Long.toHexString(crc.getValue()));
        }
        ImageBuilder b = new ImageBuilder(MetadataImage.empty(r.nonNullString("cluster id")));
        b.position(offset, term).leaderTimeMs(r.i64()).nextProducerId(r.i64());
        int features = r.count("features", COUNT_MAX, 6);
        for (int i = 0; i < features; i++) {
            b.putFeature(r.nonNullString("feature"), r.i16());
        }
        int brokers = r.count("brokers", COUNT_MAX, 40);
        for (int i = 0; i < brokers; i++) {
            int id = r.i32();
            var inc = r.uuid();
            long epoch = r.i64();
            int n = r.count("endpoints", 1000, 14);
            List<Endpoint> eps = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                eps.add(new Endpoint(r.nonNullString("listener"), r.nonNullString("host"), r.i32(), r.i16()));
            }
            b.putBroker(new BrokerRegistration(id, inc, epoch, eps, Optional.ofNullable(r.string()), r.bool(), r.i64()));
        }
        int configs = r.count("broker configs", COUNT_MAX, 8);
        for (int i = 0; i < configs; i++) {
            b.putBrokerConfigs(r.nonNullString("resource"), r.stringMap("configs", COUNT_MAX));
        }
        int topics = r.count("topics", COUNT_MAX, 28);
        for (int i = 0; i < topics; i++) {
            String name = r.nonNullString("topic");
            var id = r.uuid();
            Map<String, String> cfg = r.stringMap("configs", COUNT_MAX);
            int parts = r.count("partitions", COUNT_MAX, 24);
            PartitionImage[] ps = new PartitionImage[parts];
            for (int p = 0; p < parts; p++) {
                ps[p] = r.partition(COUNT_MAX);
            }
            b.putTopic(new TopicImage(name, id, ps, new HashMap<>(cfg)));
        }
        int quotaEntities = version >= 2 ? r.count("client quota entities", COUNT_MAX, 8) : 0;
        for (int i = 0; i < quotaEntities; i++) {
            var entity = CommandCodec.readEntity(r);
            int keys = r.count("client quotas", COUNT_MAX, 12);
            Map<String, Double> quotas = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                quotas.put(r.nonNullString("quota key"), Double.longBitsToDouble(r.i64()));
            }
            b.putClientQuotas(entity, quotas);
        }
        int groups = version >= 3 ? r.count("group configs", COUNT_MAX, 8) : 0;
        for (int i = 0; i < groups; i++) {
            b.putGroupConfigs(r.nonNullString("group"), r.stringMap("configs", COUNT_MAX));
        }
        r.expectEnd("snapshot");
        return b.build();
    }

    private static MalformedRecordException corrupt(String msg) {
        return new MalformedRecordException(ErrorCodes.INVALID_REQUEST, msg);
    }
}
