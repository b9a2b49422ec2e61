export interface LicenseEntry {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly homepage: string | null;
}
export function packageOfModule(id: string): string | null;
export function collectLicenses(root: string, bundled?: readonly string[]): LicenseEntry[];
