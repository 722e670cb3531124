// The rooms of src/lib, bottom first, and the one rule between them: a room imports only rooms listed
// before it (commands, at the top, may import any). `npm test` runs this check (`npm run check:imports`);
// it fails on any arrow that runs up (types too), which also rules out every circle across rooms, and
// on any circle of runtime imports between files.
//   text … run        leaves: formatting, the marker analysis, media formats, kernel readings, the run record
//   pusher … target   the A/V path: what is sent, signalled, carried, received, watched, served
//   storm … bench     the runners, each recording its run with `run`
//   results           the union of every result kind, its guards and schema-checked reading
//   gate, report      read results; report renders, gate judges; neither runs anything
//   cli               flag parsing and the command base, for commands only
const rooms = [
  "text",
  "analysis",
  "media",
  "tcp",
  "sysctl",
  "netns",
  "run",
  "pusher",
  "signaling",
  "rtc",
  "probe",
  "browser",
  "target",
  "storm",
  "doctor",
  "restart",
  "matrix",
  "bench",
  "results",
  "gate",
  "report",
  "cli",
];

const upward = rooms.slice(0, -1).map((room, i) => ({
  name: `no-upward-from-${room}`,
  comment: `${room} sits below ${rooms.slice(i + 1).join(", ")} and imports none of them`,
  severity: "error",
  from: { path: `^src/lib/${room}/` },
  to: { path: `^src/lib/(${rooms.slice(i + 1).join("|")})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-lib-to-commands",
      severity: "error",
      from: { path: "^src/lib/" },
      to: { path: "^src/commands/" },
    },
    {
      name: "no-unknown-room",
      comment: "a new room gets its place in the list above",
      severity: "error",
      from: { path: `^src/lib/(?!(${rooms.join("|")})/)` },
      to: {},
    },
    {
      name: "no-circular",
      comment: "a circle of runtime imports; a type imported back (erased at build) is allowed inside a room",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
