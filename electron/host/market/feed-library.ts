// The feeds folder: CSV files of recorded prices a paper session can replay.
// The window names a file by its name only; the host reads nothing outside
// this folder. Files are read synchronously: a feed is read whole when a
// session starts (there is no session to hold up then) and listed from a
// cache of what each version of a file held.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import {
  describeValue,
  FeedName,
  MAX_FEED_BYTES,
  type CommandError,
  type FeedContents,
  type FeedListing,
} from '../../../shared/index.js';
import { describeProblem, parseFeedCsv, type ParsedFeed } from './feed-csv.js';

export interface LoadedFeed {
  name: string;
  feed: ParsedFeed;
  sha256: string;
}

type Read = { ok: true; feed: ParsedFeed; sha256: string } | { ok: false; problem: string };

export class FeedLibrary {
  /** What each file held when last read, by name, kept while its size and mtime stay. */
  private readonly listed = new Map<
    string,
    { size: number; mtimeMs: number; contents?: FeedContents; problem?: string }
  >();

  constructor(readonly folder: string) {}

  /** Every `.csv` file of the folder, by name; the folder is made if it is missing, so the trader can find it. */
  list(): { ok: true; value: FeedListing[] } | { ok: false; error: CommandError } {
    let names: string[];
    try {
      mkdirSync(this.folder, { recursive: true });
      names = readdirSync(this.folder)
        .filter((name) => FeedName.safeParse(name).success)
        .sort((a, b) => a.localeCompare(b));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      return {
        ok: false,
        error: {
          code: 'NOT_FOUND',
          message: `the feeds folder ${this.folder} cannot be made or read (${code})`,
        },
      };
    }
    const feeds: FeedListing[] = [];
    for (const name of names) {
      const stats = this.statOf(name);
      if (!stats?.isFile()) continue;
      let known = this.listed.get(name);
      if (!known || known.size !== stats.size || known.mtimeMs !== stats.mtimeMs) {
        const read = this.read(name, stats);
        known = {
          size: stats.size,
          mtimeMs: stats.mtimeMs,
          ...(read.ok ? { contents: read.feed.contents } : { problem: read.problem }),
        };
        this.listed.set(name, known);
      }
      feeds.push({
        name,
        bytes: stats.size,
        modifiedAt: Math.floor(stats.mtimeMs),
        ...(known.contents ? { contents: known.contents } : {}),
        ...(known.problem ? { problem: known.problem } : {}),
      });
    }
    for (const name of this.listed.keys()) if (!names.includes(name)) this.listed.delete(name);
    return { ok: true, value: feeds };
  }

  /** Reads the feed `name` for a session; `field` is the request field that named it. */
  load(name: string, field: string): { ok: true; value: LoadedFeed } | { ok: false; error: CommandError } {
    const stats = FeedName.safeParse(name).success ? this.statOf(name) : undefined;
    if (!stats?.isFile()) {
      return {
        ok: false,
        error: {
          code: 'NOT_FOUND',
          field,
          message: `${field}: no feed ${describeValue(name)} in ${this.folder}`,
        },
      };
    }
    const read = this.read(name, stats);
    if (!read.ok) {
      return {
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          field,
          message: `${field}: ${name} cannot be replayed: ${read.problem}`,
        },
      };
    }
    return { ok: true, value: { name, feed: read.feed, sha256: read.sha256 } };
  }

  private statOf(name: string): Stats | undefined {
    try {
      return statSync(join(this.folder, name));
    } catch {
      return undefined;
    }
  }

  private read(name: string, stats: Stats): Read {
    if (stats.size > MAX_FEED_BYTES) {
      return { ok: false, problem: `${stats.size} bytes, more than the ${MAX_FEED_BYTES} a feed may hold` };
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.folder, name));
    } catch (error) {
      return {
        ok: false,
        problem: `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      };
    }
    const parsed = parseFeedCsv(bytes.toString('utf8'), name);
    if (!parsed.ok) return { ok: false, problem: describeProblem(parsed.problem) };
    return { ok: true, feed: parsed.feed, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
}
