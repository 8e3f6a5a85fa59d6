// Types of the launcher's exports that TypeScript callers (the Electron e2e variant) use.
export interface ElectronLaunch {
  executable: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}
export declare const root: string;
export declare const NO_SANDBOX_OPT_IN: string;
export declare const isRoot: boolean;
export declare function findElectronBinary(options?: { tryDownload?: boolean }): string | null;
export declare function prepareElectronLaunch(options?: {
  executable?: string;
  env?: NodeJS.ProcessEnv;
  driver?: boolean;
}): ElectronLaunch;
export declare function driverElectron(
  executable: string,
  options?: { dist?: string; cache?: string; version?: string },
): string;
