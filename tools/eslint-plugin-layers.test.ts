// The import-direction rule must reject what DESIGN.md forbids and accept what it allows.
import path from 'node:path';
import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import layers from './eslint-plugin-layers.js';

RuleTester.describe = describe;
RuleTester.it = it;

const root = process.cwd();
const at = (p: string): string => path.join(root, 'src', p);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });
const rule = layers.rules['import-direction'];

tester.run('layers/import-direction', rule, {
  valid: [
    { filename: at('core/engine/engine.ts'), code: "import { x } from '../model/index.js';" },
    { filename: at('core/model/load.ts'), code: "import { x } from '../selector/index.js';" },
    { filename: at('cli/program.ts'), code: "import { x } from '../core/engine/index.js';" },
    { filename: at('cli/program.ts'), code: "import { x } from '../server/app.js';" },
    { filename: at('store/duckdb/store.ts'), code: "import { x } from '../../flows/record.js';" },
    { filename: at('core/engine/engine.ts'), code: "import { x } from 'yaml';" },
    { filename: at('cli/main.ts'), code: "import fs from 'node:fs';" },
  ],
  invalid: [
    {
      filename: at('core/engine/engine.ts'),
      code: "import { x } from '../../cli/output.js';",
      errors: [{ messageId: 'wrongWay' }],
    },
    {
      filename: at('core/model/load.ts'),
      code: "import { x } from '../engine/index.js';",
      errors: [{ messageId: 'wrongWay' }],
    },
    {
      filename: at('core/selector/parser.ts'),
      code: "import { x } from '../net/index.js';",
      errors: [{ messageId: 'wrongWay' }],
    },
    {
      filename: at('flows/enrich.ts'),
      code: "import { x } from '../store/index.js';",
      errors: [{ messageId: 'wrongWay' }],
    },
    {
      filename: at('server/app.ts'),
      code: "import { x } from '../cli/program.js';",
      errors: [{ messageId: 'wrongWay' }],
    },
    {
      filename: at('core/net/ip.ts'),
      code: "import fs from 'node:fs';",
      errors: [{ messageId: 'nodeInCore' }],
    },
    {
      filename: at('core/model/load.ts'),
      code: "const m = await import('../../server/x.js');",
      errors: [{ messageId: 'wrongWay' }],
    },
  ],
});
