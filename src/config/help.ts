import { envName, fields, type FieldSpec } from './schema.js';

const typeLabel: Record<FieldSpec['kind'], string> = {
  string: 'string',
  boolean: '',
  int: 'int',
  select: 'string',
  'string-list': 'strings',
};

const defaultText = (f: FieldSpec): string => {
  if (f.defaultLabel) return ` (default: ${f.defaultLabel})`;
  if (f.kind === 'boolean' || f.default === '' || f.default === null) return '';
  if (Array.isArray(f.default)) return f.default.length ? ` (default "${f.default.join(',')}")` : '';
  return typeof f.default === 'string' ? ` (default "${f.default}")` : ` (default ${String(f.default)})`;
};

const requiredText = (f: FieldSpec): string =>
  f.requiredIn ? `required${f.requiredIn.length === 1 ? ` in ${f.requiredIn[0]} mode` : ''}: ` : '';

/** One line per setting in the SDK's style: `required: <description> ($BATON_X) (default ...)`. */
export function renderHelp(version: string): string {
  const row = (f: FieldSpec) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${f.flag}${typeLabel[f.kind] ? ` ${typeLabel[f.kind]}` : ''}`;
    const choices = f.choices ? ` [${f.choices.filter((c) => c).join('|')}]` : '';
    return [name, `${requiredText(f)}${f.description}${choices} ($${envName(f.flag)})${defaultText(f)}`];
  };
  const flagFields = (fields as readonly FieldSpec[]).filter((f) => !f.envOnly);
  const rows = flagFields.filter((f) => !f.hidden).map(row);
  rows.push(['-h, --help', 'help for baton-fivetran'], ['-v, --version', 'version for baton-fivetran']);
  // Hidden flags (the SDK's one-shot operations) stay out of the main list but are still documented apart.
  const hiddenRows = flagFields.filter((f) => f.hidden).map(row);
  const widthOf = (list: string[][]) => Math.max(...list.map(([n]) => n!.length)) + 3;
  const width = widthOf(rows);
  const envOnly = fields
    .filter((f: FieldSpec) => f.envOnly)
    .map((f: FieldSpec) => `  ${envName(f.flag).padEnd(width - 2)}${f.description}${defaultText(f)}`);
  return [
    `baton-fivetran ${version}: ConductorOne connector for Fivetran`,
    '',
    'Usage:',
    '  baton-fivetran [flags]            sync once into --file, or run as a service when --client-id is set',
    '  baton-fivetran [command]',
    '',
    'Available Commands:',
    '  capabilities   Get connector capabilities',
    '  config         Get the connector config schema',
    '  health-check   Check the health of a running connector (--endpoint=health|ready|live, --timeout=5)',
    '  inspect        Summarise a c1z file (inspect FILE [--resources TYPE] [--grants ENTITLEMENT] [-o json])',
    '  help           Help about any command',
    '',
    'Flags:',
    ...rows.map(([n, d]) => `  ${n!.padEnd(width)}${d}`),
    '',
    'One-shot provisioning flags (need --provisioning and a --file from an earlier sync; one operation per run):',
    ...hiddenRows.map(([n, d]) => `  ${n!.padEnd(widthOf(hiddenRows))}${d}`),
    '',
    'Environment only:',
    ...envOnly,
    `  ${'BATON_CONFIG_PATH'.padEnd(width - 2)}optional YAML file of settings (default ./.baton.yaml)`,
    '',
  ].join('\n');
}

/** The configuration schema as JSON, in the shape of the SDK's `config` subcommand. */
export function configSchema(): object {
  return {
    displayName: 'Fivetran',
    helpUrl: 'https://fivetran.com/docs/rest-api',
    fields: fields.map((f: FieldSpec) => {
      const rules = f.requiredIn ? { rules: { isRequired: true } } : {};
      const body =
        f.kind === 'boolean'
          ? { boolField: { defaultValue: f.default === true } }
          : f.kind === 'int'
            ? { intField: { defaultValue: f.default, rules: { gte: f.min, lte: f.max } } }
            : f.kind === 'string-list'
              ? { stringSliceField: { defaultValue: f.default } }
              : f.kind === 'select'
                ? {
                    stringField: {
                      defaultValue: f.default ?? '',
                      allowedValues: f.choices?.filter((c) => c),
                    },
                  }
                : { stringField: { defaultValue: f.secret ? '' : (f.default ?? ''), ...rules } };
      return {
        name: f.flag,
        envVar: envName(f.flag),
        displayName: f.flag
          .split('-')
          .map((w) => w[0]!.toUpperCase() + w.slice(1))
          .join(' '),
        description: f.description,
        isRequired: !!f.requiredIn,
        isSecret: !!f.secret,
        isOps: f.group === 'operations' || f.group === 'logging',
        ...(f.short ? { shortHand: f.short } : {}),
        ...(f.envOnly ? { envOnly: true } : {}),
        ...body,
      };
    }),
  };
}
