package dev.tally.sources.otel;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tally.ledger.MetricPoint;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Claude Code's usage counters ({@code claude_code.token.usage} by {@code type}, {@code
 * claude_code.cost.usage} in USD) as data points for reconciliation. Delta and cumulative
 * temporality are both accepted; the store turns cumulative totals into increases.
 */
public final class OtlpMetrics {
  private OtlpMetrics() {}

  public static ExportMetricsServiceRequest parse(byte[] body, boolean json) throws OtlpLogs.BadPayload {
    try {
      if (json) {
        ExportMetricsServiceRequest.Builder b = ExportMetricsServiceRequest.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), b);
        return b.build();
      }
      return ExportMetricsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpLogs.BadPayload("not an OTLP metrics payload (" + (json ? "JSON" : "protobuf") + "): " + e.getMessage());
    }
  }

  /** @param forcedIdentity the identity of an agent token's person, or null to read it from the attributes */
  public static List<MetricPoint> points(ExportMetricsServiceRequest request, String forcedIdentity) {
    List<MetricPoint> points = new ArrayList<>();
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      Map<String, AnyValue> resource = OtlpLogs.attributes(rm.getResource().getAttributesList());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          boolean tokens = m.getName().equals("claude_code.token.usage");
          boolean cost = m.getName().equals("claude_code.cost.usage");
          if ((!tokens && !cost) || !m.hasSum()) {
            continue;
          }
          boolean cumulative = m.getSum().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
          for (NumberDataPoint dp : m.getSum().getDataPointsList()) {
            Map<String, AnyValue> a = new HashMap<>(resource);
            a.putAll(OtlpLogs.attributes(dp.getAttributesList()));
            String kind = tokens ? OtlpLogs.text(a, "type") : "costMicros";
            if (kind == null) {
              continue;
            }
            double raw = dp.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? dp.getAsInt() : dp.getAsDouble();
            long value = BigDecimal.valueOf(raw).movePointRight(cost ? 6 : 0).setScale(0, RoundingMode.HALF_UP).longValue();
            String identity = forcedIdentity != null ? forcedIdentity : identity(a);
            points.add(new MetricPoint(series(m.getName(), a), dp.getStartTimeUnixNano() / 1_000_000,
                dp.getTimeUnixNano() / 1_000_000, identity, OtlpLogs.text(a, "session.id"), OtlpLogs.text(a, "model"), kind,
                Math.max(0, value), cumulative));
          }
        }
      }
    }
    return points;
  }

  private static String identity(Map<String, AnyValue> a) {
    String email = OtlpLogs.text(a, "user.email");
    if (email != null) {
      return "email:" + email.toLowerCase(java.util.Locale.ROOT);
    }
    String account = OtlpLogs.text(a, "user.account_uuid");
    return account != null ? "anthropic-user:" + account : OtlpLogs.text(a, "user.id");
  }

  /** The metric and all its attributes, in a stable order: one counter's time series. */
  private static String series(String metric, Map<String, AnyValue> a) {
    StringBuilder sb = new StringBuilder(metric);
    new TreeMap<>(a).forEach((k, v) -> sb.append('|').append(k).append('=').append(OtlpLogs.text(a, k)));
    return sb.toString();
  }
}
