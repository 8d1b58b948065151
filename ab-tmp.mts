// usage: tsx ab.mts <root>: nn lab table only (fused, eager nn, compiled nn)
const root = process.argv[2];
const h = await import(`${root}/packages/core/bench/harness.ts`);
const lab = await import(`${root}/packages/nn/bench/lab.ts`);
const cases = [h.fusedCase(h.labWeights().map((w: { data: Float64Array }) => w.data)), lab.eagerNnCase(), lab.compiledNnCase()];
const { perStep, ratios } = h.labTable(`lab ${root}`, cases);
console.log(`RESULT ${root} fused ${perStep[0].toFixed(3)} eager ${perStep[1].toFixed(3)} ${ratios[1].toFixed(2)}x compiled ${perStep[2].toFixed(3)} ${ratios[2].toFixed(2)}x`);
