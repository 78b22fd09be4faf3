/**
 * Prints, per committed fixture case, how far both processors are from the reference backends.
 * Run: pnpm --filter @gemma3/image-processor parity
 */
import { Gemma3ImageProcessor, Gemma3ImageProcessorFast } from '../src/index.js';
import { absErrors, fixturePath, manifest, referencePixels } from '../src/test-utils/fixtures.js';

const slow = new Gemma3ImageProcessor();
const fast = new Gemma3ImageProcessorFast();
console.log('| case | shape | num_crops | slow vs PIL: max abs | fast vs torchvision: max abs | mean abs |');
console.log('|---|---|---|---|---|---|');
for (const c of manifest.cases) {
  const options = { size: c.size, doPanAndScan: c.do_pan_and_scan };
  const path = fixturePath(`images/${c.image}`);
  const s = await slow.preprocess(path, options);
  const f = await fast.preprocess(path, options);
  const es = absErrors(s.pixelValues.data, referencePixels(c.pil, manifest.luts.pil));
  const ef = absErrors(f.pixelValues.data, referencePixels(c.torchvision, manifest.luts.torchvision));
  const sameShape =
    String(s.pixelValues.dims) === String(c.pil.shape) &&
    String(f.pixelValues.dims) === String(c.torchvision.shape);
  const sameCrops =
    String(s.numCrops) === String(c.pil.num_crops) && String(f.numCrops) === String(c.torchvision.num_crops);
  console.log(
    `| ${c.name} | ${c.pil.shape.join('x')}${sameShape ? '' : ' MISMATCH'} | ${c.pil.num_crops.join(',')}${sameCrops ? '' : ' MISMATCH'} | ${es.max.toExponential(2)} | ${ef.max.toFixed(4)} | ${ef.mean.toFixed(5)} |`,
  );
}
