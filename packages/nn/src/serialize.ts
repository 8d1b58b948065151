// Models as JSON: the architecture (what to build) and the parameters (what to load into it).
// Pure functions, no I/O: they work in a browser as well as in Node (file I/O is in node.ts).
import { Identity, LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.ts';
import { Dense } from './dense.ts';
import { Module, StateDictError, type ModuleConfig, type StateDict } from './module.ts';
import { Sequential } from './sequential.ts';

export const MODEL_FORMAT = 'gradlab-model';
export const MODEL_VERSION = 1;

/** A saved model: `JSON.stringify` of it is the file's content. */
export interface ModelJSON {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  architecture: ModuleConfig;
  parameters: StateDict;
}

/** The model as a JSON-ready object. Throws if a parameter is NaN or ±Infinity (JSON has no such numbers). */
export function modelToJSON(model: Module): ModelJSON {
  const parameters = model.stateDict();
  for (const [name, { data }] of Object.entries(parameters)) {
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`modelToJSON: parameter ${name} has ${data[bad]} at element ${bad}; JSON cannot store it`);
  }
  return { format: MODEL_FORMAT, version: MODEL_VERSION, architecture: model.config(), parameters };
}

/**
 * Rebuilds a model from `modelToJSON`'s output (or its parsed JSON text): checks the format tag,
 * the version, the architecture, then loads the parameters (names, shapes, finite values).
 * Any problem throws an Error saying where (`architecture.modules[2]`) and what is wrong.
 */
export function modelFromJSON(value: unknown): Module {
  const fail = (what: string): never => {
    throw new Error(`modelFromJSON: ${what}`);
  };
  if (!isRecord(value)) return fail(`expected an object, got ${typeName(value)}`);
  if (value.format !== MODEL_FORMAT) {
    return fail(`format is ${JSON.stringify(value.format) ?? 'missing'}, expected '${MODEL_FORMAT}'`);
  }
  if (value.version !== MODEL_VERSION) {
    return fail(`unsupported version ${JSON.stringify(value.version) ?? '(missing)'} (this gradlab reads version ${MODEL_VERSION})`);
  }
  if (!isRecord(value.parameters)) return fail(`parameters: expected an object, got ${typeName(value.parameters)}`);
  const model = moduleFromConfig(value.architecture, 'architecture');
  try {
    model.loadStateDict(value.parameters as StateDict);
  } catch (e) {
    if (e instanceof StateDictError) fail(`parameters do not fit ${e.target}:\n  ${e.problems.join('\n  ')}`);
    throw e;
  }
  return model;
}

/** Builds the module a config describes, with fresh parameters. `path` names it in errors. */
export function moduleFromConfig(config: unknown, path = 'config'): Module {
  const fail = (what: string): never => {
    throw new Error(`modelFromJSON: ${path}: ${what}`);
  };
  if (!isRecord(config)) return fail(`expected a module description, got ${typeName(config)}`);
  const kind = config.kind;
  switch (kind) {
    case 'Sequential': {
      if (!Array.isArray(config.modules)) return fail(`Sequential needs a 'modules' array`);
      return new Sequential(...config.modules.map((m, i) => moduleFromConfig(m, `${path}.modules[${i}]`)));
    }
    case 'Dense': {
      const { inFeatures, outFeatures, bias } = config;
      for (const [name, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
        if (!Number.isInteger(n) || (n as number) <= 0) fail(`Dense ${name} must be a positive integer, got ${JSON.stringify(n)}`);
      }
      if (typeof bias !== 'boolean') fail(`Dense bias must be true or false, got ${JSON.stringify(bias)}`);
      return new Dense(inFeatures as number, outFeatures as number, { bias: bias as boolean });
    }
    case 'LeakyReLU': {
      const slope = config.slope;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) fail(`LeakyReLU slope must be a finite number, got ${JSON.stringify(slope)}`);
      return new LeakyReLU(slope as number);
    }
    case 'Sigmoid':
      return new Sigmoid();
    case 'Tanh':
      return new Tanh();
    case 'ReLU':
      return new ReLU();
    case 'Identity':
      return new Identity();
    default:
      return fail(`unknown module kind ${JSON.stringify(kind) ?? '(missing)'}`);
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function typeName(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
}
