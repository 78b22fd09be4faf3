/**
 * Prints, per committed fixture case, how far both processors are from the reference backends: the
 * slow one from the PIL backend, the fast one from the torchvision backend, with its default
 * settings (these small images take the exact TypeScript resize) and with libvips resizing every image
 * (`exactResizeMaxPixels: 0`, the path large images take). Errors of the fast processor are also given
 * in uint8 levels (1 level = 2/255 = 0.0078 on normalized values).
 * Run: pnpm --filter @gemma3/image-processor parity
 */
import { Gemma3ImageProcessor, Gemma3ImageProcessorFast } from '../src/index.js';
import { absErrors, fixturePath, manifest, referencePixels } from '../src/test-utils/fixtures.js';

const LEVEL = 2 / 255;
const slow = new Gemma3ImageProcessor();
const fast = new Gemma3ImageProcessorFast();
const libvips = new Gemma3ImageProcessorFast({}, { exactResizeMaxPixels: 0 });

function levels(e: { max: number; mean: number }): string {
  return `${Math.round(e.max / LEVEL)} / ${(e.mean / LEVEL).toFixed(3)}`;
}

console.log(
  '| case | shape | num_crops | slow vs PIL: max abs | fast vs torchvision: max abs | fast: max / mean (uint8 levels) | fast, libvips resize: max / mean (uint8 levels) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const c of manifest.cases) {
  const options = { size: c.size, doPanAndScan: c.do_pan_and_scan };
  const path = fixturePath(`images/${c.image}`);
  const s = await slow.preprocess(path, options);
  const f = await fast.preprocess(path, options);
  const v = await libvips.preprocess(path, options);
  const tv = referencePixels(c.torchvision, manifest.luts.torchvision);
  const es = absErrors(s.pixelValues.data, referencePixels(c.pil, manifest.luts.pil));
  const ef = absErrors(f.pixelValues.data, tv);
  const ev = absErrors(v.pixelValues.data, tv);
  const sameShape = [f, v].every((o) => String(o.pixelValues.dims) === String(c.torchvision.shape));
  const sameCrops = [f, v].every((o) => String(o.numCrops) === String(c.torchvision.num_crops));
  console.log(
    `| ${c.name} | ${c.pil.shape.join('x')}${sameShape && String(s.pixelValues.dims) === String(c.pil.shape) ? '' : ' MISMATCH'} | ${c.pil.num_crops.join(',')}${sameCrops && String(s.numCrops) === String(c.pil.num_crops) ? '' : ' MISMATCH'} | ${es.max.toExponential(2)} | ${ef.max.toExponential(2)} | ${levels(ef)} | ${levels(ev)} |`,
  );
}
