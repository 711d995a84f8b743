package io.sluice.metadata.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A client quota entity (Kafka's {@code ClientQuotaEntity}): one or more (entity type, name)
 * components, such as {@code user=alice, client-id=<default>}. A null name is the type's default
 * entity. Components are kept sorted by type, so two entities naming the same components in any
 * order are equal (they are map keys in the image and sort the snapshot). Immutable, thread-safe.
 */
public record ClientQuotaEntity(List<Component> components) implements Comparable<ClientQuotaEntity> {
    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";

    private static final Comparator<Component> BY_TYPE_THEN_NAME = Comparator.comparing(Component::entityType)
        .thenComparing(Component::entityName, Comparator.nullsFirst(Comparator.naturalOrder()));

    public ClientQuotaEntity {
        List<Component> sorted = new ArrayList<>(components);
        sorted.sort(BY_TYPE_THEN_NAME);
        components = List.copyOf(sorted);
    }

    public static ClientQuotaEntity of(Component... components) {
        return new ClientQuotaEntity(List.of(components));
    }

    /**
     * One component.
     *
     * @param entityType {@code user}, {@code client-id} or {@code ip} (validated on apply, not here)
     * @param entityName the name, or null for the default entity of that type
     */
    public record Component(String entityType, String entityName) {
        public Component {
            Objects.requireNonNull(entityType, "entityType");
        }
    }

    /** Whether {@code entityType} is one of the components (its name may still be null: the default). */
    public boolean has(String entityType) {
        for (Component c : components) {
            if (c.entityType().equals(entityType)) {
                return true;
            }
        }
        return false;
    }

    /** The name of the component of {@code entityType} (null: the default, or no such component). */
    public String name(String entityType) {
        for (Component c : components) {
            if (c.entityType().equals(entityType)) {
                return c.entityName();
            }
        }
        return null;
    }

    @Override
    public int compareTo(ClientQuotaEntity o) {
        int n = Math.min(components.size(), o.components.size());
        for (int i = 0; i < n; i++) {
            int c = BY_TYPE_THEN_NAME.compare(components.get(i), o.components.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(components.size(), o.components.size());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ClientQuotaEntity(");
        for (int i = 0; i < components.size(); i++) {
            Component c = components.get(i);
            sb.append(i == 0 ? "" : ", ").append(c.entityType()).append('=')
                .append(c.entityName() == null ? "<default>" : c.entityName());
        }
        return sb.append(')').toString();
    }
}
