/**
 * Reads s.yaml and resolves the few Serverless Devs expressions it uses, the way `s` does before handing
 * props to fc3: `${vars.name}`, `${env('NAME')}`, `${env('NAME', 'default')}`, `${config('AccountID')}` and
 * `${env.init('vars.name')}`. Checked with `s preview` (s 3.1.10): a whole-value expression keeps its type, so
 * `${env('N', 10)}` is the number 10 when N is unset but the string "12" when N=12; `env.init('vars.n')` is
 * s's parseInt of that var, which is how a number from the environment reaches fc3 as a number. s evaluates
 * no arithmetic here (`${vars.a + 2}` fails), so derived numbers come from `npm run deploy:sizing`.
 * Tests and `npm run deploy:check` validate the resolved document with fc3-schema.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type SYaml, sYamlSchema } from './fc3-schema.ts';

export class SYamlError extends Error {
  override readonly name = 'SYamlError';
  readonly code: 'UnresolvedExpression' | 'InvalidSYaml';
  constructor(code: 'UnresolvedExpression' | 'InvalidSYaml', message: string) {
    super(message);
    this.code = code;
  }
}

export interface ResolveContext {
  env: Record<string, string | undefined>;
  /** Values of `${config('Key')}` (the access alias' AccountID, ...). */
  config: Record<string, string>;
}

const EXPR = /\$\{([^}]+)\}/g;
const CALL = /^(env|config)\(\s*(['"])([^'"]+)\2\s*(?:,\s*(?:(['"])([^'"]*)\4|(-?\d+(?:\.\d+)?))\s*)?\)$/;
const ENV_INIT = /^env\.init\(\s*(['"])vars\.([^'"]+)\1\s*\)$/;

function evaluate(expr: string, vars: Record<string, unknown>, ctx: ResolveContext): unknown {
  const e = expr.trim();
  if (e.startsWith('vars.')) {
    const key = e.slice(5);
    if (!(key in vars)) throw new SYamlError('UnresolvedExpression', `\${${e}}: no such var`);
    return vars[key];
  }
  const init = ENV_INIT.exec(e);
  if (init) {
    const key = init[2]!;
    if (!(key in vars)) throw new SYamlError('UnresolvedExpression', `\${${e}}: no such var`);
    // s: parseInt(lodash.get(context, 'vars.<key>')), NaN when the var is not a number.
    return Number.parseInt(String(vars[key]), 10);
  }
  const m = CALL.exec(e);
  if (!m) throw new SYamlError('UnresolvedExpression', `\${${e}}: unsupported expression`);
  const [, fn, , name, , fallback, numericFallback] = m;
  const value = fn === 'env' ? ctx.env[name!] : ctx.config[name!];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  if (numericFallback !== undefined) return Number(numericFallback);
  throw new SYamlError(
    'UnresolvedExpression',
    `\${${e}}: ${fn === 'env' ? 'environment variable' : 'config'} ${name} is not set`,
  );
}

function resolveString(s: string, vars: Record<string, unknown>, ctx: ResolveContext): unknown {
  const whole = /^\$\{([^}]+)\}$/.exec(s);
  if (whole) return evaluate(whole[1]!, vars, ctx);
  return s.replace(EXPR, (_m, expr: string) => String(evaluate(expr, vars, ctx)));
}

function resolveDeep(value: unknown, vars: Record<string, unknown>, ctx: ResolveContext): unknown {
  if (typeof value === 'string') return resolveString(value, vars, ctx);
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, vars, ctx));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, vars, ctx)]));
  }
  return value;
}

/** Parses s.yaml text, resolves its expressions (vars first, then everything else) and validates it. */
export function resolveSYaml(text: string, ctx: ResolveContext): SYaml {
  const raw = parse(text) as Record<string, unknown>;
  const rawVars = (raw.vars ?? {}) as Record<string, unknown>;
  const vars = resolveDeep(rawVars, {}, ctx) as Record<string, unknown>;
  const resolved = resolveDeep({ ...raw, vars }, vars, ctx);
  const parsed = sYamlSchema.safeParse(resolved);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new SYamlError('InvalidSYaml', issues);
  }
  return parsed.data;
}

/** Resolves only the named `vars` of s.yaml (so a helper needs only the variables it uses). */
export function resolveVars<K extends string>(
  text: string,
  names: readonly K[],
  ctx: ResolveContext,
): Record<K, string> {
  const rawVars = ((parse(text) as Record<string, unknown>).vars ?? {}) as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const name of names) {
    if (!(name in rawVars))
      throw new SYamlError('UnresolvedExpression', `vars.${name} is not defined in s.yaml`);
    out[name] = String(resolveDeep(rawVars[name], {}, ctx));
  }
  return out;
}

export function loadSYaml(path: string, ctx: ResolveContext): SYaml {
  return resolveSYaml(readFileSync(path, 'utf8'), ctx);
}
