/**
 * Dependencies point one way (docs/architecture.md): `npm run deps:check` (CI runs it after lint) fails on
 * - a cycle between modules (type-only imports count: a response DTO that `implements` a service's view type is an edge),
 * - a cycle between folders, as dependency-cruiser derives them (every folder under src/ is a node),
 * - and, in scripts/deps-check.mjs, a cycle between the top-level folders of src/ (src/agents/…, src/connections/…)
 *   through any of their subfolders.
 * No exceptions and no baseline: a cycle is removed (a port owned by the lower folder, a moved file), not listed here.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module reaches itself through its imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'A folder imports a folder that (directly or through others) imports it back.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
