/**
 * The house rule: src/ is built in floors, and an import may only point down
 * (or stay inside its own folder). Type-only imports count too: a type that
 * lives upstairs is a dependency all the same. No cycles anywhere.
 *
 * `npm run deps` checks it; the unit test src/architecture.test.ts runs it on
 * src/ and on a tree with a deliberate violation, to show that it fails.
 */
const FLOORS = [
  // 0: pure data and parsing — what a sandbox is, its units, its errors.
  ['spec'],
  // 1: what the host can do; the report's shape and formatting.
  ['host', 'report'],
  // 2: the kernel interfaces' plans: the cgroup drivers, the sandbox's filesystem view.
  ['cgroup', 'view'],
  // 3: the init helper that carries them out.
  ['launch'],
  // 4: the contract of a resource beside the cgroups, and its undo stack.
  ['resource'],
  // 5: those resources, and where the sandbox's cgroups live.
  ['net', 'volume', 'placement'],
  // 4: the pipeline that puts a run together.
  ['run'],
  // 5: what the builder hands out: a started sandbox, a zx process, exports, the host check.
  ['started-sandbox.ts', 'zx', 'export', 'doctor'],
  // 6: the builder, the face users hold.
  ['sandbox.ts'],
  // 7: the public API.
  ['index.ts'],
  // 8: faces built on the public API only.
  ['cli', 'vitest', 'demo.ts'],
];

const path = (name) => `^src/${name.replace(/\./g, '\\.')}${name.endsWith('.ts') ? '$' : '/'}`;
const anyOf = (names) => names.map(path).join('|');

/** Floor n may import floors below it; its own folders only within themselves. */
const floorRules = FLOORS.flatMap((names, n) =>
  names.map((name) => ({
    name: `floor-${n}-${name}`,
    comment: `src/${name} (floor ${n}) may import only floors below it: ${FLOORS.slice(0, n).flat().join(', ') || 'nothing of src/'}`,
    severity: 'error',
    from: { path: path(name) },
    to: { path: anyOf(FLOORS.slice(n).flat().filter((other) => other !== name)) },
  })),
);

module.exports = {

  forbidden: [
    ...floorRules,
    {
      name: 'faces-use-the-public-api',
      comment: 'the CLI and the vitest face reach the library through src/index.ts only, as a user would',
      severity: 'error',
      from: { path: '^src/(cli|vitest)/' },
      to: { path: '^src/', pathNot: '^src/(index\\.ts$|cli/|vitest/)' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|^src/.*/fake-[^/]*\\.ts$' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'] },
  },
};
