/**
 * Environment variables declared once, each with a description, a parser and, for
 * secrets, a `sensitive` flag. `loadConfig` reads them all at boot and throws one
 * ConfigError listing every bad variable, so an operator fixes them in one pass.
 */

export interface VariableSpec<T> {
  readonly env: string;
  readonly description: string;
  /** Used when the variable is unset or empty. Omit to make the variable required. */
  readonly default?: T;
  /** Optional variables resolve to `undefined` when unset. */
  readonly optional?: boolean;
  /** Never printed: `describeConfig` shows `<set>` instead of the value. */
  readonly sensitive?: boolean;
  parse(raw: string): T;
}

type Spec = VariableSpec<unknown>;
export type ConfigSchema = Record<string, Spec>;

export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends VariableSpec<infer T>
    ? S[K] extends { optional: true }
      ? T | undefined
      : T
    : never;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends ConfigSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      if ('default' in spec) out[key] = spec.default;
      else if (spec.optional) out[key] = undefined;
      else problems.push(`${spec.env} is required: ${spec.description}`);
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (error) {
      const shown = spec.sensitive ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
      problems.push(`${spec.env} ${(error as Error).message}${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** A loggable view of the configuration: secrets are reduced to whether they are set. */
export function describeConfig<S extends ConfigSchema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const value = (config as Record<string, unknown>)[key];
    view[spec.env] = spec.sensitive ? (value === undefined ? '<unset>' : '<set>') : value;
  }
  return view;
}

type Options<T> = Omit<VariableSpec<T>, 'parse' | 'env'>;

function spec<T>(env: string, options: Options<T>, parse: (raw: string) => T): VariableSpec<T> {
  return { env, ...options, parse };
}

export const v = {
  string: (env: string, o: Options<string>) => spec(env, o, (raw) => raw),

  int: (env: string, o: Options<number> & { min?: number; max?: number }) =>
    spec(env, o, (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be a whole number');
      const n = Number(raw);
      if (o.min !== undefined && n < o.min) throw new Error(`must be at least ${o.min}`);
      if (o.max !== undefined && n > o.max) throw new Error(`must be at most ${o.max}`);
      return n;
    }),

  port: (env: string, o: Options<number>) =>
    spec(env, o, (raw) => {
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n < 0 || n > 65535) throw new Error('must be a port number (0-65535)');
      return n;
    }),

  bool: (env: string, o: Options<boolean>) =>
    spec(env, o, (raw) => {
      const s = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      throw new Error('must be true or false');
    }),

  oneOf: <T extends string>(env: string, values: readonly T[], o: Options<T>) =>
    spec(env, o, (raw) => {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
      return raw as T;
    }),

  url: (env: string, o: Options<string> & { protocols?: string[] }) =>
    spec(env, o, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error('must be a URL');
      }
      if (o.protocols && !o.protocols.includes(url.protocol)) throw new Error(`must use ${o.protocols.join(' or ')}`);
      return raw;
    }),

  list: (env: string, o: Options<string[]>) =>
    spec(env, o, (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
};
