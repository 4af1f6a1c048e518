/**
 * A model's architecture as JSON, for the safetensors metadata: each built-in layer's class and
 * constructor arguments, Sequential's children with their names. Enough to rebuild the model
 * before its weights are loaded by name. A table typed over the layer names keeps the
 * serializer and the builder of each layer side by side.
 */
import { TensileError } from '../errors.js';
import type { DeviceName } from '../backends/backend.js';
import { isFloat } from '../dtype.js';
import type { AnyModule } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { Dense, Flatten, Linear } from '../nn/linear.js';
import { GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh } from '../nn/activation.js';
import { Dropout } from '../nn/dropout.js';
import { Embedding } from '../nn/embedding.js';
import { LSTM } from '../nn/recurrent.js';
import { BatchNorm1d, LayerNorm } from '../nn/norm.js';
import type { ActivationName } from '../nn/activation.js';

export interface LayerSpec {
  class: LayerClass;
  config: Record<string, unknown>;
  /** Sequential only: [name, layer] in order. */
  layers?: [string, LayerSpec][];
}

export interface Architecture {
  format: 'tensile.architecture';
  version: 1;
  /** The float dtype of the weights. */
  dtype: 'float32' | 'float64';
  module: LayerSpec;
}

type Factory = { device: DeviceName; dtype: 'float32' | 'float64' };
type LayerClass = 'Sequential' | 'Linear' | 'Dense' | 'Flatten' | 'ReLU' | 'LeakyReLU' | 'Tanh' | 'Sigmoid' | 'GELU' | 'Softmax'
  | 'Dropout' | 'Embedding' | 'LSTM' | 'LayerNorm' | 'BatchNorm1d';

interface Entry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ctor: abstract new (...args: any[]) => AnyModule;
  save(m: AnyModule, path: string): Record<string, unknown>;
  build(c: Record<string, any>, f: Factory, layers: [string, AnyModule][]): AnyModule; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const none = () => ({});

const LAYERS: { [K in LayerClass]: Entry } = {
  Sequential: {
    ctor: Sequential,
    save: none,
    build: (_c, _f, layers) => (layers.every(([n], i) => n === String(i))
      ? new Sequential(...layers.map(([, m]) => m))
      : new Sequential(Object.fromEntries(layers))),
  },
  Linear: {
    ctor: Linear,
    save: (m) => { const l = m as Linear; return { inFeatures: l.inFeatures, outFeatures: l.outFeatures, bias: l.bias !== null }; },
    build: (c, f) => new Linear(c.inFeatures, c.outFeatures, { bias: c.bias, ...f }),
  },
  Dense: {
    ctor: Dense,
    save: (m, path) => {
      const d = m as Dense;
      if (d.activation === 'custom') throw new Unserializable(path, 'Dense with a custom activation function');
      return { units: d.units, activation: d.activation, useBias: d.useBias, inputDim: d.inputDim };
    },
    build: (c, f) => new Dense(c.units, { activation: c.activation as ActivationName, useBias: c.useBias, inputDim: c.inputDim ?? undefined, ...f }),
  },
  Flatten: {
    ctor: Flatten,
    save: (m) => ({ startDim: (m as Flatten).startDim, endDim: (m as Flatten).endDim }),
    build: (c) => new Flatten(c.startDim, c.endDim),
  },
  ReLU: { ctor: ReLU, save: none, build: () => new ReLU() },
  Tanh: { ctor: Tanh, save: none, build: () => new Tanh() },
  Sigmoid: { ctor: Sigmoid, save: none, build: () => new Sigmoid() },
  LeakyReLU: {
    ctor: LeakyReLU,
    save: (m) => ({ negativeSlope: (m as LeakyReLU).negativeSlope }),
    build: (c) => new LeakyReLU(c.negativeSlope),
  },
  GELU: {
    ctor: GELU,
    save: (m) => ({ approximate: (m as GELU).approximate }),
    build: (c) => new GELU({ approximate: c.approximate }),
  },
  Softmax: {
    ctor: Softmax,
    save: (m) => ({ axis: (m as Softmax).axis }),
    build: (c) => new Softmax(c.axis),
  },
  Dropout: {
    ctor: Dropout,
    save: (m) => ({ p: (m as Dropout).p, seed: (m as Dropout).seed ?? null }),
    build: (c) => new Dropout(c.p, { seed: c.seed ?? undefined }),
  },
  Embedding: {
    ctor: Embedding,
    save: (m) => { const e = m as Embedding; return { numEmbeddings: e.numEmbeddings, embeddingDim: e.embeddingDim, paddingIdx: e.paddingIdx }; },
    build: (c, f) => new Embedding(c.numEmbeddings, c.embeddingDim, { paddingIdx: c.paddingIdx, ...f }),
  },
  LSTM: {
    ctor: LSTM,
    save: (m) => {
      const l = m as LSTM<boolean | undefined>;
      return {
        inputSize: l.inputSize, hiddenSize: l.hiddenSize, numLayers: l.numLayers, batchFirst: l.batchFirst, bias: l.bias,
        dropout: l.dropout, returnSequences: l.returnSequences ?? null,
      };
    },
    build: (c, f) => new LSTM(c.inputSize, c.hiddenSize, {
      numLayers: c.numLayers, batchFirst: c.batchFirst, bias: c.bias, dropout: c.dropout, returnSequences: c.returnSequences ?? undefined, ...f,
    }),
  },
  LayerNorm: {
    ctor: LayerNorm,
    save: (m) => { const l = m as LayerNorm; return { normalizedShape: [...l.normalizedShape], eps: l.eps, elementwiseAffine: l.elementwiseAffine }; },
    build: (c, f) => new LayerNorm(c.normalizedShape, { eps: c.eps, elementwiseAffine: c.elementwiseAffine, ...f }),
  },
  BatchNorm1d: {
    ctor: BatchNorm1d,
    save: (m) => {
      const b = m as BatchNorm1d;
      return { numFeatures: b.numFeatures, eps: b.eps, momentum: b.momentum, affine: b.affine, trackRunningStats: b.trackRunningStats };
    },
    build: (c, f) => new BatchNorm1d(c.numFeatures, { eps: c.eps, momentum: c.momentum, affine: c.affine, trackRunningStats: c.trackRunningStats, ...f }),
  },
};

/** Thrown (internally) for a layer the table does not know; save then writes weights only. */
export class Unserializable extends TensileError {
  constructor(readonly path: string, what: string) {
    super('io.save', `cannot describe layer '${path || '<root>'}' (${what}) in the architecture; only the built-in layers can be rebuilt`);
  }
}

function classOf(m: AnyModule): LayerClass | null {
  for (const k of Object.keys(LAYERS) as LayerClass[]) if (m.constructor === LAYERS[k].ctor) return k;
  return null;
}

function describeLayer(m: AnyModule, path: string): LayerSpec {
  const cls = classOf(m);
  // Exact classes only: a subclass may compute something else in forward.
  if (cls === null) throw new Unserializable(path, m.constructor.name);
  const spec: LayerSpec = { class: cls, config: LAYERS[cls].save(m, path) };
  if (cls === 'Sequential') {
    spec.layers = m.namedChildren().map(([n, c]) => [n, describeLayer(c, path ? `${path}.${n}` : n)]);
  }
  return spec;
}

/** The architecture of a model made of built-in layers; throws Unserializable otherwise. */
export function describeModel(model: AnyModule): Architecture {
  const p = model.parameters().find((t) => isFloat(t.dtype));
  return { format: 'tensile.architecture', version: 1, dtype: p?.dtype === 'float64' ? 'float64' : 'float32', module: describeLayer(model, '') };
}

function buildLayer(spec: LayerSpec, f: Factory, path: string): AnyModule {
  if (spec === null || typeof spec !== 'object' || typeof spec.class !== 'string' || !Object.prototype.hasOwnProperty.call(LAYERS, spec.class)) {
    throw new TensileError('io.load', `the architecture names an unknown layer class ${JSON.stringify(spec?.class)} at '${path || '<root>'}'`);
  }
  const layers: [string, AnyModule][] = (spec.layers ?? []).map(([n, s]) => [n, buildLayer(s, f, path ? `${path}.${n}` : n)]);
  try {
    return LAYERS[spec.class].build(spec.config ?? {}, f, layers);
  } catch (e) {
    if (e instanceof TensileError) throw new TensileError('io.load', `cannot rebuild layer '${path || '<root>'}' (${spec.class}) from the architecture: ${e.message}`);
    throw e;
  }
}

/** A new model from an architecture, its weights on `device` (initialised, to be loaded). */
export function buildModel(arch: Architecture, device: DeviceName): AnyModule {
  if (arch === null || typeof arch !== 'object' || arch.format !== 'tensile.architecture' || arch.version !== 1) {
    throw new TensileError('io.load', `the architecture metadata is not a tensile architecture (format ${JSON.stringify((arch as Architecture | null)?.format)}, version ${JSON.stringify((arch as Architecture | null)?.version)})`);
  }
  const dtype = arch.dtype === 'float64' ? 'float64' : 'float32';
  return buildLayer(arch.module, { device, dtype }, '');
}
