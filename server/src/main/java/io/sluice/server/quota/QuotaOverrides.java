package io.sluice.server.quota;

import io.sluice.metadata.image.ClientQuotaEntity;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The quotas of one key (say {@code producer_byte_rate}) and how a client finds its own: Kafka's
 * {@code DefaultQuotaCallback}. {@link #tags} decides which sensor a client records into (which
 * entity's quota applies, walked in Kafka's precedence order), {@link #limit} the bound for a
 * sensor's tags:
 * <pre>
 *  /users/&lt;u&gt;/clients/&lt;c&gt;, /users/&lt;u&gt;/clients/&lt;default&gt;, /users/&lt;u&gt;,
 *  /users/&lt;default&gt;/clients/&lt;c&gt;, /users/&lt;default&gt;/clients/&lt;default&gt;, /users/&lt;default&gt;,
 *  /clients/&lt;c&gt;, /clients/&lt;default&gt;
 * </pre>
 * Built from the metadata image on each quota change; immutable, thread-safe.
 */
public final class QuotaOverrides {
    /** Kafka's {@code QuotaTypes} bits: which entity shapes have a quota of this key. */
    private static final int CLIENT_ID = 1;
    private static final int USER = 2;
    private static final int USER_CLIENT_ID = 4;

    /** A user/client-id entity: {@code has*} false = not a component, name null = the default. */
    private record Key(boolean hasUser, String user, boolean hasClient, String client) {
    }

    public static final QuotaOverrides NONE = new QuotaOverrides(Map.of(), 0);

    private final Map<Key, Double> bounds;
    private final int shapes;

    private QuotaOverrides(Map<Key, Double> bounds, int shapes) {
        this.bounds = bounds;
        this.shapes = shapes;
    }

    /** The quotas of {@code quotaKey} among the image's client quotas ({@code ip} entities are never stored). */
    public static QuotaOverrides of(Map<ClientQuotaEntity, Map<String, Double>> quotas, String quotaKey) {
        Map<Key, Double> bounds = new HashMap<>();
        int shapes = 0;
        for (Map.Entry<ClientQuotaEntity, Map<String, Double>> e : quotas.entrySet()) {
            Double bound = e.getValue().get(quotaKey);
            ClientQuotaEntity entity = e.getKey();
            boolean hasUser = entity.has(ClientQuotaEntity.USER);
            boolean hasClient = entity.has(ClientQuotaEntity.CLIENT_ID);
            if (bound == null || !(hasUser || hasClient)) {
                continue;
            }
            bounds.put(new Key(hasUser, entity.name(ClientQuotaEntity.USER), hasClient,
                entity.name(ClientQuotaEntity.CLIENT_ID)), bound);
            shapes |= hasUser ? (hasClient ? USER_CLIENT_ID : USER) : CLIENT_ID;
        }
        return bounds.isEmpty() ? NONE : new QuotaOverrides(Map.copyOf(bounds), shapes);
    }

    public boolean isEmpty() {
        return bounds.isEmpty();
    }

    /** The tags of the sensor {@code user}/{@code clientId} records into. */
    public QuotaTags tags(String user, String clientId) {
        switch (shapes) {
            case 0, CLIENT_ID:
                return new QuotaTags("", clientId);
            case USER:
                return new QuotaTags(user, "");
            case USER_CLIENT_ID:
                return new QuotaTags(user, clientId);
            default:
                break;
        }
        if (has(true, user, true, clientId) || has(true, user, true, null)) {
            return new QuotaTags(user, clientId);
        }
        if (has(true, user, false, null)) {
            return new QuotaTags(user, "");
        }
        if (has(true, null, true, clientId) || has(true, null, true, null)) {
            return new QuotaTags(user, clientId);
        }
        if (has(true, null, false, null)) {
            return new QuotaTags(user, "");
        }
        return new QuotaTags("", clientId);
    }

    /** The bound of the sensor with these tags, or null when no quota applies (unlimited). */
    public Double limit(QuotaTags tags) {
        String user = tags.user();
        String clientId = tags.clientId();
        Double q = null;
        if (!user.isEmpty() && !clientId.isEmpty()) {
            q = first(get(true, user, true, clientId), get(true, user, true, null), get(true, null, true, clientId),
                get(true, null, true, null));
        } else if (!user.isEmpty()) {
            q = first(get(true, user, false, null), get(true, null, false, null));
        } else if (!clientId.isEmpty()) {
            q = first(get(false, null, true, clientId), get(false, null, true, null));
        }
        return q;
    }

    private boolean has(boolean hasUser, String user, boolean hasClient, String client) {
        return bounds.containsKey(new Key(hasUser, user, hasClient, client));
    }

    private Double get(boolean hasUser, String user, boolean hasClient, String client) {
        return bounds.get(new Key(hasUser, user, hasClient, client));
    }

    private static Double first(Double... candidates) {
        for (Double d : candidates) {
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuotaOverrides q && bounds.equals(q.bounds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bounds);
    }
}
