// Types of the fuse policy's exports, for its TypeScript test.
export declare const FUSE_POLICY: Readonly<Record<string, string | boolean>>;
export declare const DRIVER_FUSE_POLICY: Readonly<Record<string, string | boolean>>;
export declare function applyFusePolicy(
  binary: string,
  policy?: Readonly<Record<string, string | boolean>>,
): Promise<string[]>;
