import { aggregateNames, defaultAggregate, metricCatalog } from "./metrics.js";

// The comparisons a threshold may use.
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** A parsed threshold such as `offset.content.p95 < 45`: checked against a result's metrics by the gate. */
export interface Threshold {
  /** The expression as the user wrote it, quoted back in reports. */
  source: string;
  metric: string;
  aggregate: string;
  operator: ThresholdOperator;
  /** In the metric's unit; a `%` literal is divided by 100 (for rates). */
  value: number;
}

const pattern = /^\s*([A-Za-z][A-Za-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%?)\s*$/i;

/**
 * Parses one threshold once, before anything runs, against the metrics the command's results
 * carry, so a typo fails in a second instead of after a ten-minute run.
 */
export function parseThreshold(source: string, command: "bench" | "tw-storm"): Threshold {
  const match = pattern.exec(source);
  if (!match) {
    throw new Error(`Expected a threshold like \`offset.content.p95 < 45\` (metric, one of < <= > >= == !=, a number), got \`${source}\`.`);
  }
  const [, path, operator, number, percent] = match;
  const catalog = metricCatalog(command);
  // Metric names contain dots too: the longest declared name that prefixes the path wins.
  const metric = catalog
    .filter((m) => path === m.name || path!.startsWith(`${m.name}.`))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (!metric) {
    const stem = path!.split(".")[0];
    const near = catalog.filter((m) => m.name.split(".")[0] === stem).map((m) => m.name);
    throw new Error(
      `Unknown metric in threshold \`${source}\`; ${command} results have ${(near.length ? near : catalog.map((m) => m.name)).join(", ")} (see docs/metrics.md).`,
    );
  }
  const rest = path!.slice(metric.name.length + 1);
  const allowed = aggregateNames(metric.kind);
  const aggregate = rest || defaultAggregate[metric.kind];
  if (!aggregate) {
    throw new Error(`\`${metric.name}\` is a trend; name an aggregate (${allowed.join(", ")}), e.g. \`${metric.name}.p95${source.slice(match.index + path!.length)}\`.`);
  }
  if (!allowed.includes(aggregate)) {
    throw new Error(`\`${metric.name}\` is a ${metric.kind} with aggregates ${allowed.join(", ")}; got \`${aggregate}\` in \`${source}\`.`);
  }
  return { source: source.trim(), metric: metric.name, aggregate, operator: operator as ThresholdOperator, value: Number(number) / (percent ? 100 : 1) };
}

/** Applies a threshold's comparison, so the gate and its tests agree on what `<=` means. */
export function compareWith(observed: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case "<":
      return observed < limit;
    case "<=":
      return observed <= limit;
    case ">":
      return observed > limit;
    case ">=":
      return observed >= limit;
    case "==":
      return observed === limit;
    case "!=":
      return observed !== limit;
  }
}
