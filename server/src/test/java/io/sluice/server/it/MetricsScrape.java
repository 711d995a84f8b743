package io.sluice.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Scrapes a broker process's Prometheus endpoint and reads samples out of the text format. */
final class MetricsScrape {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MetricsScrape() { }

    static HttpResponse<String> get(BrokerProcess broker, String accept) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + broker.metricsPort() + "/metrics"))
                .header("Accept", accept).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("scrape answered: %s", response.body()).isEqualTo(200);
        return response;
    }

    /** The Prometheus text format of {@code broker}'s metrics. */
    static String text(BrokerProcess broker) throws Exception {
        return get(broker, "text/plain").body();
    }

    /** The value of an unlabelled sample. */
    static double value(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .orElseThrow(() -> new AssertionError(name + " missing from:\n" + text));
    }

    /** The sum of the samples of {@code name} whose labels contain every one of {@code labels}. */
    static double sum(String text, String name, String... labels) {
        return text.lines()
                .filter(l -> l.startsWith(name + "{"))
                .filter(l -> List.of(labels).stream().allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
