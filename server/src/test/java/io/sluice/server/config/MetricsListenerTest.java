package io.sluice.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsListenerTest {

    @Test
    void anHttpUrlNamesHostAndPort() {
        assertThat(MetricsListener.parse("http://localhost:9644")).contains(new MetricsListener("localhost", 9644));
        assertThat(MetricsListener.parse(" http://10.0.0.1:0/ ")).contains(new MetricsListener("10.0.0.1", 0));
    }

    @Test
    void anEmptyValueTurnsTheEndpointOff() {
        assertThat(MetricsListener.parse("")).isEmpty();
        assertThat(MetricsListener.parse(null)).isEmpty();
    }

    @Test
    void anythingButPlainHttpIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> MetricsListener.parse("https://localhost:9644"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sluice.metrics.listener").hasMessageContaining("only http://");
        assertThatThrownBy(() -> MetricsListener.parse("http://localhost")).hasMessageContaining("expected http://host:port");
        assertThatThrownBy(() -> MetricsListener.parse("http://localhost:9644/other")).hasMessageContaining("expected http://host:port");
        assertThatThrownBy(() -> MetricsListener.parse("localhost:9644")).isInstanceOf(ConfigException.class);
    }
}
