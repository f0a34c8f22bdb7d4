/**
 * PAUC presets (spec §3(d)): PCL v2 plus the three reconstructed terms.
 * The paper's own hyperparameters are not published in what could be read
 * (spec §3 status, [X]); the term weights are the spec §3(c) defaults.
 */
import { z } from 'zod';
import { appConfigSchema } from '@contrastive/app-kit';
import { PCL_PRESETS, pclMethodFields } from '@contrastive/app-pcl';

export const paucMethodSchema = z.object({
  ...pclMethodFields,
  /** lambda_a, prototype alignment weight (spec §3(c) default 1; reconstruction). 0 switches the term off. */
  alignmentWeight: z.number().nonnegative().default(1),
  /** lambda_u, prototype-level uniformity weight (spec §3(c) default 1; reconstruction). */
  uniformityWeight: z.number().nonnegative().default(1),
  /** lambda_c, prototype-level correlation weight (spec §3(c) default 0.01; reconstruction). */
  correlationWeight: z.number().nonnegative().default(0.01),
  /** t of the uniformity term (Wang & Isola's 2; spec §3(c)). */
  uniformityT: z.number().positive().default(2),
});

export const paucSchema = appConfigSchema(paucMethodSchema);
export type PaucConfig = z.output<typeof paucSchema>;
type Preset = z.input<typeof paucSchema>;

/** The reconstruction's term weights (spec §3(c) defaults). */
const terms = { alignmentWeight: 1, uniformityWeight: 1, correlationWeight: 0.01, uniformityT: 2 } as const;

/** A PCL preset with the PAUC terms added to its method. */
function withTerms(pcl: (typeof PCL_PRESETS)[keyof typeof PCL_PRESETS]): Preset {
  return { ...pcl, method: { ...pcl.method, ...terms } };
}

/**
 * PAUC on ImageNet-1K: the PCL v2 preset (spec §3(d): "PCL v2 pipeline": ResNet-50, MoCo v2
 * head, aug+, batch 256, 200 epochs, SGD 0.03 cosine, k 25k/50k/100k; §2(b)-(c)) plus the terms.
 */
export const paperImagenet: Preset = withTerms(PCL_PRESETS['paper-imagenet']);

/**
 * PAUC on ImageNet-100 (CMC's 100 classes, the list shipped with
 * @contrastive/data): as paper-imagenet with k 2500/5000/10000 (spec §3(d),
 * "a reasonable choice" [X]) and r capped below k_min minus a batch (spec §2(b)).
 * PCL's code ties r to the queue: one argument `--pcl-r` (main_pcl.py:85) is
 * both the queue length (pcl/builder.py:13, 39) and the number of negative
 * prototypes sampled (builder.py:180), and with r = 16384 its
 * `sample(neg_proto_id, self.r)` cannot draw from 2500 prototypes. We keep
 * the tie: queue = r = 2048 (a multiple of the batch, builder.py:60).
 */
export const paperImagenet100: Preset = {
  ...paperImagenet,
  data: { ...paperImagenet.data, classList: 'imagenet100' },
  method: {
    ...PCL_PRESETS['paper-imagenet'].method,
    ...terms,
    numClusters: [2500, 5000, 10_000], // spec §3(d)
    negativePrototypes: 2048, // ours: r <= k_min - B = 2500 - 256 (spec §2(b))
    queueSize: 2048, // = r, as PCL's single --pcl-r (main_pcl.py:85; builder.py:13, 39, 180)
  },
};

/** The PCL CPU preset plus the terms. */
export const cpuFashionMnist: Preset = withTerms(PCL_PRESETS['cpu-fashion-mnist']);

/** PCL's 6-epoch CPU preset plus the terms: the shortest length measured to clear raw pixels by a point (README). */
export const cpuFashionMnistLong: Preset = withTerms(PCL_PRESETS['cpu-fashion-mnist-long']);

/** Seconds: PCL's smoke preset plus the terms (the E-step runs once). */
export const smoke: Preset = withTerms(PCL_PRESETS.smoke);

export const PAUC_PRESETS = {
  'paper-imagenet': paperImagenet,
  'paper-imagenet100': paperImagenet100,
  'cpu-fashion-mnist': cpuFashionMnist,
  'cpu-fashion-mnist-long': cpuFashionMnistLong,
  smoke,
} as const;

export const PAUC_PRESET_DESCRIPTIONS: Record<keyof typeof PAUC_PRESETS, string> = {
  'paper-imagenet': 'PCL v2 ImageNet preset + alignment 1, uniformity 1, correlation 0.01 (reconstruction; GPU; ImageNet folder)',
  'paper-imagenet100': "as paper-imagenet on CMC's ImageNet-100 classes (data.classList 'imagenet100'), k 2500/5000/10000, r 2048 (GPU)",
  'cpu-fashion-mnist': 'PCL cpu preset + the PAUC terms (2 epochs of 60k images, batch 128)',
  'cpu-fashion-mnist-long': 'the cpu-fashion-mnist recipe for 6 epochs, the shortest measured to beat raw pixels by a clear margin (README)',
  smoke: 'seconds; the E-step runs once; used by tests',
};
