// The kernel's event types and the journal's vocabulary (shared/event-types.ts) are two lists in two
// languages; the host refuses to journal a kernel event whose type the shared list lacks. This holds
// them equal, read from the Rust enum's source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { KERNEL_EVENT_TYPES } from '../../shared/index.js';

it("lists exactly the kernel's event types in shared/event-types.ts", () => {
  // The suites run from the repository's root (npm test, vitest.config.ts).
  const source = readFileSync(join(process.cwd(), 'native', 'src', 'kernel', 'types.rs'), 'utf8');
  const body = /text_enum!\(EventType \{([^}]*)\}\)/.exec(source)?.[1];
  expect(body).toBeDefined();
  const rust = [...(body ?? '').matchAll(/=>\s*"([A-Za-z]+)"/g)].map((match) => match[1]);
  expect(rust).toEqual([...KERNEL_EVENT_TYPES]);
});
