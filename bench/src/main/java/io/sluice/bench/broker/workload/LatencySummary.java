package io.sluice.bench.broker.workload;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of one run in milliseconds, and the full histogram (HdrHistogram's compressed
 * encoding, base64) so that reports can merge runs and draw percentile curves. Immutable.
 *
 * @param count      values recorded
 * @param p50Ms      median
 * @param p99Ms      99th percentile
 * @param p999Ms     99.9th percentile
 * @param maxMs      largest value
 * @param histogram  {@link Histogram#encodeIntoCompressedByteBuffer} of microsecond values, base64
 */
public record LatencySummary(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs, String histogram) {

    /** Histograms record microseconds up to one hour with 3 significant digits. */
    public static Histogram newHistogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    public static LatencySummary of(Histogram micros) {
        ByteBuffer buffer = ByteBuffer.allocate(micros.getNeededByteBufferCapacity());
        int length = micros.encodeIntoCompressedByteBuffer(buffer);
        String encoded = Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
        return new LatencySummary(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()),
                encoded);
    }

    /** The recorded histogram, decoded. */
    public Histogram decode() {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(histogram)), 0);
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt histogram in results", e);
        }
    }

    /** (percentile, ms) points from p0 to the max, spaced evenly in "nines", for charts. */
    public static List<double[]> curve(Histogram micros) {
        List<double[]> points = new ArrayList<>();
        if (micros.getTotalCount() == 0) {
            return points;
        }
        for (double nines = 0; nines <= 6.0001; nines += 0.05) {
            double percentile = 100.0 * (1 - Math.pow(10, -nines));
            if (percentile > 100.0 * (1 - 1.0 / micros.getTotalCount())) {
                break;
            }
            points.add(new double[] {percentile, ms(micros.getValueAtPercentile(percentile))});
        }
        points.add(new double[] {100.0 * (1 - 1.0 / Math.max(2, micros.getTotalCount())), ms(micros.getMaxValue())});
        return points;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
