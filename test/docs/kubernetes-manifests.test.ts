// docs/kubernetes (issue 15): no cluster runs here, so the manifests are validated offline against
// Kubernetes' published OpenAPI schemas (the kubernetes-models package ships them as validators), and
// read for what makes them one sharded run: an Indexed Job with a pod per shard, each writing its own
// folder, and a merge Job that names every shard and gates the result.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";

const dir = fileURLToPath(new URL("../../docs/kubernetes/", import.meta.url));
const kinds = { "batch/v1 Job": Job, "v1 PersistentVolumeClaim": PersistentVolumeClaim } as const;

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const manifests: Manifest[] = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Manifest));
const job = (name: string) => manifests.find((m) => m.kind === "Job" && m.metadata.name === name)!.spec as {
  completionMode?: string;
  completions?: number;
  parallelism?: number;
  template: { spec: { containers: Array<{ args: string[] }> } };
};

test("every manifest is valid against Kubernetes' own schema", () => {
  assert.ok(manifests.length >= 3);
  for (const m of manifests) {
    const Model = kinds[`${m.apiVersion} ${m.kind}` as keyof typeof kinds];
    assert.ok(Model, `${m.apiVersion} ${m.kind} ${m.metadata.name}: no schema checked for this kind`);
    assert.doesNotThrow(() => new Model(m as never).validate(), `${m.kind} ${m.metadata.name}`);
  }
});

test("a broken manifest is caught: the check is not a formality", () => {
  const bench = manifests.find((m) => m.metadata.name === "avsync-bench")!;
  assert.throws(() => new Job({ ...bench, spec: { ...bench.spec, completions: "four" } } as never).validate());
  assert.throws(() => new Job({ ...bench, spec: { ...bench.spec, template: { spec: { containers: [{ args: ["bench"] }] } } } } as never).validate());
});

test("the bench Job is Indexed with a pod per shard, each writing its own folder; the merge Job names every shard and gates them", () => {
  const bench = job("avsync-bench");
  assert.equal(bench.completionMode, "Indexed");
  assert.equal(bench.parallelism, bench.completions, "every shard runs at once, started together by --start-at");
  const args = bench.template.spec.containers[0]!.args;
  assert.equal(args[0], "bench");
  assert.ok(args.includes("--start-at"));
  assert.equal(args[args.indexOf("--out") + 1], "/results/shard-$(JOB_COMPLETION_INDEX)");
  assert.ok(Number(args[args.indexOf("--sessions") + 1]) >= bench.completions!, "a session for every shard at least");
  const merge = job("avsync-merge").template.spec.containers[0]!.args;
  assert.deepEqual(merge.slice(0, 2), ["report", "--merge"]);
  assert.deepEqual(merge.filter((a) => a.startsWith("/results/shard-")), Array.from({ length: bench.completions! }, (_, i) => `/results/shard-${i}`));
  assert.ok(merge.includes("--gate"));
});
