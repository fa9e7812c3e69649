// `npm run deps:check`: dependency-cruiser over src/ with .dependency-cruiser.cjs (module and folder cycles), then the
// same import graph collapsed to the top-level folders of src/, which must have no cycle either. Exit 1 on any finding.
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const { output } = await cruise(['src'], options, {}, { tsConfig: extractTSConfig(options.tsConfig.fileName) });

let failed = output.summary.error > 0;
if (failed) process.stdout.write((await format(output, { outputType: 'err' })).output);

// Top-level folders: src/<folder>/… → src/<other>/…, with one import that makes each edge.
const top = (path) => /^src\/([^/]+)\//.exec(path)?.[1];
const edges = new Map();
for (const m of output.modules) {
  const from = top(m.source);
  if (!from) continue;
  for (const d of m.dependencies) {
    const to = top(d.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${m.source} → ${d.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of more than one folder is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
const visit = (v) => {
  const s = { index, low: index, onStack: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!state.has(w)) {
      visit(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (state.get(w).onStack) s.low = Math.min(s.low, state.get(w).index);
  }
  if (s.low !== s.index) return;
  const component = [];
  for (let w = stack.pop(); ; w = stack.pop()) {
    state.get(w).onStack = false;
    component.push(w);
    if (w === v) break;
  }
  if (component.length > 1) cycles.push(component.sort());
};
for (const v of [...edges.keys()].sort()) if (!state.has(v)) visit(v);

for (const component of cycles) {
  failed = true;
  console.log(`\n  error top-level-folder-cycle: ${component.map((f) => `src/${f}`).join(', ')} import one another:`);
  for (const from of component) {
    for (const [to, example] of edges.get(from) ?? []) if (component.includes(to)) console.log(`      src/${from} → src/${to}  (${example})`);
  }
}

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]).size;
console.log(
  failed
    ? `\n✘ dependency check failed: ${output.summary.violations.length} dependency-cruiser violation(s), ${cycles.length} top-level folder cycle(s)`
    : `✔ no dependency cycles (${output.summary.totalCruised} modules, ${output.summary.totalDependenciesCruised} dependencies, ${folders} top-level folders of src/)`,
);
process.exit(failed ? 1 : 0);
