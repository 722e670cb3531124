// The gate room: metrics declared once with kind and unit, thresholds parsed once, one verdict and one exit code.
export { collectMetrics, metricCatalog, aggregateNames, contentOffsetOf, judgedMarkersOf, type MetricKind, type MetricValue, type MetricDirection } from "./metrics.js";
export { parseThreshold, type Threshold, type ThresholdOperator } from "./threshold.js";
export { compareMetrics, parseMaxRegression, type MetricDelta, type DeltaStatus } from "./compare-metrics.js";
export { parseGateSpec, evaluateGate, exitCodeOf, type GateSpec, type GateCheck, type GateReport, type GateFlags } from "./gate.js";
