// The import-direction rule of STYLE.md, proven able to fail: each wrong
// arrow is linted as if it were written in that layer, and must be refused.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer import directions', () => {
  it.each([
    ['shared/x.ts', "import { createCockpit } from '../electron/host/index.js';"],
    ['shared/x.ts', "import { Kernel } from '../native/index.js';"],
    ['shared/x.ts', "import { readFileSync } from 'node:fs';"],
    ['shared/x.ts', "import React from 'react';"],
    ['renderer/src/x.ts', "import { createCockpit } from '../../electron/host/index.js';"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
    ['renderer/src/x.ts', "import { Kernel } from '../../native/index.js';"],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';"],
    ['electron/host/x.ts', "import { app } from 'electron';"],
    ['electron/host/x.ts', "import { App } from '../../renderer/src/App.js';"],
    ['electron/host/x.ts', "import { startBrowserHost } from '../serve.js';"],
    ['electron/preload.ts', "import { createCockpit } from './host/index.js';"],
    ['electron/preload.ts', "import { readFileSync } from 'node:fs';"],
    ['electron/serve.ts', "import { app } from 'electron';"],
    ['electron/shell/x.ts', "import { app } from 'electron';"],
    ['electron/shell/x.ts', "import { Kernel } from '../../native/index.js';"],
    ['electron/main.ts', "import { Kernel } from '../native/index.js';"],
  ])('refuses %s: %s', async (filePath, source) => {
    expect(await importErrors(filePath, source)).not.toEqual([]);
  });

  it.each([
    ['renderer/src/x.ts', "import { IntentRequest } from '../../shared/index.js';"],
    ['electron/host/x.ts', "import { Kernel } from '../../native/index.js';"],
    ['electron/host/x.ts', "import { IntentRequest } from '../../shared/index.js';"],
    ['electron/preload.ts', "import { contextBridge } from 'electron';"],
    ['electron/main.ts', "import { createCockpit } from './host/index.js';"],
    ['electron/shell/x.ts', "import type { CockpitHost } from '../host/api.js';"],
    ['shared/x.ts', "import { z } from 'zod';"],
  ])('allows %s: %s', async (filePath, source) => {
    expect(await importErrors(filePath, source)).toEqual([]);
  });
});
