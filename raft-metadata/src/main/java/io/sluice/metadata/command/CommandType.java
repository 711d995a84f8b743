package io.sluice.metadata.command;

/**
 * Command type ids on the wire and in the log. Ids are forever: never renumber, only add.
 */
public enum CommandType {
    REGISTER_BROKER(1, 1),
    BROKER_HEARTBEAT(2, 0),
    UNREGISTER_BROKER(3, 0),
    CREATE_TOPICS(4, 0),
    DELETE_TOPICS(5, 0),
    CREATE_PARTITIONS(6, 0),
    ALTER_CONFIGS(7, 0),
    ALTER_PARTITION(8, 1),
    ELECT_LEADERS(9, 1),
    ALLOCATE_PRODUCER_IDS(10, 0),
    FENCE_EXPIRED_BROKERS(11, 1),
    UPDATE_FEATURES(12, 0),
    ALTER_CLIENT_QUOTAS(13, 0);

    private static final CommandType[] BY_ID = new CommandType[16];

    static {
        for (CommandType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final byte id;
    private final byte latestVersion;

    CommandType(int id, int latestVersion) {
        this.id = (byte) id;
        this.latestVersion = (byte) latestVersion;
    }

    public byte id() {
        return id;
    }

    /** The newest record version this build writes and reads. */
    public byte latestVersion() {
        return latestVersion;
    }

    /** The type for an id, or null when unknown. */
    public static CommandType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
