import { closestName, envName, fields, unknownBatonEnv } from '../../../src/config/index.js';

describe('unknown BATON_ environment variables', () => {
  it('names each unknown BATON_ variable once, sorted, with the closest known name', () => {
    expect(
      unknownBatonEnv({
        BATON_PROVISONING: 'true',
        BATON_FIVETRAN_API_SECRT: 'x',
        BATON_LOGLEVEL: 'debug',
        HOME: '/root',
        baton_provisioning: 'true',
      }),
    ).toEqual([
      { name: 'BATON_FIVETRAN_API_SECRT', closest: 'BATON_FIVETRAN_API_SECRET' },
      { name: 'BATON_LOGLEVEL', closest: 'BATON_LOG_LEVEL' },
      { name: 'BATON_PROVISONING', closest: 'BATON_PROVISIONING' },
    ]);
  });

  it('knows every schema variable, the env-only ones and those the scripts read', () => {
    const env: Record<string, string> = {
      BATON_HOST_ID: 'pod-0',
      BATON_GET_TASKS: 'true',
      BATON_C1_API_HOST: 'localhost:1',
      BATON_CONFIG_PATH: '/etc/baton.yaml',
      BATON_NODE24_DIR: '/opt/node24',
      BATON_TOOLS_CACHE: '/opt/tools',
    };
    for (const f of fields) env[envName(f.flag)] = 'x';
    expect(unknownBatonEnv(env)).toEqual([]);
  });

  it('picks the candidate with the fewest edits', () => {
    expect(closestName('BATON_FILES', ['BATON_FILE', 'BATON_LOG_LEVEL'])).toBe('BATON_FILE');
    expect(closestName('BATON_C1Z_TMP_DIR', ['BATON_FILE', 'BATON_C1Z_TEMP_DIR'])).toBe('BATON_C1Z_TEMP_DIR');
  });
});
