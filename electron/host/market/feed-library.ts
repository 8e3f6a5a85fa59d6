// The feeds folder: CSV files of recorded prices a paper session can replay.
// The window names a file by its name only; the host reads nothing outside
// this folder (a link in it is refused, not followed). Files are read
// synchronously: a feed is read whole when a session starts, and listed only
// while no session runs (index.ts), from a cache of what each version of a
// file held.
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  type Stats,
} from 'node:fs';
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

const CSV = /\.csv$/i;

export class FeedLibrary {
  /** What each file held when last read, by name, kept while its size and mtime stay. */
  private readonly listed = new Map<
    string,
    { size: number; mtimeMs: number; contents?: FeedContents; problem?: string }
  >();

  constructor(readonly folder: string) {}

  /**
   * Every `.csv` entry of the folder, by name, with what it holds or why it cannot be replayed (a name the
   * window could not send, a link, a folder, a file that does not parse). The folder is made if it is missing,
   * so the trader can find it.
   */
  list(): { ok: true; value: FeedListing[] } | { ok: false; error: CommandError } {
    let names: string[];
    try {
      mkdirSync(this.folder, { recursive: true });
      names = readdirSync(this.folder)
        .filter((name) => CSV.test(name) && !name.startsWith('.'))
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
      if (!stats) continue;
      const listing = { name, bytes: stats.size, modifiedAt: Math.floor(stats.mtimeMs) };
      const unfit = this.unfit(name, stats);
      if (unfit) {
        feeds.push({ ...listing, problem: unfit });
        continue;
      }
      let known = this.listed.get(name);
      if (!known || known.size !== stats.size || known.mtimeMs !== stats.mtimeMs) {
        const read = this.read(name);
        known = {
          size: stats.size,
          mtimeMs: stats.mtimeMs,
          ...(read.ok ? { contents: read.feed.contents } : { problem: read.problem }),
        };
        this.listed.set(name, known);
      }
      feeds.push({
        ...listing,
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
    if (!stats) {
      return {
        ok: false,
        error: {
          code: 'NOT_FOUND',
          field,
          message: `${field}: no feed ${describeValue(name)} in ${this.folder}`,
        },
      };
    }
    const unfit = this.unfit(name, stats);
    const loaded: Read = unfit ? { ok: false, problem: unfit } : this.read(name);
    if (!loaded.ok) {
      return {
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          field,
          message: `${field}: ${name} cannot be replayed: ${loaded.problem}`,
        },
      };
    }
    return { ok: true, value: { name, feed: loaded.feed, sha256: loaded.sha256 } };
  }

  /** The entry itself, a link not followed. */
  private statOf(name: string): Stats | undefined {
    try {
      return lstatSync(join(this.folder, name));
    } catch {
      return undefined;
    }
  }

  /** Why an entry is not a feed file the window can name, before reading it. */
  private unfit(name: string, stats: Stats): string | undefined {
    if (!FeedName.safeParse(name).success) {
      return 'rename it: a feed name is letters, digits, space, ".", "_" or "-", at most 100 characters, ending .csv';
    }
    if (stats.isSymbolicLink())
      return 'a link: the host reads only files in the feeds folder, so copy the file here';
    if (!stats.isFile()) return 'not a file';
    if (stats.size > MAX_FEED_BYTES) return tooLarge(stats.size);
    return undefined;
  }

  private read(name: string): Read {
    let bytes: Buffer | string;
    try {
      bytes = readWhole(join(this.folder, name));
    } catch (error) {
      return {
        ok: false,
        problem: `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      };
    }
    if (typeof bytes === 'string') return { ok: false, problem: bytes };
    const parsed = parseFeedCsv(bytes.toString('utf8'), name);
    if (!parsed.ok) return { ok: false, problem: describeProblem(parsed.problem) };
    return { ok: true, feed: parsed.feed, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
}

function tooLarge(bytes: number): string {
  return `${bytes} bytes, more than the ${MAX_FEED_BYTES} a feed may hold`;
}

/**
 * The file's bytes, or why they are not taken: too large, or grown while read (a download still running, whose
 * last row may be cut: read, it could give a wrong price).
 */
function readWhole(path: string): Buffer | string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FEED_BYTES) return tooLarge(size);
    // One byte more than the file has: filling it means the file grew.
    const buffer = Buffer.allocUnsafe(size + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (read === 0) break;
      filled += read;
    }
    if (filled > size)
      return 'it grew while it was read (a download still running?): replay it once it is complete';
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}
